"""Turn a PDF with a text layer into Documents, from the layout of its characters (pypdfium2).

What flat text loses is read from the page: larger or bold lines are headings; lines repeated
at the top or foot of pages (running heads, folios) are removed and reported; small lines at
the foot of a page are footnotes, linked to the raised numbers that call them; paragraphs
break at indents and gaps; line-end hyphens are judged as the cleaner does; the PDF outline
splits a book into its articles. A PDF with no text layer (a scan) is an input error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium

from ..clean.hyphens import Hyphens
from ..errors import Problem, SourceError
from ..model import (Break, Document, Heading, Inline, ListBlock, Note, NoteRef, Paragraph, Removal, Source, Text,
                     plain, shift_headings)
from ..slug import slugify, unique
from .pdfpage import Judge, Line, body_size, drop_furniture, footnotes, join, read_lines

MAX_PAGES = 2000  # bounded time: about a second per 25 pages
_BULLET = re.compile(r"^([•◦▪‣●]|\d{1,3}[.)])\s+")
_BREAK = re.compile(r"^\s*([*⁂•·]\s*){1,5}$")
_CONTENTS = re.compile(r"^(table of )?contents$|^inhalt|^sommaire$|^содержание$|^obsah$", re.I)


def read(path: Path, data: bytes) -> Source:
    pdf = _open(path, data)
    try:
        lines, heights = read_lines(pdf)
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
    body = body_size(lines, heights)
    lines = drop_furniture(lines, body, removed)
    hyphens = Judge("\n".join(line.text for line in lines))
    lines, notes = footnotes(lines, body, hyphens)
    articles = _split(lines, toc, body, removed)
    documents, taken = [], set()
    for title, title_line, article_lines in articles:
        blocks, used = _blocks(article_lines, body, notes, hyphens)
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


# ---------------------------------------------------------------- articles
def _split(lines: list[Line], toc, body: float, removed: list[Removal]):
    """Outline entries found on their page as large lines start the articles; the largest are
    the articles, smaller ones stay headings inside them. No outline: one article."""
    starts: list[tuple[int, str, Line]] = []
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


def _title_lines(span: list[Line], title: str) -> int:
    """How many lines the title takes (a long title wraps)."""
    wanted = _norm(title)
    got, count = "", 0
    while count < len(span) and len(got) < len(wanted):
        got = f"{got} {_norm(span[count].text)}".strip()
        count += 1
    return max(count, 1)


def _find(lines: list[Line], title: str, page: int, body: float) -> int | None:
    wanted = _norm(title)[:40]
    for index, line in enumerate(lines):
        if line.page == page and line.size > body * 1.05 and wanted.startswith(_norm(line.text)[:40][:len(wanted)]):
            if _norm(line.text) and wanted[:len(_norm(line.text))] == _norm(line.text)[:len(wanted)]:
                return index
    return None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


# ---------------------------------------------------------------- lines into blocks
def _blocks(lines: list[Line], body: float, notes, hyphens):
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
    paragraph: list[Line] = []
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


def _same_look(a: Line, b: Line) -> bool:
    return (a.bold, a.italic, a.size) == (b.bold, b.italic, b.size)


def _right_edges(lines: list[Line], body: float) -> dict[int, float]:
    """Each line's column's right edge: text lines overlapping across a page make a column, so a
    line that ends short is judged against its own column, not the page (two-column pages)."""
    edges: dict[int, float] = {}
    pages: dict[int, list[Line]] = {}
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


def _starts_paragraph(previous: Line, line: Line, body: float, pitch: float, right: float,
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
