"""Turn a PDF with a text layer into Documents, from the layout of its characters (pypdfium2).

What flat text loses is read from the page: larger or bold lines are headings; lines repeated
at the top or foot of pages (running heads, folios) are removed and reported; small lines at
the foot of a page are footnotes, linked to the raised numbers that call them; paragraphs
break at indents and gaps; line-end hyphens are judged as the cleaner does; the PDF outline
splits a book into its articles. A PDF with no text layer (a scan) is an input error.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..clean.hyphens import Hyphens, join_lines
from ..errors import Problem, SourceError
from ..model import (Break, Document, Heading, Inline, ListBlock, Note, NoteRef, Paragraph, Removal, Source, Text,
                     plain, shift_headings)
from ..slug import slugify, unique

MAX_PAGES = 2000  # bounded time: about a second per 25 pages
_SOFT_HYPHENS = "\u00ad"  # a hyphen only where the line broke: always joined
_LINE_END_HYPHEN = "\x02"  # pdfium's mark for a hyphen it found at a line end: "-"
_BULLET = re.compile(r"^([•◦▪‣●]|\d{1,3}[.)])\s+")
_MARKER = re.compile(r"^([•◦▪‣●]|\d{1,3}[.)])$")
_NOTE_START = re.compile(r"^\[?(\d{1,3})[.)\]]?\s+(?=\S)")
_FOLIO = re.compile(r"^\W*(\d{1,4}|[ivxlcdm]{1,7})\W*$", re.I)
_BREAK = re.compile(r"^\s*([*⁂•·]\s*){1,5}$")
_CONTENTS = re.compile(r"^(table of )?contents$|^inhalt|^sommaire$|^содержание$|^obsah$", re.I)


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float  # from the top of the page, in points
    size: float
    bold: bool
    sup: list[tuple[int, int]] = field(default_factory=list)  # raised runs: (start, end) in text
    italic: bool = False


def read(path: Path, data: bytes) -> Source:
    pdf = _open(path, data)
    try:
        lines, heights = _lines(pdf)
        toc = [(level, title, page) for level, title, page in _outline(pdf) if page is not None]
        meta = pdf.get_metadata_dict()
    finally:
        pdf.close()
    if not any(line.text.strip() for line in lines):
        raise SourceError(Problem("this PDF has no text layer (a scan or pictures of pages)", file=path,
                                  hint="zinebuild does no OCR: run it through an OCR program first, "
                                       "or find the text elsewhere"))
    removed: list[Removal] = []
    warnings: list[str] = []
    body_size = _body_size(lines, heights)
    lines = _drop_furniture(lines, body_size, removed)
    hyphens = _Judge("\n".join(line.text for line in lines))
    lines, notes = _footnotes(lines, body_size, hyphens)
    articles = _split(lines, toc, body_size, removed)
    documents, taken = [], set()
    for title, title_line, article_lines in articles:
        blocks, used = _blocks(article_lines, body_size, notes, hyphens)
        note_list = [Note(ref, (_note_text(notes[key].text),)) for key, ref in used]
        pages = {line.page for line in article_lines}
        for key, note in notes.items():  # a footnote with no marker found stays with its article
            if key[0] in pages and note.linked is None:
                note.linked = f"p{key[0] + 1}-{key[1]}"
                note_list.append(Note(note.linked, (_note_text(f"{key[1]}. {note.text}"),)))
                warnings.append(f"page {key[0] + 1}: footnote {key[1]} has no marker in the text; "
                                "it is printed with the notes")
        if not title:
            title = meta.get("Title") or path.stem.replace("_", " ")
        if not blocks:
            removed.append(Removal(title_line.page + 1 if title_line else 0, title, "a page with only a title"))
            removed.extend(Removal(key[0] + 1, n.text, "a footnote of a page with only a title")
                           for key, n in notes.items() if key[0] in pages and n.linked and n.linked.startswith("p"))
            continue
        documents.append(Document(title=title, blocks=shift_headings(tuple(blocks)), notes=tuple(note_list),
                                  authors=tuple(filter(None, [meta.get("Author")] if len(articles) == 1 else [])),
                                  slug=unique(slugify(title), taken), untitled=not title))
    removed.extend(Removal(key[0] + 1, n.text, "a footnote outside every article")
                   for key, n in notes.items() if n.linked is None)
    removed.sort(key=lambda r: r.line)
    return Source(str(path), "pdf", tuple(documents), tuple(removed), tuple(warnings))


def _outline(pdf):
    for item in pdf.get_toc(max_depth=6):
        dest = item.get_dest()
        yield item.level, (item.get_title() or "").strip(), dest.get_index() if dest is not None else None


def _open(path: Path, data: bytes):
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise SourceError(Problem("not a PDF file", file=path, hint="is the extension wrong?"))
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise SourceError(Problem("this PDF is encrypted (it needs a password to open)", file=path,
                                      hint="save an unprotected copy, or find the text elsewhere")) from None
        raise SourceError(Problem(f"damaged PDF: {error}", file=path,
                                  hint="get the file again, or open and re-save it")) from None
    if len(pdf) > MAX_PAGES:
        pdf.close()
        raise SourceError(Problem(f"this PDF has {len(pdf)} pages (at most {MAX_PAGES})", file=path,
                                  hint="split it, or give the pages you need"))
    return pdf


# ---------------------------------------------------------------- characters into lines
def _lines(pdf) -> tuple[list[_Line], list[float]]:
    lines: list[_Line] = []
    widths = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for number in range(len(pdf)):
        page = pdf[number]
        width, height = page.get_size()
        widths.append(height)
        text_page = page.get_textpage()
        count = text_page.count_chars()
        chars = []
        for i in range(count):
            code = pdfium_raw.FPDFText_GetUnicode(text_page, i)
            pdfium_raw.FPDFText_GetCharOrigin(text_page, i, x, y)
            chars.append((chr(code) if code else "", x.value, height - y.value,
                          pdfium_raw.FPDFText_GetFontSize(text_page, i), i))
        lines.extend(_page_lines(number, chars, text_page))
        text_page.close()
        page.close()
    return lines, widths


def _page_lines(number: int, chars, text_page) -> list[_Line]:
    lines, current = [], []

    def flush():
        text = "".join(c[0] for c in current)
        if text.strip():
            lines.append(_make_line(number, current, text_page))
        current.clear()

    for char in chars:
        ch = char[0]
        if ch in ("\r", "\n"):
            flush()
            continue
        if current:
            last = current[-1]
            size = max(last[3], char[3], 1)
            if abs(char[2] - last[2]) > size * 0.9 and char[1] < last[1]:
                flush()  # back to the left and down: a new line the text layer did not mark
        current.append(char)
    flush()
    return _place_markers(_merge_pieces(lines))


def _merge_pieces(lines: list[_Line]) -> list[_Line]:
    """A line the text layer cut in two (at a note call, a change of font) is one line again."""
    out: list[_Line] = []
    for line in lines:
        last = out[-1] if out else None
        if (last is not None and abs(line.top - last.top) < 0.3 * max(last.size, 1) and line.x0 >= last.x1 - 1
                and abs(line.size - last.size) < 0.5):
            gap = "" if line.x0 - last.x1 < 0.15 * last.size or line.text[:1].isspace() else " "
            shift = len(last.text) + len(gap)
            last.sup.extend((a + shift, b + shift) for a, b in line.sup)
            last.text += gap + line.text
            last.x1 = line.x1
        else:
            out.append(line)
    return out


def _place_markers(lines: list[_Line]) -> list[_Line]:
    """List bullets and numbers are often drawn after the text: each goes before its item's line."""
    markers = [line for line in lines if _MARKER.match(line.text.strip())]
    placed: set[int] = set()
    for marker in markers:
        item = next((line for line in lines if line is not marker and id(line) not in placed
                     and not _MARKER.match(line.text.strip()) and abs(line.top - marker.top) < 0.5 * marker.size
                     and line.x0 > marker.x0), None)
        if item is not None:
            item.text = f"{marker.text.strip()} {item.text}"
            item.sup = [(a + len(marker.text.strip()) + 1, b + len(marker.text.strip()) + 1) for a, b in item.sup]
            item.x0 = marker.x0
            placed.add(id(marker))
    return [line for line in lines if id(line) not in placed]


