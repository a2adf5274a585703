"""Turn raw text (web copies, PDF extractions, transcripts) into Documents, reporting removals.

The stages, in order (each its own module):

1. ``normalise``   one line ending; no invisible characters, odd spaces or control codes
2. ``boilerplate`` clutter lines (menus, counters, calls to action, separators) blanked and reported
3. ``unwrap``      lines into paragraph chunks: hard-wrapped PDF text rejoined, hyphens judged
4. ``classify``    each chunk given a kind: heading, caption, list item, byline, note text, …
5. ``articles``    a compilation split into articles with title, subtitle, authors, source
6. ``notes``       "(1)" markers linked to the notes list of their article
7. ``blocks``      chunks into model blocks; URLs into links

A text laid out as a plain document (licence, man page, README, specification) takes another
path after stage 2: ``plain`` reads its paragraphs, headings, lists and verbatim blocks from its
layout, and it stays one article. A fortune file becomes one piece of quotations (``fortunes``).

``clean`` is the one public entry point; decoding bytes happens before (``decode``).
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Document, Note, Paragraph, Removal
from ..slug import slugify, unique
from . import articles, blocks, boilerplate, classify, fortunes, notes, plain, titles, unwrap
from .hyphens import Hyphens
from .hyphens import release as release_word_lists  # noqa: F401  (for the pipeline)
from .inline import inlines
from .lines import Line, split_lines
from .normalise import normalise


def clean(text: str, name: str = "", lang: str = "en") -> tuple[tuple[Document, ...], tuple[Removal, ...], tuple[str, ...]]:
    """Return (documents, removed lines, warnings) for the decoded text of one source."""
    removed: list[Removal] = []
    warnings: list[str] = []
    text = normalise(text)
    lines = split_lines(text)
    if fortunes.is_fortune_file(lines):
        return _collection(fortunes.quotations(lines, removed), name, removed), tuple(removed), ()
    wrapped = unwrap.is_hard_wrapped(lines)
    laid_out = plain.is_plain_document(lines)
    if laid_out:
        lines = _mode_line(lines, removed)
    lines = boilerplate.remove_clutter(lines, removed, wrapped)
    if laid_out:
        chunks = plain.classify(plain.chunks(lines, Hyphens(text, lang), removed), removed)
        found = articles.whole(chunks, removed)
    else:
        chunks = classify.classify(unwrap.chunks(lines, wrapped, Hyphens(text, lang)), wrapped)
        found = articles.split(chunks, removed)
    documents: list[Document] = []
    for article in found:
        document = _document(article, name, warnings, removed, laid_out)
        if not document.blocks:
            document = _fold_back(document, documents, name)
        if document is not None:
            documents.append(document)
    taken: set[str] = set()
    documents = [replace(d, slug=unique(slugify(d.title), taken)) for d in documents]
    removed.sort(key=lambda r: r.line)
    return tuple(documents), tuple(removed), tuple(warnings)


def _mode_line(lines: list, removed: list[Removal]) -> list:
    """'GNU grep NEWS   -*- outline -*-': the editor's mode mark is no part of the title."""
    out = list(lines)
    for i, line in enumerate(out[:3]):
        mark = plain.MODE_LINE.search(line.text)
        if mark:
            removed.append(Removal(line.number, mark[0].strip(), "editor mode line"))
            out[i] = Line(line.number, line.text[:mark.start()] + " " + line.text[mark.end():])
    return out


def _collection(quotations: list, name: str, removed: list[Removal]) -> tuple[Document, ...]:
    """A fortune file is one piece of quotations; its title is the file's name."""
    title = titles.repair(name) if name else "Untitled"
    removed.sort(key=lambda r: r.line)
    return (Document(title=title, blocks=tuple(quotations), slug=slugify(title), untitled=True),)


def _fold_back(document: Document, documents: list[Document], name: str) -> Document | None:
    """A title with no text under it is text: it goes back into the article before it, or
    becomes the text of a document with a stand-in title. Nothing is dropped."""
    words = [document.title, document.subtitle or "", *document.authors]
    leftover = Paragraph(inlines(" ".join(w for w in words if w)))
    if documents:
        documents[-1] = replace(documents[-1], blocks=documents[-1].blocks + (leftover,))
        return None
    title = titles.repair(name) if name else "Untitled"
    return replace(document, title=title, subtitle=None, authors=(), blocks=(leftover,), untitled=True)


def _document(article: articles.Article, name: str, warnings: list[str], removed: list[Removal],
              laid_out: bool = False) -> Document:
    body, found, stray = notes.split_notes(article.chunks, removed)
    used: set[str] = set()
    for chunk in body:
        if chunk.kind not in ("notes-header", "note-text"):
            # A licence's "(1) copyright the software, and (2) offer you …" enumerates; with no
            # notes to point at, a plain document's "(1)" is no lost marker.
            said = [] if laid_out and not found else warnings
            chunk.text = notes.link_markers(chunk.text, found, chunk.line, said, used)
            chunk.lines = [notes.link_markers(l, found, chunk.line, [], set()) for l in chunk.lines]
    model_blocks = [Paragraph(inlines(text), "about") for text in article.about]
    model_blocks += blocks.build_blocks(body + stray, removed)
    title = article.title
    untitled = title is None
    if untitled:
        title = titles.repair(name) if name else "Untitled"
    for note_id in found:
        if note_id not in used:
            warnings.append(f"note ({note_id}) is never referenced in the text; it is kept at the end")
    note_list = tuple(Note(note_id, tuple(inlines(p) for p in paragraphs))
                      for note_id, paragraphs in found.items())
    return Document(title=titles.repair(title), blocks=tuple(model_blocks), notes=note_list,
                    subtitle=article.subtitle, authors=tuple(article.authors), source_url=article.source_url,
                    untitled=untitled)


__all__ = ["clean"]
