"""Turn the furniture render and the pieces' own renders into one PDF: the only module here that edits PDF.

Page by page, a piece's page replaces the skeleton's page at the same place in the book:
its content keeps its tags, links and named destinations, is moved to the real page's
content box (a piece laid out as if it opened on a right page may land on a left one,
where the margins mirror), and the skeleton page (folio and running head) is drawn over
it as an artifact. The skeleton gives the outline, the contents page and the catalog.
The structure trees are joined in page order, so the PDF stays tagged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..images_pdf import share_pictures
from .fonts import use_shared
from .weasy import Rendered

FURNITURE = Name("/ZbFurniture")


@dataclass(frozen=True)
class Placed:
    """A piece's render and the index of the book page its first page becomes."""

    start: int
    rendered: Rendered


def join(furniture: Rendered, placed: list[Placed], identifier: str, bitmap: bool,
         fonts: dict[str, bytes] | None = None) -> bytes:
    """The book's PDF; fonts (PostScript name -> subset, fonts.shared_fonts) are shared by the pieces.
    identifier: the book's, the first half of the PDF's /ID (the second is a hash of the content).
    Each picture is stored once, and with bitmap the black-and-white ones in 1 bit (images_pdf)."""
    with pikepdf.open(io.BytesIO(furniture.pdf)) as book:
        sources = [pikepdf.open(io.BytesIO(p.rendered.pdf)) for p in placed]
        try:
            tree = _StructJoin(book)
            replaced: dict[tuple[int, int], pikepdf.Object] = {}
            owner: dict[int, tuple[pikepdf.Pdf, int]] = {}  # book page index -> (source, its page index)
            for piece, source in zip(placed, sources):
                for index, page in enumerate(source.pages):
                    at = piece.start + index
                    old = book.pages[at]
                    dx = furniture.frames[at].x - piece.rendered.frames[index].x
                    dy = piece.rendered.frames[index].y - furniture.frames[at].y  # PDF y grows upwards
                    new = _replace(book, at, page, dx, dy)
                    replaced[old.obj.objgen] = new.obj
                    owner[at] = (source, index)
            _retarget(book, replaced)
            _merge_names(book, sources)
            tree.rebuild(owner)
            use_shared(book, book.pages, fonts or {})
            share_pictures(book, bitmap)
            book.trailer.ID = Array([pikepdf.String(identifier), pikepdf.String(identifier)])  # qpdf keeps the first
            buffer = io.BytesIO()
            book.save(buffer, deterministic_id=True, compress_streams=True,
                      object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return buffer.getvalue()
        finally:
            for source in sources:
                source.close()


def _replace(book: pikepdf.Pdf, at: int, page: pikepdf.Page, dx: float, dy: float) -> pikepdf.Page:
    """Put a piece's page at index `at`, moved by (dx, dy), with the old page's furniture on top."""
    old = book.pages[at]
    furniture = _unmarked(book, old.as_form_xobject())  # None: it draws nothing (a full-bleed page's)
    book.pages.insert(at, page)
    del book.pages[at + 1]
    new = book.pages[at]
    # Always inside q/Q: WeasyPrint leaves its page's y-flip in effect at the end of the stream.
    new.contents_add(pikepdf.Stream(book, f"q 1 0 0 1 {dx:.3f} {dy:.3f} cm\n".encode()), prepend=True)
    new.contents_add(pikepdf.Stream(book, b"\nQ"), prepend=False)
    if dx or dy:
        for annotation in new.obj.get("/Annots", Array()):
            rect = [float(v) for v in annotation.Rect]
            annotation.Rect = Array([rect[0] + dx, rect[1] + dy, rect[2] + dx, rect[3] + dy])
    new.obj["/ZbShift"] = Array([dx, dy])  # read once by _merge_names, then removed
    if furniture is None:
        return new
    # WeasyPrint shares one resource dictionary between pages: each page gets its own here.
    resources = Dictionary(dict(new.obj.get("/Resources", Dictionary()).items()))
    xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
    xobjects[FURNITURE] = book.make_indirect(furniture)
    resources.XObject = xobjects
    new.obj.Resources = resources
    # Folios and running heads are pagination artifacts, not part of the text's structure.
    new.contents_add(pikepdf.Stream(book, f"\nq /Artifact BMC {FURNITURE} Do EMC Q".encode()), prepend=False)
    return new


# Operators that put something on the page: text, paths painted, shadings, images, forms.
_PAINTING = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "BI"})


def _unmarked(book: pikepdf.Pdf, form: pikepdf.Stream) -> pikepdf.Stream | None:
    """The furniture without its marked-content tags: drawn as one artifact, its pieces need no
    structure parents (a PDF/UA checker would ask for them). None if it paints nothing."""
    kept = [(operands, operator) for operands, operator in pikepdf.parse_content_stream(form)
            if str(operator) not in ("BDC", "BMC", "EMC")]
    if not any(str(operator) in _PAINTING for _, operator in kept):
        return None
    form.write(pikepdf.unparse_content_stream(kept))
    return form


