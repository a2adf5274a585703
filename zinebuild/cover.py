"""Turn the book's title page design (layouts/*/cover.html) into a cover image for the EPUB."""

from __future__ import annotations

import io

import pypdfium2

from .model import Anthology
from .render import Layout, cover_html
from .typeset.cache import RenderCache, key

# 1600 px wide, as the stores and library apps ask for; the page's shape is set in cover.html.
COVER_WIDTH = 1600


def cover_jpeg(anthology: Anthology, layout: Layout, cache: RenderCache, service) -> bytes:
    """The cover as a JPEG; kept in the build cache, since drawing it means starting WeasyPrint.

    service is the build's render service (typeset.workers), which draws the page.
    """
    source = cover_html(anthology, layout)
    entry = key(layout, "cover", str(COVER_WIDTH), source)
    cached = cache.get_blob(entry, ".jpg")
    if cached is None:
        cached = _raster(service.render(source, layout, anthology.book.identifier).result().pdf)
        cache.put_blob(entry, ".jpg", cached)
    return cached


def _raster(data: bytes) -> bytes:
    pdf = pypdfium2.PdfDocument(data)
    page = pdf[0]
    width, _ = page.get_size()
    image = page.render(scale=COVER_WIDTH / width).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()
