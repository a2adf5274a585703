"""Saddle stitch: 2 pages per side of a landscape sheet, sheets nested, folded once, stapled on the fold."""

from __future__ import annotations

from .plan import Plan, Side, Slot, fit

INSTRUCTIONS = ("Print double-sided, flip on the SHORT edge, at 100% (no 'fit to page'). "
                "Keep the sheets in order, stack them, fold the stack in half and staple twice on the fold.")


def page_order(n_pages: int, keep_last: bool = True) -> list[int | None]:
    """Reading order padded to a multiple of 4; blanks go before the back cover when keep_last."""
    if n_pages <= 0:
        return []
    total = -(-n_pages // 4) * 4
    blanks = [None] * (total - n_pages)
    pages: list[int | None] = list(range(n_pages))
    if keep_last and n_pages > 1:
        return pages[:-1] + blanks + pages[-1:]
    return pages + blanks


def sheet_sides(order: list[int | None]) -> list[tuple[int | None, int | None]]:
    """(left, right) pages of each side, outermost sheet first: front, back, front, back, …"""
    total = len(order)
    sides = []
    for sheet in range(total // 4):
        outer_left, outer_right = total - 1 - 2 * sheet, 2 * sheet
        inner_left, inner_right = 2 * sheet + 1, total - 2 - 2 * sheet
        sides.append((order[outer_left], order[outer_right]))
        sides.append((order[inner_left], order[inner_right]))
    return sides


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         keep_last: bool = True) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)  # landscape
    page_w, page_h = page_size
    half = sheet_w / 2
    scale = fit(page_w, page_h, half, sheet_h)
    w, h = page_w * scale, page_h * scale
    y = (sheet_h - h) / 2
    sides = []
    for left, right in sheet_sides(page_order(n_pages, keep_last)):
        # Both pages meet at the fold; any spare paper goes to the outer edges, to be trimmed.
        sides.append(Side((Slot(left, half - w, y, w, h), Slot(right, half, y, w, h))))
    return Plan(sheet_w, sheet_h, tuple(sides), "short", INSTRUCTIONS)
