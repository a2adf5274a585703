"""Turn cleaned plain text into inline nodes: links for URLs, references for note marks."""

from __future__ import annotations

import re

from ..model import Inline, Link, NoteRef, Text
from .notes import NOTE_CLOSE, NOTE_OPEN
from .shapes import URL

_PIECES = re.compile(f"({URL.pattern}|{NOTE_OPEN}[^{NOTE_CLOSE}]+{NOTE_CLOSE})")


def inlines(text: str) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for piece in _PIECES.split(text):
        if not piece:
            continue
        if piece.startswith(NOTE_OPEN):
            out.append(NoteRef(piece[1:-1]))
        elif URL.fullmatch(piece):
            href = piece if piece.startswith("http") else f"https://{piece}"
            out.append(Link(href, (Text(piece),)))
        else:
            out.append(Text(piece))
    return tuple(out)
