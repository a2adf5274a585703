"""The shape of an imposition, as pure data: which page goes where on which sheet side.

Coordinates are PDF points from the sheet's lower-left corner. A plan never touches a
PDF; ``pdfio.apply`` carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Segment = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Slot:
    page: int | None  # 0-based index into the source pages; None leaves the slot blank
    x: float
    y: float
    width: float
    height: float
    rotation: int = 0  # degrees, 0 or 180
    # The part of the sheet this page may paint (its bleed included): its half, panel or quarter.
    cell: tuple[float, float, float, float] | None = None  # x, y, width, height; None: the slot itself


@dataclass(frozen=True)
class Side:
    slots: tuple[Slot, ...]
    marks: tuple[Segment, ...] = ()  # fold and crop marks, drawn as hairlines


@dataclass(frozen=True)
class Options:
    """What a scheme may be asked for; schemes ignore what does not apply to them."""

    signature: int = 0  # sheets per signature (saddle); 0 keeps the whole book in one
    creep: float = 0.0  # points each sheet shifts toward the fold, per sheet from the outside (paper thickness)
    margin: float | None = None  # the pages' inner margin in points, when known: creep must stay inside it
    marks: bool = False  # fold and crop marks
    keep_last: bool = True  # padding goes before the last page, the back cover
    binding: str = "left"  # "right" for a right-to-left book: the spine on the right (impose.mirrored)


@dataclass(frozen=True)
class Plan:
    sheet_width: float
    sheet_height: float
    sides: tuple[Side, ...]  # front of sheet 1, back of sheet 1, … (one side each when simplex)
    duplex: str  # "short", "long" (the edge the printer flips on) or "simplex"
    instructions: str
    folds: tuple[Segment, ...] = field(default=())  # where the sheet is folded or cut, for previews
    warnings: tuple[str, ...] = ()  # what the printed booklet will get wrong (text in the fold, …)
    advice: tuple[str, ...] = ()  # what would make it better (signatures for a thick stack, …)
    scale: float = 1.0  # the pages' size on the sheet, as a fraction of their own

    @property
    def sheets(self) -> int:
        return len(self.sides) if self.duplex == "simplex" else (len(self.sides) + 1) // 2


def fit(page_w: float, page_h: float, box_w: float, box_h: float) -> float:
    """Scale that fits a page into a box, never enlarging it."""
    return min(1.0, box_w / page_w, box_h / page_h)


def pad(n_pages: int, multiple: int, keep_last: bool) -> list[int | None]:
    """Page indices padded with blanks to a multiple; blanks before the back cover when keep_last."""
    if n_pages <= 0:
        return []
    total = -(-n_pages // multiple) * multiple
    blanks: list[int | None] = [None] * (total - n_pages)
    pages: list[int | None] = list(range(n_pages))
    if keep_last and n_pages > 1:
        return pages[:-1] + blanks + pages[-1:]
    return pages + blanks


def crop_marks(x: float, y: float, w: float, h: float, length: float = 8.0, gap: float = 3.0) -> tuple[Segment, ...]:
    """Short lines outside a page's corners, where the trim goes."""
    out = []
    for cx, dx in ((x, -1), (x + w, 1)):
        for cy, dy in ((y, -1), (y + h, 1)):
            out.append((cx + dx * gap, cy, cx + dx * (gap + length), cy))
            out.append((cx, cy + dy * gap, cx, cy + dy * (gap + length)))
    return tuple(out)
