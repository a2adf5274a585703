"""Helpers for the format corpora (tests/corpus/formats/): golden outlines and word accounting."""

from __future__ import annotations

import collections
import difflib
import re
from pathlib import Path

import pytest

from zinebuild.model import Heading, ListBlock, Quote, Source, block_text, plain

CORPUS = Path(__file__).parent / "corpus" / "formats"
_PUNCT = ".,;:!?()[]{}\"'“”‘’«»*=<>|–—-…/\\"


def outline(source: Source) -> str:
    """A reviewable outline: one line per block (kind, level, first words, word count), the notes,
    what was removed and the warnings."""
    lines = []
    for doc in source.documents:
        lines.append(f"# {doc.title} | {doc.subtitle or ''} | {', '.join(doc.authors)} | {doc.lang or ''}"
                     f" | {doc.source_url or ''}")
        lines += _blocks(doc.blocks, "")
        for note in doc.notes:
            text = " ".join(plain(p) for p in note.paragraphs)
            lines.append(f"  note {note.id}: {_head(text)}")
    lines += [f"removed {r.line}: {r.reason}: {_head(r.text)}" for r in source.removed]
    lines += [f"warning: {w[:100]}" for w in source.warnings]
    return "\n".join(lines) + "\n"


def _blocks(blocks, indent: str) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, Quote):
            out.append(f"{indent}  quote")
            out += _blocks(block.blocks, indent + "  ")
            continue
        kind = block.kind + (str(block.level) if isinstance(block, Heading) else "")
        if isinstance(block, ListBlock):
            kind += f" {'ordered' if block.ordered else 'bullets'} {len(block.items)} items"
        out.append(f"{indent}  {kind}: {_head(block_text(block))}")
    return out


def _head(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]) + (f" … ({len(words)} words)" if len(words) > 8 else "")


def check_golden(path: Path, actual: str, update: bool) -> None:
    golden = path.with_name(path.name + ".outline")
    if update or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
        pytest.skip(f"{golden.name} written; review it against the original")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "expected", "actual", n=1))
        pytest.fail(f"{path.name} outline differs from {golden.name}:\n{diff[:5000]}")


def words(text: str) -> collections.Counter:
    """Words for accounting: note markers, punctuation and case do not count."""
    text = re.sub(r"\[\^[\w-]+\]", " ", text).replace("\u00a0", " ")
    out = collections.Counter()
    for token in re.split(r"[\s\u00a0]+", text):
        token = token.strip(_PUNCT).lower()
        if token and any(c.isalnum() for c in token):
            out[token] += 1
    return out


def source_words(source: Source) -> collections.Counter:
    """Every word a reader kept (titles, blocks, notes) or reported removing."""
    kept = collections.Counter()
    for doc in source.documents:
        parts = [doc.title or "", doc.subtitle or "", " ".join(doc.authors)]
        parts += [block_text(b) for b in doc.blocks]
        parts += [plain(p) for n in doc.notes for p in n.paragraphs]
        kept += words("\n".join(parts))
    return kept + words("\n".join(r.text for r in source.removed))
