"""Turn a raw .txt file into Documents through the cleaner."""

from __future__ import annotations

from pathlib import Path

from ..clean import clean
from ..clean.decode import NotText, decode_report
from ..errors import Problem, SourceError
from ..model import Source


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding, unrepaired = decode_report(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path,
                                  hint="give zinebuild a .txt, .md or .html text file")) from None
    documents, removed, warnings = clean(text, name=path.stem.replace("_", " "))
    lost = tuple(f"line {n}: garbled characters (U+FFFD) that cannot be repaired; kept as they are"
                 for n in unrepaired)
    return Source(str(path), encoding, documents, removed, lost + warnings)
