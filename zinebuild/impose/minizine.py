"""The 8-page minizine: one sheet, single-sided, folded in eight with a slit in the middle.

Landscape sheet, four columns by two rows. Left to right, the bottom row holds pages
6, 7, 8, 1 upright and the top row 5, 4, 3, 2 upside down: folded lengthwise, each top
panel lies behind the bottom one below it (1|2, 8|3, 7|4, 6|5); cut the middle of the
lengthwise fold, push the ends together and the spreads are 8|1 outside, then 2|3, 4|5, 6|7.
"""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, fit, pad

INSTRUCTIONS = ("Print single-sided at 100% (no 'fit to page'). Fold the sheet in eight, open it, fold it "
                "lengthwise, cut the middle half of the fold, open out the slit and fold into a booklet "
                "with page 1 on the front. Each sheet makes one 8-page zine.")

TOP_ROW = (5, 4, 3, 2)  # 1-based pages, left to right, upside down
BOTTOM_ROW = (6, 7, 8, 1)  # left to right, upright


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)
    panel_w, panel_h = sheet_w / 4, sheet_h / 2
    scale = fit(*page_size, panel_w, panel_h)
    w, h = page_size[0] * scale, page_size[1] * scale
    dx, dy = (panel_w - w) / 2, (panel_h - h) / 2
    order = pad(n_pages, 8, options.keep_last)
    sides = []
    for start in range(0, len(order), 8):
        zine = order[start:start + 8]
        slots = []
        for column in range(4):
            x = column * panel_w + dx
            left = column * panel_w
            slots.append(Slot(zine[BOTTOM_ROW[column] - 1], x, dy, w, h, cell=(left, 0, panel_w, panel_h)))
            slots.append(Slot(zine[TOP_ROW[column] - 1], x, panel_h + dy, w, h, rotation=180,
                              cell=(left, panel_h, panel_w, panel_h)))
        sides.append(Side(tuple(slots)))
    folds = tuple((i * panel_w, 0, i * panel_w, sheet_h) for i in (1, 2, 3)) + ((0, panel_h, sheet_w, panel_h),)
    return Plan(sheet_w, sheet_h, tuple(sides), "simplex", INSTRUCTIONS, folds=folds)
