"""Turn an article's positioned lines (pdfpage.py) into blocks by their look, as the cleaner does
for plain text by its shape: headings by size and weight; paragraphs from indents and gaps; lists;
block quotations set in from both sides; preformatted text in a fixed-pitch font; captions in
smaller italics (a picture's, right under it); questions asked in italics or bold; pictures where
they stand; footnote calls linked to their notes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ..clean.hyphens import Hyphens
from ..model import (Block, Break, Caption, Heading, Image, Inline, ListBlock, NoteRef, Paragraph, Preformatted, Quote,
                     Removal, Table, Text, plain)
from .htmlnotes import PHOTO_LABEL, join_quotes
from .pdfpage import Line, join

_BULLET = re.compile(r"^([•◦▪‣●]|\d{1,3}[.)]|[a-zA-Z][.)]|[ivxlcdmIVXLCDM]{1,6}[.)])\s+")
# Any list item's marker: a nested list is set in, yet is no quotation.
_ITEM = re.compile(r"^([•◦▪‣●\-–]|\d{1,3}[.)]|[a-zA-Z][.)]|[ivxlcdmIVXLCDM]{1,6}[.)])\s+")
_BREAK = re.compile(r"^\s*([*⁂•·]\s*){1,5}$")


def blocks(lines: list[Line], body: float, notes, hyphens, picture: Callable[[Line], Block | None],
           removed: list[Removal]):
    """The blocks of an article's lines, and the footnotes they call ((page, label), note id) in order.

    picture(line) is the block a picture line becomes (media.py's decision, as for any source).
    """
    used: list[tuple[tuple[int, str], str]] = []
    edges = _columns(lines, body)
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:])
                   if a.page == b.page and abs(a.size - body) < 0.5 and 0 < b.top - a.top < 3 * body)
    pitch = steps[len(steps) // 2] if steps else 1.2 * body  # the usual distance from line to line
    flags = _headings(lines, body, pitch, edges)
    heading_sizes = sorted({line.size for line, flag in zip(lines, flags) if flag}, reverse=True)
    out: list[Block] = []
    for kind, group in _groups(lines, flags, body, pitch, edges):
        if kind == "picture":
            block = picture(group[0])
            if block is not None:
                out.append(block)
        elif kind == "pre":
            out.append(Preformatted(_verbatim(group, edges)))
        elif kind == "heading":
            out.append(Heading(heading_sizes.index(group[0].size) + 1, _joined(group, hyphens, notes, used)))
        else:
            out.append(_text_block(group, _joined(group, hyphens, notes, used), body, edges, out, removed))
    return join_quotes(_lists(out)), used


def _headings(lines: list[Line], body: float, pitch: float, edges) -> list[bool]:
    """Larger lines; and bold or italic lines of the text's size, one to three in a row, set apart
    above and below (a paragraph in italics, a question, runs on into the next line)."""
    flags = [line.size > body * 1.05 for line in lines]
    n = 0
    while n < len(lines):
        end = n + 1
        while (end < len(lines) and end - n < 4 and _same_look(lines[end], lines[n])
               and lines[end].page == lines[n].page and lines[end].top - lines[end - 1].top < 1.15 * pitch):
            end += 1
        run, before, after = lines[n:end], lines[n - 1] if n else None, lines[end] if end < len(lines) else None
        # Bold may be smaller than the text (a low heading); italics smaller than it are a caption.
        if ((run[0].bold or (run[0].italic and run[0].size >= body * 0.97)) and end - n <= 3
                and run[0].size <= body * 1.05 and not run[0].mono and run[0].picture is None
                and not any(line.spread for line in run)
                and run[-1].x1 < edges[id(run[-1])][1] - 2 * body and not any(line.sup for line in run)
                and sum(len(line.text) for line in run) < 200
                and (before is None or before.page != run[0].page or run[0].top - before.top > 1.4 * pitch)
                and (run[0].bold or after is None or after.page != run[-1].page
                     or after.top - run[-1].top > 1.15 * pitch)):
            for i in range(n, end):
                flags[i] = True
        n = end
    return flags


def _groups(lines: list[Line], flags: list[bool], body: float, pitch: float, edges):
    """Lines in runs of one kind: a heading, a paragraph, preformatted lines, a picture."""
    group: list[Line] = []
    kind = None
    previous = None
    for line, is_heading in zip(lines, flags):
        this_kind = ("picture" if line.picture else "heading" if is_heading else "pre" if line.mono
                     else "text")
        if this_kind == kind == "heading":  # a long heading wraps onto a second line
            new = (line.size != previous.size or line.page != previous.page
                   or line.top - previous.top > max(1.6 * line.size, 1.4 * pitch))
        elif this_kind == kind == "pre":
            new = False
        else:
            new = (this_kind != kind or kind == "picture"
                   or _starts_paragraph(previous, line, body, pitch, edges[id(previous)][1],
                                        bool(group) and bool(_BULLET.match(group[0].text.strip()))))
        if new and group:
            yield kind, group
            group = []
        kind = this_kind
        group.append(line)
        previous = line
    if group:
        yield kind, group


def _text_block(group: list[Line], text, body: float, edges, before: list[Block], removed: list[Removal]) -> Block:
    """A paragraph, or what its look makes it: a break, a caption (smaller italics; after a picture,
    its caption), a question (a paragraph in italics or bold that asks), a line of a quotation."""
    words = plain(text)
    italic = all(line.italic for line in group)
    if _BREAK.match(words):
        return Break()
    if words.startswith(PHOTO_LABEL) and words.endswith("]") and group[0].size < body * 0.97:
        removed.append(Removal(group[0].page + 1, PHOTO_LABEL + "]", "the layout's label of a caption without its photo"))
        return Caption(_unlabel(text))
    if italic and group[0].size < body * 0.97 and len(words.split()) <= 80:
        if before and isinstance(before[-1], (Image, Table)) and not before[-1].caption:
            image = before.pop()
            return dataclasses.replace(image, caption=text)
        return Caption(text)
    if (italic or all(line.bold for line in group)) and words.rstrip("”’\"» ").endswith("?"):
        return Paragraph(text, role="question")
    if _indented(group, body, edges):
        return Quote((Paragraph(text),))
    return Paragraph(text)


def _unlabel(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A caption's text without zinebuild's "[Photo: …]" around it."""
    nodes = list(inlines)
    nodes[0] = Text(nodes[0].text[len(PHOTO_LABEL):]) if isinstance(nodes[0], Text) else nodes[0]
    nodes[-1] = Text(nodes[-1].text.rstrip()[:-1]) if isinstance(nodes[-1], Text) else nodes[-1]
    return tuple(n for n in nodes if not (isinstance(n, Text) and not n.text))


def _indented(group: list[Line], body: float, edges) -> bool:
    """Two lines or more set in from both sides of their column, all at one left edge (after a
    first-line indent): a block quotation. Centred lines have no common left edge; list items
    start with their marker."""
    if len(group) < 2 or _ITEM.match(group[0].text.strip()):
        return False
    left, right = edges[id(group[1])]
    lefts = {round(line.x0) for line in group[1:]}
    return (max(lefts) - min(lefts) <= 2 and min(lefts) - left > 0.9 * body and group[0].x0 - left > 0.9 * body
            and max(line.x1 for line in group) < right - 0.9 * body)


def _verbatim(group: list[Line], edges) -> str:
    """Preformatted lines as they stand: indents from their column's left edge, blank lines from the
    gaps. A line the typesetter wrapped (pre-wrap: it ends at the edge of the column's prose, or
    pdfium marks the hyphen it broke at as \x02) goes on with the next, as the text had it."""
    lefts: dict[tuple[float, float], float] = {}
    for line in group:
        lefts[edges[id(line)]] = min(lefts.get(edges[id(line)], line.x0), line.x0)
    steps = sorted(b.top - a.top for a, b in zip(group, group[1:]) if a.page == b.page and b.top > a.top)
    pitch = steps[len(steps) // 2] if steps else 0
    out: list[str] = []
    wrapped = False
    for previous, line in zip([None, *group], group):
        text = line.text.strip()
        if wrapped:
            out[-1] += text if out[-1].endswith("-") else " " + text
        else:
            if previous is not None and previous.page == line.page and line.top - previous.top > 1.5 * pitch > 0:
                out.append("")
            out.append(" " * round((line.x0 - lefts[edges[id(line)]]) / (0.6 * line.size)) + text)
        right = edges[id(line)][1]
        wrapped = text.endswith("\x02") or (right != line.x1 and abs(right - line.x1) < 0.6 * line.size)
        out[-1] = out[-1].replace("\x02", "-")
    return "\n".join(out)


def _same_look(a: Line, b: Line) -> bool:
    return (a.bold, a.italic, a.size) == (b.bold, b.italic, b.size)


def _columns(lines: list[Line], body: float) -> dict[int, tuple[float, float]]:
    """Each line's column's left and right edges: text lines overlapping across a page make a column,
    so a line that ends short or starts in is judged against its own column (two-column pages)."""
    edges: dict[int, tuple[float, float]] = {}
    pages: dict[int, list[Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    for page_lines in pages.values():
        columns: list[list[float]] = []  # [x0, x1] of each column
        # Prose makes the columns: code may run past their edge, or be set in from it.
        prose = [l for l in page_lines if l.size <= body * 1.05 and l.picture is None and not l.mono]
        for line in sorted(prose, key=lambda l: l.x0):
            if columns and line.x0 <= columns[-1][1]:
                columns[-1][1] = max(columns[-1][1], line.x1)
            else:
                columns.append([line.x0, line.x1])
        for line in page_lines:
            edges[id(line)] = next(((x0, x1) for x0, x1 in columns if x0 - body <= line.x0 <= x1), (line.x0, line.x1))
    return edges


def _starts_paragraph(previous: Line, line: Line, body: float, pitch: float, right: float,
                     in_item: bool = False) -> bool:
    if _BULLET.match(line.text.strip()) or line.text.lstrip().startswith(PHOTO_LABEL):
        return True
    if previous.text.rstrip()[-1:] in "\u2010\u00ad\x02-" and previous.text.rstrip()[-2:-1].isalpha():
        return False  # a word broken across the lines goes on
    if previous.italic != line.italic and previous.text.rstrip()[-1:] in ".!?:”’\"»)":
        return True  # a question in italics, then its answer: the look changes with the sentence
    if abs(line.size - previous.size) > 0.5 and line.picture is None:
        return True  # text set smaller or larger is a block of its own (a caption, a note to the text)
    indent = line.x0 - previous.x0
    if 0.8 * body < indent < 6 * body and not in_item:
        return True  # a first-line indent (a list item's next lines hang instead)
    if line.page == previous.page and line.top - previous.top > max(1.4 * pitch, 1.2 * line.size):
        return True  # a gap between paragraphs
    short = previous.x1 < right - 3 * body
    return short and previous.text.rstrip()[-1:] in ".!?:”’\"»)" and indent < 6 * body


def _joined(lines: list[Line], hyphens: Hyphens, notes, used) -> tuple[Inline, ...]:
    out: list[Inline] = []
    text = ""
    for line in lines:
        parts: list[Inline] = []
        pos = 0
        for start, end in line.sup:
            label = line.text[start:end].strip()
            key = _note_key(notes, line.page, label)
            if key is None:
                continue
            parts.append(Text(line.text[pos:start]))
            if notes[key].linked is None:
                notes[key].linked = str(len(used) + 1)
                used.append((key, notes[key].linked))
            parts.append(NoteRef(notes[key].linked))
            pos = end
        parts.append(Text(line.text[pos:]))
        for part in parts:
            if isinstance(part, Text):
                if not out or not isinstance(out[-1], Text):
                    if text and out and isinstance(out[-1], NoteRef) and line is not lines[0] and part is parts[0]:
                        out.append(Text(" "))
                    out.append(Text(""))
                previous = out[-1].text
                if part is parts[0] and previous and line is not lines[0]:
                    joined = join(previous, part.text, hyphens)
                else:
                    joined = previous + part.text
                out[-1] = Text(joined)
                text = joined
            else:
                out.append(part)
    cleaned = [Text(" ".join(n.text.split()) if n.text.strip() else " ") if isinstance(n, Text) else n for n in out]
    while cleaned and isinstance(cleaned[-1], Text) and not cleaned[-1].text.strip():
        cleaned.pop()
    return tuple(n for n in cleaned if not (isinstance(n, Text) and not n.text))


def _note_key(notes, page: int, label: str):
    if not label.isdigit():
        return None
    for candidate in (page, page + 1):
        if (candidate, label) in notes and notes[(candidate, label)].linked is None:
            return (candidate, label)
    return None


def _lists(blocks: list) -> list:
    """Paragraphs in a row that each start with a bullet or a number are a list."""
    out: list = []
    run: list[Paragraph] = []

    def flush():
        if len(run) >= 2:
            ordered = not re.match(r"^[•◦▪‣●]", plain(run[0].inlines))
            items = tuple(_strip_marker(p.inlines) for p in run)
            out.append(ListBlock(ordered, items))
        else:
            out.extend(run)
        run.clear()

    for block in blocks:
        if isinstance(block, Paragraph) and not block.role and _BULLET.match(plain(block.inlines)):
            run.append(block)
        else:
            flush()
            out.append(block)
    flush()
    return out


def _strip_marker(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    first = inlines[0]
    if isinstance(first, Text):
        return (Text(_BULLET.sub("", first.text, count=1)),) + inlines[1:]
    return inlines
