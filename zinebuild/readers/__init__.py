"""Turn a source file into a Source (its Documents and a cleaning report), by file kind.

A new input kind is one module with ``read(path, data) -> Source`` and one line here.
Readers never know about layouts or HTML output. A reader's module is imported when a
source of its kind is first cleaned: most books use one or two kinds, and the readers'
libraries (mammoth, pypdfium2, odfpy, markdown-it...) took a third of a rebuild's start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import import_module
from dataclasses import replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import accounting, language, links
from ..cache import BlobCache, digest
from ..clean.decode import NotText, decode
from ..depth import flatten_source
from ..errors import Problem, SourceError
from ..model import Source, from_data, to_data
from ..transforms import tidy

# File suffix -> the module (in this package) whose read(path, data) reads that kind.
READERS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".muse": "muse",
    ".docx": "docx",
    ".odt": "odt",
    ".epub": "epub",
    ".pdf": "pdf",
}


def reader(suffix: str) -> Callable[[Path, bytes], Source]:
    """The read function for files of this suffix (one of READERS), its module imported now."""
    return import_module(f".{READERS[suffix.lower()]}", __name__).read


def read(path: Path | str) -> Source:
    path = Path(path)
    return clean(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """A source's bytes, read once: what is hashed for the cache is what is cleaned."""
    if path.suffix.lower() not in READERS:
        raise SourceError(Problem(f"cannot read '{path.suffix}' files", file=path,
                                  hint=f"zinebuild reads {', '.join(sorted(READERS))}"))
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(Problem(f"cannot open: {error.strerror or error}", file=path,
                                  hint="check that the file exists and is readable")) from None


def clean(path: Path, data: bytes) -> Source:
    """The Source in data, the bytes of the file at path, by the reader for its kind."""
    language.preload()  # loaded while the text is cleaned, for with_languages at the end
    try:
        source = language.with_languages(
            _audit(path, data, flatten_source(reader(path.suffix)(path, data))))
    except RecursionError:
        raise SourceError(Problem("nested too deeply to read (elements inside elements, hundreds deep)",
                                  file=path, hint="save the page again, or copy its text into a .txt or .md file")
                          ) from None
    # What every reader's output goes through: the model's own steps, then the one URL policy.
    source = links.police(replace(source, documents=tuple(tidy(doc) for doc in source.documents)))
    if not any(doc.blocks for doc in source.documents):
        raise SourceError(Problem("no text found in this source", file=path,
                                  hint="is the file empty, or did the cleaner remove everything? "
                                       "see `zinebuild inspect` for what was removed"))
    return source


def _audit(path: Path, data: bytes, source: Source) -> Source:
    """Every reader keeps the word-accounting invariant; where it does not, the Source says so."""
    try:
        text, _ = decode(data)
    except NotText:
        return source
    lost = accounting.unaccounted(accounting.input_lines(path, text), source)
    return replace(source, unaccounted=lost) if lost else source


@lru_cache(maxsize=1)
def _reading_libraries() -> str:
    """The versions of what decides a cleaned text besides our code: a new one may clean otherwise."""
    names = ("charset-normalizer", "ftfy", "wordfreq", "markdown-it-py", "mdit-py-plugins", "lxml",
             "mammoth", "pypdfium2", "py3langid")
    return " ".join(f"{name} {metadata.version(name)}" for name in names)


def cached(store: BlobCache) -> Callable[[Path | str], Source]:
    """read(), remembering each file's Source by a hash of its path and bytes: cleaning is
    most of loading a project, and most sources do not change between two builds."""
    def read_cached(path: Path | str) -> Source:
        path = Path(path)
        data = read_bytes(path)  # once: an edit while we build cannot slip in under the old key
        entry = digest("source", _reading_libraries(), str(path), data)
        stored = store.get_blob(entry, ".source.json")
        if stored is not None:
            try:
                return from_data(json.loads(stored))
            except (ValueError, KeyError, TypeError):
                pass
        language.preload(store)  # the first to start it: the cache keeps the model unpacked
        source = clean(path, data)
        store.put_blob(entry, ".source.json", json.dumps(to_data(source), ensure_ascii=False).encode())
        return source

    return read_cached
