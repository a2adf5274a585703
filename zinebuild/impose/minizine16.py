"""The 16-page minizine: one sheet printed on both sides, folded three times, trimmed (an octavo).

Landscape sheet, four columns by two rows per side, the top row upside down. Left to
right, the front holds 5 12 9 8 above 4 13 16 1 and the back (the sheet turned on its
short edge) 7 10 11 6 above 2 15 14 3. Fold the left half behind, the top half behind,
the left half behind again: the pages run 1 to 16. Trim the head and the fore-edge.
"""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, fit, pad

INSTRUCTIONS = ("Print double-sided, flip on the SHORT edge, at 100% (no 'fit to page'). Fold the left half "
                "behind, then the top half behind, then the left half behind again. Staple on the spine fold "
                "and trim the other folded edges. Each sheet makes one 16-page zine.")

# 1-based pages, left to right: (top row, upside down), (bottom row, upright).
FRONT = ((5, 12, 9, 8), (4, 13, 16, 1))
BACK = ((7, 10, 11, 6), (2, 15, 14, 3))


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)
    panel_w, panel_h = sheet_w / 4, sheet_h / 2
    scale = fit(*page_size, panel_w, panel_h)
    w, h = page_size[0] * scale, page_size[1] * scale
    dx, dy = (panel_w - w) / 2, (panel_h - h) / 2
    order = pad(n_pages, 16, options.keep_last)
    sides = []
    for start in range(0, len(order), 16):
        pages = order[start:start + 16]
        for top, bottom in (FRONT, BACK):
            slots = []
            for column in range(4):
                left = column * panel_w
                slots.append(Slot(pages[bottom[column] - 1], left + dx, dy, w, h, 0, (left, 0, panel_w, panel_h)))
                slots.append(Slot(pages[top[column] - 1], left + dx, panel_h + dy, w, h, 180,
                                  (left, panel_h, panel_w, panel_h)))
            sides.append(Side(tuple(slots)))
    folds = tuple((i * panel_w, 0, i * panel_w, sheet_h) for i in (1, 2, 3)) + ((0, panel_h, sheet_w, panel_h),)
    return Plan(sheet_w, sheet_h, tuple(sides), "short", INSTRUCTIONS, folds=folds)
