"""Quarto: four pages per side of a portrait sheet, folded twice (head down, then in half), trimmed.

Per sheet of eight pages, the front holds 5 and 4 upside down above 8 and 1; the back
(flipped on the long edge) holds 3 and 6 upside down above 2 and 7. Fold the top half
down behind, fold the left half behind: the pages run 1 to 8. Trim the head; stack the
folded sheets in order and staple or sew at the spine.
"""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, crop_marks, fit, pad

INSTRUCTIONS = ("Print double-sided, flip on the LONG edge, at 100% (no 'fit to page'). Fold each sheet's "
                "top half down behind, then the left half behind; trim the folded head. Stack the folded "
                "sheets in order and staple or sew at the spine.")

# 1-based pages of one sheet: (top row, upside down) and (bottom row, upright), left to right.
FRONT = ((5, 4), (8, 1))
BACK = ((3, 6), (2, 7))


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    sheet_w, sheet_h = sorted(sheet_size)  # portrait
    cell_w, cell_h = sheet_w / 2, sheet_h / 2
    scale = fit(*page_size, cell_w, cell_h)
    w, h = page_size[0] * scale, page_size[1] * scale
    order = pad(n_pages, 8, options.keep_last)
    sides = []
    for start in range(0, len(order), 8):
        pages = order[start:start + 8]
        for layout in (FRONT, BACK):
            (top_left, top_right), (bottom_left, bottom_right) = layout
            # Pages meet at the spine (vertical centre) and at the head fold (horizontal centre).
            slots = (
                Slot(pages[top_left - 1], cell_w - w, cell_h, w, h, 180, (0, cell_h, cell_w, cell_h)),
                Slot(pages[top_right - 1], cell_w, cell_h, w, h, 180, (cell_w, cell_h, cell_w, cell_h)),
                Slot(pages[bottom_left - 1], cell_w - w, cell_h - h, w, h, 0, (0, 0, cell_w, cell_h)),
                Slot(pages[bottom_right - 1], cell_w, cell_h - h, w, h, 0, (cell_w, 0, cell_w, cell_h)),
            )
            marks = sum((crop_marks(s.x, s.y, s.width, s.height) for s in slots), ()) if options.marks else ()
            sides.append(Side(slots, marks))
    folds = ((cell_w, 0, cell_w, sheet_h), (0, cell_h, sheet_w, cell_h))
    return Plan(sheet_w, sheet_h, tuple(sides), "long", INSTRUCTIONS, folds=folds)
