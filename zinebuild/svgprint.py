"""Turn an SVG drawing into pixels at its printed size, for grayscale and 1-bit print.

A drawing stays a drawing in the EPUB and in colour print. A copier's gray or black dots
cannot come from vector colours, so for ``[output] images = "grayscale"`` or ``"bitmap"``
the drawing is drawn at the size it prints, at images.PRINT_DPI, and converted like a photo.
WeasyPrint draws it (it already draws every SVG of the PDF, so the picture is the same one,
and nothing new is installed), pypdfium2 turns the page into pixels. The drawing was
checked to hold no scripts and no links to other files (media.py); the fetcher here
refuses everything but the drawing itself all the same.
"""

from __future__ import annotations

import base64
import re

from lxml import etree

# CSS's units in points; an SVG's width and height without a unit are CSS pixels.
_UNITS = {"": 0.75, "px": 0.75, "pt": 1.0, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*([a-z]*)\s*$")
DEFAULT_SIZE = (300, 150)  # CSS pixels: a replaced element's size when nothing says otherwise


def natural_size(data: bytes) -> tuple[float, float]:
    """The drawing's size in CSS pixels, from its width and height, else its viewBox."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return DEFAULT_SIZE
    box = [float(v) for v in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if _is_number(v)]
    sizes = [_points(root.get(name)) for name in ("width", "height")]
    if all(sizes):
        return sizes[0] / 0.75, sizes[1] / 0.75
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if sizes[0]:
            return sizes[0] / 0.75, sizes[0] / 0.75 * box[3] / box[2]
        if sizes[1]:
            return sizes[1] / 0.75 * box[2] / box[3], sizes[1] / 0.75
        return box[2], box[3]
    return DEFAULT_SIZE


def rasterised(data: bytes, width_pt: float, height_pt: float, dpi: int):
    """The drawing as an RGB image on white paper, width_pt × height_pt printed at dpi."""
    import pypdfium2
    from weasyprint import HTML, URLFetcher

    url = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    page = (f"<style>@page {{ size: {width_pt:.3f}pt {height_pt:.3f}pt; margin: 0 }} body {{ margin: 0 }} "
            f"img {{ display: block; width: {width_pt:.3f}pt; height: {height_pt:.3f}pt }}</style><img src='{url}'>")
    pdf = pypdfium2.PdfDocument(HTML(string=page, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf())
    return pdf[0].render(scale=dpi / 72).to_pil().convert("RGB")


def _points(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    if not match or match[2] not in _UNITS:
        return None
    return float(match[1]) * _UNITS[match[2]] or None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
