"""Turn one finished build into what the preview page shows: pages, sheets, EPUB files, pieces, warnings.

A Snapshot holds the bytes of the outputs it describes, so that the page keeps showing the
last good build while the next one is written over the files on disk, or fails.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2
from lxml import etree

from ..config import OutputConfig
from ..impose import Options, Plan, impose, scheme_plan
from ..impose.preview import contact_sheet
from ..model import Anthology, Notice

# PDFium is not thread-safe, and the server answers requests in threads of its own: every
# call into it holds this lock, and it has one document open at a time, closed under the lock
# too (never by the garbage collector, in whichever thread).
PDFIUM = threading.Lock()
_OPEN: dict = {}
# Page images by content: a page an edit did not touch is never drawn again. Up to 200 kB each:
# the least recently shown go first once they take more than this.
IMAGES: OrderedDict[tuple[str, int], bytes] = OrderedDict()
IMAGE_BYTES = 64 * 2**20
# What a page looks like depends on these of its keys (not on /Parent, /Annots, its tags).
DRAWN = ("/Contents", "/Resources", "/MediaBox", "/CropBox", "/Rotate")
LINE = re.compile(r"\bline (\d+)\b")
CODE = re.compile(r"^(Z\d{3})\b:?\s*")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class BuildWarning:
    code: str
    message: str
    file: str | None = None
    line: int | None = None

    @classmethod
    def from_notice(cls, notice: Notice) -> "BuildWarning":
        line = getattr(notice, "line", None)
        if line is None and (found := LINE.search(notice.message)):
            line = int(found.group(1))
        return cls(notice.code, notice.message, notice.file, line)

    @classmethod
    def from_log(cls, message: str) -> "BuildWarning":
        """A warning logged while writing (WeasyPrint's Z301, …): its code leads the message."""
        found = CODE.match(message)
        line = LINE.search(message)
        return cls(found.group(1) if found else "", message[found.end():] if found else message, None,
                   int(line.group(1)) if line else None)


@dataclass(frozen=True)
class PieceRow:
    id: str
    title: str
    authors: tuple[str, ...]
    source: str
    words: int
    first_page: int | None  # 1-based, in the reading PDF
    pages: int | None
    epub: str | None  # the EPUB file holding it, as a path inside the EPUB


@dataclass
class Snapshot:
    """The outputs of one successful build, and what the page lists about them."""

    generation: int
    title: str
    pdf: bytes
    output: OutputConfig  # how to impose the booklet
    plan: Plan
    epub: dict[str, bytes]
    pieces: tuple[PieceRow, ...]
    warnings: tuple[BuildWarning, ...]
    page_size: tuple[float, float]
    page_digests: tuple[str, ...]  # one per page: a hash of everything that draws it
    changed: tuple[str, ...] = ()  # ids of the pieces whose sources this build saw change
    focus_page: int | None = None  # the first of their pages that looks different from the last build's
    downloads: dict[str, Path] = field(default_factory=dict)
    _sheets: bytes | None = field(default=None, repr=False)

    @property
    def pages(self) -> int:
        return len(self.page_digests)


    def page_png(self, digest: str, width: int) -> bytes | None:
        """The page with this digest as a PNG `width` pixels wide; None if this build has no such page."""
        key = (digest, width)
        with PDFIUM:
            if key in IMAGES:
                IMAGES.move_to_end(key)
                return IMAGES[key]
            if digest not in self.page_digests:
                return None
            page = _opened(self.pdf)[self.page_digests.index(digest)]
            out = io.BytesIO()
            page.render(scale=width / page.get_width()).to_pil().save(out, "PNG", compress_level=1)
            IMAGES[key] = out.getvalue()
            image = IMAGES[key]
            while sum(map(len, IMAGES.values())) > IMAGE_BYTES:
                IMAGES.popitem(last=False)
            return image

    def sheets_png(self) -> bytes:
        """The booklet's sheets with folds and page numbers, as `zinebuild preview` draws them.

        Imposed here, when first asked for: `serve` writes no booklet; `build` does.
        """
        with PDFIUM:
            if self._sheets is None:
                booklet, plan = impose(self.pdf, self.output.imposition, *_sheet_and_options(self.output))
                self._sheets = contact_sheet(plan, booklet)
            return self._sheets


def _opened(pdf: bytes) -> pypdfium2.PdfDocument:
    """The PDFium document of these bytes, opened in place of the one before (call it holding PDFIUM)."""
    if _OPEN.get("pdf") is not pdf:
        close_documents()
        _OPEN.update(pdf=pdf, document=pypdfium2.PdfDocument(pdf))
    return _OPEN["document"]


def close_documents() -> None:
    """Close the document PDFium has open (call it holding PDFIUM)."""
    if "document" in _OPEN:
        _OPEN.pop("document").close()
        _OPEN.pop("pdf")


def _sheet_and_options(output: OutputConfig) -> tuple[tuple[float, float], Options]:
    return (output.sheet.width, output.sheet.height), \
        Options(signature=output.signature, creep=output.creep, marks=output.marks, binding=output.binding)


def take(generation: int, anthology: Anthology, output: OutputConfig, written: dict[str, Path], logged: list[str],
         changed_files: set[Path], before: Snapshot | None = None) -> Snapshot:
    """A Snapshot of the files a build just wrote (written: format -> path); before: the last one."""
    pdf = written["pdf"].read_bytes()
    epub = _unzip(written["epub"].read_bytes())
    with pikepdf.open(io.BytesIO(pdf)) as document:
        box = document.pages[0].trimbox
        size = (float(box[2] - box[0]), float(box[3] - box[1]))
        memo: dict = {}
        digests = tuple(_digest(page.obj, memo, DRAWN).hex()[:24] for page in document.pages)
        first_pages, outline = _first_pages(document)
    plan = scheme_plan(output.imposition, len(digests), size, *_sheet_and_options(output))  # for the sheets' count
    pieces = _rows(anthology, first_pages, outline, _epub_files(epub), len(digests))
    changed = tuple(row.id for row in pieces if Path(row.source) in changed_files)
    focus = _focus(pieces, changed, digests, before.page_digests if before else ())
    warnings = tuple(BuildWarning.from_notice(n) for n in anthology.warnings) + \
        tuple(BuildWarning.from_log(m) for m in logged)
    return Snapshot(generation, anthology.book.title, pdf, output, plan, epub, pieces, warnings, size, digests,
                    changed, focus, dict(written))


def _focus(pieces: tuple[PieceRow, ...], changed: tuple[str, ...], digests: tuple[str, ...],
           before: tuple[str, ...]) -> int | None:
    """The page to show after an edit: the edited pieces' first page that differs from before.

    Only within the edited pieces: the contents page changes too when a piece grows a page.
    """
    ranges = [range(row.first_page, row.first_page + (row.pages or 1)) for row in pieces
              if row.id in changed and row.first_page]
    seen = set(before)
    differing = [page for pages in ranges for page in pages if digests[page - 1] not in seen]
    return min(differing, default=ranges[0].start if ranges else None)


def _digest(obj, memo: dict, keys: tuple[str, ...] | None = None) -> bytes:
    """A hash of a PDF object and all it refers to; each indirect object hashed once (memo)."""
    key = obj.objgen if isinstance(obj, pikepdf.Object) and obj.is_indirect else None
    if key is not None and keys is None:
        if key in memo:
            return memo[key]
        memo[key] = b"(being hashed)"  # a reference back to an object under way
    hashed = hashlib.sha256()
    if isinstance(obj, pikepdf.Stream):
        hashed.update(obj.read_raw_bytes())
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for name in sorted(obj.keys()):
            if (keys is None and name not in ("/Parent", "/P", "/StructParent", "/StructParents")) or \
                    (keys is not None and name in keys):
                hashed.update(name.encode() + _digest(obj[name], memo))
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            hashed.update(b"," + _digest(item, memo))
    else:
        hashed.update(repr(obj).encode())
    if key is not None and keys is None:
        memo[key] = hashed.digest()
    return hashed.digest()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def _first_pages(document: pikepdf.Pdf) -> tuple[dict[str, int], set[int]]:
    """Named destination -> 1-based page (every piece is one, by its id), and the pages where the
    outline's entries begin: the parts, the pieces and the pages of their own (contents, sources)."""
    index = {page.objgen: number for number, page in enumerate(document.pages, start=1)}

    def page_of(destination) -> int | None:
        if isinstance(destination, pikepdf.Dictionary):
            destination = destination.get("/D")
        if isinstance(destination, pikepdf.Array) and len(destination) and destination[0].is_indirect:
            return index.get(destination[0].objgen)
        return None

    names = document.Root.get("/Names")
    named = {} if names is None or "/Dests" not in names else \
        {name: page_of(destination) for name, destination in pikepdf.NameTree(names.Dests).items()}
    named = {name: page for name, page in named.items() if page}
    starts: set[int] = set()
    with document.open_outline() as outline:
        todo = list(outline.root)
        while todo:
            item = todo.pop()
            destination = item.destination
            page = named.get(str(destination)) if isinstance(destination, (str, pikepdf.String, pikepdf.Name)) \
                else page_of(destination)
            starts |= {page} if page else set()
            todo += item.children
    return named, starts


def _epub_files(epub: dict[str, bytes]) -> dict[str, str]:
    """Element id -> the EPUB file holding it, for the ids of sections (pieces, parts)."""
    found = {}
    for name, data in epub.items():
        if not name.endswith(".xhtml"):
            continue
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        for element in root.iter(f"{XHTML}section", f"{XHTML}body"):
            if element.get("id"):
                found.setdefault(element.get("id"), name)
    return found


def _rows(anthology: Anthology, first_pages: dict[str, int], outline: set[int], epub_files: dict[str, str],
          pages: int) -> tuple[PieceRow, ...]:
    pieces = list(anthology.front) + list(anthology.pieces) + list(anthology.back)
    # A piece ends where the next thing in the outline (piece, part, sources page) begins.
    starts = sorted(outline | {first_pages[p.id] for p in pieces if p.id in first_pages} | {pages + 1})
    rows = []
    for piece in pieces:
        first = first_pages.get(piece.id)
        following = next((s for s in starts if first is not None and s > first), None)
        rows.append(PieceRow(piece.id, piece.document.title, tuple(piece.document.authors), piece.source,
                             piece.document.words(), first, following - first if first and following else None,
                             epub_files.get(piece.id)))
    return tuple(rows)
