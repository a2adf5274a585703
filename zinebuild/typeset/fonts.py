"""Turn the pieces' many subsets of one font into a single subset that all of them share.

Pieces are laid out as separate documents, so each embeds its own subset of every face
(nineteen Libertines in the sample, ten times the size of one). WeasyPrint subsets with
retain_gids, so a glyph has the same id in every subset and in the original file: the
original (found in the layout by its PostScript name) is cut down once to the union of
the glyphs the subsets hold (each font's /W lists them), and the join points every
font of that name at it, the skeleton's (folios, heads, contents) included: one name, one
embedded program, as preflight tools and RIPs that cache fonts by name expect. The fonts
of one name also share one descriptor and one width array (a glyph's width is the same in
every subset). Each keeps its own /ToUnicode, which WeasyPrint wrote from the text itself
(ligatures included), so copying and searching the text is unchanged. A font that is not
in the layout (a system fallback) keeps its own subsets.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pikepdf

from .sfnt import postscript_name

FONT_SUFFIXES = (".otf", ".ttf")
_FILE_KEYS = ("/FontFile3", "/FontFile2", "/FontFile")

# (font file bytes, glyph ids) -> subset font file bytes; the caller may cache it
Subsetter = Callable[[bytes, frozenset[int]], bytes]


def subset_font(data: bytes, gids: frozenset[int]) -> bytes:
    """The glyphs gids of an OpenType/TrueType file, subset as WeasyPrint does (glyph ids kept,
    no hinting, no layout tables) but keeping the CFF subroutines: a quarter smaller, and one
    subset serves every piece. HarfBuzz's subsetter: no clock in the output, the same bytes each time."""
    import uharfbuzz as hb

    wanted = hb.SubsetInput()
    for gid in sorted(gids | {0}):
        wanted.glyph_set.add(gid)
    for tag in _DROPPED_TABLES:
        wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG).add(int.from_bytes(tag, "big"))
    wanted.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                    | hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE)
    subset = hb.subset(hb.Face(data), wanted)
    # A font HarfBuzz cannot cut is embedded whole: a bigger PDF, the same pages.
    return data if subset is None else subset.blob.data


_DROPPED_TABLES = (b"GSUB", b"GPOS", b"SVG ")  # shaping is done: the PDF draws glyphs by id


def layout_fonts(paths: Iterable[Path]) -> dict[str, Path]:
    """PostScript name -> font file, for the layout's fonts (the first of a name wins)."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.suffix.lower() in FONT_SUFFIXES:
            name = postscript_name(path)
            if name:
                found.setdefault(name, path)
    return found


def layout_originals(layout) -> dict[str, Path]:
    """PostScript name -> file of the fonts the join shares (the layout's files and its face's):
    one list for the join and for the pieces' drawing, which leaves these fonts to the join."""
    return layout_fonts([*layout.files().values(), *(path for *_, path in layout.face.files)])


def stand_in(data: bytes) -> bytes:
    """A font program of the layout cut down to its .notdef glyph and its names: what a piece
    embeds for a font the join replaces by the book's shared subset (the join finds it by the
    PostScript name, and takes the glyphs' widths from the PDF), so that each piece is spared
    subsetting and compressing a program that is thrown away."""
    return subset_font(data, frozenset())


class StandIns:
    """The layout's font programs (layout_originals), each with its stand-in. A program is known
    by its size, then its digest: the files are not held in memory, and the stand-ins are
    made before the render service forks its workers (prepare), which inherit them."""

    def __init__(self, originals: dict[str, Path]):
        self._by_size: dict[int, list[Path]] = {}
        for path in dict.fromkeys(originals.values()):
            self._by_size.setdefault(path.stat().st_size, []).append(path)
        self._digests: dict[Path, bytes] = {}
        self._made: dict[Path, bytes] = {}

    def make_all(self) -> None:
        for paths in self._by_size.values():
            for path in paths:
                self._stand_in(path)

    def for_program(self, data: bytes) -> bytes | None:
        """The stand-in of this font program if it is one of the layout's, byte for byte; else None."""
        paths = self._by_size.get(len(data))
        if not paths:
            return None
        digest = hashlib.sha256(data).digest()
        for path in paths:
            if self._digest(path) == digest:
                return self._stand_in(path)
        return None

    def _digest(self, path: Path) -> bytes:
        if path not in self._digests:
            self._digests[path] = hashlib.sha256(path.read_bytes()).digest()
        return self._digests[path]

    def _stand_in(self, path: Path) -> bytes:
        if path not in self._made:
            data = path.read_bytes()
            self._digests[path] = hashlib.sha256(data).digest()
            self._made[path] = stand_in(data)
        return self._made[path]


