"""Work-arounds for costs and quirks of WeasyPrint's own dependencies, applied once per process
before a document is laid out (lay_out and warm_up call apply()). Each replaces one small thing
and says why; none changes a byte of the output (tests/test_patches.py)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _stable_font_stamps()
    _page_references_kept()
    _array_types_without_parsing()
    _page_styles_by_their_own_keys()
    _programs_left_to_the_join()
    _margin_boxes_only_where_drawn()


def _stable_font_stamps() -> None:
    """WeasyPrint subsets fonts with fontTools when HarfBuzz's subsetter is missing, and
    fontTools stamps each subset's `head.modified` with the time of day: the same book gave
    other bytes every second. The stamp becomes SOURCE_DATE_EPOCH's time (the reproducible-
    builds convention fontTools follows), else the Unix epoch. Setting the variable ourselves
    would leak into the book's dates (dates.build_time reads it), so the one function that
    reads the clock for the head table is replaced, and nothing else."""
    from fontTools.misc.timeTools import timestampSinceEpoch
    from fontTools.ttLib.tables import _h_e_a_d

    def fixed_now() -> int:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        return timestampSinceEpoch(int(epoch) if epoch.isdigit() else 0)

    _h_e_a_d.timestampNow = fixed_now


def _page_references_kept() -> None:
    """pydyf's `PDF.page_references` builds a reference to every page each time it is read,
    and WeasyPrint reads it for every tagged element and every link: a book's time grew with
    its pages times its elements (a 250-page skeleton read it 4,000 times, a million strings).
    The tuple is kept and made again only when pages were added (pydyf only ever appends)."""
    import pydyf

    def page_references(self) -> tuple[bytes, ...]:
        kids = self.pages["Kids"]
        kept = self.__dict__.get("_zinebuild_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            self._zinebuild_page_references = kept
        return kept[1]

    pydyf.PDF.page_references = property(page_references)


_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


def _array_types_without_parsing() -> None:
    """WeasyPrint asks cffi for `hb_codepoint_t[N]` with N the number of glyphs, so each new
    N is a C declaration for pycparser to parse (12 ms): a worker paid that for nearly every
    font of every piece. An array type of a known item type and length is made directly by
    cffi's backend, as cffi itself makes it once the declaration is parsed."""
    from weasyprint.text.ffi import ffi

    class ArrayTypes(dict):
        def __missing__(self, cdecl):
            match = _ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
            if match is None:
                raise KeyError(cdecl)
            pointer = ffi._typeof(f"{match[1]} *")
            made = self[cdecl] = (ffi._backend.new_array_type(pointer, int(match[2])), False)
            return made

    ffi._parsed_types = ArrayTypes(ffi._parsed_types)


def _page_styles_by_their_own_keys() -> None:
    """For each page, WeasyPrint looked for the page's margin-box styles among the cascaded
    styles of every element of the document: pages times elements, a minute and more for a
    book of thousands of pages. The margin boxes a page can have are those the stylesheets'
    @page rules name, so they are looked up by key; the styles computed are the same.

    And each page's type names its index, so each page had styles of its own, computed
    afresh property by property: some 900 computations a page, a third of the time of a
    skeleton's layout. A page matching the same @page selectors as an earlier one (a left
    page of the same name, not first, not blank...) shares that page's styles: they come
    from the same declarations, inherit from the same root, and what WeasyPrint writes into
    them while laying a page out is the same for every page (the page counter's increment,
    the root's overflow)."""
    from weasyprint.layout import page as page_module

    def set_page_type_computed_styles(page_type, html, style_for):
        cascaded, computed = style_for.get_cascaded_styles(), style_for.get_computed_styles()
        twins = style_for.__dict__.setdefault("_zinebuild_page_twins", {})
        matched = _matched_page_selectors(style_for, page_type)
        if matched in twins:
            twin, pseudo_types = twins[matched]
            for pseudo_type in pseudo_types:
                computed[page_type, pseudo_type] = computed[twin, pseudo_type]
                if (twin, pseudo_type) in cascaded:
                    cascaded[page_type, pseudo_type] = cascaded[twin, pseudo_type]
            return
        style_for.add_page_declarations(page_type)
        root = html.etree_element
        style_for.set_computed_styles(page_type, root=root, parent=root, base_url=html.base_url)
        pseudo_types = [None]
        for pseudo_type in _page_pseudo_types(style_for):
            if (page_type, pseudo_type) in cascaded:
                style_for.set_computed_styles(page_type, pseudo_type=pseudo_type, root=root, parent=page_type,
                                              base_url=html.base_url)
                pseudo_types.append(pseudo_type)
        twins[matched] = page_type, pseudo_types

    page_module.set_page_type_computed_styles = set_page_type_computed_styles


