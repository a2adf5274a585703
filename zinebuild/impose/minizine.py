"""The 8-page minizine: one sheet, single-sided, folded in eight with a slit in the middle.

Landscape sheet, four columns by two rows. Left to right, the bottom row holds pages
6, 7, 8, 1 upright and the top row 5, 4, 3, 2 upside down: folded lengthwise, each top
panel lies behind the bottom one below it (1|2, 8|3, 7|4, 6|5); cut the middle of the
lengthwise fold, push the ends together and the spreads are 8|1 outside, then 2|3, 4|5, 6|7.
"""

from __future__ import annotations

from .panels import panel_plan
from .plan import Options, Plan

INSTRUCTIONS = ("Print single-sided at 100% (no 'fit to page'). Fold the sheet in eight, open it, fold it "
                "lengthwise, cut the middle half of the fold, open out the slit and fold into a booklet "
                "with page 1 on the front. Each sheet makes one 8-page zine.")

TOP_ROW = (5, 4, 3, 2)  # 1-based pages, left to right, upside down
BOTTOM_ROW = (6, 7, 8, 1)  # left to right, upright


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    return panel_plan(n_pages, page_size, sheet_size, options, ((TOP_ROW, BOTTOM_ROW),), "simplex", INSTRUCTIONS)
