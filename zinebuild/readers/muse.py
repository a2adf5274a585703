"""Turn an AmuseWiki (Emacs Muse) text into one Document, following the Text::Amuse markup manual.

Directives (``#title`` …) give the metadata; the body is read line by line into blocks,
then each block's text into inlines. What the model cannot hold is kept as text or reported:
comments, anchors and unused directives go to the removal report, images to the warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..clean.decode import NotText, decode
from ..clean.normalise import NO_BREAK_SPACE
from ..errors import Problem, SourceError
from ..model import (Block, Break, Caption, Code, Document, Emphasis, Heading, Inline, LineBreak, Link,
                     ListBlock, Note, NoteRef, Paragraph, Preformatted, Quote, Removal, Source, Strong, Text,
                     note_refs, plain, shift_headings)
from ..slug import slugify

_DIRECTIVE = re.compile(r"^#([A-Za-z]\w*)(?:\s+(.*?))?\s*$")
_ANCHOR = re.compile(r"^#[A-Za-z][A-Za-z0-9]*\s*$")
_HEADING = re.compile(r"^(\*{1,5}) (.+)$")
_RULE = re.compile(r"^-{4,}\s*$")
_PAGE_BREAK = re.compile(r"^ {6,}\*( +\*){2,4} *$")  # "* * * * *" centred: a break, as is "* * *"
_NOTE_DEF = re.compile(r"^(\[([1-9][0-9]*)\]|\{([1-9][0-9]*)\}) +(?=\S)")
_ITEM = re.compile(r"^( +)(-|[0-9]+\.|[a-zA-Z]\.|[ivxlcdmIVXLCDM]+\.) +(\S.*)$")
_TERM = re.compile(r"^( +)(\S.*?) +:: +(.*)$")
_TABLE_ROW = re.compile(r"^ +\S.* \|{1,3} ")
_TABLE_CAPTION = re.compile(r"^ +\|\+ *(.*?) *\+\| *$")
# A list starts indented, but not so far that the line reads as centred ("A. C. Mill", a name).
_LIST_INDENT = 10
_COMMENT = re.compile(r"^;( |$)")
_BLOCK_TAG = re.compile(r"^<(/?)(example|verse|quote|center|right|comment|biblio|play|literal)>\s*$")
_IMAGE = re.compile(r"^[\w.-]+\.(png|jpe?g|gif)( +\d*[lrf]?)?$", re.I)
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SAFE_URL = re.compile(r"^(https?:|mailto:)", re.I)
_INLINE = re.compile(r"""
    (?P<verbatim><verbatim>(?P<verbatim_text>.*?)</verbatim>)
  | (?P<code><code>(?P<code_text>.*?)</code>)
  | (?P<eqcode>(?<![\w=])=(?P<eqcode_text>[^\s=](?:[^=]*?[^\s=])?)=(?![\w=]))
  | (?P<link>\[\[(?P<target>[^\]]+)\](?:\[(?P<desc>[^\]]+)\])?\])
  | (?P<note>\[(?P<primary>[1-9][0-9]*)\]|\{(?P<secondary>[1-9][0-9]*)\})
  | (?P<br><br\s*/?>)
  | (?P<ruby><ruby>(?P<ruby_base>[^|<]*)\|(?P<ruby_text>[^<]*)</ruby>)
  | (?P<tag></?(?:em|strong|i|b|sup|sub|del|sc|u|sf|\[[a-zA-Z-]{2,10}\])>)
  | (?P<stars>\*{1,3})
  | (?P<nbsp>~~)
