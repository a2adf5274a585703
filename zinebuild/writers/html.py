"""Turn an Anthology into one self-contained HTML file (styles and fonts inline)."""

from __future__ import annotations

from pathlib import Path

from ..fsutil import write_bytes
from ..model import Anthology
from ..render import Layout, book_html, output_stem
from ..settings import Settings


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.html"
    return write_bytes(target, book_html(anthology, layout, inline_assets=True).encode("utf-8"))
