"""Four columns by two rows on a landscape sheet, the top row upside down: the minizines' layout."""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, fit, pad

Rows = tuple[tuple[int, ...], tuple[int, ...]]  # 1-based pages: (top row, bottom row), left to right


def panel_plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
               options: Options, sides_per_sheet: tuple[Rows, ...], duplex: str, instructions: str) -> Plan:
    """One entry of ``sides_per_sheet`` per printed side of a sheet; pages centred in their panels."""
    sheet_w, sheet_h = sorted(sheet_size, reverse=True)
    panel_w, panel_h = sheet_w / 4, sheet_h / 2
    scale = fit(*page_size, panel_w, panel_h)
    w, h = page_size[0] * scale, page_size[1] * scale
    dx, dy = (panel_w - w) / 2, (panel_h - h) / 2
    per_sheet = 8 * len(sides_per_sheet)
    order = pad(n_pages, per_sheet, options.keep_last)
    sides = []
    for start in range(0, len(order), per_sheet):
        pages = order[start:start + per_sheet]
        for top, bottom in sides_per_sheet:
            slots = []
            for column in range(4):
                left = column * panel_w
                slots.append(Slot(pages[bottom[column] - 1], left + dx, dy, w, h, 0, (left, 0, panel_w, panel_h)))
                slots.append(Slot(pages[top[column] - 1], left + dx, panel_h + dy, w, h, 180,
                                  (left, panel_h, panel_w, panel_h)))
            sides.append(Side(tuple(slots)))
    folds = tuple((i * panel_w, 0, i * panel_w, sheet_h) for i in (1, 2, 3)) + ((0, panel_h, sheet_w, panel_h),)
    return Plan(sheet_w, sheet_h, tuple(sides), duplex, instructions, folds=folds)