""", re.X | re.S)
_EMPHASIS = {"*": Emphasis, "em": Emphasis, "i": Emphasis, "**": Strong, "strong": Strong, "b": Strong}
_USED_DIRECTIVES = {"title", "subtitle", "author", "authors", "sortauthors", "lang", "date", "source"}


@dataclass
class _Line:
    number: int
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class _State:
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, list[list[_Line]]] = field(default_factory=dict)


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    # Not the cleaner's normalise(): zero-width joiners are letters in Persian, and a Muse text is clean.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")).expandtabs(8)
    lines = [_Line(n, t.rstrip()) for n, t in enumerate(text.split("\n"), start=1)]
    state = _State()
    meta, body = _header(lines, state)
    raw = _blocks(body, state)
    inline = _Inlines(set(state.notes), state.warnings)
    blocks = _flatten([b for b in (_finish(block, inline) for block in raw) if b is not None])
    notes = _notes(blocks, state, _Inlines(set(), state.warnings))
    title = plain(inline.parse(meta.get("title", ""))).strip()
    authors = meta.get("author") or meta.get("authors") or meta.get("sortauthors") or ""
    if not meta.get("author"):
        authors = re.split(r"\s*[;,]\s*", authors)
    else:
        authors = [authors]
    source_url = re.search(r"https?://[^\s\]\[<>]+", meta.get("source", ""))
    doc = Document(
        title=title or path.stem.replace("_", " "), blocks=shift_headings(tuple(blocks)), notes=tuple(notes),
        subtitle=plain(inline.parse(meta["subtitle"])).strip() if meta.get("subtitle") else None,
        authors=tuple(plain(inline.parse(a)).strip() for a in authors if a.strip()),
        lang=_lang(meta.get("lang", ""), state.warnings), slug=slugify(title or path.stem), date=meta.get("date") or None,
        source_url=source_url[0] if source_url else None, untitled=not title)
    return Source(str(path), encoding, (doc,), tuple(sorted(state.removed, key=lambda r: r.line)),
                  tuple(state.warnings))


def _lang(value: str, warnings: list[str]) -> str | None:
    """#lang goes into the book's markup: only a plausible BCP 47 tag gets through."""
    value = value.strip()
    if value and not _LANG.match(value):
        warnings.append(f"#lang '{value}' is not a language tag; the book's language is used")
        return None
    return value or None


# ---------------------------------------------------------------- the header
def _header(lines: list[_Line], state: _State) -> tuple[dict[str, str], list[_Line]]:
    """Directives come before the text; a directive goes on over the lines right after it."""
    meta: dict[str, str] = {}
    pos, current = 0, None
    while pos < len(lines):
        line = lines[pos]
        match = _DIRECTIVE.match(line.text)
        if match:
            current = match[1].lower()
            meta[current] = match[2] or ""
        elif current and not line.blank:
            meta[current] = f"{meta[current]} {line.text.strip()}"
        elif not line.blank:
            break
        else:
            current = None  # a directive goes on only over the lines right after it
        pos += 1
    for line in lines[:pos]:
        match = _DIRECTIVE.match(line.text)
        name = match[1].lower() if match else None
        if match and name not in _USED_DIRECTIVES and meta.get(name, "").strip():
            state.removed.append(Removal(line.number, f"#{match[1]} {meta[name]}", f"directive #{match[1]} (not printed)"))
        elif name == "source" and meta.get("source"):
            state.removed.append(Removal(line.number, meta["source"],
                                         "directive #source: its address is kept as the piece's source"))
    return meta, lines[pos:]


# ---------------------------------------------------------------- lines into blocks
@dataclass
class _Raw:
    """A block before its inline text is parsed."""

    kind: str  # paragraph, quote, center, right, heading, verse, example, list, break, table, blocks
    lines: list[_Line] = field(default_factory=list)
    level: int = 0
    children: list["_Raw"] = field(default_factory=list)
    items: list[tuple[int, str, list[list[_Line]]]] = field(default_factory=list)


