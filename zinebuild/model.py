"""The document model every reader produces and every writer consumes: frozen, no I/O.

Inline content is a tuple of inline nodes; blocks hold inlines, never HTML strings.
``to_dict`` gives the plain-text dump used by ``zinebuild inspect --json`` and the
golden tests: block text is plain text with note references written ``[^id]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cached_property
from typing import ClassVar, Union

from .labels import labels


# ---------------------------------------------------------------- inlines
@dataclass(frozen=True)
class Text:
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True)
class Emphasis:
    kind: ClassVar[str] = "emphasis"
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    kind: ClassVar[str] = "strong"
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True)
class Link:
    kind: ClassVar[str] = "link"
    url: str
    children: tuple["Inline", ...]
    line: int | None = field(default=None, compare=False)  # in the source, for reports
    # Set by links.resolve for a link inside the book: the piece it leads to; url is then
    # "#" and the id of the element (the piece itself, or one of its headings).
    piece: str | None = None


@dataclass(frozen=True)
class NoteRef:
    kind: ClassVar[str] = "noteref"
    id: str


@dataclass(frozen=True)
class LineBreak:
    kind: ClassVar[str] = "linebreak"


@dataclass(frozen=True)
class Span:
    """Words in another language than their piece's, where their script says which (``language``)."""

    kind: ClassVar[str] = "span"
    lang: str
    children: tuple["Inline", ...]


Inline = Union[Text, Emphasis, Strong, Code, Link, NoteRef, LineBreak, Span]
Inlines = tuple[Inline, ...]


def plain(inlines: Inlines) -> str:
    """Plain text of inline content, note references as ``[^id]``."""
    out = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, NoteRef):
            out.append(f"[^{node.id}]")
        elif isinstance(node, LineBreak):
            out.append("\n")
        else:
            out.append(plain(node.children))
    return "".join(out)


def note_refs(inlines: Inlines):
    """Yield the note ids referenced in inline content, in reading order."""
    for node in inlines:
        if isinstance(node, NoteRef):
            yield node.id
        elif isinstance(node, (Emphasis, Strong, Link, Span)):
            yield from note_refs(node.children)


# ---------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    inlines: Inlines
    # The source's id for this heading (links point at it); links.resolve makes it book-wide.
    id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    inlines: Inlines
    # "question" / "answer" in interviews, "signature" for closing lines; None otherwise.
    role: str | None = None


@dataclass(frozen=True)
class Quote:
    kind: ClassVar[str] = "quote"
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class ListBlock:
    kind: ClassVar[str] = "list"
    ordered: bool
    items: tuple[Inlines, ...]
    start: int = 1
    # Lists inside items (AmuseWiki nests them by indentation, Markdown by indenting the marker) and
    # numbers written by hand: each item's Level, or () for a flat list that counts on its own. The
    # items stay one sequence in reading order, so whatever reads a list's items reads all.
    levels: tuple["Level", ...] = ()

    def tree(self) -> "ListNode":
        """The list as it nests: each item with the list inside it, if any."""
        levels = self.levels or tuple(Level(0, self.ordered, self.start) for _ in self.items)
        levels = (replace(levels[0], ordered=self.ordered, start=self.start),) + levels[1:] if levels else levels

        def build(pos: int, depth: int) -> tuple[ListNode, int]:
            first, entries, values, continued = levels[pos], [], [], []
            while pos < len(self.items) and levels[pos].depth >= depth:
                if levels[pos].depth > depth:  # a list inside the item before
                    inner, pos = build(pos, levels[pos].depth)
                    if entries and entries[-1][1] is None:
                        entries[-1] = (entries[-1][0], inner)
                    else:  # a list with no item of its own above it: it stands in an empty one
                        entries.append(((), inner))
                        values.append(None)
                        continued.append(False)
                else:
                    entries.append((self.items[pos], None))
                    values.append(levels[pos].value)
                    continued.append(levels[pos].continues)
                    pos += 1
            own = tuple(values) if any(v is not None for v in values) else ()
            return ListNode(first.ordered, first.start, tuple(entries), first.numbering, own,
                            tuple(continued) if any(continued) else ()), pos

        return build(0, levels[0].depth)[0] if self.items else ListNode(self.ordered, self.start, ())


@dataclass(frozen=True)
class Level:
    """Where a list item stands in a nested list: its depth (0 at the top) and its own list's kind."""

    depth: int
    ordered: bool
    start: int = 1  # the number its list starts at (read on the list's first item)
    numbering: str = "1"  # how its list counts, as HTML's <ol type>: "1", "a", "A", "i", "I"
    # The number its author wrote on this item where it is not one more than the item before's
    # (a hand-numbered list: 9, 11, 12); None where the list's own counting gives it.
    value: int | None = None
    # Not an item but more of the one above, written after the list inside it (Markdown): a
    # paragraph, or a second list (its items one level deeper); no marker, no number of its own.
    continues: bool = False


