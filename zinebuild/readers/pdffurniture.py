"""Turn a PDF's positioned lines into the lines of its text: running heads and folios taken out
and reported (what pdfpage.py reads of the pages, less what the typesetter put around the text).
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import Removal
from .pdfpage import Line

_FOLIO = re.compile(r"^\W*(\d{1,4}|[ivxlcdm]{1,7})\W*$", re.I)


def drop_furniture(lines: list[Line], body: float, removed: list[Removal], pictures: list[Line] = (),
                   titles: tuple[str, ...] = ()) -> list[Line]:
    """A page's first or last line that recurs (digits aside) on many pages, or is a bare page
    number, or is a small line set apart above the text that recurs or repeats an outline entry
    (a short piece's running head is seen once): a running head or a folio. A line below a
    picture is the picture's (a caption), never the page's head."""
    entries = {_text_key(title) for title in titles}
    below = {}
    for picture in pictures:
        below[picture.page] = min(below.get(picture.page, picture.top), picture.top)
    pages: dict[int, list[Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    edges = Counter()
    for number, page_lines in pages.items():  # by place on the page: margins are often drawn last
        pages[number] = sorted(page_lines, key=lambda line: line.top)
        for line in {id(pages[number][0]): pages[number][0], id(pages[number][-1]): pages[number][-1]}.values():
            edges[_key(line)] += 1
    often = max(3, len(pages) // 20)
    furniture: set[int] = set()

    def drop(line: Line, reason: str) -> None:
        furniture.add(id(line))
        removed.append(Removal(line.page + 1, line.text.strip(), reason))

    for page_lines in pages.values():
        first_body = next((i for i, line in enumerate(page_lines) if line.size >= body * 0.97), len(page_lines))
        head = [line for line in page_lines[:first_body] if line.top < below.get(line.page, line.top + 1)]
        first_body = len(head) if len(head) < first_body else first_body
        # Small lines above the text, set apart from it and seen atop another page: a running head.
        if (0 < len(head) <= 2 and first_body < len(page_lines)
                and page_lines[first_body].top - head[-1].top > 1.5 * body
                and (edges[_key(head[0])] >= 2 or _FOLIO.match(head[0].text) or _key(head[0]) in entries)):
            for line in head:
                drop(line, "page number" if _FOLIO.match(line.text) else "running head")
        elif page_lines and edges[_key(page_lines[0])] >= often and page_lines[0].size <= body * 1.02:
            drop(page_lines[0], "running head")
        last = page_lines[-1] if page_lines else None
        if last is not None and id(last) not in furniture and (
                (edges[_key(last)] >= often and last.size <= body * 1.02) or (_FOLIO.match(last.text) and len(page_lines) > 1
                                               and last.top - page_lines[-2].top > 1.5 * body)):
            drop(last, "page number" if _FOLIO.match(last.text) else "running foot")
    return [line for line in lines if id(line) not in furniture]


def _key(line: Line) -> str:
    return _text_key(line.text)


def _text_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())
