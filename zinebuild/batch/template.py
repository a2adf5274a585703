"""Turn a template config and one source into that source's own zine's Config.

The template is an ordinary config whose pieces are left out (any it lists are replaced):
its [book], [output], [front], [back], [epub] and [clean] tables hold for every zine. What
it leaves out of [book] comes from the source, as its first article reads: the title, the
authors, the language. The identifier, when the template gives none, is made from the
source's path, so that two texts of one title are still two books to a reading system.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from .. import config as config_module
from ..model import Source

_PEOPLE = ("author", "authors", "editor", "editors")


def zine_config(template: Path, source: Path, read: Callable[[Path], Source]) -> config_module.Config:
    """The config of the zine made of source alone; read is the build's reader (cached)."""
    first = read(source).documents[0]
    relative = source.relative_to(template.parent).as_posix()

    def amend(raw: dict) -> dict:
        raw = {key: value for key, value in raw.items() if key not in ("pieces", "parts")}
        raw["pieces"] = [{"source": relative}]
        book = raw.get("book", {})
        if isinstance(book, dict):  # otherwise the validator says what is wrong with it
            book = dict(book)
            book.setdefault("title", first.title)
            if first.authors and not any(key in book for key in _PEOPLE):
                book["authors"] = list(first.authors)
            if first.lang:
                book.setdefault("language", first.lang)
            book.setdefault("identifier", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'zinebuild:' + relative)}")
            raw["book"] = book
        return raw

    return config_module.load(template, amend)
