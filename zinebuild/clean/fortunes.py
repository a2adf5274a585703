"""Turn a fortune file ('%' lines between quotations, '-- Author' under each) into quotation blocks.

A fortune file is a collection, not a text: each entry keeps its line breaks (poems, dialogues)
and its attribution, and no attribution becomes the author of the whole file.
"""

from __future__ import annotations

import re

from ..model import Block, LineBreak, Paragraph, Quote, Removal
from .inline import inlines
from .lines import Line

SEPARATOR = re.compile(r"^%+\s*$")
# "		-- Mark Twain", "	— Anon.": the attribution under a quotation.
_ATTRIBUTION = re.compile(r"^\s*(--|—|―)\s*\S")


def is_fortune_file(lines: list[Line]) -> bool:
    """Three or more lines that are only '%', and most entries short: the fortune(6) format."""
    separators = sum(1 for line in lines if SEPARATOR.match(line.text))
    return separators >= 3 and separators * 25 >= len(lines)


def quotations(lines: list[Line], removed: list[Removal]) -> list[Block]:
    blocks: list[Block] = []
    entry: list[Line] = []
    for line in lines + [Line(0, "%")]:
        if SEPARATOR.match(line.text):
            if line.number:
                removed.append(Removal(line.number, line.stripped, "fortune separator"))
            if any(not l.blank for l in entry):
                blocks.append(_quotation(entry))
            entry = []
        else:
            entry.append(line)
    return blocks


def _quotation(entry: list[Line]) -> Quote:
    text, attribution = _split_attribution(entry)
    blocks: list[Block] = []
    for stanza in _stanzas(text):
        blocks.append(_lines_paragraph([l.stripped for l in stanza]))
    if attribution:
        who = " ".join(l.stripped for l in attribution)
        blocks.append(Paragraph(inlines(who), "signature"))
    return Quote(tuple(blocks))


def _split_attribution(entry: list[Line]) -> tuple[list[Line], list[Line]]:
    """The attribution is the last '-- Name' line and the indented lines that continue it."""
    for i in range(len(entry) - 1, -1, -1):
        if _ATTRIBUTION.match(entry[i].text):
            rest = entry[i + 1:]
            if all(l.blank or l.text[:1].isspace() for l in rest):
                return entry[:i], [l for l in entry[i:] if not l.blank]
            break
    return entry, []


def _stanzas(lines: list[Line]) -> list[list[Line]]:
    out: list[list[Line]] = [[]]
    for line in lines:
        if line.blank:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(line)
    return [s for s in out if s]


def _lines_paragraph(lines: list[str]) -> Paragraph:
    parts: list = []
    for line in lines:
        if parts:
            parts.append(LineBreak())
        parts.extend(inlines(re.sub(r"\s{2,}", " ", line)))
    return Paragraph(tuple(parts))
