"""Turn a book's covers into one sheet for card: back, spine and front side by side.

For ``[output] cover = "separate"``: the covers then stay out of the reading PDF and the
booklet, and are printed on their own, on heavier paper, and wrapped around the folded
pages. The spine is as wide as the folded pages are thick.
"""

from __future__ import annotations

from pathlib import Path

from ..cover import drawn_for_print, with_print_cover
from ..fsutil import write_bytes
from ..model import Anthology
from ..render import Layout, cover_sheet_html, output_stem
from ..settings import Settings


def wanted(anthology: Anthology, layout: Layout) -> bool:
    book = anthology.book
    return layout.output.cover == "separate" and bool(book.cover or book.back_cover
                                                       or drawn_for_print(anthology, layout))


def spine_width(pages: int, paper: float) -> float:
    """Points: a saddle-stitched book of this many pages folds its sheets into pages/2 leaves."""
    leaves = -(-pages // 4) * 2
    return round(leaves * paper, 3)


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings, pages: int) -> Path:
    spine = spine_width(pages, layout.output.paper)
    source = cover_sheet_html(with_print_cover(anthology, layout, settings), layout, spine)
    data = settings.service.render(source, layout, anthology.book.identifier).result().pdf
    if layout.output.images == "bitmap":
        from ..images_pdf import in_pdf

        data = in_pdf(data, bitmap=True)  # WeasyPrint widens 1-bit pictures to 8 bits
    return write_bytes(out_dir / f"{output_stem(anthology.book, layout.output)}-cover.pdf", data)
