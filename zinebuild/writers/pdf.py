"""Turn an Anthology into the reading PDF: typeset (in parallel, cached), then written atomically."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..cover import drawn_for_print
from ..fsutil import write_bytes
from ..media import book_images
from ..model import Anthology
from ..render import Layout, output_stem
from ..settings import Settings


@lru_cache(maxsize=2)
def render(anthology: Anthology, layout: Layout, settings: Settings) -> bytes:
    """PDF bytes of the book; cached so that the booklet reuses the reading PDF's render."""
    if settings.pdf_under_way is not None:
        data = settings.pdf_under_way.finish().pdf
    else:
        from ..typeset import typeset  # pikepdf and fontTools: only builds with a PDF pay for them

        data = typeset(anthology, layout, settings).pdf
    if book_images(anthology) or anthology.book.cover or anthology.book.back_cover or drawn_for_print(anthology, layout):
        from ..images_pdf import in_pdf

        data = in_pdf(data, bitmap=layout.output.images == "bitmap")  # each picture once; 1-bit stays 1-bit
    return data


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.pdf"
    return write_bytes(target, render(anthology, layout, settings))
