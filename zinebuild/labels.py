"""Turn a language tag into the words the book prints around its texts: Contents, Sources, Notes.

The contents page, the sources page, the notes' headings, the title page's "edited by" and
the sources page's last line are the book's own words, so they are in the book's language
(a piece's notes in the piece's). A language missing here gets the English words, and so do
the sentences a language below does not give; a layout can still print what it likes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    contents: str  # the contents page's title (print) and the EPUB's nav
    sources: str  # the sources page's title, and its line in the contents
    notes: str  # the heading over notes (a piece's, or the EPUB's notes file)
    edited_by: str = "edited by {names}"  # the title page's and drawn cover's byline
    made_with: str = "Made with zinebuild on {date}."  # the sources page's last line
    comma: str = ", "  # between names

    def byline(self, editors: Sequence[str], authors: Sequence[str]) -> str:
        """"edited by" the editors, or else the authors, in this language."""
        if editors:
            return self.edited_by.format(names=self.comma.join(editors))
        return self.comma.join(authors)


ENGLISH = Labels("Contents", "Sources", "Notes")

# By primary language subtag. The right-to-left ones are written in their own script
# (Persian's "یادداشت‌ها" and "ساخته‌شده" hold a zero-width non-joiner, as Persian spelling
# wants; Arabic, Persian and Urdu separate names with their own comma).
LABELS: dict[str, Labels] = {
    "en": ENGLISH,
    "ar": Labels("المحتويات", "المصادر", "الهوامش", "تحرير {names}", "صنع باستخدام zinebuild في {date}.", "، "),
    "he": Labels("תוכן העניינים", "מקורות", "הערות", "בעריכת {names}", "נוצר באמצעות zinebuild ב־{date}."),
    "fa": Labels("فهرست مطالب", "منابع", "یادداشت\u200cها", "به کوشش {names}",
                 "ساخته\u200cشده با zinebuild در {date}.", "، "),
    "ur": Labels("فہرست مضامین", "ماخذ", "حواشی", comma="، "),
    "cs": Labels("Obsah", "Zdroje", "Poznámky"),
    "de": Labels("Inhalt", "Quellen", "Anmerkungen", "herausgegeben von {names}", "Erstellt mit zinebuild am {date}."),
    "es": Labels("Índice", "Fuentes", "Notas", "edición de {names}", "Hecho con zinebuild el {date}."),
    "fr": Labels("Sommaire", "Sources", "Notes", "sous la direction de {names}", "Réalisé avec zinebuild le {date}."),
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
