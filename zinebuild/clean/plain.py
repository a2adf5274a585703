"""Turn the lines of a plain document (licence, manual page, README, specification) into chunks
whose kinds and heading levels come from its layout: indentation, underlines, centring, numbering.

Web copies and PDF extractions lean on sentences and line lengths (``unwrap``, ``classify``);
documents written as plain text lean on the page: a heading sits at the margin over indented
text, is centred, underlined, ALL CAPS or numbered ("2.1."), and its level follows the order in
which each heading style first appears (as in reStructuredText), or the depth of its number.
"""

from __future__ import annotations

import re

from ..model import Removal
from . import outline
from .classify import faq_questions
from .layout import (ALPHA, ATX, BANNER, BULLET, CENTRED, DEEPER, FENCE, LEADERS, MAN_HEAD, NUMBERED, OUTLINE,
                     SECTION, TABLE_GAP, body_indent, centred, chunks, indent, is_plain_document, is_table,
                     merge_lone_bullets, merge_tables, section_title)
from .shapes import SIGNED, ends_sentence, has_inner_sentences, is_title_like, mostly_upper, words
from .unwrap import Chunk

# "-*- outline -*-": an editor's mode line, no part of the text.
# (?<!\s): a match starts where a run of spaces does, never inside it (linear on a long run).
MODE_LINE = re.compile(r"(?<!\s)\s*-\*-.*?-\*-\s*")

__all__ = ["MODE_LINE", "chunks", "classify", "is_plain_document"]


def classify(chunks: list[Chunk], removed: list[Removal]) -> list[Chunk]:
    underlined = {r.line: r.text for r in removed if r.reason == "separator line"}
    body = body_indent(chunks)
    out: list[Chunk] = []
    chunks = merge_tables(merge_lone_bullets(chunks))
    contents = _contents(chunks)
    for i, chunk in enumerate(chunks):
        nxt = chunks[i + 1] if i + 1 < len(chunks) else None
        if i == 0 and (man := MAN_HEAD.match(chunk.raw[0])) and len(chunk.raw) == 1:
            removed.append(Removal(chunk.line, man["name"], "running head (the page's name again)"))
            out += [_heading(chunk, man["name"], ("man",)),
                    _heading(_copy(chunk, man["middle"]), man["middle"].strip(), ("man",))]
            continue
        if i == len(chunks) - 1 and i > 0 and _is_page_foot(chunk, chunks[0]):
            removed.append(Removal(chunk.line, chunk.text, "page foot"))
            continue
        extra = None
        if id(chunk) in contents:
            chunk.kind = "contents"
        elif chunk.kind != "pre":  # "pre" already: a table put back together
            extra = _kind(chunk, nxt, out, underlined, body, removed)
        out.append(chunk)
        if extra is not None:
            out.append(extra)
    outline.title(out)
    outline.running_heads(out, removed)
    outline.lone_numbers(out)
    signed = [c for c in out if c.kind == "byline" and c.role != "authors"]
    if len(signed) > 1:  # each entry of a changelog signed: signatures, not the author of all
        for chunk in signed:
            chunk.kind, chunk.role = "paragraph", "signature"
    outline.levels(out)
    outline.closing_lines(out)
    outline.local_verbatim(out)
    faq_questions(out)
    return out


