"""Turn a PDF's pages into printer sheets by a named scheme: a pure plan, then PDF I/O.

A scheme is one module with ``plan(n_pages, page_size, sheet_size, options) -> Plan``
and one line here.
"""

from __future__ import annotations

from dataclasses import replace

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
    plan = _scaled(plan, scheme, sizes[0])
    return pdfio.apply(plan, data), plan


MM = 72 / 25.4


def _scaled(plan: Plan, scheme: str, page: tuple[float, float]) -> Plan:
    """The plan with its pages' scale, and a warning when a large page is shrunk onto a small scheme."""
    widths = [slot.width for side in plan.sides for slot in side.slots if slot.page is not None]
    if not widths:
        return plan
    scale = round(min(widths) / page[0], 4)
    if scale >= 0.95:
        return replace(plan, scale=scale)
    fits = f"{page[0] * scale / MM:.0f} × {page[1] * scale / MM:.0f} mm"
    return replace(plan, scale=scale, warnings=plan.warnings + (
        f"pages of {page[0] / MM:.0f} × {page[1] / MM:.0f} mm are printed at {scale:.0%} on the {scheme} "
        f"scheme (10pt text becomes {10 * scale:.1f}pt); pages of {fits} would print at full size",))
