"""Turn a document's straight quotes, spaced hyphens and three dots into the typography of its
language: “ ” in English, „ “ in German and Czech, « » in French and Russian; – or — for a
spaced hyphen; … for three dots.

Only running text changes: code, preformatted text and links (their text is often the URL)
are left as they are. Applied per piece once its language is known (``assemble``), on by
default; ``[clean] typography = false`` turns it off.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from .model import (Block, Caption, Document, Emphasis, Heading, Inlines, ListBlock, Note, Paragraph, Quote, Span,
                    Strong, Text)

ELLIPSIS, EN_DASH, EM_DASH = "\u2026", "\u2013", "\u2014"
# (opening double, closing double, opening single, closing single) by language.
_QUOTES = {
    "en": "“”‘’", "nl": "“”‘’", "pt": "“”‘’",
    "de": "„“‚‘", "cs": "„“‚‘", "sk": "„“‚‘", "sl": "„“‚‘", "hr": "„”‚’", "pl": "„”‚’", "hu": "„”‚’",
    "ro": "„”‚’", "bg": "„“‚‘",
    "fr": "«»‹›", "ru": "«»„“", "uk": "«»„“", "be": "«»„“", "es": "«»“”", "it": "«»“”", "ca": "«»“”",
    "el": "«»“”", "no": "«»‘’", "nb": "«»‘’",
}
# A hyphen with a space on each side stands for a dash: spaced en dash, or em dash where the
# language spaces an em dash (Russian and its neighbours).
_DASHES = {"ru": EM_DASH, "uk": EM_DASH, "be": EM_DASH, "bg": EM_DASH}
APOSTROPHE = "\u2019"

_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")
_THREE_DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
# GNU-style `quoted' text: a backtick opens what an apostrophe closes.
_GNU_QUOTED = re.compile(r"`([^`'\n]{1,80})'")
_URL = re.compile(r"((?:https?://|www\.)\S+)")


def normalise(doc: Document, lang: str) -> tuple[Document, Counter]:
    """The document in its language's typography, and how many of each change were made."""
    counts: Counter = Counter()
    quotes = _QUOTES.get(lang.split("-")[0].lower(), "“”‘’")
    dash = _DASHES.get(lang.split("-")[0].lower(), EN_DASH)

    def fix(inlines: Inlines) -> Inlines:
        return _inlines(inlines, quotes, dash, counts)

    blocks = tuple(_block(b, fix) for b in doc.blocks)
    notes = tuple(Note(n.id, tuple(fix(p) for p in n.paragraphs)) for n in doc.notes)
    title = _plain(doc.title, quotes, dash, counts)
    subtitle = _plain(doc.subtitle, quotes, dash, counts) if doc.subtitle else doc.subtitle
    return replace(doc, blocks=blocks, notes=notes, title=title, subtitle=subtitle), counts


def _block(block: Block, fix) -> Block:
    if isinstance(block, (Heading, Paragraph, Caption)):
        return replace(block, inlines=fix(block.inlines))
    if isinstance(block, ListBlock):
        return replace(block, items=tuple(fix(item) for item in block.items))
    if isinstance(block, Quote):
        return replace(block, blocks=tuple(_block(b, fix) for b in block.blocks))
    return block  # preformatted text, breaks, and blocks other readers add stay as they are


def _inlines(inlines: Inlines, quotes: str, dash: str, counts: Counter, before: list[str] | None = None) -> Inlines:
    before = before if before is not None else [" "]  # the character before, across nodes
    out = []
    for i, node in enumerate(inlines):
        if isinstance(node, Text):
            text = _text(node.text, quotes, dash, counts, before[0], _first(inlines, i + 1))
            if node.text:
                before[0] = node.text[-1]
            out.append(Text(text) if text != node.text else node)
        elif isinstance(node, (Emphasis, Strong, Span)):
            out.append(replace(node, children=_inlines(node.children, quotes, dash, counts, before)))
        else:
            out.append(node)  # code, links (often their own URL), note references, line breaks
            before[0] = "x"
    return tuple(out)


def _first(inlines: Inlines, start: int = 0) -> str:
    """The character after a text node: inlines[start]'s first, a letter for code or a link.

    By index, not by a slice: a paragraph of 50,000 nodes would be copied at each one."""
    if start >= len(inlines):
        return " "
    node = inlines[start]
    if isinstance(node, Text):
        return node.text[:1] or " "
    return _first(node.children) if isinstance(node, (Emphasis, Strong, Span)) else "x"


def _plain(text: str, quotes: str, dash: str, counts: Counter) -> str:
    return _text(text, quotes, dash, counts, " ", " ")


def _text(text: str, quotes: str, dash: str, counts: Counter, before: str, after: str) -> str:
    if "://" in text or "www." in text:  # a URL left as text: its dots and quotes are its own
        parts = _URL.split(text)
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(part)
            else:
                prev = out[-1][-1] if out and out[-1] else before
                nxt = parts[i + 1][:1] if i + 1 < len(parts) else after
                out.append(_prose(part, quotes, dash, counts, prev, nxt or " "))
        return "".join(out)
    return _prose(text, quotes, dash, counts, before, after)


def _prose(text: str, quotes: str, dash: str, counts: Counter, before: str, after: str) -> str:
    text, n = _THREE_DOTS.subn(ELLIPSIS, text)
    counts["ellipsis"] += n
    text, n = _SPACED_HYPHEN.subn(f" {dash} ", text)
    counts["dash"] += n
    text, n = _GNU_QUOTED.subn(lambda m: f"{quotes[2]}{m[1]}{quotes[3]}", text)
    counts["quote"] += 2 * n
    if '"' not in text and "'" not in text:
        return text
    out = []
    for i, char in enumerate(text):
        prev = text[i - 1] if i else before
        nxt = text[i + 1] if i + 1 < len(text) else after
        if char == '"':
            out.append(quotes[0] if _opens(prev, nxt) else quotes[1])
            counts["quote"] += 1
        elif char == "'":
            if prev.isalnum() and (nxt.isalpha() or not _opens(prev, nxt)):
                out.append(APOSTROPHE)  # don't, the '90s, dogs'
            else:
                out.append(quotes[2] if _opens(prev, nxt) else quotes[3])
            counts["quote"] += 1
        else:
            out.append(char)
    return "".join(out)


def _opens(prev: str, nxt: str) -> bool:
    """A quote opens after a space, a bracket or a dash, and before a word."""
    return (prev.isspace() or prev in "([{-–—/“‘„«") and not nxt.isspace()


def summary(counts: Counter) -> str:
    parts = [f"{counts[k]} {name}" for k, name in (("quote", "quotes curled"), ("dash", "dashes"),
                                                     ("ellipsis", "ellipses")) if counts[k]]
    return ", ".join(parts) if parts else "nothing to change"
