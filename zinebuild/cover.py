"""Turn the book's cover design (layouts/*/cover.html) into cover images: for the EPUB, and for print.

When ``[book] cover`` is not given, the cover is drawn from the title (unless ``[epub] cover
= false``): a 1600 px JPEG for the EPUB, and for print the same design at the book's page
size, at images.PRINT_DPI, which then is the printed book's cover as a configured image is
(the first page of the PDF, the outside of the booklet, the front of a separate cover sheet).
"""

from __future__ import annotations

import base64
import contextlib
import io
from dataclasses import replace
from functools import lru_cache

from .model import Anthology, BookInfo
from .render import Layout, cover_html
from .typeset.cache import RenderCache, key

# 1600 px wide, as the stores and library apps ask for; the page's shape is set in cover.html.
COVER_WIDTH = 1600
EPUB_SIZE = "5in 8in"  # the EPUB cover's shape: a paperback's


def cover_jpeg(anthology: Anthology, layout: Layout, cache: RenderCache, service) -> bytes:
    """The cover as a JPEG; kept in the build cache, since drawing it means starting WeasyPrint.

    service is the build's render service (typeset.workers), which draws the page.
    """
    source, entry = _epub_cover(anthology, layout)
    cached = cache.get_blob(entry, ".jpg")
    if cached is None:
        cached = _early(entry) or raster(_drawn(source, anthology, layout, service), COVER_WIDTH, "JPEG")
        cache.put_blob(entry, ".jpg", cached)
    return cached


def draw_early(book: BookInfo, layout: Layout, formats, cache: RenderCache, service) -> None:
    """Have the service draw the covers these formats will want while this process reads and
    cleans the sources (its other core is idle then): a cover's design seldom needs more than
    the [book] table. Each is drawn from the anthology without its pieces and kept under its
    design's key; the build takes it where the design with the pieces turns out the same."""
    anthology = Anthology(book, ())
    if not drawn_for_print(anthology, layout):  # the EPUB's cover is drawn by the same rule (writers/epub.py)
        return
    wanted = []
    if "epub" in formats:
        wanted.append((*_epub_cover(anthology, layout), COVER_WIDTH, "JPEG", ".jpg"))
    if {"pdf", "booklet"} & set(formats):
        wanted.append((*_print_cover(anthology, layout), _print_width(layout), "PNG", ".png"))
    for source, entry, width, fmt, suffix in wanted:
        if entry not in _EARLY and cache.get_blob(entry, suffix) is None:
            _EARLY[entry] = service.raster(source, layout, book.identifier, width, fmt)


def settle_early() -> None:
    """Wait for the covers drawn early that the build did not take (a design that lists the
    pieces): a service answers every request before it may rest."""
    while _EARLY:
        with contextlib.suppress(Exception):  # a cover nobody uses cannot fail the build
            _EARLY.popitem()[1].result()


def forget_early() -> None:
    _EARLY.clear()


_EARLY: dict = {}  # cache entry -> the service's answer (workers.Pending) for a cover drawn early


def _early(entry: str) -> bytes | None:
    pending = _EARLY.pop(entry, None)
    return pending.result() if pending is not None else None


def _epub_cover(anthology: Anthology, layout: Layout) -> tuple[str, str]:
    source = cover_html(anthology, layout, EPUB_SIZE)
    return source, key(layout, "cover", str(COVER_WIDTH), source)


def _print_cover(anthology: Anthology, layout: Layout) -> tuple[str, str]:
    from .images import PRINT_DPI

    size = layout.output.page_size
    source = cover_html(anthology, layout, f"{round(size.width, 3)}pt {round(size.height, 3)}pt")
    return source, key(layout, "print-cover", str(PRINT_DPI), source)


def _print_width(layout: Layout) -> int:
    from .images import PRINT_DPI

    return round(layout.output.page_size.width / 72 * PRINT_DPI)


def drawn_for_print(anthology: Anthology, layout: Layout) -> bool:
    """Whether print gets a cover drawn from cover.html: no configured one, and drawn covers not turned off."""
    return not anthology.book.cover and layout.epub.cover


@lru_cache(maxsize=4)
def with_print_cover(anthology: Anthology, layout: Layout, settings) -> Anthology:
    """The anthology as print sees it: a drawn cover (a PNG data: URL) as its [book] cover, if it gets one."""
    if not drawn_for_print(anthology, layout):
        return anthology
    source, entry = _print_cover(anthology, layout)
    cache = RenderCache(settings.cache_dir)
    png = cache.get_blob(entry, ".png")
    if png is None:
        png = _early(entry) or raster(_drawn(source, anthology, layout, settings.service), _print_width(layout), "PNG")
        cache.put_blob(entry, ".png", png)
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    _as_printed(url, png, layout)
    return replace(anthology, book=replace(anthology.book, cover=url))


def _as_printed(url: str, png: bytes, layout: Layout) -> None:
    """The drawn cover is print's picture as it is (images.drawn_at_print_size)."""
    from PIL import Image

    from .images import Asset, drawn_at_print_size

    width, height = Image.open(io.BytesIO(png)).size  # the header only
    dpi = round(width / (layout.output.page_size.width / 72), 1)
    drawn_at_print_size(url, Asset(png, "PNG", width, height, dpi), layout.output)


def _drawn(source: str, anthology: Anthology, layout: Layout, service) -> bytes:
    if service is None:  # a PDF typeset without the render service (typeset(split=False))
        from .typeset.weasy import render

        return render(source, layout, anthology.book.identifier).pdf
    return service.render(source, layout, anthology.book.identifier).result().pdf


def raster(data: bytes, width_px: int, fmt: str) -> bytes:
    """The first page of a PDF as a PNG or JPEG this many pixels wide."""
    import pypdfium2  # late: only builds that draw a cover pay for it

    pdf = pypdfium2.PdfDocument(data)
    page = pdf[0]
    width, _ = page.get_size()
    image = page.render(scale=width_px / width).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 88, "optimize": True} if fmt == "JPEG" else {}))  # PNG: optimize gains little
    return out.getvalue()