def _kind(chunk: Chunk, nxt: Chunk | None, out: list[Chunk], underlined: dict, body: int,
          removed: list[Removal]) -> Chunk | None:
    """Set the chunk's kind; a chunk it splits off to follow it is returned."""
    text, single = chunk.text, len(chunk.lines) == 1
    first = not out
    following_body = nxt
    rule = underlined.get(chunk.line + 1, "")
    if single and rule and abs(len(rule) - len(text)) <= max(3, len(text) // 4) and is_title_like(text, 24):
        number = SECTION.match(text)  # a rule as long as the line above it underlines it
        _heading(chunk, text, ("num", number["number"].count(".") + 1) if number and number["stop"]
                 else ("under", rule[:1]))
    elif FENCE.match(chunk.raw[0]):
        chunk.kind = "pre"
    elif single and (m := ATX.match(text)):
        _heading(chunk, m[2], ("atx", len(m[1])))
    elif single and (m := BANNER.match(text)):
        _heading(chunk, m[2], ("banner",))
    elif single and (m := OUTLINE.match(chunk.raw[0])) and _outline_heading(m, nxt) and \
            not (out and out[-1].kind == "bullet"):  # the last of a run of '*' lines is an item
        _heading(chunk, m[2].rstrip(":").strip() if m[2].rstrip().endswith(":") else m[2], ("outline", len(m[1])))
    elif (m := SECTION.match(text)) and single and section_title(m, chunk) and following_body:
        _heading(chunk, text, ("num", m["number"].count(".") + 1))
    elif bullet := BULLET.match(chunk.raw[0]):
        chunk.kind, chunk.text = "bullet", BULLET.sub("", text, count=1)
        if any(c.isalpha() for c in bullet[0]):  # groff's "+o": letters that draw a bullet
            removed.append(Removal(chunk.line, bullet[0].strip(), "bullet marker"))
    elif ALPHA.match(text):
        chunk.kind = "alpha"
    elif (m := NUMBERED.match(text)) and not has_inner_sentences(text[m.end() - 1:]):
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
    elif first and indent(chunk.raw[0]) >= CENTRED and is_title_like(text, 24):
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
            or TABLE_GAP.search(text):
        return False  # a heading stands apart, and is no row of a table
    at_margin = body >= 2 and indent(chunk.raw[0]) < body
    in_middle = centred(chunk.raw[0], body)
    # "Statement of Purpose" alone between paragraphs: short, capitalised, no stop or colon.
    short = len(words(text)) <= 8 and text[:1].isupper() and not text.endswith(":") and \
        indent(chunk.raw[0]) <= body and chunk.gap_after >= 1 and not BULLET.match(following_body.raw[0])
    capitals = mostly_upper(text) and (chunk.gap_after >= 1 or at_margin)  # not a definition's term
    return at_margin or in_middle or capitals or short


def _style(chunk: Chunk, body: int):
    ind = indent(chunk.raw[0])
    if centred(chunk.raw[0], body):
        return ("centred",)
    if body >= 2 and ind < body:
        return ("margin", ind)
    return ("caps",) if mostly_upper(chunk.text) else ("plain",)


def _outline_heading(match: re.Match, nxt: Chunk | None) -> bool:
    if len(match[1]) > 1:
        return True
    title = match[2]
    return (title.endswith(":") or is_title_like(title, 16)) and not (nxt and BULLET.match(nxt.raw[0])) \
        and not re.match(r"(?i)^(https?://|www\.)", title)


def _contents(chunks: list[Chunk]) -> set[int]:
    """A table of contents: three or more numbered lines in a row with no text under them, or
    lines ending in dot leaders and a page number."""
    found: set[int] = set()
    run: list[Chunk] = []
    for chunk in chunks + [Chunk("", 0)]:
        entry = len(chunk.lines) == 1 and SECTION.match(chunk.text)
        if LEADERS.search(chunk.text) and len(chunk.lines) == 1:
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
                and indent(out[-1].raw[-1] if out[-1].raw else "") < indent(chunk.raw[0]) and not TABLE_GAP.search(chunk.text))


def _is_verbatim(chunk: Chunk, body: int) -> bool:
    raw = chunk.raw
    deeper = all(indent(l) >= body + DEEPER for l in raw)
    return deeper or is_table(raw)


def _is_page_foot(chunk: Chunk, head: Chunk) -> bool:
    man = MAN_HEAD.match(head.raw[0])
    return bool(man and len(chunk.raw) == 1 and chunk.text.endswith(man["name"]))
