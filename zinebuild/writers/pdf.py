"""Turn an Anthology into the reading PDF: typeset (in parallel, cached), then written atomically."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..fsutil import write_bytes
from ..model import Anthology
from ..render import Layout, output_stem
from ..settings import Settings


@lru_cache(maxsize=2)
def render(anthology: Anthology, layout: Layout, settings: Settings) -> bytes:
    """PDF bytes of the book, each picture stored once; cached so that the booklet reuses the
    reading PDF's render."""
    if settings.pdf_under_way is not None:
        return settings.pdf_under_way.finish().pdf
    from ..typeset import typeset  # pikepdf and fontTools: only builds with a PDF pay for them

    return typeset(anthology, layout, settings).pdf


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.pdf"
    return write_bytes(target, render(anthology, layout, settings))
