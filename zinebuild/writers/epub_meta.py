"""Turn an Anthology's book information into the EPUB package's metadata.

Titles with their types, creators and contributors with sortable names, the series,
the accessibility claims, and a modification date that follows the content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable

from ebooklib import epub

from ..model import Anthology, BookInfo

# What the book claims to meet, and what Ace by DAISY checks in the test suite.
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
_RELATORS = "marc:relators"
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ][\w.'’-]*$")


def describe(book: epub.EpubBook, anthology: Anthology, has_cover: bool) -> None:
    info = anthology.book
    _titles(book, info)
    book.set_language(info.language)
    for i, name in enumerate(info.editors):
        _person(book, "creator", name, f"editor-{i + 1}", "edt")
    for i, name in enumerate(info.authors):
        _person(book, "creator", name, f"author-{i + 1}", "aut")
    # The pieces' authors, each once, in reading order: an anthology's contributors.
    creators = set(info.editors) | set(info.authors)
    names = dict.fromkeys(name for piece in anthology.pieces for name in piece.document.authors
                          if name not in creators)
    for i, name in enumerate(names):
        _person(book, "contributor", name, f"contributor-{i + 1}", "aut")
    for field in ("description", "rights", "date"):
        value = getattr(info, field)
        if value:
            book.add_metadata("DC", field, value)
    # The pieces' tags, categories and keywords (front matter), each once, in reading order.
    for subject in dict.fromkeys(s for piece in anthology.pieces for s in piece.document.subjects):
        book.add_metadata("DC", "subject", subject)
    _series(book, info)
    _accessibility(book, has_cover)


def file_as(name: str) -> str:
    """The name as a catalogue sorts it: "Emma Goldman" -> "Goldman, Emma". A name that is not
    two to four capitalised words ("The zinebuild collective", "CrimethInc.") stays as it is."""
    words = name.split()
    if not 2 <= len(words) <= 4 or not all(_NAME_WORD.match(w) for w in words) or words[0] == "The":
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def modified(base: dt.datetime, contents: Iterable[bytes]) -> dt.datetime:
    """dcterms:modified: the book's date, at a time of day drawn from a hash of its content.

    The same content gives the same stamp (identical inputs, identical bytes), and a revised
    book a different one, so reading systems see that it changed."""
    digest = hashlib.sha256()
    for data in contents:
        digest.update(hashlib.sha256(data).digest())
    return base.replace(hour=0, minute=0, second=0) + dt.timedelta(seconds=int(digest.hexdigest(), 16) % 86400)


def _titles(book: epub.EpubBook, info: BookInfo) -> None:
    book.title = info.title  # ebooklib names the NCX after it
    book.add_metadata("DC", "title", info.title, {"id": "book-title"})
    book.add_metadata(None, "meta", "main", {"refines": "#book-title", "property": "title-type"})
    if info.subtitle:
        book.add_metadata("DC", "title", info.subtitle, {"id": "book-subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#book-subtitle", "property": "title-type"})


def _person(book: epub.EpubBook, element: str, name: str, uid: str, role: str) -> None:
    """A dc:creator or dc:contributor with its MARC role and sortable name (not ebooklib's
    add_author, which gives file-as a MARC scheme it does not have)."""
    book.add_metadata("DC", element, name, {"id": uid})
    book.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role", "scheme": _RELATORS})
    book.add_metadata(None, "meta", file_as(name), {"refines": f"#{uid}", "property": "file-as"})


def _accessibility(book: epub.EpubBook, has_cover: bool) -> None:
    """schema.org accessibility metadata and the conformance claim, as EPUB Accessibility 1.1 asks."""
    def meta(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": f"schema:{prop}"})

    meta("accessMode", "textual")
    if has_cover:
        meta("accessMode", "visual")
    meta("accessModeSufficient", "textual")
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"):
        meta("accessibilityFeature", feature)
    if has_cover:
        meta("accessibilityFeature", "alternativeText")
    meta("accessibilityHazard", "none")
    meta("accessibilitySummary", "Text with headings in order, a table of contents down to each piece's "
                                 "sections, and linked notes that lead back to the text; alignment, "
                                 "hyphenation and fonts are left to the reader; the cover image has a "
                                 "text description.")
    book.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})


def _series(book: epub.EpubBook, info: BookInfo) -> None:
    if not info.series:
        return
    book.add_metadata(None, "meta", info.series, {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
    if info.series_index:
        book.add_metadata(None, "meta", str(info.series_index), {"refines": "#series", "property": "group-position"})
    # calibre and the Kobo and Kindle apps read these older names.
    book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": info.series})
    if info.series_index:
        book.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": str(info.series_index)})
