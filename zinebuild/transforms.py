"""Turn a Document as a reader made it into the Document the book shows: steps for every reader.

Each step is a pure ``Document -> Document`` function; ``tidy`` applies them in order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, is_dataclass, replace

from .model import Document, Heading, plain


def _same_text(text: str) -> str:
    """A title as compared: case, accents' composition, spaces and punctuation aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def absorb_title_heading(doc: Document) -> Document:
    """A first heading that repeats the piece's title is the title: printed once, not twice.

    Links to that heading then lead to the top of the piece."""
    if not doc.blocks or not isinstance(doc.blocks[0], Heading):
        return doc
    heading = doc.blocks[0]
    if _same_text(plain(heading.inlines)) != _same_text(doc.title) or not _same_text(doc.title):
        return doc
    anchors = doc.anchors + ((heading.id, ""),) if heading.id else doc.anchors
    anchors = tuple((name, "" if target == heading.id else target) for name, target in anchors)
    return replace(doc, blocks=doc.blocks[1:], anchors=anchors)


# What XML 1.0 cannot carry and a terminal would obey: C0 controls but tab and newline, DEL, C1
# controls, the non-characters U+FFFE/U+FFFF and lone surrogates. A reader may pass them on from
# a front matter escape ("\\e" in YAML), a raw ESC in Markdown or a PDF's text layer.
UNCARRIABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _carriable(value):
    """value with UNCARRIABLE removed from every string in it, however deep; value itself if none."""
    if isinstance(value, str):
        return UNCARRIABLE.sub("", value) if UNCARRIABLE.search(value) else value
    if isinstance(value, tuple):
        items = tuple(_carriable(item) for item in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: new for f in fields(value)
                   if (new := _carriable(old := getattr(value, f.name))) is not old}
        return replace(value, **changed) if changed else value
    return value


def carriable_text(doc: Document) -> Document:
    """No control character from a source reaches an output: XML refuses them, terminals obey them.

    Not words (the cleaner's accounting counts none of them): removed without a report."""
    return _carriable(doc)


STEPS = (carriable_text, absorb_title_heading)


def tidy(doc: Document) -> Document:
    for step in STEPS:
        doc = step(doc)
    return doc
