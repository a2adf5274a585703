"""Turn the whole book's HTML into its skeleton: every piece reduced to its head and N empty pages.

Laid out by WeasyPrint, the skeleton paginates exactly like the book (same named pages,
forced breaks, blank pages before right-hand openings, same strings for running heads),
because it is the book's own HTML with only the pieces' bodies taken out. Its pages give
the folios, heads, contents page numbers and outline; the pieces' real pages are laid over.
"""

from __future__ import annotations

from lxml import html as lxml_html

PAGE_BREAK_STYLE = "break-before: page"


class SkeletonError(ValueError):
    """The layout's HTML has no element for a piece: it cannot be split safely."""


def skeleton_html(book_html: str, pages: dict[str, int]) -> str:
    """book_html with each piece (by element id) emptied but for its head, and padded to its page count."""
    tree = lxml_html.document_fromstring(book_html)
    elements: dict[str, object] = {}  # the first element of each id: one walk, not one per piece
    for element in tree.iter():
        if isinstance(element.tag, str) and element.get("id") is not None:
            elements.setdefault(element.get("id"), element)
    for piece_id, count in pages.items():
        section = elements.get(piece_id)
        if section is None or len(section) == 0:
            raise SkeletonError(f"no element with id {piece_id!r} and a head in the book's HTML")
        for child in list(section)[1:]:
            section.remove(child)
        section.set("class", f"{section.get('class', '')} zb-skeleton".strip())
        for _ in range(count - 1):
            section.append(lxml_html.Element("div", style=PAGE_BREAK_STYLE))
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
