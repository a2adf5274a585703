"""Turn a raw .txt file into Documents through the cleaner."""

from __future__ import annotations

from pathlib import Path

from ..clean import clean
from ..clean.decode import NotText, decode
from ..errors import Problem, SourceError
from ..model import Source


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path,
                                  hint="give zinebuild a .txt, .md or .html text file")) from None
    documents, removed, warnings = clean(text, name=path.stem.replace("_", " "))
    return Source(str(path), encoding, documents, removed, warnings)
