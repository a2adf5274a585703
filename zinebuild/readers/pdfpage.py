"""Turn a PDF's pages into positioned lines (pypdfium2): characters with their size, weight and
place; footnotes taken from the foot of each page (pdffurniture.py takes out running heads and
folios first). ``pdf.py`` makes articles of these lines, ``pdfblocks.py`` blocks.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_raw

from ..clean.hyphens import Hyphens, join_lines

SOFT_HYPHENS = "\u00ad"  # a hyphen only where the line broke: always joined
_LINE_END_HYPHEN = "\x02"  # pdfium's mark for a hyphen it found at a line end: "-"
_MARKER = re.compile(r"^([•◦▪‣●]|\d{1,3}[.)]|[a-zA-Z][.)]|[ivxlcdmIVXLCDM]{1,6}[.)])$")
# A list marker run into its item's first word ("M.Delete", "iii.Third"); not "U.S." or "e.g.".
_GLUED_MARKER = re.compile(r"^\s*(\d{1,3}|[a-zA-Z]|[ivxlcdmIVXLCDM]{1,6})[.)](?=[A-Z“\"‘]?[A-Za-z][a-z])")
_NOTE_START = re.compile(r"^\[?(\d{1,3})[.)\]]?\s+(?=\S)")



@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float  # from the top of the page, in points
    size: float
    bold: bool
    sup: list[tuple[int, int]] = field(default_factory=list)  # raised runs: (start, end) in text
    italic: bool = False
    mono: bool = False  # set in a fixed-pitch font: code, a terminal session, a table drawn in spaces
    picture: str | None = None  # a picture the page draws here (pdfpictures.py): its data: URL
    depth: float = 0.0  # a picture's height, in points
    spread: bool = False  # words set far apart on the line: a table's row, never a heading


# ---------------------------------------------------------------- characters into lines
def read_lines(pdf) -> tuple[list[Line], list[float]]:
    """The text lines of every page, and the pages' heights."""
    lines: list[Line] = []
    widths = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for number in range(len(pdf)):
        page = pdf[number]
        width, height = page.get_size()
        widths.append(height)
        text_page = page.get_textpage()
        count = text_page.count_chars()
        chars = []
        for i in range(count):
            code = pdfium_raw.FPDFText_GetUnicode(text_page, i)
            pdfium_raw.FPDFText_GetCharOrigin(text_page, i, x, y)
            chars.append((chr(code) if code else "", x.value, height - y.value,
                          pdfium_raw.FPDFText_GetFontSize(text_page, i), i))
        lines.extend(_page_text_lines(number, chars, text_page))
        text_page.close()
        page.close()
    return lines, widths


def _page_text_lines(number: int, chars, text_page) -> list[Line]:
    lines, current = [], []

    def flush():
        text = "".join(c[0] for c in current)
        if text.strip():
            lines.append(_make_line(number, current, text_page))
        current.clear()

    for char in chars:
        ch = char[0]
        if ch in ("\r", "\n"):
            flush()
            continue
        if current:
            last = current[-1]
            size = max(last[3], char[3], 1)
            if abs(char[2] - last[2]) > size * 0.9 and char[1] < last[1]:
                flush()  # back to the left and down: a new line the text layer did not mark
        current.append(char)
    flush()
    return _place_markers(_merge_pieces(lines))


def _merge_pieces(lines: list[Line]) -> list[Line]:
    """A line the text layer cut in two (at a note call, a change of font) is one line again."""
    out: list[Line] = []
    for line in lines:
        last = out[-1] if out else None
        if (last is not None and abs(line.top - last.top) < 0.3 * max(last.size, 1) and line.x0 >= last.x1 - 1
                and abs(line.size - last.size) < 0.5):
            gap = ("" if (line.x0 - last.x1 < 0.15 * last.size and not _MARKER.match(last.text.strip()))
                   or line.text[:1].isspace() else " ")  # a list's marker stands apart from its item
            shift = len(last.text) + len(gap)
            last.sup.extend((a + shift, b + shift) for a, b in line.sup)
            last.text += gap + line.text
            last.x1 = line.x1
            last.mono = last.mono and line.mono
            last.spread = last.spread or line.spread or line.x0 - last.x1 > 2.5 * last.size
        else:
            out.append(line)
    return out


def _place_markers(lines: list[Line]) -> list[Line]:
    """List bullets and numbers are often drawn after the text: each goes before its item's line."""
    markers = [line for line in lines if _MARKER.match(line.text.strip())]
    placed: set[int] = set()
    for marker in markers:
        item = next((line for line in lines if line is not marker and id(line) not in placed
                     and not _MARKER.match(line.text.strip()) and abs(line.top - marker.top) < 0.5 * marker.size
                     and line.x0 > marker.x0), None)
        if item is not None:
            item.text = f"{marker.text.strip()} {item.text}"
            item.sup = [(a + len(marker.text.strip()) + 1, b + len(marker.text.strip()) + 1) for a, b in item.sup]
            item.x0 = marker.x0
            placed.add(id(marker))
    return [line for line in lines if id(line) not in placed]


