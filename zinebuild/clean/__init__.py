"""Turn raw text (web copies, PDF extractions, transcripts) into Documents, reporting removals.

The cleaner is an explicit, ordered list of stages. Line stages take and return a
list of ``Line`` and may report what they drop; the structure stage turns lines into
blocks. ``clean`` is the one public entry point.
"""

from __future__ import annotations

from .lines import Line, split_lines
from .normalise import normalise
from .structure import build_documents
from ..model import Document, Removal


def clean(text: str, name: str = "") -> tuple[tuple[Document, ...], tuple[Removal, ...], tuple[str, ...]]:
    """Return (documents, removed lines, warnings) for the decoded text of one source."""
    removed: list[Removal] = []
    warnings: list[str] = []
    lines = split_lines(normalise(text))
    for stage in LINE_STAGES:
        lines = stage(lines, removed)
    documents = build_documents(lines, removed, warnings, fallback_title=name)
    removed.sort(key=lambda r: r.line)
    return documents, tuple(removed), tuple(warnings)


def _drop_edge_blank_lines(lines: list[Line], removed: list[Removal]) -> list[Line]:
    # Blank lines carry no text; nothing to report.
    start = next((i for i, l in enumerate(lines) if not l.blank), len(lines))
    end = len(lines) - next((i for i, l in enumerate(reversed(lines)) if not l.blank), 0)
    return lines[start:end]


LINE_STAGES = [
    _drop_edge_blank_lines,
]

__all__ = ["clean", "Line", "LINE_STAGES"]
