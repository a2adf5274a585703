"""Turn the lines of a plain document (licence, manual page, README, specification) into chunks
whose kinds and heading levels come from its layout: indentation, underlines, centring, numbering.

Web copies and PDF extractions lean on sentences and line lengths (``unwrap``, ``classify``);
documents written as plain text lean on the page: a heading sits at the margin over indented
text, is centred, underlined, ALL CAPS or numbered ("2.1."), and its level follows the order in
which each heading style first appears (as in reStructuredText), or the depth of its number.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import Removal
from .hyphens import Hyphens, join_lines
from .lines import Line
from .shapes import SIGNED, ends_sentence, has_inner_sentences, is_title_like, mostly_upper, words
from .unwrap import Chunk

# "PASSWD(1)     User Commands     PASSWD(1)": a manual page's running head.
_MAN_HEAD = re.compile(r"^\s*(?P<name>\S+\(\w+\))\s{2,}(?P<middle>.*?)\s{2,}(?P=name)\s*$")
_UNDERLINE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
# "2.1. Grants", "1.1.1  The concept", "0. PREAMBLE", "2 ASN.1 structure handling".
_SECTION = re.compile(r"^\s*(?P<number>\d{1,3}(?:\.\d{1,3})*)(?P<stop>\.?) {1,2}(?P<title>\S.*)$")
_LEADERS = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# "a)", "(b)", "iv.", "(iii)", "b.": items lettered or in roman numerals.
_ALPHA = re.compile(r"^\s*(?:\(?[a-z]\)|[a-z]\.|\(?[ivx]{1,5}[.)])\s+\S")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+\S")
_ATX = re.compile(r"^\s*(#{1,6})\s+(\S.*?)\s*#*\s*$")
_OUTLINE = re.compile(r"^(\*{1,4})\s+(\S.*)$")
_BANNER = re.compile(r"^\s*([-=*]{3,})\s+(\S.*?)\s+\1\s*$")
_LONE_BULLET = re.compile(r"^\s*[•◦▪●*-]\s*$")
_BULLET = re.compile(r"^\s*(?:[•◦▪●*+-]|\+o|·)\s+(?=\S)")
# "-*- outline -*-": an editor's mode line, no part of the text.
MODE_LINE = re.compile(r"\s*-\*-.*?-\*-\s*")
_TABLE_GAP = re.compile(r"[^\s.!?:;] {2,}\S")
_CENTRED = 12  # a short line indented this far, alone: a centred title or heading
_WIDTH = 76  # the page width plain documents are laid out for, unless their lines say otherwise
_DEEPER = 4  # lines indented this much more than the text: verbatim (code, notices, tables)


def indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def is_plain_document(lines: list[Line]) -> bool:
    """Laid out as plain text rather than copied from a page: a man page head, underlined or
    numbered section lines, a centred first line, or much of the text indented."""
    text = [l.text for l in lines if not l.blank]
    if not text:
        return False
    if _MAN_HEAD.match(text[0]) or indent(text[0]) >= 4 and len(text[0].strip()) <= 60:
        return True
    underlined = sum(1 for a, b in zip(lines, lines[1:]) if not a.blank and _UNDERLINE.match(b.text)
                     and abs(len(b.stripped) - len(a.stripped)) <= 3)
    sections = sum(1 for t in text if re.match(r"^\s*\d+\.\d+", t))
    indented = sum(1 for t in text if t[:2] == "  ") / len(text)
    # Web copies indent a few bullets; a plain document indents its text, or much of it.
    return underlined > 0 or sections >= 2 or indented >= 0.3 or indented >= 0.15 and len(text) >= 20


def chunks(lines: list[Line], hyphens: Hyphens, removed: list[Removal]) -> list[Chunk]:
    """Paragraphs split at blank lines, at list markers, and where the indentation steps."""
    out: list[Chunk] = []
    current: Chunk | None = None
    gap = 0
    fenced = False
    width = _width([l.text for l in lines])
    for line in lines:
        text = line.text
        if fenced:  # inside ``` … ```: every line as it is, blank ones too
            current.lines.append(text.strip())
            current.raw.append(text)
            current.text += "\n" + text
            fenced = not _FENCE.match(text)
            if not fenced:
                current = None
            continue
        if line.blank:
            current, gap = None, gap + 1
            continue
        if _FENCE.match(text):
            current, fenced = None, True
        elif current is not None and _breaks(current, text, width):
            current = None
        if current is None:
            current = Chunk(text.strip(), line.number, [text.strip()], gap, indented=text[:1].isspace())
            current.raw = [text]
            out.append(current)
        else:
            current.text = join_lines(current.text, text, hyphens)
            current.lines.append(text.strip())
            current.raw.append(text)
        gap = 0
    for a, b in zip(out, out[1:]):
        a.gap_after = b.gap_before
    return out


def _width(lines: list[str]) -> int:
    """The width a document is laid out for: its longest lines, bar a few odd ones."""
    lengths = sorted(len(l.rstrip()) for l in lines if l.strip())
    return min(lengths[int(len(lengths) * 0.95)] if lengths else _WIDTH, 100)


def _breaks(current: Chunk, text: str, width: int = _WIDTH) -> bool:
    first, last = current.raw[0], current.raw[-1]
    # "2.1 ASN.1 syntax" between paragraphs with no blank line around it: PDF text.
    if _section_line(text) and ends_sentence(last) or \
            _section_line(first) and len(current.raw) == 1 and not text.strip()[:1].islower():
        return True
    marker = _marker_width(first)
    step = indent(text) - indent(last)
    if _marker_width(text) and (len(current.raw) > 1 or marker or _UNDERLINE.match(last) is None):
        return True
    if _centred(text, 0, width) and _centred(first, 0, width):
        return True  # centred lines stay apart: a title, its version, its date
    if step >= _DEEPER:
        return not (marker and indent(text) <= indent(first) + marker + 1)
    if step <= -_DEEPER:
        return not (len(current.raw) == 1 and not marker)  # a first-line indent goes back out
    return False


def _section_line(text: str) -> bool:
    match = _SECTION.match(text)
    return bool(match and (match["stop"] or "." in match["number"]) and _section_title(match, None))


def _marker_width(text: str) -> int:
    for pattern in (_BULLET, _ALPHA, _NUMBERED):
        match = pattern.match(text)
        if match:
            return len(re.match(r"^\s*\S+\s+", text)[0]) - indent(text)
    return 0


def classify(chunks: list[Chunk], removed: list[Removal]) -> list[Chunk]:
    underlined = {r.line: r.text for r in removed if r.reason == "separator line"}
    body = _body_indent(chunks)
    out: list[Chunk] = []
    chunks = _merge_lone_bullets(chunks)
    contents = _contents(chunks)
    for i, chunk in enumerate(chunks):
        nxt = chunks[i + 1] if i + 1 < len(chunks) else None
        if i == 0 and (man := _MAN_HEAD.match(chunk.raw[0])) and len(chunk.raw) == 1:
            out += [_heading(chunk, man["name"], ("man",)),
                    _heading(_copy(chunk, man["middle"]), man["middle"].strip(), ("man",))]
            continue
        if i == len(chunks) - 1 and i > 0 and _is_page_foot(chunk, chunks[0]):
            removed.append(Removal(chunk.line, chunk.text, "page foot"))
            continue
        if id(chunk) in contents:
            chunk.kind = "contents"
        else:
            extra = _kind(chunk, nxt, out, underlined, body, removed)
        out.append(chunk)
        if extra is not None:
            out.append(extra)
    _title(out)
    _running_heads(out, removed)
    _lone_numbers(out)
    signed = [c for c in out if c.kind == "byline" and c.role != "authors"]
    if len(signed) > 1:  # each entry of a changelog signed: signatures, not the author of all
        for chunk in signed:
            chunk.kind, chunk.role = "paragraph", "signature"
    _levels(out)
    _closing_lines(out)
    _local_verbatim(out)
    return out


def _authors_under(chunks: list[Chunk]) -> None:
    """'Graeme W. Wilford <eep2gw@…>' centred under a title: its authors."""
    for chunk in chunks[1:5]:
        lines = chunk.raw or [chunk.text]
        if all(indent(l) >= _CENTRED and (m := SIGNED.match(l.strip())) and m["name"] for l in lines):
            chunk.role, chunk.kind = "authors", "byline"


def _running_heads(chunks: list[Chunk], removed: list[Removal]) -> None:
    """The title again, alone on a line further on: a PDF page's running head."""
    if not chunks or chunks[0].role != "title":
        return
    for chunk in list(chunks[1:]):
        if len(chunk.lines) == 1 and chunk.text == chunks[0].text and chunk.kind != "contents":
            removed.append(Removal(chunk.line, chunk.text, "running head"))
            chunks.remove(chunk)


