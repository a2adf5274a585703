"""A paper-folding simulator for tests: fold a printed sheet, read the pages off the signature.

Independent of zinebuild's plans: it knows only what paper does. A layer is a grid of
cells; each cell has a top face and a bottom face, each a (page, upside_down) pair as
seen from above. Folding a half under the other half mirrors it, swaps its faces and
reverses its layers; a fold across a horizontal line also turns its faces upside down.
"""

from __future__ import annotations

Face = tuple  # (page or None, upside_down: bool)


def sheet_from_sides(front: list[list[Face]], back_as_printed: list[list[Face]], turn: str) -> list:
    """One layer from the two printed sides. The back is given as the printer sees it; ``turn``
    says how the duplex printer turns the sheet, as seen: "sideways" (about the vertical axis:
    long-edge flip for a portrait sheet, short-edge flip for a landscape one) or "over"
    (about the horizontal axis)."""
    rows, cols = len(front), len(front[0])
    cells = []
    for r in range(rows):
        row = []
        for c in range(cols):
            if turn == "sideways":  # turned about the vertical axis: columns mirror
                page, upside = back_as_printed[r][cols - 1 - c]
            else:  # turned about the horizontal axis: rows mirror, and the back reads upside down
                page, upside = back_as_printed[rows - 1 - r][c]
                upside = not upside
            row.append((front[r][c], (page, upside)))
        cells.append(row)
    return [cells]


def fold(stack: list, moving: str) -> list:
    """Fold the ``moving`` half ("left", "right", "top", "bottom") under the other half."""
    kept, moved = [], []
    for layer in stack:
        rows, cols = len(layer), len(layer[0])
        if moving in ("left", "right"):
            half = cols // 2
            stay = [row[half:] for row in layer] if moving == "left" else [row[:half] for row in layer]
            go = [row[:half] for row in layer] if moving == "left" else [row[half:] for row in layer]
            go = [[(bottom, top) for top, bottom in reversed(row)] for row in go]
        else:
            half = rows // 2
            stay = layer[half:] if moving == "top" else layer[:half]
            go = layer[:half] if moving == "top" else layer[half:]
            go = [[((bp, not bu), (tp, not tu)) for (tp, tu), (bp, bu) in row] for row in reversed(go)]
        kept.append(stay)
        moved.append(go)
    return kept + list(reversed(moved))


def reading_order(stack: list) -> list[Face]:
    """Pages as a reader meets them: the top face of each leaf, then its underside."""
    assert all(len(layer) == 1 and len(layer[0]) == 1 for layer in stack), "fold until one cell is left"
    faces = []
    for layer in stack:
        top, bottom = layer[0][0]
        faces += [top, bottom]
    return faces
