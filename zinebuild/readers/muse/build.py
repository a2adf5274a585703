"""Turn raw Muse blocks into the model's blocks, and the notes the text refers to into Notes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...clean.normalise import NO_BREAK_SPACE
from ...model import (Block, Break, Caption, Cell, Heading, Inline, Level, LineBreak, ListBlock, Note, Paragraph,
                      Preformatted, Quote, Table, Text, note_refs)
from .inline import Inlines, add_text
from .lines import TABLE_CAPTION, Line, Raw, State


def finish(raw: Raw, inline: Inlines) -> Block | None:
    def joined(lines: list[Line]) -> tuple[Inline, ...]:
        return inline.parse("\n".join(l.text.strip() for l in lines))

    kind = raw.kind
    if kind == "heading":
        return Heading(raw.level, joined(raw.lines))
    if kind == "break":
        return Break()
    if kind == "example":
        return Preformatted("\n".join(l.text for l in raw.lines).strip("\n"))
    if kind in ("paragraph", "center", "quote", "right"):
        picture = inline.picture(" ".join(l.text.strip() for l in raw.lines), raw.lines[0].number)
        if picture is not None:
            return picture
        inlines = joined(raw.lines)
        if not inlines:
            return None
        if kind == "quote":
            return Quote((Paragraph(inlines),))
        return Paragraph(inlines, "signature" if kind == "right" else None)
    if kind == "verse":
        return _verse(raw.lines, inline)
    if kind == "table":
        return _table(raw.lines, inline)
    if kind == "list":
        return _list_block(raw.items, inline)
    children = [b for b in (finish(child, inline) for child in raw.children) if b is not None]
    if kind == "blocks-quote":
        return Quote(tuple(flatten(children))) if children else None
    if kind == "blocks-right":
        children = [Paragraph(b.inlines, "signature") if isinstance(b, Paragraph) else b for b in children]
    return Group(tuple(children))


@dataclass(frozen=True)
class Group:
    """Blocks of a centred or bibliography region, spliced into the text where they stand."""

    blocks: tuple[Block, ...]


def _verse(lines: list[Line], inline: Inlines) -> Block | None:
    """Stanzas are split by blank lines; a line's leading spaces are kept as no-break spaces."""
    stanzas: list[list[Inline]] = [[]]
    for line in lines:
        if line.blank:
            if stanzas[-1]:
                stanzas.append([])
            continue
        if stanzas[-1]:
            stanzas[-1].append(LineBreak())
        add_text(stanzas[-1], NO_BREAK_SPACE * line.indent)
        for node in inline.parse(line.text.strip()):
            add_text(stanzas[-1], node.text) if isinstance(node, Text) else stanzas[-1].append(node)
    paragraphs = [Paragraph(tuple(s)) for s in stanzas if s]
    if not paragraphs:
        return None
    return paragraphs[0] if len(paragraphs) == 1 else Group(tuple(paragraphs))


def _table(lines: list[Line], inline: Inlines) -> Block | None:
    """Rows by their bars, as Text::Amuse reads them: ``||`` header cells, ``|||`` the footer (the
    table's last rows here: the model has no footer), ``|`` the body; ``|+ … +|`` the caption."""
    head: list[tuple[Cell, ...]] = []
    body: list[tuple[Cell, ...]] = []
    foot: list[tuple[Cell, ...]] = []
    caption: tuple[Inline, ...] = ()
    for line in lines:
        found = TABLE_CAPTION.match(line.text)
        if found:
            caption = inline.parse(found[1])
            continue
        text = line.text.strip()
        bars = "|||" if "|||" in text else "||" if "||" in text else "|"
        cells = [c.strip() for c in re.split(re.escape(bars) if bars != "|" else r"(?<!\|)\|(?!\|)", text)]
        while cells and not cells[0]:
            cells.pop(0)
        while cells and not cells[-1]:
            cells.pop()
        row = tuple(Cell(inline.parse(cell), header=bars == "||") for cell in cells)
        (head if bars == "||" else foot if bars == "|||" else body).append(row)
    return Table(tuple(head), tuple(body + foot), caption) if head or body or foot else (
        Caption(caption) if caption else None)


