"""Turn the lines of a plain document into paragraph chunks by its layout, and name the shapes
of its lines: indentation, centring, list markers, section numbers, tables.

Web copies and PDF extractions lean on sentences and line lengths (``unwrap``); documents
written as plain text lean on the page, and ``plain`` reads their structure from it.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import Removal
from .hyphens import Hyphens, join_lines
from .lines import Line
from .shapes import ends_sentence, has_inner_sentences, is_title_like, words
from .unwrap import Chunk

# "PASSWD(1)     User Commands     PASSWD(1)": a manual page's running head.
MAN_HEAD = re.compile(r"^\s*(?P<name>\S+\(\w+\))\s{2,}(?P<middle>\S.*?)\s{2,}(?P=name)\s*$")
UNDERLINE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
# "2.1. Grants", "1.1.1  The concept", "0. PREAMBLE", "2 ASN.1 structure handling".
SECTION = re.compile(r"^\s*(?P<number>\d{1,3}(?:\.\d{1,3})*)(?P<stop>\.?) {1,2}(?P<title>\S.*)$")
LEADERS = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# "a)", "(b)", "iv.", "(iii)", "b.": items lettered or in roman numerals.
ALPHA = re.compile(r"^\s*(?:\(?[a-z]\)|[a-z]\.|\(?[ivx]{1,5}[.)])\s+\S")
NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+\S")
ATX = re.compile(r"^\s*(#{1,6})\s+(\S.*?)\s*#*\s*$")
OUTLINE = re.compile(r"^(\*{1,4})\s+(\S.*)$")
BANNER = re.compile(r"^\s*([-=*]{3,})\s+(\S.*?)\s+\1\s*$")
LONE_BULLET = re.compile(r"^\s*[•◦▪●*-]\s*$")
BULLET = re.compile(r"^\s*(?:[•◦▪●*+-]|\+o|·)\s+(?=\S)")
TABLE_GAP = re.compile(r"[^\s.!?:;] {2,}\S")
CENTRED = 12  # a short line indented this far, alone: a centred title or heading
WIDTH = 76  # the page width plain documents are laid out for, unless their lines say otherwise
DEEPER = 4  # lines indented this much more than the text: verbatim (code, notices, tables)


def indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def is_plain_document(lines: list[Line]) -> bool:
    """Laid out as plain text rather than copied from a page: a man page head, underlined or
    numbered section lines, a centred first line, or much of the text indented."""
    text = [l.text for l in lines if not l.blank]
    if not text:
        return False
    if MAN_HEAD.match(text[0]) or indent(text[0]) >= 4 and len(text[0].strip()) <= 60:
        return True
    underlined = sum(1 for a, b in zip(lines, lines[1:]) if not a.blank and UNDERLINE.match(b.text)
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
    width = page_width([l.text for l in lines])
    for line in lines:
        text = line.text
        if fenced:  # inside ``` … ```: every line as it is, blank ones too
            current.lines.append(text.strip())
            current.raw.append(text)
            current.text += "\n" + text
            fenced = not FENCE.match(text)
            if not fenced:
                current = None
            continue
        if line.blank:
            current, gap = None, gap + 1
            continue
        if FENCE.match(text):
            current, fenced = None, True
        elif current is not None and breaks(current, text, width):
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


def page_width(lines: list[str]) -> int:
    """The width a document is laid out for: its longest lines, bar a few odd ones."""
    lengths = sorted(len(l.rstrip()) for l in lines if l.strip())
    return min(lengths[int(len(lengths) * 0.95)] if lengths else WIDTH, 100)


def breaks(current: Chunk, text: str, width: int = WIDTH) -> bool:
    first, last = current.raw[0], current.raw[-1]
    # "2.1 ASN.1 syntax" between paragraphs with no blank line around it: PDF text.
    if section_line(text) and ends_sentence(last) or \
            section_line(first) and len(current.raw) == 1 and not text.strip()[:1].islower():
        return True
    marker = marker_width(first)
    step = indent(text) - indent(last)
    if marker_width(text) and (len(current.raw) > 1 or marker or UNDERLINE.match(last) is None):
        return True
    if centred(text, 0, width) and centred(first, 0, width):
        return True  # centred lines stay apart: a title, its version, its date
    if step >= DEEPER:
        return not (marker and indent(text) <= indent(first) + marker + 1)
    if step <= -DEEPER:
        return not (len(current.raw) == 1 and not marker)  # a first-line indent goes back out
    return False


def section_line(text: str) -> bool:
    match = SECTION.match(text)
    return bool(match and (match["stop"] or "." in match["number"]) and section_title(match, None))


def marker_width(text: str) -> int:
    for pattern in (BULLET, ALPHA, NUMBERED):
        match = pattern.match(text)
        if match:
            return len(re.match(r"^\s*\S+\s+", text)[0]) - indent(text)
    return 0


def centred(line: str, body: int, width: int = WIDTH) -> bool:
    """Indented well past the text and about as far from the right edge as from the left."""
    left = indent(line)
    right = width - left - len(line.strip())
    return left >= max(CENTRED, body + 8) and abs(left - right) <= max(10, 0.75 * left)


def section_title(match: re.Match, chunk: Chunk) -> bool:
    title = match["title"]
    if has_inner_sentences(title) or len(words(title)) > 10:
        return False  # "4. Redistribution. You may reproduce …": a clause, not a heading
    if not match["stop"] and "." not in match["number"] and not title[:1].isupper():
        return False
    return is_title_like(title.rstrip("."), 14) or title.rstrip().endswith("?") and len(words(title)) <= 20


def prose(chunk: Chunk) -> bool:
    """Sentences over two lines or more, not a prompt or a listing: running text."""
    text = chunk.text[marker_width(chunk.text):] if marker_width(chunk.text) else chunk.text
    return len(chunk.raw) >= 2 and ends_sentence(text) and text[:1].isalpha()


def body_indent(chunks: list[Chunk]) -> int:
    """The indentation of running text: the smallest shared by a tenth of the lines of paragraphs
    (a man page's option descriptions sit deeper than its prose, and neither is a heading)."""
    running = [c for c in chunks if prose(c)]
    counts = Counter(indent(l) for c in running for l in c.raw[1:])
    total = sum(counts.values())
    for width in sorted(counts):
        if counts[width] * 10 >= total:
            return width
    return 0


def is_row(line: str) -> bool:
    return "|" in line or len(TABLE_GAP.findall(line.strip())) >= 2


def is_table(raw: list[str]) -> bool:
    """Columns drawn with spaces or bars: two gaps in a row (not after a stop), or a '|'."""
    return len(raw) >= 2 and sum(1 for l in raw if is_row(l)) >= len(raw) - 1


def merge_tables(chunks: list[Chunk]) -> list[Chunk]:
    """A table whose rows stand between blank lines, and whose long cells wrap onto lines of
    their own further right, is one table: its rows and wrapped cells go back together."""
    out: list[Chunk] = []
    for chunk in chunks:
        last = out[-1] if out else None
        if last is not None and last.raw and is_row(last.raw[0]) and chunk.gap_before <= 1 and chunk.raw and (
                is_row(chunk.raw[0]) and indent(chunk.raw[0]) == indent(last.raw[0])
                or indent(chunk.raw[0]) > indent(last.raw[0]) + DEEPER):
            last.raw += [""] * chunk.gap_before + chunk.raw
            last.lines += chunk.lines
            last.text = f"{last.text} {chunk.text}"
            last.kind = "table"
            continue
        out.append(chunk)
    for chunk in out:
        if chunk.kind == "table":
            chunk.kind = "pre"
    return out


def merge_lone_bullets(chunks: list[Chunk]) -> list[Chunk]:
    """'•' alone, its text after a blank line: how PDF extraction splits a bullet from its item."""
    out: list[Chunk] = []
    for chunk in chunks:
        if out and len(out[-1].raw) == 1 and LONE_BULLET.match(out[-1].raw[0]):
            bullet = out.pop()
            chunk.raw = [f"{bullet.raw[0].strip()} {chunk.raw[0].strip()}"] + chunk.raw[1:]
            chunk.text = f"{bullet.text} {chunk.text}"
            chunk.line = bullet.line
        out.append(chunk)
    return out