def _lone_numbers(chunks: list[Chunk]) -> None:
    """'1.' is a list item next to '2.'; a numbered clause alone among paragraphs keeps its number."""
    for i, chunk in enumerate(chunks):
        if chunk.kind != "list-number":
            continue
        neighbours = [chunks[j] for j in (i - 1, i + 1) if 0 <= j < len(chunks)]
        if not any(n.kind == "list-number" and abs((n.number or 0) - (chunk.number or 0)) == 1 for n in neighbours):
            chunk.kind = "paragraph"


def _closing_lines(chunks: list[Chunk]) -> None:
    """'END OF TERMS AND CONDITIONS' heads nothing: a heading straight before one of its own rank
    or higher closes what came before, and is text."""
    for chunk, nxt in zip(chunks, chunks[1:]):
        if chunk.kind == "heading" and chunk.role == "section" and nxt.kind == "heading" and \
                nxt.role == "section" and nxt.level <= chunk.level and not chunk.text[:1].isdigit() \
                and not nxt.text[:1].isdigit():  # "TERMS AND CONDITIONS" over "1. Definitions" heads them
            chunk.kind, chunk.role = "paragraph", None


def _kind(chunk: Chunk, nxt: Chunk | None, out: list[Chunk], underlined: dict, body: int,
          removed: list[Removal]) -> Chunk | None:
    """Set the chunk's kind; a chunk it splits off to follow it is returned."""
    text, single = chunk.text, len(chunk.lines) == 1
    first = not out
    following_body = nxt
    rule = underlined.get(chunk.line + 1, "")
    if single and rule and abs(len(rule) - len(text)) <= max(3, len(text) // 4) and is_title_like(text, 24):
        number = _SECTION.match(text)  # a rule as long as the line above it underlines it
        _heading(chunk, text, ("num", number["number"].count(".") + 1) if number and number["stop"]
                 else ("under", rule[:1]))
    elif _FENCE.match(chunk.raw[0]):
        chunk.kind = "pre"
    elif single and (m := _ATX.match(text)):
        _heading(chunk, m[2], ("atx", len(m[1])))
    elif single and (m := _BANNER.match(text)):
        _heading(chunk, m[2], ("banner",))
    elif single and (m := _OUTLINE.match(chunk.raw[0])) and _outline_heading(m, nxt) and \
            not (out and out[-1].kind == "bullet"):  # the last of a run of '*' lines is an item
        _heading(chunk, m[2].rstrip(":").strip() if m[2].rstrip().endswith(":") else m[2], ("outline", len(m[1])))
    elif (m := _SECTION.match(text)) and single and _section_title(m, chunk) and following_body:
        _heading(chunk, text, ("num", m["number"].count(".") + 1))
    elif bullet := _BULLET.match(chunk.raw[0]):
        chunk.kind, chunk.text = "bullet", _BULLET.sub("", text, count=1)
        if any(c.isalpha() for c in bullet[0]):  # groff's "+o": letters that draw a bullet
            removed.append(Removal(chunk.line, bullet[0].strip(), "bullet marker"))
    elif _ALPHA.match(text):
        chunk.kind = "alpha"
    elif (m := _NUMBERED.match(text)) and not has_inner_sentences(text[m.end() - 1:]):
        chunk.kind, chunk.number = "list-number", int(m[1])
    elif SIGNED.match(text) and single:
        chunk.kind = "byline"
    elif len(chunk.lines) == 2 and not first and mostly_upper(text) and len(words(text)) <= 16 and \
            not ends_sentence(text) and following_body is not None:
        _heading(chunk, text, ("caps",))  # "GNU GENERAL PUBLIC LICENSE / TERMS AND CONDITIONS …"
    elif single and not first and _heading_line(chunk, body, following_body, under_title=len(out) == 1):
        _heading(chunk, text, _style(chunk, body))
    elif first and single and is_title_like(text.rstrip(":"), 12):
        _heading(chunk, text, _style(chunk, body))
    elif first and indent(chunk.raw[0]) >= _CENTRED and is_title_like(text, 24):
        _heading(chunk, text, ("centred",))
    elif first and 2 <= len(chunk.lines) <= 5 and all(len(l) <= 60 and not ends_sentence(l) for l in chunk.lines):
        # A PDF's title block: title, then group, authors, addresses on lines of their own.
        rest = _copy(chunk, "")
        rest.lines, rest.raw, rest.kind, rest.line = chunk.lines[1:], chunk.raw[1:], "lines", chunk.line + 1
        rest.text = " ".join(rest.lines)
        _heading(chunk, chunk.lines[0], ("block",))
        chunk.lines, chunk.raw = chunk.lines[:1], chunk.raw[:1]
        return rest
    elif _is_verbatim(chunk, body) and not _describes(chunk, out):
        chunk.kind = "pre"
    else:
        chunk.kind = "paragraph"
        chunk.text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", text)  # double sentence spaces
    return None


def _heading(chunk: Chunk, text: str, style) -> Chunk:
    chunk.kind, chunk.text, chunk.role = "heading", text.strip(), "section"
    chunk.marker = style  # the heading's style, for its level
    return chunk


def _copy(chunk: Chunk, text: str) -> Chunk:
    copy = Chunk(text.strip(), chunk.line, [text.strip()])
    copy.raw = [text]
    return copy


def _heading_line(chunk: Chunk, body: int, following_body: Chunk | None, under_title: bool = False) -> bool:
    text = chunk.text
    bare = text[:-1] if text.endswith(":") else text
    if not following_body or not is_title_like(bare, 14) or has_inner_sentences(text) or chunk.gap_before < 1 and not under_title \
            or len(re.sub(r"\W", "", text)) < 3 and not any(ord(c) >= 0x2E80 for c in text) \
            or _TABLE_GAP.search(text):
        return False  # a heading stands apart, and is no row of a table
    at_margin = body >= 2 and indent(chunk.raw[0]) < body
    centred = _centred(chunk.raw[0], body)
    # "Statement of Purpose" alone between paragraphs: short, capitalised, no stop or colon.
    short = len(words(text)) <= 8 and text[:1].isupper() and not text.endswith(":") and \
        indent(chunk.raw[0]) <= body and chunk.gap_after >= 1 and not _BULLET.match(following_body.raw[0])
    capitals = mostly_upper(text) and (chunk.gap_after >= 1 or at_margin)  # not a definition's term
    return at_margin or centred or capitals or short


def _centred(line: str, body: int, width: int = _WIDTH) -> bool:
    """Indented well past the text and about as far from the right edge as from the left."""
    left = indent(line)
    right = width - left - len(line.strip())
    return left >= max(_CENTRED, body + 8) and abs(left - right) <= max(10, 0.75 * left)


def _style(chunk: Chunk, body: int):
    ind = indent(chunk.raw[0])
    if _centred(chunk.raw[0], body):
        return ("centred",)
    if body >= 2 and ind < body:
        return ("margin", ind)
    return ("caps",) if mostly_upper(chunk.text) else ("plain",)


def _outline_heading(match: re.Match, nxt: Chunk | None) -> bool:
    if len(match[1]) > 1:
        return True
    title = match[2]
    return (title.endswith(":") or is_title_like(title, 16)) and not (nxt and _BULLET.match(nxt.raw[0])) \
        and not re.match(r"(?i)^(https?://|www\.)", title)


def _section_title(match: re.Match, chunk: Chunk) -> bool:
    title = match["title"]
    if has_inner_sentences(title) or len(words(title)) > 10:
        return False  # "4. Redistribution. You may reproduce …": a clause, not a heading
    if not match["stop"] and "." not in match["number"] and not title[:1].isupper():
        return False
    return is_title_like(title.rstrip("."), 14) or title.rstrip().endswith("?") and len(words(title)) <= 20


def _contents(chunks: list[Chunk]) -> set[int]:
    """A table of contents: three or more numbered lines in a row with no text under them, or
    lines ending in dot leaders and a page number."""
    found: set[int] = set()
    run: list[Chunk] = []
    for chunk in chunks + [Chunk("", 0)]:
        entry = len(chunk.lines) == 1 and _SECTION.match(chunk.text)
        if _LEADERS.search(chunk.text) and len(chunk.lines) == 1:
            found.add(id(chunk))
        if entry and (not run or chunk.gap_before <= 1):
            run.append(chunk)
            continue
        if len(run) >= 3:
            found.update(id(c) for c in run)
        run = [chunk] if entry else []
    return found


def _describes(chunk: Chunk, out: list[Chunk]) -> bool:
    """'-a, --all' and under it, with no blank line, its description indented: a definition."""
    return bool(out and chunk.gap_before == 0 and len(out[-1].lines) == 1
                and indent(out[-1].raw[-1] if out[-1].raw else "") < indent(chunk.raw[0]) and not _TABLE_GAP.search(chunk.text))


def _is_verbatim(chunk: Chunk, body: int) -> bool:
    raw = chunk.raw
    deeper = all(indent(l) >= body + _DEEPER for l in raw)
    return deeper or _is_table(raw)


def _is_table(raw: list[str]) -> bool:
    """Columns drawn with spaces or bars: two gaps in a row (not after a stop), or a '|'."""
    def row(line: str) -> bool:
        return "|" in line or len(_TABLE_GAP.findall(line.strip())) >= 2
    return len(raw) >= 2 and sum(1 for l in raw if row(l)) >= len(raw) - 1


def _local_verbatim(chunks: list[Chunk]) -> None:
    """Indented past the text around it, in its own section, or it is text after all: a README
    indents all of one part, and only what sits deeper than that part is code or a notice."""
    text_kinds = ("paragraph", "list-number", "alpha", "bullet", "pre")
    for i, chunk in enumerate(chunks):
        if chunk.kind != "pre" or _FENCE.match(chunk.raw[0]) or _is_table(chunk.raw):
            continue
        around: list[int] = []
        for step in (-1, 1):
            j, seen = i + step, 0
            while 0 <= j < len(chunks) and chunks[j].kind != "heading" and seen < 4:
                if chunks[j].kind in text_kinds and _prose(chunks[j]):
                    around += [indent(l) for l in chunks[j].raw[1:]]
                    seen += 1
                j += step
        if around and min(indent(l) for l in chunk.raw) < min(around) + _DEEPER:
            chunk.kind = "paragraph"
            chunk.text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", chunk.text)


def _prose(chunk: Chunk) -> bool:
    """Sentences over two lines or more, not a prompt or a listing: running text."""
    text = chunk.text[_marker_width(chunk.text):] if _marker_width(chunk.text) else chunk.text
    return len(chunk.raw) >= 2 and ends_sentence(text) and text[:1].isalpha()


def _body_indent(chunks: list[Chunk]) -> int:
    """The indentation of running text: the smallest shared by a tenth of the lines of paragraphs
    (a man page's option descriptions sit deeper than its prose, and neither is a heading)."""
    prose = [c for c in chunks if _prose(c)]
    counts = Counter(indent(l) for c in prose for l in c.raw[1:])
    total = sum(counts.values())
    for width in sorted(counts):
        if counts[width] * 10 >= total:
            return width
    return 0


def _is_page_foot(chunk: Chunk, head: Chunk) -> bool:
    man = _MAN_HEAD.match(head.raw[0])
    return bool(man and len(chunk.raw) == 1 and chunk.text.endswith(man["name"]))


def _merge_lone_bullets(chunks: list[Chunk]) -> list[Chunk]:
    """'•' alone, its text after a blank line: how PDF extraction splits a bullet from its item."""
    out: list[Chunk] = []
    for chunk in chunks:
        if out and len(out[-1].raw) == 1 and _LONE_BULLET.match(out[-1].raw[0]):
            bullet = out.pop()
            chunk.raw = [f"{bullet.raw[0].strip()} {chunk.raw[0].strip()}"] + chunk.raw[1:]
            chunk.text = f"{bullet.text} {chunk.text}"
            chunk.line = bullet.line
        out.append(chunk)
    return out


def _title(chunks: list[Chunk]) -> None:
    """The first heading is the title unless its style heads later sections too (a changelog's
    entries); an underlined or centred title may follow a note, and goes first. A heading right
    under the title in a style of its own is the subtitle."""
    headings = [c for c in chunks if c.kind == "heading"]
    if not headings:
        return
    first = headings[0]
    if (first.marker or ("",))[0] == "num":
        return  # "1. Introduction" is a section of a text whose title is elsewhere
    if first is not chunks[0]:
        if chunks.index(first) > 2 or (first.marker or ("",))[0] not in ("under", "atx", "centred"):
            return
        chunks.remove(first)
        chunks.insert(0, first)
    word = first.text.split()[0]
    if sum(1 for c in headings[1:] if c.marker == first.marker and c.text.split()[0] == word) >= 2:
        return
    first.role = "title"
    _authors_under(chunks)
    second = chunks[1] if len(chunks) > 1 else None
    if second is not None and second.kind == "heading" and (second.marker or ("",))[0] != "num" and \
            not (len(second.text.split()) == 1 and second.marker != ("man",)) and (  # "Preamble" is a section
            second.marker == first.marker and re.search(r"\d", second.text)  # "Version 2, June 1991"
            or not any(c.marker == second.marker for c in headings if c is not second and c is not first)):
        second.role = "subtitle"
        third = chunks[2] if len(chunks) > 2 else None
        if third is not None and third.kind == "heading" and third.marker == second.marker == ("centred",) \
                and third.gap_before == 0:
            second.text, second.lines = f"{second.text} {third.text}", second.lines + third.lines
            chunks.remove(third)  # "Frequently Asked Questions about / sed, the stream editor"


def _levels(chunks: list[Chunk]) -> None:
    """Heading levels by the order each style first appears; numbered headings by their depth."""
    headings = [c for c in chunks if c.kind == "heading" and c.role == "section"]
    ranks: dict = {}
    for chunk in headings:
        style = chunk.marker or ("plain",)
        if style[0] != "num":
            ranks.setdefault(style, len(ranks) + 1)
    for chunk in headings:
        style = chunk.marker or ("plain",)
        # "Abstract", "Contents" and "1. Introduction" are siblings: a number's depth is its level.
        chunk.level = style[1] if style[0] == "num" else ranks[style]
        chunk.marker = None