def _blocks(lines: list[_Line], state: _State) -> list[_Raw]:
    out: list[_Raw] = []
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
            out.append(_Raw("example", lines[pos + 1:end]))
            pos = end + 1
        elif _COMMENT.match(text):
            state.removed.append(Removal(line.number, text[1:].strip(), "comment"))
            pos += 1
        elif _ANCHOR.match(text):
            state.removed.append(Removal(line.number, text.strip(), "anchor (a link target, not text)"))
            pos += 1
        elif match := _HEADING.match(text):
            out.append(_Raw("heading", [_Line(line.number, match[2])], level=len(match[1])))
            pos += 1
        elif _RULE.match(text) or _PAGE_BREAK.match(text):
            out.append(_Raw("break"))
            pos += 1
        elif text.startswith(">") and text[1:2] in ("", " "):
            end = pos
            while end < len(lines) and lines[end].text.startswith(">") and lines[end].text[1:2] in ("", " "):
                end += 1
            out.append(_Raw("verse", [_Line(l.number, l.text[2:]) for l in lines[pos:end]]))
            pos = end
        elif match := _NOTE_DEF.match(text):
            pos = _note(lines, pos, match, state)
        elif line.indent and (_TABLE_ROW.match(text) or _TABLE_CAPTION.match(text)):
            end = pos
            while end < len(lines) and (_TABLE_ROW.match(lines[end].text) or _TABLE_CAPTION.match(lines[end].text)):
                end += 1
            out.append(_Raw("table", lines[pos:end]))
            pos = end
        elif 0 < line.indent <= _LIST_INDENT and (_ITEM.match(text) or _TERM.match(text)):
            pos = _list(lines, pos, out, state)
        else:
            end = pos + 1
            while end < len(lines) and not lines[end].blank and not _starts_block(lines[end]):
                end += 1
            indent = line.indent
            kind = "paragraph" if indent < 2 else "quote" if indent < 6 else "center" if indent < 20 else "right"
            out.append(_Raw(kind, lines[pos:end]))
            pos = end
    return out


def _starts_block(line: _Line) -> bool:
    text = line.text
    return bool(_COMMENT.match(text) or _ANCHOR.match(text) or _HEADING.match(text) or _NOTE_DEF.match(text)
                or _BLOCK_TAG.match(text.strip()) or text.strip() == "{{{")


def _closing(lines: list[_Line], pos: int, tag: str) -> int:
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


def _tagged(tag: str, inner: list[_Line], out: list[_Raw], state: _State) -> None:
    if tag in ("example", "literal"):
        out.append(_Raw("example", inner))
    elif tag == "comment":
        state.removed.extend(Removal(l.number, l.text.strip(), "comment") for l in inner if not l.blank)
    elif tag == "verse":
        kept = []
        for l in inner:
            if _COMMENT.match(l.text):
                state.removed.append(Removal(l.number, l.text[1:].strip(), "comment"))
            else:
                kept.append(l)
        out.append(_Raw("verse", kept))
    else:  # quote, center, right, biblio, play: blocks inside a frame
        children = _blocks([_Line(l.number, l.text) for l in inner], state)
        out.append(_Raw({"quote": "blocks-quote", "right": "blocks-right"}.get(tag, "blocks"), children=children))


def _note(lines: list[_Line], pos: int, match: re.Match, state: _State) -> int:
    """A note runs on until a blank line; after one, lines indented like its text continue it."""
    key = match[2] or f"s{match[3]}"
    paras: list[list[_Line]] = [[_Line(lines[pos].number, lines[pos].text[match.end():])]]
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


def _list(lines: list[_Line], pos: int, out: list[_Raw], state: _State) -> int:
    """Items by marker and indentation; lines indented past a marker continue its item."""
    items: list[tuple[int, str, list[list[_Line]]]] = []
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
            items.append((len(item[1]), item[2], [[_Line(line.number, item[3])]]))
        elif term:
            items.append((len(term[1]), "::", [[_Line(line.number, f"<strong>{term[2]}</strong> — {term[3]}")]]))
        elif items:
            items[-1][2][-1].append(line)
        else:
            break
        end += 1
    out.append(_Raw("list", items=items))
    return end


