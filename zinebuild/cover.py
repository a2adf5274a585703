"""Turn the book's title page design (layouts/*/cover.html) into a cover image for the EPUB."""

from __future__ import annotations

import io

import pypdfium2

from .model import Anthology
from .render import Layout, cover_html
from .typeset.cache import RenderCache, key

# 1600 px wide, as the stores and library apps ask for; the page's shape is set in cover.html.
COVER_WIDTH = 1600


def cover_jpeg(anthology: Anthology, layout: Layout, cache: RenderCache) -> bytes:
    """The cover as a JPEG; kept in the build cache, since drawing it means starting WeasyPrint."""
    source = cover_html(anthology, layout)
    entry = key(layout, "cover", str(COVER_WIDTH), source)
    cached = cache.get_blob(entry, ".jpg")
    if cached is None:
        cached = _draw(source, layout)
        cache.put_blob(entry, ".jpg", cached)
    return cached


def _draw(source: str, layout: Layout) -> bytes:
    from weasyprint import HTML

    from .fetch import ConfinedFetcher

    html = HTML(string=source, base_url=layout.search_path[0].as_uri() + "/", url_fetcher=ConfinedFetcher(layout))
    pdf = pypdfium2.PdfDocument(html.write_pdf())
    page = pdf[0]
    width, _ = page.get_size()
    image = page.render(scale=COVER_WIDTH / width).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()
