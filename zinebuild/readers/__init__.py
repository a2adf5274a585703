"""Turn a source file into a Source (its Documents and a cleaning report), by file kind.

A new input kind is one module with ``read(path) -> Source`` and one line here.
Readers never know about layouts or HTML output.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SourceError
from ..model import Source
from . import html, markdown, text

READERS = {
    ".txt": text.read,
    ".text": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
}


def read(path: Path | str) -> Source:
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(Problem(f"cannot read '{path.suffix}' files", file=path,
                                  hint=f"zinebuild reads {', '.join(sorted(READERS))}"))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(Problem(f"cannot open: {error.strerror or error}", file=path,
                                  hint="check that the file exists and is readable")) from None
    source = reader(path, data)
    if not any(doc.blocks for doc in source.documents):
        raise SourceError(Problem("no text found in this source", file=path,
                                  hint="is the file empty, or did the cleaner remove everything? "
                                       "see `zinebuild inspect` for what was removed"))
    return source
