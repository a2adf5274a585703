"""Turn titles into stable, readable ASCII ids for files, anchors and the config."""

from __future__ import annotations

import re
import unicodedata

# Cyrillic has no ASCII decomposition; a plain transliteration keeps slugs readable.
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia", "i", "ie",
     "i", "g"]))


def slugify(text: str, max_words: int = 8) -> str:
    text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text)
    return "-".join(words[:max_words]) or "untitled"


def unique(slug: str, taken: set[str]) -> str:
    """Return slug, or slug-2, slug-3… the first not in taken; adds it to taken."""
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


# Ids and file names made from untrusted text (titles, front-matter slugs) start with one of
# these prefixes, which the book's own ids and files (title, contents, nav, ncx, style, notes,
# sources, cover, introduction, colophon…) never do; slugs hold only [a-z0-9-] and never two
# hyphens in a row, so anchors joined to a piece id with "--" (its notes, references and
# sections) can never equal another piece's id.
PIECE_PREFIX = "piece-"
PART_PREFIX = "part-"
_MAX_SLUG = 60  # characters: a file name in the EPUB stays short whatever the title


def safe_id(prefix: str, text: str, taken: set[str]) -> str:
    """The one way to make an id or file name stem from untrusted text: prefixed, sanitised, unique in taken."""
    return unique(prefix + (slugify(text)[:_MAX_SLUG].strip("-") or "untitled"), taken)
