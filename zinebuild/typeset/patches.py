"""Work-arounds for costs and quirks of WeasyPrint's own dependencies, applied once per process
before a document is laid out (lay_out and warm_up call apply()). Each replaces one small thing
and says why; none changes a byte of the output (tests/test_patches.py)."""

from __future__ import annotations

import os
import re

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _stable_font_stamps()
    _page_references_kept()
    _array_types_without_parsing()


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
