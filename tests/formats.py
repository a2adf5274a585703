"""Helpers for the format corpora (tests/corpus/formats/): golden outlines and word accounting."""

from __future__ import annotations

import collections
import difflib
import re
from pathlib import Path

import pytest

from zinebuild.model import Document, Heading, ListBlock, Quote, Source, block_text, note_refs, plain

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
            depth = max((level.depth for level in block.levels), default=0)
            kind += f", {depth + 1} levels deep" if depth else ""
            kind += f", counted {block.tree().numbering}" if block.ordered and block.tree().numbering != "1" else ""
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


def referenced(doc):
    refs = [r for b in doc.blocks for r in note_refs(getattr(b, "inlines", ()) or ())]
    refs += [r for b in doc.blocks if isinstance(b, ListBlock) for i in b.items for r in note_refs(i)]
    return refs


def kinds(blocks) -> list[str]:
    """Lists, quotes, headings and breaks in order; lists in a row count once (nothing parts them)."""
    out: list[str] = []
    for block in blocks:
        if block.kind in ("list", "quote", "heading", "break") and not (block.kind == "list" and out[-1:] == ["list"]):
            out.append(block.kind)
    return out


def all_blocks(blocks):
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from all_blocks(block.blocks)


def assert_reads_like(source: Source, first: Document, structure: bool = True,
                      less: collections.Counter | None = None) -> None:
    """A document another program made from ``first`` reads back as ``first``: title, authors,
    headings, lists, quotes and breaks in order (unless the program keeps no structure),
    notes linked in order, the same words (less the words ``less`` the program is known to drop)."""
    (doc,) = source.documents
    assert (doc.title, doc.authors) == (first.title, (", ".join(first.authors),) if first.authors else ())
    if structure:
        assert [(b.level, plain(b.inlines)) for b in all_blocks(doc.blocks) if isinstance(b, Heading)] == [
            (b.level, plain(b.inlines)) for b in all_blocks(first.blocks) if isinstance(b, Heading)]
        assert kinds(doc.blocks) == kinds(first.blocks)
    # Notes: as many as the original refers to, each linked where the original has it.
    used = list(dict.fromkeys(referenced(first)))
    assert len(doc.notes) == len(used) and referenced(doc) == [n.id for n in doc.notes]
    assert [" ".join(plain(p) for p in note.paragraphs).split() for note in doc.notes] == [
        " ".join(plain(p) for p in first.note(n).paragraphs).split() for n in used]
    # Word accounting: the same words, neither lost nor added.
    expected = words("\n".join([first.title, *first.authors] + [block_text(b) for b in first.blocks]
                               + [plain(p) for n in used for p in first.note(n).paragraphs]))
    assert source_words(source) == expected - (less or collections.Counter())