class ItemNumbers:
    """A list's items counted as its author numbered them, one item after the other: own() gives
    an item's Level.value, the number written on it where that is not one more than the item
    before's (a hand-numbered 9, 11, 12: 11 is its own; the list counts on from it)."""

    def __init__(self, start: int):
        self.start, self.shown = start, None  # shown: the number of the item before

    def own(self, written: int | None) -> int | None:
        counted = self.start if self.shown is None else self.shown + 1
        self.shown = counted if written is None else written
        return None if written == counted else written


@dataclass(frozen=True)
class ListNode:
    """One list of a nested list (ListBlock.tree): (item, the list inside it or None) in order."""

    ordered: bool
    start: int
    entries: tuple[tuple[Inlines, "ListNode | None"], ...]
    numbering: str = "1"
    values: tuple[int | None, ...] = ()  # each entry's Level.value, or () when the list counts on its own
    continued: tuple[bool, ...] = ()  # each entry's Level.continues, or () when none continues

    def continues(self, index: int) -> bool:
        """Entry index is more of the item before it (after that item's inner list), not an item."""
        return bool(self.continued) and self.continued[index]

    def following(self, index: int) -> list[tuple[Inlines, "ListNode | None"]]:
        """The entries after index that continue it, in order."""
        out = []
        while index + 1 < len(self.entries) and self.continues(index + 1):
            index += 1
            out.append(self.entries[index])
        return out

    @property
    def repeated(self) -> bool:
        """The author wrote the first number on every item (1. 1. 1.), leaving the counting to the
        renderer, as Markdown's renderers all count it: 1, 2, 3."""
        numbered = [value for index, value in enumerate(self.values) if index and not self.continues(index)]
        return bool(numbered) and all(value == self.start for value in numbered)

    def value(self, index: int) -> int | None:
        """The number the author gave entry index, where counting on would not give it."""
        return self.values[index] if self.values and not self.repeated else None

    def numbers(self) -> tuple[int, ...]:
        """The number each entry shows: its own, or one more than the entry before's (start for the first)."""
        out: list[int] = []
        for index in range(len(self.entries)):
            own = self.value(index)
            if self.continues(index) and out:  # the item's own number, not one of its own
                out.append(out[-1])
                continue
            out.append(own if own is not None else out[-1] + 1 if out else self.start)
        return tuple(out)


@dataclass(frozen=True)
class Break:
    """A scene break (``*`` or ``***`` alone in the source)."""

    kind: ClassVar[str] = "break"


@dataclass(frozen=True)
class Caption:
    kind: ClassVar[str] = "caption"
    inlines: Inlines


@dataclass(frozen=True)
class Preformatted:
    kind: ClassVar[str] = "preformatted"
    text: str


@dataclass(frozen=True)
class Image:
    """A picture, alone in its paragraph (a figure) in the source."""

    kind: ClassVar[str] = "image"
    # An absolute path checked to be inside the project (media.py), or a data: URL.
    src: str
    alt: str
    caption: Inlines = ()
    title: str | None = None
    # "full-page": a page of its own, fitted to the text block; "full-bleed": a page of its own,
    # edge to edge; None: in the text's flow.
    role: str | None = None
    line: int = 0  # where the source names it, for errors about the file


@dataclass(frozen=True)
class Cell:
    inlines: Inlines
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None  # "left", "center", "right" from a Markdown pipe table


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    head: tuple[tuple[Cell, ...], ...]  # header rows (repeated on each page a table spans)
    body: tuple[tuple[Cell, ...], ...]
    caption: Inlines = ()

    @property
    def columns(self) -> int:
        return max((sum(c.colspan for c in row) for row in self.head + self.body), default=0)


Block = Union[Heading, Paragraph, Quote, ListBlock, Break, Caption, Preformatted, Image, Table]


@dataclass(frozen=True)
class Note:
    id: str
    paragraphs: tuple[Inlines, ...]


