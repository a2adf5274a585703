"""Turn a Document as a reader made it into the Document the book shows: steps for every reader.

Each step is a pure ``Document -> Document`` function; ``tidy`` applies them in order.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

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


STEPS = (absorb_title_heading,)


def tidy(doc: Document) -> Document:
    for step in STEPS:
        doc = step(doc)
    return doc
