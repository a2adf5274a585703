"""Turn a PDF's pages into printer sheets by a named scheme: a pure plan, then PDF I/O.

A scheme is one module with ``plan(n_pages, page_size, sheet_size, options) -> Plan``
and one line here.
"""

from __future__ import annotations

from dataclasses import replace

from . import minizine, minizine16, pdfio, quarter, saddle, twoup
from .plan import Options, Plan

__all__ = ["SCHEMES", "NotImposable", "Options", "Plan", "impose", "scheme_plan"]

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
    plan = _scaled(scheme_plan(scheme, len(sizes), sizes[0], sheet, options), scheme, sizes[0])
    return pdfio.apply(plan, data), plan


def scheme_plan(scheme: str, n_pages: int, page: tuple[float, float], sheet: tuple[float, float],
                options: Options = Options()) -> Plan:
    """The scheme's plan, bound on the side options.binding says."""
    plan = SCHEMES[scheme](n_pages, page, sheet, options)
    return mirrored(plan) if options.binding == "right" else plan


def mirrored(plan: Plan) -> Plan:
    """The plan for a book bound on the right (a right-to-left book): every slot, cell, mark and
    fold in the mirror image of its place, the pages themselves unmirrored. Paper folded as the
    mirror image of a left-bound booklet is that booklet bound on the right, its pages in the
    same order; a duplex printer turns the mirrored sheet as it turned the other."""
    width = plan.sheet_width

    def segment(seg):
        x0, y0, x1, y1 = seg
        return (width - x0, y0, width - x1, y1)

    def slot(s):
        cell = None if s.cell is None else (width - s.cell[0] - s.cell[2], *s.cell[1:])
        return replace(s, x=width - s.x - s.width, cell=cell)

    sides = tuple(replace(side, slots=tuple(slot(s) for s in side.slots), marks=tuple(map(segment, side.marks)))
                  for side in plan.sides)
    return replace(plan, sides=sides, folds=tuple(map(segment, plan.folds)))


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