def _make_line(number: int, chars, text_page) -> Line:
    visible = [c for c in chars if c[0].strip()]
    sizes = Counter(round(c[3], 1) for c in visible)
    size = sizes.most_common(1)[0][0]
    baseline = Counter(round(c[2]) for c in visible if round(c[3], 1) == size).most_common(1)[0][0]
    text = "".join(c[0] for c in chars)
    sup, start = [], None
    for pos, c in enumerate(chars):
        raised = c[0].strip() and c[3] < size * 0.85 and c[2] < baseline - size * 0.15
        if raised and start is None:
            start = pos
        elif not raised and start is not None:
            sup.append((start, pos))
            start = None
    if start is not None:
        sup.append((start, len(chars)))
    spread = any(b[1] - a[1] > 2.5 * size for a, b in zip(visible, visible[1:]))
    glued = _GLUED_MARKER.match(text)
    if glued:  # "III.Third": the marker and its item set apart by position alone; the text gets a space
        text = f"{text[:glued.end()]} {text[glued.end():]}"
        sup = [(a + (a >= glued.end()), b + (b > glued.end())) for a, b in sup]
    looks = [_look(text_page, c[4]) for c in (visible[0], visible[len(visible) // 2], visible[-1])]
    bold = all(look[0] for look in looks)
    italic = all(look[1] for look in looks)
    mono = all(look[2] for look in looks)
    return Line(number, text, min(c[1] for c in visible), max(c[1] for c in visible), baseline, size, bold, sup,
                italic, mono, spread=spread)


def _look(text_page, index: int) -> tuple[bool, bool, bool]:
    """(bold, italic, fixed pitch) by weight and the font's flags, or by its name where they are not recorded."""
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_raw.FPDFText_GetFontInfo(text_page, index, name, 128, flags)
    lowered = name.value.lower()
    bold = pdfium_raw.FPDFText_GetFontWeight(text_page, index) >= 600 or any(
        word in lowered for word in (b"bold", b"black", b"heavy"))
    italic = bool(flags.value & 64) or b"italic" in lowered or b"oblique" in lowered
    mono = bool(flags.value & 1) or any(word in lowered for word in (b"mono", b"courier", b"consol", b"typewriter"))
    return bold, italic, mono


def body_size(lines: list[Line], heights: list[float]) -> float:
    """The size of most text in the upper half of the pages: long footnotes can outweigh the text."""
    sizes = Counter()
    for line in lines:
        if line.top < heights[line.page] / 2:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


class Judge(Hyphens):
    """The cleaner's judge of line-end hyphens, told whether this PDF marks its own: a typesetter
    that ends broken words with U+2010 (WeasyPrint does) leaves every "-" at a line end a real one."""

    def __init__(self, text: str):
        super().__init__(text.replace("\u2010", "-").replace("\x02", "-"))
        ends = Counter(line.rstrip()[-1:] for line in text.split("\n"))
        self.marked = ends["\u2010"] > ends["-"]


# ---------------------------------------------------------------- footnotes
@dataclass
class Footnote:
    page: int
    label: str
    text: str
    linked: str | None = None
    last: int = -1  # the last page it runs on


def footnotes(lines: list[Line], body: float, hyphens: Hyphens) -> tuple[list[Line], dict]:
    """Small lines below a page's text, each starting with its number, are that page's notes."""
    notes: dict[tuple[int, str], Footnote] = {}
    keep: list[Line] = []
    pages: dict[int, list[Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    current = None
    for number, page_lines in sorted(pages.items()):
        start = len(page_lines)
        while start > 0 and page_lines[start - 1].size < body * 0.92:
            start -= 1
        # The notes stand apart from what is above them (a rule, a margin); small lines that follow
        # the text closely are the text's own (an example set smaller). The first apart line wins.
        continued = (current is not None and current.last == number - 1  # broke off mid-sentence
                     and current.text.rstrip()[-1:] not in ".!?)”\"’»")
        cut = next((i for i in range(start, len(page_lines))
                    if (i == 0 or page_lines[i].top - page_lines[i - 1].top > 1.6 * page_lines[i].size)
                    and (_note_start(page_lines[i])[0] is not None or (continued and i == start))),
                   len(page_lines))
        foot = page_lines[cut:]
        if not foot:
            keep.extend(page_lines)
            current = None
            continue
        continued = continued and _note_start(foot[0])[0] is None
        keep.extend(page_lines[:cut])
        if not continued:
            current = None
        for line in foot:
            label, rest = _note_start(line)
            if label is not None:
                current = Footnote(number, label, rest)
                notes[(number, label)] = current
            elif current is not None:
                current.text = join(current.text, line.text, hyphens) if current.text else line.text
        if current is not None:
            current.last = number
    return keep, notes


def _note_start(line: Line) -> tuple[str | None, str]:
    if line.sup and line.sup[0][0] == 0:
        label = line.text[:line.sup[0][1]].strip()
        if label.isdigit():
            return label, line.text[line.sup[0][1]:].strip()
    match = _NOTE_START.match(line.text)
    if match:
        return match[1], line.text[match.end():].strip()
    return None, line.text


def join(first: str, second: str, hyphens: Hyphens) -> str:
    stripped = first.rstrip()
    if stripped[-1:] == _LINE_END_HYPHEN:
        stripped = stripped[:-1] + "-"
    if stripped[-1:] in SOFT_HYPHENS:
        return stripped[:-1] + second.lstrip()
    if stripped.endswith(("-", "\u2010")) and "/" in stripped.rsplit(" ", 1)[-1]:
        return stripped[:-1] + "-" + second.lstrip()  # inside an address: the hyphen is its own
    if getattr(hyphens, "marked", False):
        if stripped[-1:] == "-" and stripped[-2:-1].isalpha():
            return stripped + second.lstrip()  # the typesetter marks its own breaks: this is the word's hyphen
        if stripped[-1:] == "\u2010":
            return stripped[:-1] + second.lstrip()  # and this one is the typesetter's
    last = stripped.rsplit(" ", 1)[-1]
    if last.endswith(("/", "—", "–")) and (len(last) > 1 or "/" in last):
        return stripped + second.lstrip()  # "https://" + "example.org", "we—" + "not": no space
    if stripped[-1:] == "\u2010":  # a typesetter's hyphen, or a word's own: judged like any other
        stripped = stripped[:-1] + "-"
    return join_lines(stripped, second, hyphens)
