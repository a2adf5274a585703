"""Turn an Anthology into the reading PDF, laying out its pieces in parallel and reusing unchanged ones.

WeasyPrint's layout is the whole cost of a build, and it runs on one core. So the book is
split where it already breaks: each piece starts on a new page and its pages depend on
nothing outside it (its footnotes restart, its running head is its own title). Pieces are
laid out alone, as many at once as there are cores, with no folios or running heads, and
each result is cached under a hash of its HTML and the layout's files.

What a piece cannot know alone is where it lands: its folios, the side its pages fall on,
the contents page's numbers. For that, the book's own HTML is laid out once more with
every piece reduced to its head and as many empty pages as it really has (skeleton.py).
That render paginates like the whole book would: same named pages, same blank pages
before right-hand openings, same running strings, and the contents page counts real pages.
Its pages carry the furniture; the pieces' pages are laid onto them (join.py), moved to the
mirrored margins where a piece lands on a left-hand page.

The result matches the book rendered as one document page for page (tests/test_typeset.py).
When a layout breaks an assumption the split needs, the book is rendered as one document
instead and the build says so: a piece whose content box changes width between left and
right pages, a link from one piece into another, running strings or bookmarks set inside
a piece rather than in its head (weasy.py records them; book.py compares). Not detected:
a forced left/right break or an `@page :first` rule inside a piece, which assume the
piece opens on a right-hand page.

Modules: book.py (the steps above; begin() sends the pieces out and returns, so that
other outputs are written meanwhile), workers.py (the render service and its workers),
weasy.py (WeasyPrint), skeleton.py, join.py and fonts.py (the PDF), cache.py (keys).
"""

from __future__ import annotations

__all__ = ["Report", "Typesetting", "begin", "typeset"]


def __getattr__(name: str):
    # Lazy, so that a build can start its render service (workers.py) before importing the
    # PDF machinery (pikepdf, fontTools) that only this module's typeset() needs.
    if name in __all__:
        from . import book

        return getattr(book, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
