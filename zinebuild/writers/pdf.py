"""Turn an Anthology into the reading PDF with WeasyPrint: one document, print.css, offline."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from weasyprint import HTML

from ..errors import BuildError, Problem
from ..fetch import ConfinedFetcher
from ..fsutil import write_bytes
from ..model import Anthology
from ..render import Layout, book_html, output_stem

LOGGER = logging.getLogger("zinebuild")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@lru_cache(maxsize=2)
def render(anthology: Anthology, layout: Layout) -> bytes:
    """PDF bytes of the book; cached so that the booklet reuses the reading PDF's render."""
    fetcher = ConfinedFetcher(layout)
    collector = _Collect()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(collector)
    try:
        html = HTML(string=book_html(anthology, layout), base_url=layout.search_path[0].as_uri() + "/",
                    url_fetcher=fetcher)
        data = html.write_pdf(pdf_identifier=anthology.book.identifier.encode(), pdf_tags=True,
                              custom_metadata=True)
    except Exception as error:  # WeasyPrint raises many kinds; name the stage and the cause
        raise BuildError(Problem(f"rendering the PDF failed: {type(error).__name__}: {error}",
                                 file=layout.search_path[0],
                                 hint="run with --debug for the full trace")) from error
    finally:
        weasy_logger.removeHandler(collector)
    for message in dict.fromkeys(collector.messages):
        if "HarfBuzz-Subset" in message:  # a note about the machine's libraries, not the book
            LOGGER.debug("weasyprint: %s", message)
        else:
            LOGGER.warning("Z301 layout: %s", message)
    return data


def build(anthology: Anthology, layout: Layout, out_dir: Path) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.pdf"
    return write_bytes(target, render(anthology, layout))
