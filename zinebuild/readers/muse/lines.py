"""Turn the body of a Muse text, line by line, into raw blocks (their text not yet parsed):
headings, paragraphs by indentation, quotations, verse, examples, notes, lists, tables, tagged regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model import Removal

_ANCHOR = re.compile(r"^#[A-Za-z][A-Za-z0-9]*\s*$")
_HEADING = re.compile(r"^(\*{1,5}) (.+)$")
_RULE = re.compile(r"^-{4,}\s*$")
_PAGE_BREAK = re.compile(r"^ {6,}\*( +\*){2,4} *$")  # "* * * * *" centred: a break, as is "* * *"
_NOTE_DEF = re.compile(r"^(\[([1-9][0-9]*)\]|\{([1-9][0-9]*)\}) +(?=\S)")
_ITEM = re.compile(r"^( +)(-|[0-9]+\.|[a-zA-Z]\.|[ivxlcdmIVXLCDM]+\.) +(\S.*)$")
_TERM = re.compile(r"^( +)(\S.*?) +:: +(.*)$")
_TABLE_ROW = re.compile(r"^ +\S.* \|{1,3} ")
TABLE_CAPTION = re.compile(r"^ +\|\+ *(.*?) *\+\| *$")
# A list starts indented, but not so far that the line reads as centred ("A. C. Mill", a name).
_LIST_INDENT = 10
COMMENT = re.compile(r"^;( |$)")
_BLOCK_TAG = re.compile(r"^<(/?)(example|verse|quote|center|right|comment|biblio|play|literal)>\s*$")


@dataclass
class Line:
    number: int
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class State:
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, list[list[Line]]] = field(default_factory=dict)



@dataclass
class Raw:
    """A block before its inline text is parsed."""

    kind: str  # paragraph, quote, center, right, heading, verse, example, list, break, table, blocks
    lines: list[Line] = field(default_factory=list)
    level: int = 0
    children: list["Raw"] = field(default_factory=list)
    items: list[tuple[int, str, list[list[Line]]]] = field(default_factory=list)


def raw_blocks(lines: list[Line], state: State) -> list[Raw]:
    out: list[Raw] = []
    pos = 0
    while pos < len(lines):
        line = lines[pos]
        text = line.text
        tag = _BLOCK_TAG.match(text.strip()) if line.indent < 2 else None
        if line.blank or re.fullmatch(r"\s*<br\s*/?>\s*", text):
            pos += 1
        elif tag and not tag[1]:
            end = _closing(lines, pos, tag[2])
            _tagged(tag[2], lines[pos + 1:end], out, state)
            pos = end + 1
        elif text.strip() == "{{{":
            end = next((i for i in range(pos + 1, len(lines)) if lines[i].text.strip() == "}}}"), len(lines))
            out.append(Raw("example", lines[pos + 1:end]))
            pos = end + 1
        elif COMMENT.match(text):
            state.removed.append(Removal(line.number, text[1:].strip(), "comment"))
            pos += 1
        elif _ANCHOR.match(text):
            state.removed.append(Removal(line.number, text.strip(), "anchor (a link target, not text)"))
            pos += 1
        elif match := _HEADING.match(text):
            out.append(Raw("heading", [Line(line.number, match[2])], level=len(match[1])))
            pos += 1
        elif _RULE.match(text) or _PAGE_BREAK.match(text):
            out.append(Raw("break"))
            pos += 1
        elif text.startswith(">") and text[1:2] in ("", " "):
            end = pos
            while end < len(lines) and lines[end].text.startswith(">") and lines[end].text[1:2] in ("", " "):
                end += 1
            out.append(Raw("verse", [Line(l.number, l.text[2:]) for l in lines[pos:end]]))
            pos = end
        elif match := _NOTE_DEF.match(text):
            pos = _note(lines, pos, match, state)
        elif line.indent and (_TABLE_ROW.match(text) or TABLE_CAPTION.match(text)):
            end = pos
            while end < len(lines) and (_TABLE_ROW.match(lines[end].text) or TABLE_CAPTION.match(lines[end].text)):
                end += 1
            out.append(Raw("table", lines[pos:end]))
            pos = end
        elif 0 < line.indent <= _LIST_INDENT and (_ITEM.match(text) or _TERM.match(text)):
            pos = _list(lines, pos, out, state)
        else:
            end = pos + 1
            while end < len(lines) and not lines[end].blank and not _starts_block(lines[end]):
                end += 1
            indent = line.indent
            kind = "paragraph" if indent < 2 else "quote" if indent < 6 else "center" if indent < 20 else "right"
            out.append(Raw(kind, lines[pos:end]))
            pos = end
    return out


def _starts_block(line: Line) -> bool:
    text = line.text
    return bool(COMMENT.match(text) or _ANCHOR.match(text) or _HEADING.match(text) or _NOTE_DEF.match(text)
                or _BLOCK_TAG.match(text.strip()) or text.strip() == "{{{")


def _closing(lines: list[Line], pos: int, tag: str) -> int:
    """The line closing the block tag opened at pos (same tags nest); the end if it is never closed."""
    depth = 0
    for i in range(pos, len(lines)):
        stripped = lines[i].text.strip()
        if tag != "example" and stripped == f"<{tag}>":
            depth += 1
        elif tag == "example" and i == pos:
            depth = 1
        elif stripped == f"</{tag}>":
            depth -= 1
            if depth == 0:
                return i
    return len(lines)


def _tagged(tag: str, inner: list[Line], out: list[Raw], state: State) -> None:
    if tag in ("example", "literal"):
        out.append(Raw("example", inner))
    elif tag == "comment":
        state.removed.extend(Removal(l.number, l.text.strip(), "comment") for l in inner if not l.blank)
    elif tag == "verse":
        kept = []
        for l in inner:
            if COMMENT.match(l.text):
                state.removed.append(Removal(l.number, l.text[1:].strip(), "comment"))
            else:
                kept.append(l)
        out.append(Raw("verse", kept))
    else:  # quote, center, right, biblio, play: blocks inside a frame
        children = raw_blocks([Line(l.number, l.text) for l in inner], state)
        out.append(Raw({"quote": "blocks-quote", "right": "blocks-right"}.get(tag, "blocks"), children=children))


def _note(lines: list[Line], pos: int, match: re.Match, state: State) -> int:
    """A note runs on until a blank line; after one, lines indented like its text continue it."""
    key = match[2] or f"s{match[3]}"
    paras: list[list[Line]] = [[Line(lines[pos].number, lines[pos].text[match.end():])]]
    column = max(2, min(match.end(), 6))
    end = pos + 1
    while end < len(lines):
        line = lines[end]
        if line.blank:
            follow = next((l for l in lines[end:] if not l.blank), None)
            if follow is None or follow.indent < column or _ITEM.match(follow.text):
                break
            paras.append([])
        elif _starts_block(line):
            break
        else:
            paras[-1].append(line)
        end += 1
    if key in state.notes:
        state.warnings.append(f"line {lines[pos].number}: note {match[1]} is defined twice; both texts are kept")
        state.notes[key].extend(p for p in paras if p)
    else:
        state.notes[key] = [p for p in paras if p]
    return end


def _list(lines: list[Line], pos: int, out: list[Raw], state: State) -> int:
    """Items by marker and indentation; lines indented past a marker continue its item."""
    items: list[tuple[int, str, list[list[Line]]]] = []
    first = _ITEM.match(lines[pos].text) or _TERM.match(lines[pos].text)
    outer = len(first[1])
    end = pos
    while end < len(lines):
        line = lines[end]
        item = _ITEM.match(line.text)
        term = None if item else _TERM.match(line.text)
        if line.blank:
            follow = next((l for l in lines[end:] if not l.blank), None)
            if follow is None or follow.indent < outer or not (_ITEM.match(follow.text) or _TERM.match(follow.text)
                                                               or follow.indent > outer):
                break
            if items and items[-1][2][-1]:
                items[-1][2].append([])
        elif line.indent < outer or _starts_block(line):
            break
        elif item:
            items.append((len(item[1]), item[2], [[Line(line.number, item[3])]]))
        elif term:
            items.append((len(term[1]), "::", [[Line(line.number, f"<strong>{term[2]}</strong> — {term[3]}")]]))
        elif items:
            items[-1][2][-1].append(line)
        else:
            break
        end += 1
    out.append(Raw("list", items=items))
    return end