@dataclass(frozen=True)
class Document:
    """One article: what a reader makes of a source, or of one part of it."""

    title: str
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    lang: str | None = None
    slug: str = ""
    source_url: str | None = None
    date: str | None = None
    untitled: bool = False  # no title was found: ``title`` is a stand-in made from the file name
    description: str | None = None
    subjects: tuple[str, ...] = ()  # tags, categories, keywords: dc:subject in the EPUB
    # Front matter keys zinebuild does not use, kept as (key, JSON text) for `inspect`.
    meta: tuple[tuple[str, str], ...] = ()
    # Where relative links of this source point from (HTML <base>, canonical, front matter url).
    base_url: str | None = None
    # Every address the piece is known by (its URL, permalink, aliases): links to them stay inside the book.
    urls: tuple[str, ...] = ()
    # Source ids that are not a heading's own, and the id of the heading they fall under ("" = the top).
    anchors: tuple[tuple[str, str], ...] = ()
    short_title: str | None = None  # the running head, when the title is too long for one

    def words(self) -> int:
        return sum(len(block_text(b).split()) for b in self.blocks)

    @cached_property
    def _notes_by_id(self) -> dict[str, tuple[int, Note]]:
        # Looked up once per note reference: a dict keeps 10,000 notes linear, not quadratic.
        return {note.id: (number, note) for number, note in enumerate(self.notes, start=1)}

    def note(self, note_id: str) -> Note | None:
        found = self._notes_by_id.get(note_id)
        return found[1] if found else None

    def note_number(self, note_id: str) -> int:
        found = self._notes_by_id.get(note_id)
        return found[0] if found else 0


@dataclass(frozen=True)
class Removal:
    """A line the cleaner dropped, and why: nothing is dropped silently."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Source:
    """What a reader returns for one file: its articles and what cleaning removed."""

    path: str
    encoding: str
    documents: tuple[Document, ...]
    removed: tuple[Removal, ...] = ()
    warnings: tuple[str, ...] = ()
    # Input words neither kept nor reported removed, by line (see ``accounting``): should be none.
    unaccounted: tuple[Removal, ...] = ()


# ---------------------------------------------------------------- the book
@dataclass(frozen=True)
class BookInfo:
    title: str
    language: str
    identifier: str
    subtitle: str | None = None
    editors: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    date: str | None = None
    description: str | None = None
    rights: str | None = None
    cover: str | None = None  # absolute path of the cover image, if any
    series: str | None = None
    series_index: int | None = None
    back_cover: str | None = None  # absolute path of the back cover (an image, or a blurb in .md), printed last

    @property
    def byline(self) -> str:
        """"edited by" the editors, or else the authors, in the book's language."""
        return labels(self.language).byline(self.editors, self.authors)


@dataclass(frozen=True)
class Piece:
    """One document placed in the book, with a book-wide unique id."""

    id: str
    document: Document
    source: str
    number: int = 0


@dataclass(frozen=True)
class Part:
    id: str
    title: str | None
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Notice:
    """Something a build says about its input, with a stable code (see ``assemble``)."""

    code: str
    message: str
    file: str | None = None
    level: str = "warning"  # or "info"

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{self.code} {where}{self.message}"


@dataclass(frozen=True)
class Anthology:
    book: BookInfo
    parts: tuple[Part, ...]
    front: tuple[Piece, ...] = ()  # introduction and other front matter
    back: tuple[Piece, ...] = ()  # colophon and other back matter
    contents: bool = True
    half_title: bool = False
    sources: bool = True
    notices: tuple[Notice, ...] = field(default=(), compare=False)
    blurb: Piece | None = None  # the back cover's text, when [book] back_cover is Markdown (print only)

    @property
    def warnings(self) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.level == "warning")

    @property
    def pieces(self) -> tuple[Piece, ...]:
        return tuple(p for part in self.parts for p in part.pieces)


# ---------------------------------------------------------------- dumps
def block_text(block: Block) -> str:
    if isinstance(block, (Heading, Paragraph, Caption)):
        return plain(block.inlines)
    if isinstance(block, ListBlock):
        return "\n".join(plain(i) for i in block.items)
    if isinstance(block, Quote):
        return "\n\n".join(block_text(b) for b in block.blocks)
    if isinstance(block, Preformatted):
        return block.text
    if isinstance(block, Image):
        return "\n".join(filter(None, (block.alt, plain(block.caption))))
    if isinstance(block, Table):
        rows = [" | ".join(plain(c.inlines) for c in row) for row in block.head + block.body]
        return "\n".join(filter(None, [plain(block.caption), *rows]))
    return ""


def with_inlines(block: Block, change) -> Block:
    """An Image or Table with change(run) applied to each run of inline content it holds."""
    if isinstance(block, Image):
        return replace(block, caption=change(block.caption))
    if isinstance(block, Table):
        def rows(group):
            return tuple(tuple(replace(cell, inlines=change(cell.inlines)) for cell in row) for row in group)
        return replace(block, head=rows(block.head), body=rows(block.body), caption=change(block.caption))
    return block