# ---------------------------------------------------------------- blocks into the model
class _Inlines:
    """Parses one block's text into inlines: tags, ``*`` emphasis, ``=code=``, links and notes."""

    def __init__(self, notes: set[str], warnings: list[str]):
        self.notes, self.warnings = notes, warnings

    def parse(self, text: str) -> tuple[Inline, ...]:
        # Each frame: (marker, children); the bottom frame is the block itself.
        stack: list[tuple[str, list[Inline]]] = [("", [])]
        pos = 0
        for match in _INLINE.finditer(text):
            _add_text(stack[-1][1], text[pos:match.start()])
            pos = match.end()
            kind = _group(match)
            token = match[0]
            if kind == "verbatim":
                _add_text(stack[-1][1], match["verbatim_text"])
            elif kind in ("code", "eqcode"):
                # <code><verbatim><em></verbatim></code> shows "<em>"; between "=" all is literal.
                code = re.sub(r"</?verbatim>", "", match["code_text"]) if kind == "code" else match["eqcode_text"]
                stack[-1][1].append(Code(code))
            elif kind == "ruby":  # the reading after its base, as a reader without ruby would write it
                _add_text(stack[-1][1], f"{match['ruby_base']} ({match['ruby_text']})")
            elif kind == "link":
                stack[-1][1].extend(self._link(match["target"].strip(), match["desc"]))
            elif kind == "note":
                key = match["primary"] or f"s{match['secondary']}"
                # Inside a note (or with no such note) the marker stays text: notes hold no notes.
                stack[-1][1].append(NoteRef(key) if key in self.notes else Text(token))
            elif kind == "br":
                stack[-1][1].append(LineBreak())
            elif kind == "nbsp":
                _add_text(stack[-1][1], NO_BREAK_SPACE)
            elif kind == "tag":
                name = token.strip("</>")
                if not token.startswith("</"):
                    stack.append((name, []))
                elif stack[-1][0] == name:
                    _close(stack)
                else:
                    _add_text(stack[-1][1], token)
            else:  # stars: close an open run of the same length, or open one where a word starts
                before = text[match.start() - 1] if match.start() else " "
                after = text[pos] if pos < len(text) else " "
                if stack[-1][0] == token and not before.isspace() and not after.isalnum():
                    _close(stack)
                elif (not before.isalnum()) and not after.isspace():
                    stack.append((token, []))
                else:
                    _add_text(stack[-1][1], token)
        _add_text(stack[-1][1], text[pos:])
        while len(stack) > 1:  # never closed: the markers were text after all
            marker, children = stack.pop()
            literal = marker if marker.startswith("*") else f"<{marker}>"
            _add_text(stack[-1][1], literal)
            for child in children:
                (_add_text(stack[-1][1], child.text) if isinstance(child, Text) else stack[-1][1].append(child))
        return _trim(stack[0][1])

    def _link(self, target: str, desc: str | None) -> list[Inline]:
        label = list(self.parse(desc)) if desc else [Text(target)]
        if _IMAGE.match(target) and "/" not in target:
            self.warnings.append(f"image '{target.split()[0]}' left out (images are not supported yet)"
                                 + (f"; its caption '{desc}' is kept as text" if desc else ""))
            return label if desc else []
        if _SAFE_URL.match(target):
            return [Link(target, tuple(label))]
        return label


def _group(match: re.Match) -> str:
    return next(name for name in ("verbatim", "code", "eqcode", "link", "note", "br", "ruby", "tag", "stars", "nbsp")
                if match[name] is not None)


def _close(stack: list[tuple[str, list[Inline]]]) -> None:
    marker, children = stack.pop()
    if not children:
        return
    if marker == "***":
        node: Inline = Strong((Emphasis(tuple(children)),))
    elif marker in _EMPHASIS:
        node = _EMPHASIS[marker](tuple(children))
    else:
        stack[-1][1].extend(children)  # sup, sub, del, sc, u: the words, without the look
        return
    stack[-1][1].append(node)


def _add_text(out: list[Inline], text: str) -> None:
    if not text:
        return
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))


def _trim(nodes: list[Inline]) -> tuple[Inline, ...]:
    nodes = [Text(re.sub(r"[ \n]+", " ", n.text)) if isinstance(n, Text) else n for n in nodes]
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip(" "))
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip(" "))
    return tuple(n for n in nodes if not (isinstance(n, Text) and not n.text))


def _finish(raw: _Raw, inline: _Inlines) -> Block | None:
    def joined(lines: list[_Line]) -> tuple[Inline, ...]:
        return inline.parse("\n".join(l.text.strip() for l in lines))

    kind = raw.kind
    if kind == "heading":
        return Heading(raw.level, joined(raw.lines))
    if kind == "break":
        return Break()
    if kind == "example":
        return Preformatted("\n".join(l.text for l in raw.lines).strip("\n"))
    if kind in ("paragraph", "center", "quote", "right"):
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
    children = [b for b in (_finish(child, inline) for child in raw.children) if b is not None]
    if kind == "blocks-quote":
        return Quote(tuple(_flatten(children))) if children else None
    if kind == "blocks-right":
        children = [Paragraph(b.inlines, "signature") if isinstance(b, Paragraph) else b for b in children]
    return _Group(tuple(children))


