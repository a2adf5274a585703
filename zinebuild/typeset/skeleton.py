"""Turn the whole book's HTML into its skeleton: every piece reduced to its head and N empty pages.

Laid out by WeasyPrint, the skeleton paginates exactly like the book (same named pages,
forced breaks, blank pages before right-hand openings, same strings for running heads),
because it is the book's own HTML with only the pieces' bodies taken out. Its pages give
the folios, heads, contents page numbers and outline; the pieces' real pages are laid over.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

PAGE_BREAK_STYLE = "break-before: page"


def _page_name(name: str) -> str:
    """A page's name as WeasyPrint gave it, back into CSS (an identifier the layout wrote)."""
    return name if re.fullmatch(r"-?[A-Za-z_][\w-]*", name) else "auto"


class SkeletonError(ValueError):
    """The layout's HTML has no element for a piece: it cannot be split safely."""


class Skeleton:
    """The book's HTML with each piece (by element id) emptied but for its head: made while the
    pieces are laid out, then padded to their page counts once they are known."""

    def __init__(self, book_html: str, piece_ids):
        self.tree = lxml_html.document_fromstring(book_html)
        elements: dict[str, object] = {}  # the first element of each id: one walk, not one per piece
        for element in self.tree.iter():
            if isinstance(element.tag, str) and element.get("id") is not None:
                elements.setdefault(element.get("id"), element)
        self.sections = {}
        for piece_id in piece_ids:
            section = elements.get(piece_id)
            if section is None or len(section) == 0:
                raise SkeletonError(f"no element with id {piece_id!r} and a head in the book's HTML")
            for child in list(section)[1:]:
                section.remove(child)
            section.set("class", f"{section.get('class', '')} zb-skeleton".strip())
            self.sections[piece_id] = section

    def html(self, pages: dict[str, tuple[str, ...]]) -> str:
        """The skeleton with each piece padded to its pages (pages: id -> the name of each of its
        pages, weasy.page_names; every piece). A page named otherwise than the piece's first
        (a full-bleed picture's, margins of its own) is padded with a page of that name."""
        padding = []
        for piece_id, names in pages.items():
            section = self.sections[piece_id]
            for name in names[1:]:
                style = PAGE_BREAK_STYLE if name == names[0] else f"{PAGE_BREAK_STYLE}; page: {_page_name(name)}"
                padding.append((section, lxml_html.Element("div", style=style)))
                section.append(padding[-1][1])
        try:
            return lxml_html.tostring(self.tree, encoding="unicode", doctype="<!DOCTYPE html>")
        finally:
            for section, div in padding:  # the skeleton stays as made, for other page counts
                section.remove(div)
