"""Turn page-size names and lengths ("A5", "148mm x 210mm", "10.5pt") into PDF points.

Points (1/72 in, as floats) are the one unit used past the config boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MM = 72 / 25.4
INCH = 72.0
UNITS = {"mm": MM, "cm": 10 * MM, "in": INCH, "pt": 1.0, "px": 0.75}

# Portrait width x height in millimetres or inches, as printers sell them.
NAMED_SIZES = {
    "a3": (297 * MM, 420 * MM),
    "a4": (210 * MM, 297 * MM),
    "a5": (148 * MM, 210 * MM),
    "a6": (105 * MM, 148 * MM),
    "a7": (74 * MM, 105 * MM),
    "b5": (176 * MM, 250 * MM),
    "b6": (125 * MM, 176 * MM),
    "letter": (8.5 * INCH, 11 * INCH),
    "legal": (8.5 * INCH, 14 * INCH),
    "tabloid": (11 * INCH, 17 * INCH),
    "half-letter": (5.5 * INCH, 8.5 * INCH),
    "quarter-letter": (4.25 * INCH, 5.5 * INCH),
    "digest": (5.5 * INCH, 8.5 * INCH),
}

# The PDF format's own limits are 3 to 14,400 points a side; a page smaller than an inch holds no text.
PAGE_SIDE = (INCH, 200 * INCH)

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|px)\s*$")


@dataclass(frozen=True)
class PageSize:
    name: str
    width: float  # points
    height: float  # points

    @property
    def landscape(self) -> "PageSize":
        w, h = sorted((self.width, self.height), reverse=True)
        return PageSize(self.name, w, h)


def parse_length(text: str) -> float:
    """'148mm' -> points. Raises ValueError with a readable message."""
    match = _LENGTH.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a length; write it like '148mm', '5.5in' or '10pt'")
    value = float(match[1]) * UNITS[match[2]]
    if value <= 0:
        raise ValueError(f"'{text}' must be larger than zero")
    return value


def parse_page_size(text: str) -> PageSize:
    """'A5', 'half-letter' or '148mm x 210mm' -> PageSize in points."""
    key = str(text).strip().lower().replace("_", "-").replace(" ", "-")
    if key in NAMED_SIZES:
        return PageSize(str(text).strip(), *NAMED_SIZES[key])
    parts = re.split(r"\s*[x×]\s*", str(text).strip())
    if len(parts) == 2:
        size = PageSize(str(text).strip(), parse_length(parts[0]), parse_length(parts[1]))
        if not all(PAGE_SIDE[0] <= side <= PAGE_SIDE[1] for side in (size.width, size.height)):
            raise ValueError(f"'{text}': each side must be from 1 inch to 200 inches (25.4mm to 5080mm)")
        return size
    names = ", ".join(sorted(NAMED_SIZES))
    raise ValueError(f"unknown page size '{text}'; use one of {names}, or 'WIDTH x HEIGHT' like '148mm x 210mm'")