def block_inlines(block: Block):
    """Every run of inline content a block holds (for note references), nested blocks included."""
    for name in ("inlines", "caption"):
        if getattr(block, name, None):
            yield getattr(block, name)
    yield from getattr(block, "items", ())
    if isinstance(block, Table):
        yield from (cell.inlines for row in block.head + block.body for cell in row)
    for inner in getattr(block, "blocks", ()):
        yield from block_inlines(inner)


def block_to_dict(block: Block) -> dict:
    out: dict = {"type": block.kind}
    if isinstance(block, Heading):
        out["level"] = block.level
    if isinstance(block, ListBlock):
        out["ordered"] = block.ordered
        if block.start != 1:
            out["start"] = block.start
        out["items"] = [plain(i) for i in block.items]
        if any(level.depth for level in block.levels):  # shown where a list nests, as `inspect` prints it
            out["depths"] = [level.depth for level in block.levels]
        if any(level.value is not None for level in block.levels):
            out["numbers"] = [level.value for level in block.levels]  # written by hand; None: counted
        if any(level.continues for level in block.levels):  # more of the item above, after its inner list
            out["continues"] = [level.continues for level in block.levels]
        return out
    if isinstance(block, Break):
        out["text"] = ""
        return out
    if isinstance(block, (Image, Table)):  # one line of text for `inspect`'s outline
        out["text"] = block_text(block).replace("\n", " / ")
    if isinstance(block, Image):
        out.update(src=block.src, alt=block.alt, caption=plain(block.caption))
        out.update({k: v for k, v in (("title", block.title), ("role", block.role)) if v})
        return out
    if isinstance(block, Table):
        def rows(group):
            return [[_cell_dict(c) for c in row] for row in group]
        out.update(caption=plain(block.caption), head=rows(block.head), body=rows(block.body))
        return out
    out["text"] = block_text(block)
    if isinstance(block, Paragraph) and block.role:
        out["role"] = block.role
    return out


def _cell_dict(cell: Cell) -> dict:
    out: dict = {"text": plain(cell.inlines)}
    if cell.header:
        out["header"] = True
    out.update({k: v for k, v in (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if v != 1})
    if cell.align:
        out["align"] = cell.align
    return out


def document_to_dict(doc: Document) -> dict:
    # What only some readers find is shown when found (the golden dumps of raw text stay as they were).
    extra = {"date": doc.date, "description": doc.description, "subjects": list(doc.subjects),
             "meta": {key: value for key, value in doc.meta}}
    return {**_core_dict(doc), **{key: value for key, value in extra.items() if value}}


def _core_dict(doc: Document) -> dict:
    return {
        "id": doc.slug,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "authors": list(doc.authors),
        "lang": doc.lang,
        "source_url": doc.source_url,
        "untitled": doc.untitled,
        "blocks": [block_to_dict(b) for b in doc.blocks],
        "notes": [{"id": n.id, "text": "\n\n".join(plain(p) for p in n.paragraphs)} for n in doc.notes],
    }


def source_to_dict(source: Source) -> dict:
    out = {
        "source": source.path,
        "encoding": source.encoding,
        "pieces": [document_to_dict(d) for d in source.documents],
        "removed": [{"line": r.line, "text": r.text, "reason": r.reason} for r in source.removed],
        "warnings": list(source.warnings),
    }
    if source.unaccounted:  # words a reader lost (should never happen; see ``accounting``)
        out["unaccounted"] = [{"line": r.line, "words": r.text} for r in source.unaccounted]
    return out


# ---------------------------------------------------------------- kept between builds
def to_data(value):
    """The model as JSON data, each node tagged with its class (for the build cache, not for people)."""
    if is_dataclass(value):
        return {"@": type(value).__name__, **{f.name: to_data(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple):
        return [to_data(item) for item in value]
    return value


def from_data(data):
    """The inverse of to_data: the model's sequences are all tuples."""
    if isinstance(data, dict):
        cls = _NODES[data["@"]]
        return cls(**{name: from_data(value) for name, value in data.items() if name != "@"})
    if isinstance(data, list):
        return tuple(from_data(item) for item in data)
    return data


_NODES = {name: value for name, value in dict(globals()).items() if isinstance(value, type) and is_dataclass(value)}


def shift_headings(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Headings levelled from the highest one used: a text whose top headings are level 2
    (its title being level 1 elsewhere) gets them as level 1, under the piece's title."""
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    if not levels or min(levels) == 1:
        return tuple(blocks)
    shift = min(levels) - 1
    return tuple(replace(b, level=b.level - shift) if isinstance(b, Heading) else b for b in blocks)
