"""Turn a language tag into the words the book prints around its texts: Contents, Sources, Notes.

The contents page, the sources page and the notes' headings are the book's own words, so
they are in the book's language (a piece's notes in the piece's). A language missing here
gets the English words; a layout can still print what it likes in its own toc.html.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    contents: str  # the contents page's title (print) and the EPUB's nav
    sources: str  # the sources page's title, and its line in the contents
    notes: str  # the heading over notes (a piece's, or the EPUB's notes file)


ENGLISH = Labels("Contents", "Sources", "Notes")

# By primary language subtag. The right-to-left ones are written in their own script
# (Persian's "یادداشت‌ها" holds a zero-width non-joiner, as Persian spelling wants).
LABELS: dict[str, Labels] = {
    "en": ENGLISH,
    "ar": Labels("المحتويات", "المصادر", "الهوامش"),
    "he": Labels("תוכן העניינים", "מקורות", "הערות"),
    "fa": Labels("فهرست مطالب", "منابع", "یادداشت\u200cها"),
    "ur": Labels("فہرست مضامین", "ماخذ", "حواشی"),
    "cs": Labels("Obsah", "Zdroje", "Poznámky"),
    "de": Labels("Inhalt", "Quellen", "Anmerkungen"),
    "es": Labels("Índice", "Fuentes", "Notas"),
    "fr": Labels("Sommaire", "Sources", "Notes"),
    "it": Labels("Indice", "Fonti", "Note"),
    "nl": Labels("Inhoud", "Bronnen", "Noten"),
    "pl": Labels("Spis treści", "Źródła", "Przypisy"),
    "pt": Labels("Sumário", "Fontes", "Notas"),
    "ru": Labels("Содержание", "Источники", "Примечания"),
    "uk": Labels("Зміст", "Джерела", "Примітки"),
}

# Tags still met in old files for languages the table has under their current subtag.
_OLD_TAGS = {"iw": "he"}


def labels(lang: str | None) -> Labels:
    """The labels for a BCP 47 tag ("ar", "ar-EG", "fa-IR"), by its primary subtag; English if unknown."""
    primary = (lang or "").split("-")[0].lower()
    return LABELS.get(_OLD_TAGS.get(primary, primary), ENGLISH)
