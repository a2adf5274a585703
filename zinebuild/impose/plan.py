"""The shape of an imposition, as pure data: which page goes where on which sheet side.

Coordinates are PDF points from the sheet's lower-left corner. A plan never touches a
PDF; ``pdfio.apply`` carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    page: int | None  # 0-based index into the source pages; None leaves the slot blank
    x: float
    y: float
    width: float
    height: float
    rotation: int = 0  # degrees, 0 or 180


@dataclass(frozen=True)
class Side:
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Plan:
    sheet_width: float
    sheet_height: float
    sides: tuple[Side, ...]  # front of sheet 1, back of sheet 1, front of sheet 2, …
    duplex: str  # "short" or "long": the edge the printer flips on
    instructions: str

    @property
    def sheets(self) -> int:
        return (len(self.sides) + 1) // 2


def fit(page_w: float, page_h: float, box_w: float, box_h: float) -> float:
    """Scale that fits a page into a box, never enlarging it."""
    return min(1.0, box_w / page_w, box_h / page_h)
