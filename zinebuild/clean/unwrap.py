"""Turn lines into paragraph chunks: rejoin hard-wrapped PDF text, split web text on blank lines."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .hyphens import Hyphens, join_lines
from .lines import Line
from .shapes import BULLET_MARKER, NOTES_HEADER, NUMBER_MARKER, ends_sentence

# A page-foot note in PDF text: "* KRAS (Confederation …", after a blank line.
_PAGE_NOTE = re.compile(r"^\s*(\*{1,3}|†|‡)\s+\S")


@dataclass
class Chunk:
    """A paragraph candidate: some lines of the source, to be classified into a block.

    The cleaner's working state, refined in place by the stages that follow (kinds by
    classify, note marks by notes); what leaves the cleaner is the frozen model.
    """

    text: str
    line: int  # first source line
    lines: list[str] = field(default_factory=list)  # its source lines, stripped
    gap_before: int = 0  # blank lines before it
    gap_after: int = 0
    indented: bool = False
    kind: str = "paragraph"  # set by classify
    level: int = 1
    role: str | None = None
    number: int | None = None
    marker: str | None = None
    raw: list[str] = field(default_factory=list)  # its source lines as laid out (plain documents)


def is_hard_wrapped(lines: list[Line]) -> bool:
    """PDF extractions: many lines, nearly all of about the same length, none very long."""
    lengths = [len(l.text) for l in lines if not l.blank]
    if len(lengths) < 20:
        return False
    width = _width(lengths)
    near = sum(1 for n in lengths if 0.6 * width <= n <= 1.1 * width)
    return 40 <= width <= 130 and near / len(lengths) > 0.6 and max(lengths) < 2 * width


def _width(lengths: list[int]) -> float:
    return statistics.quantiles(lengths, n=10)[8] if len(lengths) >= 10 else max(lengths)


def chunks(lines: list[Line], wrapped: bool, hyphens: Hyphens) -> list[Chunk]:
    return _unwrap(lines, hyphens) if wrapped else _split_web(lines)


def _groups(lines: list[Line]):
    """(gap before, lines) for each run of non-blank lines."""
    gap, run = 0, []
    for line in lines:
        if line.blank:
            if run:
                yield gap, run
                run, gap = [], 0
            gap += 1
        else:
            run.append(line)
    if run:
        yield gap, run


def _split_web(lines: list[Line]) -> list[Chunk]:
    """Web copies: a long line is a paragraph; a run of short lines stays together (slogans,
    addresses); lines under a line ending in ':' are items of a list."""
    out: list[Chunk] = []
    for gap, run in _groups(lines):
        for part in _split_at_notes_header(run):
            under_colon = bool(out) and out[-1].text.rstrip().endswith(":") and len(part) > 1
            marked = all(BULLET_MARKER.match(l.text) or NUMBER_MARKER.match(l.text) for l in part)
            if under_colon or marked:
                for line in part:
                    out.append(Chunk(line.stripped, line.number, [line.stripped], gap,
                                     kind="item" if under_colon and not marked else "paragraph"))
                    gap = 0
                continue
            for segment in _segments(part):
                first = segment[0]
                out.append(Chunk(" ".join(l.stripped for l in segment), first.number, [l.stripped for l in segment],
                                 gap, indented=first.text[:1].isspace(), kind="lines" if len(segment) > 1 else "paragraph"))
                gap = 0
    _set_gaps_after(out)
    return out


def _split_at_notes_header(run: list[Line]) -> list[list[Line]]:
    parts: list[list[Line]] = [[]]
    for line in run:
        if NOTES_HEADER.match(line.text):
            parts += [[line], []]
        else:
            parts[-1].append(line)
    return [p for p in parts if p]


def _segments(run: list[Line]) -> list[list[Line]]:
    """Long lines alone; consecutive short lines together; a sentence wrapped onto the next
    line (it goes on in lower case) joined back into one line."""
    out: list[list[Line]] = []
    for line in run:
        short = len(line.stripped) <= 100
        if out and not ends_sentence(out[-1][-1].stripped) and line.stripped[:1].islower():
            last = out[-1][-1]
            out[-1][-1] = Line(last.number, f"{last.text.rstrip()} {line.stripped}")
        elif short and out and len(out[-1][-1].stripped) <= 100:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def _unwrap(lines: list[Line], hyphens: Hyphens) -> list[Chunk]:
    """PDF text: join wrapped lines; a paragraph starts at an indent after a full stop, after a short
    line that ends a sentence, or after a blank line, unless the sentence runs on across a page foot."""
    width = _width([len(l.text) for l in lines if not l.blank])
    out: list[Chunk] = []
    current: Chunk | None = None
    previous = ""
    gap = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.blank:
            gap += 1
            i += 1
            continue
        text = line.text
        if gap and _PAGE_NOTE.match(text):
            note, i = _page_note(lines, i)
            out.append(note)
            continue
        runs_on = current is not None and not ends_sentence(previous) and text.strip()[:1].islower()
        starts = (
            current is None
            or (gap and not runs_on)
            or (text[:1].isspace() and ends_sentence(previous))
            or (len(previous) < 0.75 * width and ends_sentence(previous))
            or NUMBER_MARKER.match(text) and gap
        )
        if starts:
            current = Chunk(text.strip(), line.number, [text.strip()], gap, indented=text[:1].isspace())
            out.append(current)
        else:
            current.text = join_lines(current.text, text, hyphens)
            current.lines.append(text.strip())
        previous = text.rstrip()
        gap = 0
        i += 1
    _set_gaps_after(out)
    return out


def _page_note(lines: list[Line], i: int) -> tuple[Chunk, int]:
    """A page-foot note runs until a line that ends a sentence; the text then goes on."""
    start = i
    parts = []
    while i < len(lines) and not lines[i].blank:
        parts.append(lines[i].stripped)
        i += 1
        if ends_sentence(parts[-1]):
            break
    marker, _, body = parts[0].partition(" ")
    text = " ".join([body] + parts[1:]).strip()
    return Chunk(text, lines[start].number, parts, kind="pagenote", marker=marker), i


def _set_gaps_after(out: list[Chunk]) -> None:
    for a, b in zip(out, out[1:]):
        a.gap_after = b.gap_before
    if out:
        out[-1].gap_after = 1
