"""Saddle stitch: 2 pages per side of a landscape sheet, sheets nested, folded once, stapled on the fold.

A long book can be split into signatures of N sheets, each folded on its own (for sewing).
Creep compensation moves the pages of inner sheets toward the fold, so that the
fore-edge stays straight once the stack is folded.
"""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, crop_marks, fit, pad

INSTRUCTIONS = ("Print double-sided, flip on the SHORT edge, at 100% (no 'fit to page'). "
                "Keep the sheets in order, stack them, fold the stack in half and staple twice on the fold.")
SIGNATURE_INSTRUCTIONS = ("Print double-sided, flip on the SHORT edge, at 100% (no 'fit to page'). "
                          "Take the sheets in groups of {n} (one signature each), fold each group in half, "
                          "stack the folded groups in order and sew or glue them at the spine.")


def page_order(n_pages: int, keep_last: bool = True) -> list[int | None]:
    return pad(n_pages, 4, keep_last)


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


def signatures(order: list[int | None], sheets_per_signature: int) -> list[list[int | None]]:
    if sheets_per_signature <= 0:
        return [order]
    size = 4 * sheets_per_signature
    return [order[i:i + size] for i in range(0, len(order), size)]


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)  # landscape
    page_w, page_h = page_size
    half = sheet_w / 2
    scale = fit(page_w, page_h, half, sheet_h)
    w, h = page_w * scale, page_h * scale
    y = (sheet_h - h) / 2
    sides = []
    for group in signatures(page_order(n_pages, options.keep_last), options.signature):
        for index, (left, right) in enumerate(sheet_sides(group)):
            depth = index // 2  # 0 for the outermost sheet of the group
            # Both pages meet at the fold; inner sheets move toward it by the creep.
            shift = min(options.creep * depth, max(0.0, half - w))
            marks = ()
            if options.marks:
                marks = ((half, sheet_h, half, sheet_h - 12), (half, 0, half, 12))
                marks += crop_marks(half - w + shift, y, w, h) + crop_marks(half - shift, y, w, h)
            sides.append(Side((Slot(left, half - w + shift, y, w, h, cell=(0, 0, half, sheet_h)),
                               Slot(right, half - shift, y, w, h, cell=(half, 0, half, sheet_h))), marks))
    instructions = INSTRUCTIONS if options.signature <= 0 else SIGNATURE_INSTRUCTIONS.format(n=options.signature)
    return Plan(sheet_w, sheet_h, tuple(sides), "short", instructions, folds=((half, 0, half, sheet_h),))