@dataclass(frozen=True)
class _Group:
    """Blocks of a centred or bibliography region, spliced into the text where they stand."""

    blocks: tuple[Block, ...]


def _verse(lines: list[_Line], inline: _Inlines) -> Block | None:
    """Stanzas are split by blank lines; a line's leading spaces are kept as no-break spaces."""
    stanzas: list[list[Inline]] = [[]]
    for line in lines:
        if line.blank:
            if stanzas[-1]:
                stanzas.append([])
            continue
        if stanzas[-1]:
            stanzas[-1].append(LineBreak())
        _add_text(stanzas[-1], NO_BREAK_SPACE * line.indent)
        for node in inline.parse(line.text.strip()):
            _add_text(stanzas[-1], node.text) if isinstance(node, Text) else stanzas[-1].append(node)
    paragraphs = [Paragraph(tuple(s)) for s in stanzas if s]
    if not paragraphs:
        return None
    return paragraphs[0] if len(paragraphs) == 1 else _Group(tuple(paragraphs))


def _table(lines: list[_Line], inline: _Inlines) -> Block | None:
    """No table block in the model yet: each row becomes a line, cells split by " | "."""
    rows: list[Block] = []
    for line in lines:
        caption = _TABLE_CAPTION.match(line.text)
        if caption:
            rows.append(Caption(inline.parse(caption[1])))
        else:
            cells = [c for c in re.split(r"\s*\|{1,3}\s*", line.text.strip()) if c]
            rows.append(Paragraph(inline.parse(" | ".join(cells))))
    return _Group(tuple(rows))


def _list_block(items: list[tuple[int, str, list[list[_Line]]]], inline: _Inlines) -> Block | None:
    """The model's lists are flat: deeper items join their parent item, each on a line with its marker."""
    if not items:
        return None
    outer = min(indent for indent, _, _ in items)
    blocks: list[Block] = []
    tops: list[list[Inline]] = []
    top_marker = ""

    def close():
        if tops:
            ordered = top_marker != "-"
            blocks.append(ListBlock(ordered, tuple(tuple(t) for t in tops), _start(top_marker) if ordered else 1))
            tops.clear()

    for indent, marker, paras in items:
        text: list[Inline] = []
        for para in paras:
            if para:
                text.extend(([LineBreak()] if text else []) + list(inline.parse(" ".join(l.text.strip() for l in para))))
        if indent > outer and tops:
            tops[-1].extend([LineBreak(), Text(f"{'–' if marker == '-' else marker} ")] + text)
        elif marker == "::":
            close()
            blocks.append(Paragraph(tuple(text)))
        else:
            if tops and (marker == "-") != (top_marker == "-"):
                close()  # a bullet list after a numbered one (or the reverse) is a list of its own
            if not tops:
                top_marker = marker
            tops.append(text)
    close()
    return blocks[0] if len(blocks) == 1 else _Group(tuple(blocks))


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _start(marker: str) -> int:
    value = marker.rstrip(".")
    if value.isdigit():
        return int(value)
    if len(value) == 1 and value.lower() not in "ivx":
        return ord(value.lower()) - ord("a") + 1
    numbers = [_ROMAN.get(c, 0) for c in value.lower()]
    return sum(-n if i + 1 < len(numbers) and n < numbers[i + 1] else n for i, n in enumerate(numbers)) or 1


def _flatten(blocks: list) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, _Group):
            out.extend(_flatten(list(block.blocks)))
        elif isinstance(block, Quote):
            out.append(Quote(tuple(_flatten(list(block.blocks)))))
        else:
            out.append(block)
    return out


def _notes(blocks: list[Block], state: _State, inline: _Inlines) -> list[Note]:
    """Notes as the text refers to them. A note inside a note (a secondary ``{n}`` in a ``[n]``)
    joins the note that mentions it: a footnote cannot hold another. Notes nobody refers to
    stay, and are printed with the piece's notes."""
    referenced: dict[str, None] = {}  # in reading order: the renderer numbers notes as listed
    for block in _walk(blocks):
        referenced.update(dict.fromkeys(note_refs(getattr(block, "inlines", ()) or ())))
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
