"""Turn an Anthology into the print-ready booklet: the reading PDF's pages imposed on sheets."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from ..fsutil import write_bytes
from ..impose import Options, Plan, impose
from ..model import Anthology
from ..render import Layout, output_stem, page_margins
from ..settings import Settings
from . import cover_sheet, pdf

LOGGER = logging.getLogger("zinebuild")


def imposed(anthology: Anthology, layout: Layout, settings: Settings) -> tuple[bytes, Plan]:
    """The reading PDF's pages on sheets, by the configured scheme and options."""
    output = layout.output
    margin = page_margins(output.page_size.width, output.page_size.height)["inner"]
    options = Options(signature=output.signature, creep=output.creep, marks=output.marks, margin=margin,
                      binding=output.binding)
    return impose(pdf.render(anthology, layout, settings), output.imposition, (output.sheet.width, output.sheet.height),
                  options)


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    output = layout.output
    data, plan = imposed(anthology, layout, settings)
    target = out_dir / f"{output_stem(anthology.book, output)}-booklet.pdf"
    write_bytes(target, data)
    for warning in plan.warnings:
        LOGGER.warning("booklet: %s", warning)
    for advice in plan.advice:
        LOGGER.info("booklet: %s", advice)
    LOGGER.info("booklet: %d sheet(s) of %s. %s", plan.sheets, output.sheet.name, plan.instructions)
    if cover_sheet.wanted(anthology, layout):
        import pikepdf  # late, as in typeset: only builds with a cover sheet pay for it here

        pages = pikepdf.open(io.BytesIO(pdf.render(anthology, layout, settings))).pages
        sheet = cover_sheet.build(anthology, layout, out_dir, settings, len(pages))
        LOGGER.info("cover: %s, to print on card and wrap around the folded pages", sheet.name)
    return target
