"""Turn the pictures a PDF's pages draw into picture lines (pypdfium2), placed among the text lines
where they stand on the page, so that pdfblocks.py makes an Image block of each in reading order.

Each picture is carried as a data: URL of its JPEG (as stored) or of a PNG of its pixels, with the
description a tagged PDF gives its Figure (/Alt); ornaments (rules, bullets, a logo in the folio)
are too small to be pictures of the text, and are skipped.
"""

from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..media import IMAGE, coded
from .archive import data_url
from .pdfpage import Line

MIN_SIDE = 36.0  # points (half an inch): smaller is an ornament
MAX_PIXELS = 40_000_000  # as for a cover: more is not a picture a zine prints
MAX_PICTURES = 500  # bounded time and memory: a PDF of page scans with a text layer has one a page


def pictures(pdf, warnings: list[str]) -> list[Line]:
    found: list[Line] = []
    for number in range(len(pdf)):
        page = pdf[number]
        height = page.get_height()
        alts = _descriptions(page)
        for obj in page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
            left, bottom, right, top = obj.get_bounds()
            if right - left < MIN_SIDE or top - bottom < MIN_SIDE:
                continue
            if len(found) == MAX_PICTURES:
                warnings.append(coded(IMAGE, None, f"page {number + 1}: more than {MAX_PICTURES} pictures; "
                                                   "the rest are left out"))
                page.close()
                return found
            url = _data(obj, number, warnings)
            if url is not None:
                alt = alts.get(pdfium_raw.FPDFPageObj_GetMarkedContentID(obj.raw), "")
                found.append(Line(number, alt, left, right, height - top, 0.0, False, picture=url, depth=top - bottom))
        page.close()
    return found


def _data(obj, number: int, warnings: list[str]) -> str | None:
    width, height = obj.get_px_size()
    where = f"the picture on page {number + 1}"
    if width * height > MAX_PIXELS:
        warnings.append(coded(IMAGE, None, f"{where} left out: {width}×{height} pixels, over {MAX_PIXELS:,}"))
        return None
    out = io.BytesIO()
    try:
        obj.extract(out, fb_format="png")
    except (pdfium.PdfiumError, ValueError, OSError) as error:
        warnings.append(coded(IMAGE, None, f"{where} left out: it cannot be decoded ({error})"))
        return None
    return data_url(out.getvalue(), where, warnings)


def _descriptions(page) -> dict[int, str]:
    """A tagged page's Figure descriptions by the marked content they tag."""
    tree = pdfium_raw.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return {}
    found: dict[int, str] = {}
    stack = [pdfium_raw.FPDF_StructTree_GetChildAtIndex(tree, i)
             for i in range(pdfium_raw.FPDF_StructTree_CountChildren(tree))]
    seen = 0
    while stack and seen < 100_000:  # a structure tree of a page is small; a hostile one must not hang us
        element, seen = stack.pop(), seen + 1
        if not element:
            continue
        if _text(pdfium_raw.FPDF_StructElement_GetType, element) == "Figure":
            alt = " ".join(_text(pdfium_raw.FPDF_StructElement_GetAltText, element).split())
            for i in range(pdfium_raw.FPDF_StructElement_GetMarkedContentIdCount(element)):
                found[pdfium_raw.FPDF_StructElement_GetMarkedContentIdAtIndex(element, i)] = alt
        stack.extend(pdfium_raw.FPDF_StructElement_GetChildAtIndex(element, i)
                     for i in range(pdfium_raw.FPDF_StructElement_CountChildren(element)))
    pdfium_raw.FPDF_StructTree_Close(tree)
    found.pop(-1, None)
    return found


def _text(function, element) -> str:
    size = function(element, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    function(element, buffer, size)
    return buffer.raw[:size].decode("utf-16-le", errors="replace").rstrip("\x00")


def place(lines: list[Line], found: list[Line]) -> list[Line]:
    """Each picture goes before the first line (in reading order) of its page that stands below its
    top within its width, or after its page's last line: in its column, where the eye meets it."""
    out = list(lines)
    for picture in found:
        at = next((i for i, line in enumerate(out) if line.page == picture.page and line.picture is None
                   and line.top > picture.top and line.x1 > picture.x0 and line.x0 < picture.x1), None)
        if at is None:
            at = max((i + 1 for i, line in enumerate(out) if line.page <= picture.page), default=0)
        out.insert(at, picture)
    return out
