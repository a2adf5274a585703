"""Turn an article's classified chunks into model blocks: paragraphs, headings, lists, captions."""

from __future__ import annotations

import re

from ..model import Block, Break, Caption, Heading, LineBreak, ListBlock, Paragraph, Preformatted, Removal
from .inline import inlines
from .shapes import NUMBER_MARKER
from .unwrap import Chunk

# A long paragraph after a numbered line makes that line a numbered heading ("2: Beware of …").
_SECTION_BODY = 200
_TEXT_KINDS = ("paragraph", "lines", "caption")


def build_blocks(chunks: list[Chunk], removed: list[Removal]) -> list[Block]:
    _decide_numbered(chunks, removed)
    blocks: list[Block] = []
    i = 0
    while i < len(chunks):
        chunk = chunks[i]
        kind = chunk.kind
        if kind in ("pre", "contents"):
            run = [chunk]
            while kind == "contents" and i + 1 < len(chunks) and chunks[i + 1].kind == kind:
                i += 1
                run.append(chunks[i])
            blocks.append(_verbatim(chunk) if kind == "pre" else _line_paragraph([c.text for c in run]))
        elif kind in ("bullet", "item", "list-number", "alpha"):
            run = [chunk]
            while i + 1 < len(chunks) and chunks[i + 1].kind == kind and _continues(run[-1], chunks[i + 1]):
                i += 1
                run.append(chunks[i])
            items = tuple(inlines(_strip_marker(c) if kind == "list-number" else c.text) for c in run)
            start = run[0].number if kind == "list-number" and run[0].number is not None else 1
            blocks.append(ListBlock(kind == "list-number", items, start))
        elif kind == "heading" and chunk.role == "section":
            blocks.append(Heading(chunk.level, inlines(chunk.text)))
        elif kind == "section-number":
            blocks.append(Heading(1, inlines(_numbered_title(chunk))))
        elif kind == "heading":
            nxt = chunks[i + 1] if i + 1 < len(chunks) else None
            slogan = chunk.text.rstrip("’”'\"").endswith("!")
            if not slogan and nxt is not None and nxt.kind in ("paragraph", "lines", "bullet", "item",
                                                               "list-number", "caption"):
                # "Miscellania -": the dash that sets a heading off is no part of it.
                blocks.append(Heading(1, inlines(re.sub(r"\s+[-–—]$", "", chunk.text))))
            else:
                # A slogan, or a closing line ("Comrades of …", a date) with nothing after it.
                blocks.append(Paragraph(inlines(chunk.text), None if slogan else "signature"))
        elif kind == "caption":
            blocks.append(Caption(inlines(chunk.text)))
        elif kind == "break":
            blocks.append(Break())
        elif kind == "lines":
            blocks.append(_line_paragraph(chunk.lines))
        elif kind == "byline":
            blocks.append(Paragraph(inlines(chunk.text), "signature"))
        elif kind == "pagenote":
            blocks.append(Paragraph(inlines(f"{chunk.marker} {chunk.text}"), "note"))
        else:
            blocks.append(Paragraph(inlines(chunk.text), chunk.role))
        i += 1
    return blocks


def _line_paragraph(lines: list[str]) -> Paragraph:
    parts: list = []
    for line in lines:
        if parts:
            parts.append(LineBreak())
        parts.extend(inlines(line))
    return Paragraph(tuple(parts))


def _verbatim(chunk: Chunk) -> Preformatted:
    """Code, notices and tables as laid out, less the indentation they share."""
    raw = chunk.raw or chunk.lines
    margin = min((len(l) - len(l.lstrip(" ")) for l in raw if l.strip()), default=0)
    return Preformatted("\n".join(l[margin:].rstrip() for l in raw))


def _continues(last: Chunk, item: Chunk) -> bool:
    """'1.' '2.' '3.' is one list; '1.' '1.' or '3.' '7.' are not: their numbers would be lost."""
    return last.kind != "list-number" or (last.number or 0) + 1 == item.number


def _decide_numbered(chunks: list[Chunk], removed: list[Removal]) -> None:
    """Numbered lines are list items, unless most are followed by prose: then numbered headings.

    Web copies often restart numbering ("4:", then "1." for the fifth); headings are renumbered.
    """
    numbered = [i for i, c in enumerate(chunks) if c.kind == "numbered"]
    if not numbered:
        return
    evidence = sum(1 for i in numbered if i + 1 < len(chunks) and (
        chunks[i + 1].kind == "bullet" or chunks[i + 1].kind == "paragraph" and len(chunks[i + 1].text) > _SECTION_BODY))
    as_headings = evidence * 2 > len(numbered)
    expected = None
    for i in numbered:
        chunk = chunks[i]
        chunk.kind = "section-number" if as_headings else "list-number"
        if as_headings and expected is not None and chunk.number == 1 and expected > 1:
            removed.append(Removal(chunk.line, f"{chunk.number}.", f"numbering repaired → {expected}."))
            chunk.number = expected
        expected = (chunk.number or 0) + 1


def _strip_marker(chunk: Chunk) -> str:
    return NUMBER_MARKER.sub("", chunk.text, count=1)


def _numbered_title(chunk: Chunk) -> str:
    return f"{chunk.number}. {_strip_marker(chunk)}"
