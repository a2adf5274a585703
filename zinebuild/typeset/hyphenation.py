"""Give pyphen its hyphenation dictionaries parsed, from the build cache, rather than as text.

pyphen parses a dictionary's patterns in Python the first time a process hyphenates in its
language: 0.15 s for English, on the render service's way to the first piece of a rebuild
(the pieces wait for it). Once parsed, a dictionary is kept in the build cache as JSON (each
pattern's offset and values) and handed to pyphen's own cache, where WeasyPrint's calls find
it. A dictionary with non-standard hyphenation (patterns that change the word's letters) is
parsed by pyphen each time: its values are not plain numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..cache import BlobCache, digest

_store = BlobCache(None)
SUFFIX = ".hyph"


def keep_in(folder: Path | None) -> None:
    """Keep parsed dictionaries in this folder (the build cache), for this process's builds."""
    global _store
    _store = BlobCache(folder)


def load(language: str) -> None:
    """Have pyphen hold the dictionary of a language (a name pyphen.language_fallback gives)."""
    import pyphen

    path = pyphen.LANGUAGES[language]
    if path in pyphen.hdcache:
        return
    entry = digest("hyphenation", pyphen.__version__, path.name)
    stored = _store.get_blob(entry, SUFFIX)
    if stored is not None:
        pyphen.hdcache[path] = _dictionary(pyphen, json.loads(stored))
        return
    parsed = pyphen.hdcache[path] = pyphen.HyphDict(path)
    plain = _plain(parsed)
    if plain is not None:
        _store.put_blob(entry, SUFFIX, json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode())


def _plain(parsed) -> dict | None:
    patterns = {}
    for key, (offset, values) in parsed.patterns.items():
        if any(type(value) is not int for value in values):  # a DataInt: non-standard hyphenation
            return None
        patterns[key] = (offset, values)
    return {"maxlen": parsed.maxlen, "patterns": patterns}


def _dictionary(pyphen, plain: dict):
    """A HyphDict as pyphen's own parse makes it: its patterns, their longest key, an empty cache."""
    made = pyphen.HyphDict.__new__(pyphen.HyphDict)
    made.patterns = {key: (offset, tuple(values)) for key, (offset, values) in plain["patterns"].items()}
    made.maxlen = plain["maxlen"]
    made.cache = {}
    return made
