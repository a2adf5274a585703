"""Turn the classified chunks of a plain document into its outline: title, subtitle and authors,
heading levels, closing lines, running heads, and verbatim blocks judged against their section.

Levels follow the order in which each heading style first appears (as in reStructuredText);
a numbered heading's level is the depth of its number ("2.1." is 2).
"""

from __future__ import annotations

import re

from ..model import Removal
from .layout import CENTRED, DEEPER, FENCE, indent, is_table, prose
from .shapes import SIGNED
from .unwrap import Chunk

def title(chunks: list[Chunk]) -> None:
    """The first heading is the title unless its style heads later sections too (a changelog's
    entries); an underlined or centred title may follow a note, and goes first. A heading right
    under the title in a style of its own is the subtitle."""
    headings = [c for c in chunks if c.kind == "heading"]
    if not headings:
        return
    first = headings[0]
    if (first.marker or ("",))[0] == "num":
        return  # "1. Introduction" is a section of a text whose title is elsewhere
    if first is not chunks[0]:
        if chunks.index(first) > 2 or (first.marker or ("",))[0] not in ("under", "atx", "centred"):
            return
        chunks.remove(first)
        chunks.insert(0, first)
    word = first.text.split()[:1]
    if sum(1 for c in headings[1:] if c.marker == first.marker and c.text.split()[:1] == word) >= 2:
        return
    first.role = "title"
    authors_under(chunks)
    second = chunks[1] if len(chunks) > 1 else None
    if second is not None and second.kind == "heading" and (second.marker or ("",))[0] != "num" and \
            not (len(second.text.split()) == 1 and second.marker != ("man",)) and (  # "Preamble" is a section
            second.marker == first.marker and re.search(r"\d", second.text)  # "Version 2, June 1991"
            or not any(c.marker == second.marker for c in headings if c is not second and c is not first)):
        second.role = "subtitle"
        third = chunks[2] if len(chunks) > 2 else None
        if third is not None and third.kind == "heading" and third.marker == second.marker == ("centred",) \
                and third.gap_before == 0:
            second.text, second.lines = f"{second.text} {third.text}", second.lines + third.lines
            chunks.remove(third)  # "Frequently Asked Questions about / sed, the stream editor"


def authors_under(chunks: list[Chunk]) -> None:
    """'Graeme W. Wilford <eep2gw@…>' centred under a title: its authors."""
    for chunk in chunks[1:5]:
        lines = chunk.raw or [chunk.text]
        if all(indent(l) >= CENTRED and (m := SIGNED.match(l.strip())) and m["name"] for l in lines):
            chunk.role, chunk.kind = "authors", "byline"


def running_heads(chunks: list[Chunk], removed: list[Removal]) -> None:
    """The title again, alone on a line further on: a PDF page's running head."""
    if not chunks or chunks[0].role != "title":
        return
    for chunk in list(chunks[1:]):
        if len(chunk.lines) == 1 and chunk.text == chunks[0].text and chunk.kind != "contents":
            removed.append(Removal(chunk.line, chunk.text, "running head"))
            chunks.remove(chunk)


def lone_numbers(chunks: list[Chunk]) -> None:
    """'1.' is a list item next to '2.'; a numbered clause alone among paragraphs keeps its number."""
    for i, chunk in enumerate(chunks):
        if chunk.kind != "list-number":
            continue
        neighbours = [chunks[j] for j in (i - 1, i + 1) if 0 <= j < len(chunks)]
        if not any(n.kind == "list-number" and abs((n.number or 0) - (chunk.number or 0)) == 1 for n in neighbours):
            chunk.kind = "paragraph"


def closing_lines(chunks: list[Chunk]) -> None:
    """'END OF TERMS AND CONDITIONS' heads nothing: a heading straight before one of its own rank
    or higher closes what came before, and is text."""
    for chunk, nxt in zip(chunks, chunks[1:]):
        if chunk.kind == "heading" and chunk.role == "section" and nxt.kind == "heading" and \
                nxt.role == "section" and nxt.level <= chunk.level and not chunk.text[:1].isdigit() \
                and not nxt.text[:1].isdigit():  # "TERMS AND CONDITIONS" over "1. Definitions" heads them
            chunk.kind, chunk.role = "paragraph", None


def levels(chunks: list[Chunk]) -> None:
    """Heading levels by the order each style first appears; numbered headings by their depth."""
    headings = [c for c in chunks if c.kind == "heading" and c.role == "section"]
    ranks: dict = {}
    for chunk in headings:
        style = chunk.marker or ("plain",)
        if style[0] != "num":
            ranks.setdefault(style, len(ranks) + 1)
    enclosing = 0  # the level of a capitals or centred heading set straight over numbered sections
    for i, chunk in enumerate(headings):
        style = chunk.marker or ("plain",)
        if style[0] == "num":
            # "Abstract", "Contents" and "1. Introduction" are siblings: a number's depth is its level,
            # under "TERMS AND CONDITIONS" when the terms start straight under it.
            chunk.level = enclosing + style[1]
        else:
            chunk.level = ranks[style]
            nxt = chunks[chunks.index(chunk) + 1] if chunks.index(chunk) + 1 < len(chunks) else None
            opens = style[0] in ("caps", "centred", "margin") and nxt is not None and (nxt.marker or ("",))[0] == "num"
            enclosing = chunk.level if opens else 0 if chunk.level <= enclosing or not enclosing else enclosing
    for chunk in headings:
        chunk.marker = None


def local_verbatim(chunks: list[Chunk]) -> None:
    """Indented past the text around it, in its own section, or it is text after all: a README
    indents all of one part, and only what sits deeper than that part is code or a notice."""
    text_kinds = ("paragraph", "list-number", "alpha", "bullet", "pre")
    for i, chunk in enumerate(chunks):
        if chunk.kind != "pre" or FENCE.match(chunk.raw[0]) or is_table(chunk.raw):
            continue
        around: list[int] = []
        for step in (-1, 1):
            j, seen = i + step, 0
            while 0 <= j < len(chunks) and chunks[j].kind != "heading" and seen < 4:
                if chunks[j].kind in text_kinds and prose(chunks[j]):
                    around += [indent(l) for l in chunks[j].raw[1:]]
                    seen += 1
                j += step
        if around and min(indent(l) for l in chunk.raw) < min(around) + DEEPER:
            chunk.kind = "paragraph"
            chunk.text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", chunk.text)
