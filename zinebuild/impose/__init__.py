"""Turn a PDF's pages into printer sheets by a named scheme: a pure plan, then PDF I/O.

A scheme is one module with ``plan(n_pages, page_size, sheet_size, options) -> Plan``
and one line here.
"""

from __future__ import annotations

from . import minizine, minizine16, pdfio, quarter, saddle, twoup
from .plan import Options, Plan

__all__ = ["SCHEMES", "NotImposable", "Options", "Plan", "impose"]

SCHEMES = {
    "saddle": saddle.plan,
    "minizine": minizine.plan,
    "minizine-16": minizine16.plan,
    "2up-side": twoup.plan,
    "quarter": quarter.plan,
}


class NotImposable(ValueError):
    """The PDF cannot be imposed as it is (encrypted, no pages, pages of no size); says what to do."""


def impose(data: bytes, scheme: str, sheet: tuple[float, float], options: Options = Options()) -> tuple[bytes, Plan]:
    sizes = pdfio.page_sizes(data)
    if not sizes:
        raise NotImposable("the PDF has no pages")
    if any(w <= 0 or h <= 0 for w, h in sizes):
        raise NotImposable("a page of the PDF has no width or height (its trim box is empty or inverted)")
    plan = SCHEMES[scheme](len(sizes), sizes[0], sheet, options)
    return pdfio.apply(plan, data), plan