def _retarget(book: pikepdf.Pdf, replaced: dict) -> None:
    """Point the outline's destinations at the pages that replaced the skeleton's."""
    def fix(destination):
        if isinstance(destination, Array) and len(destination) and destination[0].is_indirect:
            target = replaced.get(destination[0].objgen)
            if target is not None:
                destination[0] = target

    outlines = book.Root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    while stack:
        item = stack.pop()
        if item is None:
            continue
        fix(item.get("/Dest"))
        stack += [item.get("/First"), item.get("/Next")]
    names = book.Root.get("/Names")
    if names is not None and "/Dests" in names:
        flat = _flat_names(names.Dests)
        for _, destination in flat:
            fix(destination)


def _flat_names(tree) -> list[tuple[str, pikepdf.Object]]:
    pairs = []
    if "/Names" in tree:
        values = list(tree.Names)
        pairs += [(str(values[i]), values[i + 1]) for i in range(0, len(values), 2)]
    for kid in tree.get("/Kids", Array()):
        pairs += _flat_names(kid)
    return pairs


def _merge_names(book: pikepdf.Pdf, sources: list[pikepdf.Pdf]) -> None:
    """One name tree of destinations: the pieces' real anchors win over their skeleton heads."""
    names: dict[str, pikepdf.Object] = {}
    if "/Names" in book.Root and "/Dests" in book.Root.Names:
        names.update(_flat_names(book.Root.Names.Dests))
    for source in sources:
        if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
            continue
        for name, destination in _flat_names(source.Root.Names.Dests):
            local = _copy(book, destination)
            shift = local[0].get("/ZbShift")
            if shift is not None and len(local) >= 4:
                local[2] = float(local[2]) + float(shift[0])
                local[3] = float(local[3]) + float(shift[1])
            names[name] = local
    for page in book.pages:
        if "/ZbShift" in page.obj:
            del page.obj["/ZbShift"]
    flat = Array()
    for name in sorted(names):
        flat.append(pikepdf.String(name))
        flat.append(names[name])
    if "/Names" not in book.Root:
        book.Root.Names = Dictionary()
    book.Root.Names.Dests = book.make_indirect(Dictionary(Names=flat))


class _StructJoin:
    """The joined structure tree: each page's elements come from the PDF that drew the page."""

    def __init__(self, book: pikepdf.Pdf):
        self.book = book
        self.root = book.Root.get("/StructTreeRoot")

    def rebuild(self, owner: dict[int, tuple[pikepdf.Pdf, int]]) -> None:
        if self.root is None:
            return
        book = self.book
        document = self.root.K[0]
        own_tree = dict(_number_tree(self.root.ParentTree))
        own_children = _children_by_page(document)
        foreign: dict[int, tuple[dict, dict]] = {}
        children = Array()
        nums = Array()
        next_key = 0

        def map_key(old_key, tree, copy):
            nonlocal next_key
            value = tree.get(int(old_key))
            if value is None:
                return None
            nums.append(next_key)
            nums.append(copy(value))
            next_key += 1
            return next_key - 1

        for at, page in enumerate(book.pages):
            if at in owner:
                source, index = owner[at]
                if id(source) not in foreign:
                    source_root = source.Root.get("/StructTreeRoot")
                    foreign[id(source)] = (dict(_number_tree(source_root.ParentTree)) if source_root else {},
                                           _children_by_page(source_root.K[0]) if source_root else {})
                tree, by_page = foreign[id(source)]
                source_page = source.pages[index].obj
                copy = lambda value, book=book: _copy(book, value)
                kids = [copy(kid) for kid in by_page.get(source_page.objgen, [])]
            else:
                tree, copy = own_tree, (lambda value: value)
                kids = own_children.get(page.obj.objgen, [])
            for kid in kids:
                kid.P = document
                children.append(kid)
            if "/StructParents" in page.obj:
                key = map_key(page.obj.StructParents, tree, copy)
                if key is None:
                    del page.obj["/StructParents"]
                else:
                    page.obj.StructParents = key
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    key = map_key(annotation.StructParent, tree, copy)
                    if key is None:
                        del annotation["/StructParent"]
                    else:
                        annotation.StructParent = key
        document.K = children
        self.root.ParentTree = book.make_indirect(Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = next_key


def _copy(book: pikepdf.Pdf, value):
    """A foreign object in book: indirect objects through pikepdf's copier (which maps pages
    already copied onto their copies), direct arrays and dictionaries item by item."""
    if isinstance(value, (Array, Dictionary)) and not value.is_indirect:
        if isinstance(value, Array):
            return Array([_copy(book, item) for item in value])
        return Dictionary({key: _copy(book, item) for key, item in value.items()})
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return book.copy_foreign(value)
    return value


def _number_tree(tree):
    if "/Nums" in tree:
        values = list(tree.Nums)
        for i in range(0, len(values), 2):
            yield int(values[i]), values[i + 1]
    for kid in tree.get("/Kids", Array()):
        yield from _number_tree(kid)


def _children_by_page(document) -> dict:
    by_page: dict = {}
    for kid in document.get("/K", Array()):
        if isinstance(kid, Dictionary) and "/Pg" in kid:
            by_page.setdefault(kid.Pg.objgen, []).append(kid)
    return by_page
