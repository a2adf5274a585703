"""The 16-page minizine: one sheet printed on both sides, folded three times, trimmed (an octavo).

Landscape sheet, four columns by two rows per side, the top row upside down. Left to
right, the front holds 5 12 9 8 above 4 13 16 1 and the back (the sheet turned on its
short edge) 7 10 11 6 above 2 15 14 3. Fold the left half behind, the top half behind,
the left half behind again: the pages run 1 to 16. Trim the head and the fore-edge.
"""

from __future__ import annotations

from .panels import panel_plan
from .plan import Options, Plan

INSTRUCTIONS = ("Print double-sided, flip on the SHORT edge, at 100% (no 'fit to page'). Fold the left half "
                "behind, then the top half behind, then the left half behind again. Staple on the spine fold "
                "and trim the other folded edges. Each sheet makes one 16-page zine.")

# 1-based pages, left to right: (top row, upside down), (bottom row, upright).
FRONT = ((5, 12, 9, 8), (4, 13, 16, 1))
BACK = ((7, 10, 11, 6), (2, 15, 14, 3))


def plan(n_pages: int, page_size: tuple[float, float], sheet_size: tuple[float, float],
         options: Options = Options()) -> Plan:
    return panel_plan(n_pages, page_size, sheet_size, options, (FRONT, BACK), "short", INSTRUCTIONS)
