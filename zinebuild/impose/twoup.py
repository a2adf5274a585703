"""2-up side by side: two consecutive pages on each landscape sheet, in order, to cut and stack."""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, crop_marks, fit, pad

INSTRUCTIONS = ("Print single-sided at 100% (no 'fit to page'). Cut each sheet in half down the middle "
                "and stack the halves in order: left half first.")


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)
    half = sheet_w / 2
    scale = fit(*page_size, half, sheet_h)
    w, h = page_size[0] * scale, page_size[1] * scale
    x_left, x_right, y = (half - w) / 2, half + (half - w) / 2, (sheet_h - h) / 2
    order = pad(n_pages, 2, keep_last=False)
    sides = []
    for i in range(0, len(order), 2):
        marks = crop_marks(x_left, y, w, h) + crop_marks(x_right, y, w, h) if options.marks else ()
        sides.append(Side((Slot(order[i], x_left, y, w, h, cell=(0, 0, half, sheet_h)),
                           Slot(order[i + 1], x_right, y, w, h, cell=(half, 0, half, sheet_h))), marks))
    return Plan(sheet_w, sheet_h, tuple(sides), "simplex", INSTRUCTIONS, folds=((half, 0, half, sheet_h),))
