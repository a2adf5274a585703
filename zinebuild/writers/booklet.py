"""Turn an Anthology into the print-ready booklet: the reading PDF's pages imposed on sheets."""

from __future__ import annotations

import logging
from pathlib import Path

from ..fsutil import write_bytes
from ..impose import Options, Plan, impose
from ..model import Anthology
from ..render import Layout, output_stem
from ..settings import Settings
from . import pdf

LOGGER = logging.getLogger("zinebuild")


def imposed(anthology: Anthology, layout: Layout, settings: Settings) -> tuple[bytes, Plan]:
    """The reading PDF's pages on sheets, by the configured scheme and options."""
    output = layout.output
    options = Options(signature=output.signature, creep=output.creep, marks=output.marks)
    return impose(pdf.render(anthology, layout, settings), output.imposition, (output.sheet.width, output.sheet.height),
                  options)


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    output = layout.output
    data, plan = imposed(anthology, layout, settings)
    target = out_dir / f"{output_stem(anthology.book, output)}-booklet.pdf"
    write_bytes(target, data)
    LOGGER.info("booklet: %d sheet(s) of %s. %s", plan.sheets, output.sheet.name, plan.instructions)
    return target