def _list_block(items: list[tuple[int, str, list[list[Line]]]], inline: Inlines) -> Block | None:
    """Items nest by indentation, as AmuseWiki nests them: an item set in further than the one
    above it starts a list inside that item; one set back returns to the list it belongs to."""
    if not items:
        return None
    blocks: list[Block] = []
    run: list[tuple[Inline, ...]] = []
    levels: list[Level] = []
    indents: list[int] = []  # of the lists open at this item

    def close():
        if run:
            plain_list = all(level.depth == 0 and level.numbering == "1" for level in levels)
            blocks.append(ListBlock(levels[0].ordered, tuple(run), levels[0].start, () if plain_list else tuple(levels)))
            run.clear()
            levels.clear()

    for indent, marker, paras in items:
        text: list[Inline] = []
        for para in paras:
            if para:
                text.extend(([LineBreak()] if text else []) + list(inline.parse(" ".join(l.text.strip() for l in para))))
        while indents and indent < indents[-1]:
            indents.pop()
        if not indents or indent > indents[-1]:
            indents.append(indent)
        depth = len(indents) - 1
        ordered = marker not in ("-", "::")
        if marker == "::" and depth == 0:
            close()
            indents.clear()
            blocks.append(Paragraph(tuple(text)))
            continue
        if marker == "::":  # a description inside an item is part of it, on a line of its own
            indents.pop()
            run[-1] = run[-1] + (LineBreak(), *text) if run else tuple(text)
            if len(levels) < len(run):
                levels.append(Level(depth, False))
            continue
        if depth == 0 and levels and ordered != levels[0].ordered:
            close()  # a bullet list after a numbered one (or the reverse) is a list of its own
        run.append(tuple(text))
        levels.append(Level(depth, ordered, _start(marker) if ordered else 1, _numbering(marker) if ordered else "1"))
    close()
    return blocks[0] if len(blocks) == 1 else Group(tuple(blocks))


def _numbering(marker: str) -> str:
    """HTML's <ol type> for a marker: 1. a. A. i. I. (a lone i, v or x is a Roman number)."""
    value = marker.rstrip(".")
    if value.isdigit():
        return "1"
    if len(value) == 1 and value.lower() not in "ivx":
        return "a" if value.islower() else "A"
    return "i" if value.islower() else "I"


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _start(marker: str) -> int:
    value = marker.rstrip(".")
    if value.isdigit():
        return int(value)
    if len(value) == 1 and value.lower() not in "ivx":
        return ord(value.lower()) - ord("a") + 1
    numbers = [_ROMAN.get(c, 0) for c in value.lower()]
    return sum(-n if i + 1 < len(numbers) and n < numbers[i + 1] else n for i, n in enumerate(numbers)) or 1


def flatten(blocks: list) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Group):
            out.extend(flatten(list(block.blocks)))
        elif isinstance(block, Quote):
            out.append(Quote(tuple(flatten(list(block.blocks)))))
        else:
            out.append(block)
    return out


def notes_of(blocks: list[Block], state: State, inline: Inlines) -> list[Note]:
    """Notes as the text refers to them. A note inside a note (a secondary ``{n}`` in a ``[n]``)
    joins the note that mentions it: a footnote cannot hold another. Notes nobody refers to
    stay, and are printed with the piece's notes."""
    referenced: dict[str, None] = {}  # in reading order: the renderer numbers notes as listed
    for block in _walk(blocks):
        referenced.update(dict.fromkeys(note_refs(getattr(block, "inlines", ()) or ())))
        if isinstance(block, Table):
            for run in [cell.inlines for row in block.head + block.body for cell in row] + [block.caption]:
                referenced.update(dict.fromkeys(note_refs(run)))
        for item in getattr(block, "items", ()) or ():
            referenced.update(dict.fromkeys(note_refs(item)))
    notes: dict[str, list[tuple[Inline, ...]]] = {}
    attached: set[str] = set()
    for key, paras in state.notes.items():
        texts = [" ".join(line.text.strip() for line in para) for para in paras]
        notes[key] = [inline.parse(text) for text in texts]
        if key not in referenced:
            continue
        for inner in dict.fromkeys(re.findall(r"\{([1-9][0-9]*)\}", " ".join(texts))):
            inner_key = f"s{inner}"
            if inner_key in state.notes and inner_key not in referenced and inner_key not in attached:
                attached.add(inner_key)
                notes[key].extend((Text(f"{{{inner}}} "),) + inline.parse(" ".join(l.text.strip() for l in p))
                                  for p in state.notes[inner_key])
    for key in notes:
        if key not in referenced and key not in attached:
            label = f"{{{key[1:]}}}" if key.startswith("s") else f"[{key}]"
            state.warnings.append(f"note {label} has no reference in the text; it is printed with the notes")
    order = [key for key in referenced if key in notes] + [k for k in notes if k not in referenced]
    return [Note(key, tuple(notes[key])) for key in order if key not in attached]


def _walk(blocks):
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from _walk(block.blocks)
