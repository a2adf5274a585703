"""Saddle stitch: 2 pages per side of a landscape sheet, sheets nested, folded once, stapled on the fold.

A long book can be split into signatures of N sheets, each folded on its own (for sewing).
Creep compensation moves the pages of inner sheets toward the fold, so that the
fore-edge stays straight once the stack is folded: each sheet by the paper's thickness
times the sheets outside it, as far as that takes it (the page is clipped to its half of
the sheet, so only its inner margin can be lost, and a warning says when text would be).
"""

from __future__ import annotations

from .plan import Options, Plan, Side, Slot, crop_marks, fit, pad

MM = 72 / 25.4
STAPLER_SHEETS = 12  # about what a long-reach stapler holds of 80 g/m² paper

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
    deepest = 0.0
    for group in signatures(page_order(n_pages, options.keep_last), options.signature):
        for index, (left, right) in enumerate(sheet_sides(group)):
            depth = index // 2  # 0 for the outermost sheet of the group
            # Both pages meet at the fold; inner sheets move toward it by the creep, uncapped.
            shift = options.creep * depth
            deepest = max(deepest, shift)
            marks = ()
            if options.marks:
                marks = ((half, sheet_h, half, sheet_h - 12), (half, 0, half, 12))
                marks += crop_marks(half - w + shift, y, w, h) + crop_marks(half - shift, y, w, h)
            sides.append(Side((Slot(left, half - w + shift, y, w, h, cell=(0, 0, half, sheet_h)),
                               Slot(right, half - shift, y, w, h, cell=(half, 0, half, sheet_h))), marks))
    instructions = INSTRUCTIONS if options.signature <= 0 else SIGNATURE_INSTRUCTIONS.format(n=options.signature)
    return Plan(sheet_w, sheet_h, tuple(sides), "short", instructions, folds=((half, 0, half, sheet_h),),
                warnings=_creep_warning(deepest, options.margin, scale),
                advice=_signature_advice(len(sides) // 2 + len(sides) % 2, options.signature))


def _creep_warning(deepest: float, margin: float | None, scale: float) -> tuple[str, ...]:
    """The innermost pages move `deepest` toward the fold; pages sit against the fold (a smaller
    page's spare room is at its fore-edge), so past their inner margin the text is cut."""
    if margin is None or deepest <= margin * scale:
        return ()
    return (f"creep moves the innermost pages {deepest / MM:.1f} mm toward the fold, past their "
            f"{margin * scale / MM:.1f} mm inner margin: text will be lost in the fold; use signatures "
            "([output] signature) or give the inner margin more room",)


def _signature_advice(sheets: int, signature: int) -> tuple[str, ...]:
    if signature > 0 or sheets <= STAPLER_SHEETS:
        return ()
    groups = -(-sheets // STAPLER_SHEETS)
    size = -(-sheets // groups)
    return (f"{sheets} sheets folded as one are more than a stapler holds (about {STAPLER_SHEETS} of "
            f"80 g/m²): set [output] signature = {size} to fold {groups} signatures and sew or glue them",)
