"""Turn a PDF's pages into printer sheets by a named scheme: a pure plan, then PDF I/O."""

from __future__ import annotations

from . import pdfio, saddle
from .plan import Plan

SCHEMES = {
    "saddle": saddle.plan,
}


def impose(data: bytes, scheme: str, sheet: tuple[float, float]) -> tuple[bytes, Plan]:
    sizes = pdfio.page_sizes(data)
    plan = SCHEMES[scheme](len(sizes), sizes[0], sheet)
    return pdfio.apply(plan, data), plan