def shared_fonts(pdfs: Iterable[bytes], originals: dict[str, Path],
                 subsetter: Subsetter = subset_font) -> dict[str, bytes]:
    """PostScript name -> one subset of the layout's font holding every glyph these PDFs use."""
    used: dict[str, set[int]] = {}
    for data in pdfs:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for font in _page_fonts(pdf.pages, forms=True):
                name = _embedded_name(font)
                if name in originals:
                    used.setdefault(name, set()).update(_widths(font.get("/W", pikepdf.Array())))
    return {name: subsetter(originals[name].read_bytes(), frozenset(gids)) for name, gids in used.items()}


def use_shared(pdf: pikepdf.Pdf, pages: Iterable[pikepdf.Page], fonts: dict[str, bytes]) -> None:
    """Point the fonts these pages (and the forms they draw) use at the shared subsets: one
    stream, one descriptor and one width array for each name."""
    descriptors: dict[str, pikepdf.Dictionary] = {}
    widths: dict[str, dict[int, float]] = {}
    named: dict[str, list[pikepdf.Dictionary]] = {}
    for font in _page_fonts(pages, forms=True):
        name = _embedded_name(font)
        if name not in fonts:
            continue
        named.setdefault(name, []).append(font)
        widths.setdefault(name, {}).update(_widths(font.get("/W", pikepdf.Array())))
        if name not in descriptors:
            descriptor = font.FontDescriptor
            key = next(k for k in _FILE_KEYS if k in descriptor)
            stream = pikepdf.Stream(pdf, fonts[name])
            if "/Subtype" in descriptor[key]:
                stream.Subtype = descriptor[key].Subtype
            descriptor[key] = stream
            descriptors[name] = descriptor
    for name, members in named.items():
        shared_widths = pdf.make_indirect(pikepdf.Array(
            [item for cid, width in sorted(widths[name].items()) for item in (cid, pikepdf.Array([width]))]))
        for font in members:
            font.FontDescriptor = descriptors[name]
            font.W = shared_widths


def _embedded_name(font: pikepdf.Dictionary) -> str | None:
    descriptor = font.get("/FontDescriptor")
    key = next((k for k in _FILE_KEYS if descriptor is not None and k in descriptor), None)
    return postscript_name(descriptor[key].read_bytes()) if key else None


def _page_fonts(pages: Iterable[pikepdf.Page], forms: bool = False):
    """The CID fonts (Type0 descendants) the pages' resources name, each once; with forms,
    those of the form XObjects they draw too (the furniture laid over a piece's page)."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources", pikepdf.Dictionary()) for page in pages]
    while stack:
        resources = stack.pop(0)
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            if font.objgen not in seen and font.get("/Subtype") == "/Type0":
                seen.add(font.objgen)
                yield font.DescendantFonts[0]
        if forms:
            for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
                if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and xobject.objgen not in seen:
                    seen.add(xobject.objgen)
                    stack.append(xobject.Resources)


def _widths(widths: pikepdf.Array) -> dict[int, pikepdf.Object]:
    """CID -> width from a /W array: `c [w1 w2 ...]` or `c_first c_last w`."""
    found: dict[int, float] = {}
    items = list(widths)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            found.update((first + k, w) for k, w in enumerate(items[i + 1]))
            i += 2
        else:
            found.update((cid, items[i + 2]) for cid in range(first, int(items[i + 1]) + 1))
            i += 3
    return found
