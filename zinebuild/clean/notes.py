"""Link "(1)"/"[1]" markers in the text to the list under a "Notes"/"Sources" heading."""

from __future__ import annotations

import re

from ..model import Removal
from .shapes import NOTE_START, URL
from .unwrap import Chunk

NOTE_OPEN, NOTE_CLOSE = "\ue000", "\ue001"  # private-use marks for a note reference inside text
# "(1)", "[12]" or "3)" after a word, a closing quote or a stop; not opening a line.
MARKER = re.compile(r"(?<=[\w.,;:!?”’\")\]])(?<!\d)\s?(?:[\[(](\d{1,5})[\])]|(\d{1,5})\))(?=[\s.,;:!?”’)]|$)")


def split_notes(chunks: list[Chunk], removed: list[Removal]) -> tuple[list[Chunk], dict[str, list[str]], list[Chunk]]:
    """(body, notes by id as lists of paragraphs, text under the header that is not a note)."""
    for i, chunk in enumerate(chunks):
        if chunk.kind == "notes-header":
            region = [c for c in chunks[i + 1:] if c.kind == "note-text"]
            rest = [c for c in chunks[i + 1:] if c.kind != "note-text"]
            notes, stray = _parse(region)
            if notes:
                removed.append(Removal(chunk.line, chunk.text, "notes heading → notes"))
            else:
                chunk.kind = "paragraph"  # a heading with no notes under it stays text
                stray.insert(0, chunk)
            return chunks[:i] + rest, notes, stray
    return chunks, {}, []


def _parse(region: list[Chunk]) -> tuple[dict[str, list[str]], list[Chunk]]:
    notes: dict[str, list[str]] = {}
    stray: list[Chunk] = []
    current: list[str] | None = None
    for chunk in region:
        for line in chunk.lines or [chunk.text]:
            match = NOTE_START.match(line)
            if match and (match[1] or match[3]) in notes and current is not None:
                current.append(line.strip())  # "[0]" again: text of the note before, not a second note 0
            elif match:
                note_id = match[1] or match[3]
                body = (match[2] if match[1] else match[4]).strip()
                current = notes.setdefault(note_id, [])
                if body:
                    current.append(body)
            elif current is None:
                stray.append(Chunk(line, chunk.line, [line]))
            elif current and (URL.fullmatch(line.strip()) or not current[-1]):
                current[-1] = f"{current[-1]} {line.strip()}".strip()
            else:
                current.append(line.strip())
    return notes, stray


def link_markers(text: str, notes: dict[str, list[str]], line: int, warnings: list[str],
                 used: set[str]) -> str:
    def replace(match: re.Match) -> str:
        bracketed, bare = match[1], match[2]
        if bare is not None:
            # "3)" is a marker only where a note 3 exists and no "(" is open: "(part 2)" is not one.
            before = text[:match.start()]
            if bare not in notes or before.count("(") > before.count(")"):
                return match[0]
        note_id = bracketed or bare
        if note_id in notes:
            used.add(note_id)
            return f"{NOTE_OPEN}{note_id}{NOTE_CLOSE}"
        if len(note_id) >= 4:
            return match[0]  # "(2014)" with no note 2014 is a year or a figure, not a lost marker
        warnings.append(f"line {line}: note marker '{match[0].strip()}' has no note; left as text")
        return match[0]

    return MARKER.sub(replace, text)
