"""Turn a reading PDF into its typography figures: hyphenation, running heads, nearly empty pages.

    .venv/bin/python -m tests.typography_report build/NAME.pdf

WeasyPrint ends an automatically hyphenated line with U+2010 HYPHEN (a typed hyphen is
U+002D), so automatic breaks are told apart from compounds broken at their own hyphen.
The README quotes what this prints for the sample; tests/test_typography.py holds the
limits to it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

import pypdfium2

AUTO_HYPHEN = "\u2010"
_LETTERS = re.compile(r"[^\W\d_]+$")
_FIRST_LETTERS = re.compile(r"^[^\W\d_]+")


@dataclass
class Figures:
    lines: int = 0
    hyphenated: int = 0
    short_breaks: list[str] = field(default_factory=list)  # breaks leaving under 3 letters on a side
    shortest: int = 99  # fewest letters left on either side of any break
    runs: list[int] = field(default_factory=list)  # lengths of runs of 3+ hyphenated lines
    page_turns: list[int] = field(default_factory=list)  # pages whose last line ends in a break
    multi_line_heads: list[int] = field(default_factory=list)  # pages whose running head wraps
    heads: int = 0
    nearly_empty: list[int] = field(default_factory=list)  # pages with a folio and 1-3 lines of text

    @property
    def ratio(self) -> float:
        return self.hyphenated / self.lines if self.lines else 0.0

    def report(self) -> str:
        return "\n".join([
            f"lines of text:                 {self.lines}",
            f"lines ending in a hyphenation: {self.hyphenated} ({100 * self.ratio:.1f}%)",
            f"fewest letters at a break:     {self.shortest} ({len(self.short_breaks)} breaks under 3: "
            f"{', '.join(self.short_breaks[:6])})",
            f"runs of 3+ hyphenated lines:   {len(self.runs)} (longest {max(self.runs, default=0)})",
            f"words split over a page turn:  {len(self.page_turns)}",
            f"running heads:                 {self.heads}, on more than one line: {len(self.multi_line_heads)}",
            f"pages with 1-3 lines of text:  {len(self.nearly_empty)} {self.nearly_empty[:10]}",
        ])


def _lines(textpage, top: float, bottom: float) -> list[str]:
    """The text lines whose baseline lies between top and bottom (PDF y, grows upwards), top first."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for i in range(textpage.count_rects()):
        left, low, right, high = textpage.get_rect(i)
        if not bottom <= low <= top:
            continue
        key = next((y for y in rows if abs(y - low) < 2.5), low)
        rows.setdefault(key, []).append((left, textpage.get_text_bounded(left, low, right, high)))
    return [" ".join(t for _, t in sorted(row)).strip() for _, row in sorted(rows.items(), reverse=True)]


def _has_picture(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))


def measure(path) -> Figures:
    figures = Figures()
    pdf = pypdfium2.PdfDocument(path)
    run = 0
    for number, page in enumerate(pdf, start=1):
        width, height = page.get_size()
        textpage = page.get_textpage()
        # Heads and folios sit in the top and bottom ~7% of the page (render.page_margins).
        heads = [text for text in _lines(textpage, height, height * 0.935) if text]
        body = [text for text in _lines(textpage, height * 0.935, height * 0.075) if text]
        folio = any(text.isdigit() for text in _lines(textpage, height * 0.075, 0))
        if heads:
            figures.heads += 1
            if len(heads) > 1:
                figures.multi_line_heads.append(number)
        # A page of 1-3 lines under a picture is the picture's page, not a short ending.
        if folio and 1 <= len(body) <= 3 and not _has_picture(page):
            figures.nearly_empty.append(number)
        for index, text in enumerate(body):
            figures.lines += 1
            if not text.endswith(AUTO_HYPHEN):
                if run >= 3:
                    figures.runs.append(run)
                run = 0
                continue
            figures.hyphenated += 1
            run += 1
            before = _LETTERS.search(text[:-1])
            following = body[index + 1] if index + 1 < len(body) else None
            if following is None:
                figures.page_turns.append(number)
                continue
            after = _FIRST_LETTERS.search(following)
            if after is None:  # the next line is not the word's end (a footnote under the last line)
                continue
            left, right = len(before[0]) if before else 0, len(after[0])
            figures.shortest = min(figures.shortest, left, right)
            if min(left, right) < 3:
                figures.short_breaks.append(f"{before[0] if before else ''}-{after[0]}")
    if run >= 3:
        figures.runs.append(run)
    return figures


def short_endings(path) -> list[tuple[str, int, int]]:
    """(title, page from 1, lines) of every piece of two pages or more whose last page holds
    1-3 lines of its text; pieces are found by the PDF's outline (parts, pieces, matter)."""
    pdf = pypdfium2.PdfDocument(path)
    starts = sorted({(item.get_dest().get_index(), item.get_title()) for item in pdf.get_toc()
                     if item.get_dest() is not None})
    ends = [start for start, _ in starts[1:]] + [len(pdf)]
    found = []
    for (start, title), end in zip(starts, ends):
        counts = []
        for index in range(start, end):
            page = pdf[index]
            _, height = page.get_size()
            body = [t for t in _lines(page.get_textpage(), height * 0.935, height * 0.075) if t]
            counts.append((index, len(body), _has_picture(page)))
        written = [c for c in counts if c[1] or c[2]]  # blank pages before a right-hand opening left out
        if len(written) > 1 and 1 <= written[-1][1] <= 3 and not written[-1][2]:
            found.append((title, written[-1][0] + 1, written[-1][1]))
    return found


if __name__ == "__main__":
    print(measure(sys.argv[1]).report())
    print(f"pieces ending on 1-3 lines:    {short_endings(sys.argv[1])}")