def _make_line(number: int, chars, text_page) -> _Line:
    visible = [c for c in chars if c[0].strip()]
    sizes = Counter(round(c[3], 1) for c in visible)
    size = sizes.most_common(1)[0][0]
    baseline = Counter(round(c[2]) for c in visible if round(c[3], 1) == size).most_common(1)[0][0]
    text = "".join(c[0] for c in chars)
    sup, start = [], None
    for pos, c in enumerate(chars):
        raised = c[0].strip() and c[3] < size * 0.85 and c[2] < baseline - size * 0.15
        if raised and start is None:
            start = pos
        elif not raised and start is not None:
            sup.append((start, pos))
            start = None
    if start is not None:
        sup.append((start, len(chars)))
    looks = [_look(text_page, c[4]) for c in (visible[0], visible[len(visible) // 2], visible[-1])]
    bold = all(look[0] for look in looks)
    italic = all(look[1] for look in looks)
    return _Line(number, text, min(c[1] for c in visible), max(c[1] for c in visible), baseline, size, bold, sup,
                 italic)


def _look(text_page, index: int) -> tuple[bool, bool]:
    """(bold, italic) by weight and the font's flags, or by its name where they are not recorded."""
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_raw.FPDFText_GetFontInfo(text_page, index, name, 128, flags)
    lowered = name.value.lower()
    bold = pdfium_raw.FPDFText_GetFontWeight(text_page, index) >= 600 or any(
        word in lowered for word in (b"bold", b"black", b"heavy"))
    italic = bool(flags.value & 64) or b"italic" in lowered or b"oblique" in lowered
    return bold, italic


def _body_size(lines: list[_Line], heights: list[float]) -> float:
    """The size of most text in the upper half of the pages: long footnotes can outweigh the text."""
    sizes = Counter()
    for line in lines:
        if line.top < heights[line.page] / 2:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


class _Judge(Hyphens):
    """The cleaner's judge of line-end hyphens, told whether this PDF marks its own: a typesetter
    that ends broken words with U+2010 (WeasyPrint does) leaves every "-" at a line end a real one."""

    def __init__(self, text: str):
        super().__init__(text.replace("\u2010", "-").replace("\x02", "-"))
        ends = Counter(line.rstrip()[-1:] for line in text.split("\n"))
        self.marked = ends["\u2010"] > ends["-"]


# ---------------------------------------------------------------- running heads and folios
def _drop_furniture(lines: list[_Line], body: float, removed: list[Removal]) -> list[_Line]:
    """A page's first or last line that recurs (digits aside) on many pages, or is a bare page
    number, or is a small line set apart above the text: a running head or a folio."""
    pages: dict[int, list[_Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    edges = Counter()
    for number, page_lines in pages.items():  # by place on the page: margins are often drawn last
        pages[number] = sorted(page_lines, key=lambda line: line.top)
        for line in {id(pages[number][0]): pages[number][0], id(pages[number][-1]): pages[number][-1]}.values():
            edges[_key(line)] += 1
    often = max(3, len(pages) // 20)
    furniture: set[int] = set()

    def drop(line: _Line, reason: str) -> None:
        furniture.add(id(line))
        removed.append(Removal(line.page + 1, line.text.strip(), reason))

    for page_lines in pages.values():
        first_body = next((i for i, line in enumerate(page_lines) if line.size >= body * 0.97), len(page_lines))
        head = page_lines[:first_body]
        # Small lines above the text, set apart from it and seen atop another page: a running head.
        if (0 < len(head) <= 2 and first_body < len(page_lines)
                and page_lines[first_body].top - head[-1].top > 1.5 * body
                and (edges[_key(head[0])] >= 2 or _FOLIO.match(head[0].text))):
            for line in head:
                drop(line, "page number" if _FOLIO.match(line.text) else "running head")
        elif page_lines and edges[_key(page_lines[0])] >= often and page_lines[0].size <= body * 1.02:
            drop(page_lines[0], "running head")
        last = page_lines[-1] if page_lines else None
        if last is not None and id(last) not in furniture and (
                (edges[_key(last)] >= often and last.size <= body * 1.02) or (_FOLIO.match(last.text) and len(page_lines) > 1
                                               and last.top - page_lines[-2].top > 1.5 * body)):
            drop(last, "page number" if _FOLIO.match(last.text) else "running foot")
    return [line for line in lines if id(line) not in furniture]


def _key(line: _Line) -> str:
    return re.sub(r"\d+", "#", " ".join(line.text.split()).lower())


# ---------------------------------------------------------------- footnotes
@dataclass
class _Footnote:
    page: int
    label: str
    text: str
    linked: str | None = None
    last: int = -1  # the last page it runs on


def _footnotes(lines: list[_Line], body: float, hyphens: Hyphens) -> tuple[list[_Line], dict]:
    """Small lines below a page's text, each starting with its number, are that page's notes."""
    notes: dict[tuple[int, str], _Footnote] = {}
    keep: list[_Line] = []
    pages: dict[int, list[_Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    current = None
    for number, page_lines in sorted(pages.items()):
        start = len(page_lines)
        while start > 0 and page_lines[start - 1].size < body * 0.92:
            start -= 1
        # The notes stand apart from what is above them (a rule, a margin); small lines that follow
        # the text closely are the text's own (an example set smaller). The first apart line wins.
        continued = (current is not None and current.last == number - 1  # broke off mid-sentence
                     and current.text.rstrip()[-1:] not in ".!?)”\"’»")
        cut = next((i for i in range(start, len(page_lines))
                    if (i == 0 or page_lines[i].top - page_lines[i - 1].top > 1.6 * page_lines[i].size)
                    and (_note_start(page_lines[i])[0] is not None or (continued and i == start))),
                   len(page_lines))
        foot = page_lines[cut:]
        if not foot:
            keep.extend(page_lines)
            current = None
            continue
        continued = continued and _note_start(foot[0])[0] is None
        keep.extend(page_lines[:cut])
        if not continued:
            current = None
        for line in foot:
            label, rest = _note_start(line)
            if label is not None:
                current = _Footnote(number, label, rest)
                notes[(number, label)] = current
            elif current is not None:
                current.text = _join(current.text, line.text, hyphens) if current.text else line.text
        if current is not None:
            current.last = number
    return keep, notes


def _note_start(line: _Line) -> tuple[str | None, str]:
    if line.sup and line.sup[0][0] == 0:
        label = line.text[:line.sup[0][1]].strip()
        if label.isdigit():
            return label, line.text[line.sup[0][1]:].strip()
    match = _NOTE_START.match(line.text)
    if match:
        return match[1], line.text[match.end():].strip()
    return None, line.text


# ---------------------------------------------------------------- articles
def _split(lines: list[_Line], toc, body: float, removed: list[Removal]):
    """Outline entries found on their page as large lines start the articles; the largest are
    the articles, smaller ones stay headings inside them. No outline: one article."""
    starts: list[tuple[int, str, _Line]] = []
    for level, title, page in toc:
        index = _find(lines, title, page, body)
        if index is not None:
            starts.append((index, title, lines[index]))
    starts = sorted({index: (index, title, line) for index, title, line in starts}.values())
    # An entry with text of its own before the next one is an article; a part's page has none.
    def own_text(n: int) -> bool:  # text before the next entry, or that entry on the same page
        index, _, line = starts[n]
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        return (any(abs(l.size - body) < 0.6 for l in lines[index:end])
                or (n + 1 < len(starts) and starts[n + 1][2].page == line.page))

    texts = [own_text(n) for n in range(len(starts))]
    top = max((line.size for (_, _, line), text in zip(starts, texts) if text), default=0)
    parts = {index for (index, _, line), text in zip(starts, texts) if not text and line.size >= top * 0.97}
    for index in parts:
        for line in lines[index:index + _title_lines(lines[index:], starts[[s[0] for s in starts].index(index)][1])]:
            removed.append(Removal(line.page + 1, line.text.strip(), "a part's title page"))
    lines = [line if i not in parts else None for i, line in enumerate(lines)]
    starts = [s for s, text in zip(starts, texts) if text and s[2].size >= top * 0.97]
    if not starts:
        return [("", None, [line for line in lines if line is not None])]
    articles = []
    if starts[0][0] > 0:
        removed.extend(Removal(line.page + 1, line.text.strip(), "before the first article (front matter)")
                       for line in lines[:starts[0][0]] if line is not None)
    for n, (index, title, line) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        span = [line for line in lines[index:end] if line is not None]
        skip = _title_lines(span, title)
        if _CONTENTS.match(title):
            removed.extend(Removal(l.page + 1, l.text.strip(), "the PDF's table of contents") for l in span)
            continue
        articles.append((title, line, span[skip:]))
    return articles


def _title_lines(span: list[_Line], title: str) -> int:
    """How many lines the title takes (a long title wraps)."""
    wanted = _norm(title)
    got, count = "", 0
    while count < len(span) and len(got) < len(wanted):
        got = f"{got} {_norm(span[count].text)}".strip()
        count += 1
    return max(count, 1)


def _find(lines: list[_Line], title: str, page: int, body: float) -> int | None:
    wanted = _norm(title)[:40]
    for index, line in enumerate(lines):
        if line.page == page and line.size > body * 1.05 and wanted.startswith(_norm(line.text)[:40][:len(wanted)]):
            if _norm(line.text) and wanted[:len(_norm(line.text))] == _norm(line.text)[:len(wanted)]:
                return index
    return None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


# ---------------------------------------------------------------- lines into blocks
def _blocks(lines: list[_Line], body: float, notes, hyphens):
    blocks: list = []
    used: list[tuple[tuple[int, str], str]] = []
    right = max((line.x1 for line in lines), default=0)
    edges = _right_edges(lines, body)
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:])
                   if a.page == b.page and abs(a.size - body) < 0.5 and 0 < b.top - a.top < 3 * body)
    pitch = steps[len(steps) // 2] if steps else 1.2 * body  # the usual distance from line to line
    flags = [line.size > body * 1.05 for line in lines]
    # Bold or italic lines of the text's size, one to three in a row, set apart above and below
    # (a paragraph in italics, a question, runs on into the next line): a heading.
    n = 0
    while n < len(lines):
        end = n + 1
        while (end < len(lines) and end - n < 4 and _same_look(lines[end], lines[n])
               and lines[end].page == lines[n].page and lines[end].top - lines[end - 1].top < 1.15 * pitch):
            end += 1
        run, before, after = lines[n:end], lines[n - 1] if n else None, lines[end] if end < len(lines) else None
        # Bold may be smaller than the text (a low heading); italics smaller than it are a caption.
        if ((run[0].bold or (run[0].italic and run[0].size >= body * 0.97)) and end - n <= 3
                and run[0].size <= body * 1.05
                and run[-1].x1 < edges[id(run[-1])] - 2 * body and not any(line.sup for line in run)
                and sum(len(line.text) for line in run) < 200
                and (before is None or before.page != run[0].page or run[0].top - before.top > 1.4 * pitch)
                and (run[0].bold or after is None or after.page != run[-1].page
                     or after.top - run[-1].top > 1.15 * pitch)):
            for i in range(n, end):
                flags[i] = True
        n = end
    heading_sizes = sorted({line.size for line, flag in zip(lines, flags) if flag}, reverse=True)
    paragraph: list[_Line] = []
    kind = None

    def flush():
        nonlocal paragraph
        if paragraph:
            text = _joined(paragraph, hyphens, notes, used)
            if kind == "heading":
                blocks.append(Heading(heading_sizes.index(paragraph[0].size) + 1, text))
            elif _BREAK.match(plain(text)):
                blocks.append(Break())
            else:
                blocks.append(Paragraph(text))
        paragraph = []

    previous = None
    for line, is_heading in zip(lines, flags):
        this_kind = "heading" if is_heading else "text"
        if this_kind == kind == "heading":  # a long heading wraps onto a second line
            new = (line.size != previous.size or line.page != previous.page
                   or line.top - previous.top > max(1.6 * line.size, 1.4 * pitch))
        else:
            new = (this_kind != kind or previous is None
                   or _starts_paragraph(previous, line, body, pitch, edges[id(previous)],
                                        bool(paragraph) and bool(_BULLET.match(paragraph[0].text.strip()))))
        if new:
            flush()
            kind = this_kind
        paragraph.append(line)
        previous = line
    flush()
    return _lists(blocks), used


def _same_look(a: _Line, b: _Line) -> bool:
    return (a.bold, a.italic, a.size) == (b.bold, b.italic, b.size)


def _right_edges(lines: list[_Line], body: float) -> dict[int, float]:
    """Each line's column's right edge: text lines overlapping across a page make a column, so a
    line that ends short is judged against its own column, not the page (two-column pages)."""
    edges: dict[int, float] = {}
    pages: dict[int, list[_Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    for page_lines in pages.values():
        columns: list[list[float]] = []  # [x0, x1] of each column
        for line in sorted((l for l in page_lines if l.size <= body * 1.05), key=lambda l: l.x0):
            if columns and line.x0 <= columns[-1][1]:
                columns[-1][1] = max(columns[-1][1], line.x1)
            else:
                columns.append([line.x0, line.x1])
        for line in page_lines:
            edges[id(line)] = next((x1 for x0, x1 in columns if x0 <= line.x0 <= x1), line.x1)
    return edges


def _starts_paragraph(previous: _Line, line: _Line, body: float, pitch: float, right: float,
                     in_item: bool = False) -> bool:
    if _BULLET.match(line.text.strip()):
        return True
    if previous.text.rstrip()[-1:] in "\u2010\u00ad\x02-" and previous.text.rstrip()[-2:-1].isalpha():
        return False  # a word broken across the lines goes on
    indent = line.x0 - previous.x0
    if 0.8 * body < indent < 6 * body and not in_item:
        return True  # a first-line indent (a list item's next lines hang instead)
    if line.page == previous.page and line.top - previous.top > max(1.4 * pitch, 1.2 * line.size):
        return True  # a gap between paragraphs
    short = previous.x1 < right - 3 * body
    return short and previous.text.rstrip()[-1:] in ".!?:”’\"»)" and indent < 6 * body


def _joined(lines: list[_Line], hyphens: Hyphens, notes, used) -> tuple[Inline, ...]:
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
                    joined = _join(previous, part.text, hyphens)
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


def _join(first: str, second: str, hyphens: Hyphens) -> str:
    stripped = first.rstrip()
    if stripped[-1:] == _LINE_END_HYPHEN:
        stripped = stripped[:-1] + "-"
    if stripped[-1:] in _SOFT_HYPHENS:
        return stripped[:-1] + second.lstrip()
    if stripped.endswith(("-", "\u2010")) and "/" in stripped.rsplit(" ", 1)[-1]:
        return stripped[:-1] + "-" + second.lstrip()  # inside an address: the hyphen is its own
    if getattr(hyphens, "marked", False):
        if stripped[-1:] == "-" and stripped[-2:-1].isalpha():
            return stripped + second.lstrip()  # the typesetter marks its own breaks: this is the word's hyphen
        if stripped[-1:] == "\u2010":
            return stripped[:-1] + second.lstrip()  # and this one is the typesetter's
    last = stripped.rsplit(" ", 1)[-1]
    if last.endswith(("/", "—", "–")) and (len(last) > 1 or "/" in last):
        return stripped + second.lstrip()  # "https://" + "example.org", "we—" + "not": no space
    if stripped[-1:] == "\u2010":  # a typesetter's hyphen, or a word's own: judged like any other
        stripped = stripped[:-1] + "-"
    return join_lines(stripped, second, hyphens)


def _note_key(notes, page: int, label: str):
    if not label.isdigit():
        return None
    for candidate in (page, page + 1):
        if (candidate, label) in notes and notes[(candidate, label)].linked is None:
            return (candidate, label)
    return None


def _note_text(text: str) -> tuple[Inline, ...]:
    return (Text(" ".join(text.split())),)


def _lists(blocks: list) -> list:
    """Paragraphs in a row that each start with a bullet or a number are a list."""
    out: list = []
    run: list[Paragraph] = []

    def flush():
        if len(run) >= 2:
            ordered = bool(re.match(r"^\d", plain(run[0].inlines)))
            items = tuple(_strip_marker(p.inlines) for p in run)
            out.append(ListBlock(ordered, items))
        else:
            out.extend(run)
        run.clear()

    for block in blocks:
        if isinstance(block, Paragraph) and _BULLET.match(plain(block.inlines)):
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
