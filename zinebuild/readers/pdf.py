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

from ..errors import Problem, SourceError
from ..model import Document, Inline, Note, Removal, Source, Text, shift_headings
from ..slug import slugify, unique
from ..media import figure
from . import pdfblocks, pdfpictures
from .pdffurniture import drop_furniture
from .pdfpage import Judge, Line, body_size, footnotes, read_lines

MAX_PAGES = 2000  # bounded time: about a second per 25 pages
_CONTENTS = re.compile(r"^(table of )?contents$|^inhalt|^sommaire$|^содержание$|^obsah$", re.I)


def read(path: Path, data: bytes) -> Source:
    pdf = _open(path, data)
    try:
        lines, heights = read_lines(pdf)
        warnings: list[str] = []
        drawn = pdfpictures.pictures(pdf, warnings)
        toc = [(level, title, page) for level, title, page in _outline(pdf) if page is not None]
        meta = pdf.get_metadata_dict()
    finally:
        pdf.close()
    if not any(line.text.strip() for line in lines):
        raise SourceError(Problem("this PDF has no text layer (a scan or pictures of pages)", file=path,
                                  hint="zinebuild does no OCR: run it through an OCR program first, "
                                       "or find the text elsewhere"))
    removed: list[Removal] = []
    body = body_size(lines, heights)
    lines = drop_furniture(lines, body, removed, drawn, tuple(title for _, title, _ in toc))
    hyphens = Judge("\n".join(line.text for line in lines))
    lines, notes = footnotes(lines, body, hyphens)
    lines = pdfpictures.place(lines, drawn)  # after the page furniture and notes: a picture is neither
    articles = _split(lines, toc, body, removed)
    documents, taken = [], set()
    for title, title_line, article_lines in articles:
        blocks, used = pdfblocks.blocks(article_lines, body, notes, hyphens,
                                        lambda line: figure(line.picture, line.text, path, 0, warnings), removed)
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
    pages = len(pdf)
    if pages > MAX_PAGES:
        pdf.close()
        raise SourceError(Problem(f"this PDF has {pages} pages (at most {MAX_PAGES})", file=path,
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
    # A book's articles open pages of their own; a manual or report whose outline lists its
    # sections starts most of them mid-page: it is one article, its sections headings.
    first_on_page: dict[int, int] = {}
    for index, line in enumerate(lines):
        if line is not None:
            first_on_page.setdefault(line.page, index)
    if len(starts) > 2 and 2 * sum(first_on_page.get(line.page) == index for index, _, line in starts) < len(starts):
        starts = starts[:1] if starts[0][0] == min(first_on_page.values(), default=0) else []
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


def _note_text(text: str) -> tuple[Inline, ...]:
    return (Text(" ".join(text.split())),)