def _matched_page_selectors(style_for, page_type) -> tuple[bool, ...]:
    """Which of the stylesheets' page selectors the page type matches, in their order: what
    add_page_declarations cascades for it."""
    return tuple(style_for._page_type_match(selector_type, page_type)
                 for sheet, _, _ in style_for._sheets for _, selectors, _ in sheet.page_rules
                 for _, _, selector_type in selectors)


def _page_pseudo_types(style_for) -> tuple[str, ...]:
    """The margin boxes (pseudo-elements of pages) the stylesheets' @page rules name, once per document."""
    kept = style_for.__dict__.get("_zinebuild_page_pseudo_types")
    if kept is None:
        kept = tuple(dict.fromkeys(pseudo_type for sheet, _, _ in style_for._sheets
                                   for _, selectors, _ in sheet.page_rules
                                   for _, pseudo_type, _ in selectors if pseudo_type))
        style_for._zinebuild_page_pseudo_types = kept
    return kept


_stand_ins = None  # fonts.StandIns while a document whose fonts the join replaces is drawn


@contextmanager
def fonts_left_to_the_join(stand_ins):
    """While drawing a piece or the skeleton: the layout's fonts get their stand-ins."""
    global _stand_ins
    _stand_ins = stand_ins
    try:
        yield
    finally:
        _stand_ins = None


def _programs_left_to_the_join() -> None:
    """WeasyPrint subsets (and compresses, at zlib's slowest level) each font of each document;
    a split render's join throws those programs away for one shared subset (fonts.py), and a
    short piece spent as long on them as on drawing its page. A font the join replaces gets
    its stand-in instead. Variable and colour fonts, fonts embedded whole (in forms) and fonts
    not of the layout keep WeasyPrint's own subsetting."""
    from weasyprint.pdf.fonts import Font

    subset = Font.subset

    def subset_unless_left_to_the_join(self, to_unicode, hinting):
        if to_unicode and _stand_ins is not None and "fvar" not in self.tables and not (
                self.png or self.svg or self.colr or self.bitmap):
            stand_in = _stand_ins.for_program(self.file_content)
            if stand_in is not None:
                self.file_content = stand_in
                return
        subset(self, to_unicode, hinting)

    Font.subset = subset_unless_left_to_the_join


_no_margin_boxes = False  # while a piece is laid out: its furniture comes from the skeleton


@contextmanager
def without_margin_boxes():
    global _no_margin_boxes
    _no_margin_boxes = True
    try:
        yield
    finally:
        _no_margin_boxes = False


def _margin_boxes_only_where_drawn() -> None:
    """A piece carries no page furniture (weasy.NO_FURNITURE_CSS sets every margin box's
    content to none), yet WeasyPrint computed the styles of its sixteen margin boxes on each
    of its pages: a tenth of a short piece's layout. Margin boxes are made after the pages'
    content is laid out and never move it, so a piece's pages are made without them."""
    from weasyprint import layout as layout_module

    make_margin_boxes = layout_module.make_margin_boxes

    def margin_boxes(context, page, state):
        return () if _no_margin_boxes else make_margin_boxes(context, page, state)

    layout_module.make_margin_boxes = margin_boxes
