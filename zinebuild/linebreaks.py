"""Turn a laid-out WeasyPrint document into one that keeps two line rules WeasyPrint lacks.

- No more than two consecutive lines end in a hyphenation (``hyphenate-limit-lines``,
  which WeasyPrint does not implement): in each three hyphenated lines in a row, the
  middle one keeps its word whole (``hyphens: manual`` on that word) and the paragraph is
  broken again from there; what that breaks anew is looked at again, three times at most.
- A piece does not end on a page holding one to three lines of its text when they can go
  back on the page before: first the piece's paragraphs whose last line is short are set a
  little tighter (as a compositor saves lines), each then losing its last line; where that
  is not enough (code, lists, few paragraphs), the piece's leading is also set closer, by
  4% then 8%. The first of these that moves the ending back is kept; when none does, the
  first layout stays.

Both are found in the laid-out lines and mended in the HTML, which is laid out again; a
mend names its element by its place in the parsed tree, so that it applies to a fresh
parse of the same HTML. Pieces are the body's children (a piece laid out alone, or every
piece of the whole book), so the split render and the whole-book one decide alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from xml.etree import ElementTree

MAX_HYPHENATED = 2  # consecutive lines ending in a hyphenation
SHORT_ENDING = 3  # lines of a piece alone on its last page, at most, to pull back
SHORT_LAST_LINE = 0.4  # a paragraph whose last line fills less of the measure can lose it
# The leading of a piece whose ending tightening alone cannot pull back, tried in turn:
# 1.32 becomes 1.27, then 1.21 at the closest (book text stays above 1.2).
CLOSER = (0.96, 0.92)
TIGHTER = "word-spacing: -0.06em; letter-spacing: -0.004em"  # what a compositor would allow
KEEP_WHOLE = "hyphens: manual"
PICTURE = "\ufffc"
_ROUNDS = 3  # layouts tried for hyphenation runs; each mends what the last one made
_WORD_END = re.compile(r"[^\W\d_]+$")
_WORD_START = re.compile(r"^[^\W\d_]+")


@dataclass(frozen=True)
class Line:
    page: int
    unit: int  # index of the body child (piece) it belongs to
    block: int  # index, in the parsed tree, of the element whose lines these are
    text: str
    hyphenated: bool
    fill: float  # how much of the measure the line's text fills (0–1)
    element: int | None  # index of the element holding the line's last text (for a hyphenation)
    picture: bool = False  # not a line: a picture, which stands in the page's text like one
    leading: float = 0.0  # the line's height in ems of its block's font size


@dataclass(frozen=True)
class Mends:
    keep: frozenset[tuple[int, str]] = frozenset()  # (element, word): never hyphenated there
    tighten: frozenset[int] = frozenset()  # blocks set tighter
    leading: frozenset[tuple[int, float]] = frozenset()  # (piece element, line-height): set closer

    def __bool__(self) -> bool:
        return bool(self.keep or self.tighten or self.leading)

    def __or__(self, other: "Mends") -> "Mends":
        return Mends(self.keep | other.keep, self.tighten | other.tighten, self.leading | other.leading)


def refine(document, root, lay_out):
    """The document, laid out again as often as its mends need; ``lay_out(mends)`` lays out
    the same HTML with the mends applied and returns (document, root). Each layout's lines
    are read once (a whole book's skeleton has tens of thousands)."""
    mends = Mends()
    found = lines(document, root)
    for _ in range(_ROUNDS):
        runs = hyphen_runs(found)
        if not runs:
            break
        mends = mends | runs
        document, root = lay_out(mends)
        found = lines(document, root)
    # Short endings: first the loose paragraphs set tighter, then, where that is not enough
    # (code, lists, short lines), the piece's leading a little closer too.
    for step in (_loose, *(partial(_closer, factor=factor) for factor in CLOSER)):
        document, root, found, mends = _pull_back(document, root, found, mends, lay_out, step)
    return document


def _pull_back(document, root, found: list[Line], mends: Mends, lay_out, step):
    """Try step's mends on every piece ending short, in one layout; a piece keeps them only
    where its ending moved back without a new run of hyphens (pieces start on new pages, so
    they do not affect each other, and the split render decides as the whole book does)."""
    by_unit = _by_unit(found)
    shorts = short_endings(found, by_unit)
    if not shorts:
        return document, root, found, mends
    index, pieces = _indices(root), list(_unit_of(root))
    proposals = {unit: step(by_unit[unit], index[pieces[unit]]) for unit in shorts}
    proposals = {unit: mend for unit, mend in proposals.items() if mend}
    if not proposals:
        return document, root, found, mends
    tried, tried_root = lay_out(_union(mends, proposals.values()))
    tried_lines = lines(tried, tried_root)
    before, after = _spans(found), _spans(tried_lines)
    runs = {line.unit for line in _run_ends(tried_lines)}
    kept = [unit for unit in proposals if after.get(unit, 99) < before[unit] and unit not in runs]
    if not kept:
        return document, root, found, mends
    mends = _union(mends, [proposals[unit] for unit in kept])
    if len(kept) == len(proposals):
        return tried, tried_root, tried_lines, mends
    document, root = lay_out(mends)
    return document, root, lines(document, root), mends


def _union(mends: Mends, more) -> Mends:
    for mend in more:
        mends = mends | mend
    return mends


def apply(root, mends: Mends) -> None:
    """Mend a freshly parsed tree in place (the indices are those of the unmended parse)."""
    elements = list(root.iter())
    for index, leading in mends.leading:
        element = elements[index]
        element.set("style", "; ".join(filter(None, (element.get("style"), f"line-height: {leading}"))))
    for index in mends.tighten:
        element = elements[index]
        element.set("style", "; ".join(filter(None, (element.get("style"), TIGHTER))))
    for index, word in sorted(mends.keep):
        _keep_whole(elements[index], word)


def lines(document, root) -> list[Line]:
    """Every line of body text in reading order, footnotes and page furniture left out."""
    from weasyprint.formatting_structure import boxes

    index = _indices(root)
    units = _unit_of(root)
    found: list[Line] = []

    def walk(box, page: int, unit: int | None, measure: float) -> None:
        element = getattr(box, "element", None)
        if element is not None and element in units:
            unit = units[element]
        if isinstance(box, boxes.LineBox):
            found.append(_line(box, page, unit, index, measure))
            return
        if isinstance(box, boxes.ReplacedBox):
            found.append(Line(page, unit, -1, PICTURE, False, 1.0, None, picture=True))
            return
        if isinstance(box, (boxes.FootnoteAreaBox, boxes.MarginBox)) or str(box.element_tag).endswith("::marker"):
            return  # footnotes and furniture are not the text; a list marker is a line of its own
        for child in getattr(box, "children", ()):
            walk(child, page, unit, box.width if isinstance(box, boxes.BlockContainerBox) else measure)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number, None, 1.0)
    return [line for line in found if line.unit is not None and line.text.strip()]


def hyphen_runs(found: list[Line]) -> Mends:
    """The words to keep whole so that no more than two hyphenated lines follow each other:
    the middle one of each three."""
    keep = {_word(found[i - 1], found[i]) for i in _run_indices(found)}
    return Mends(keep=frozenset(word for word in keep if word))


def _run_indices(found: list[Line]) -> list[int]:
    """Indices of the lines that make a third hyphenated line in a row (counting anew after each)."""
    out, run = [], 0
    for i, line in enumerate(found):
        run = run + 1 if line.hyphenated else 0
        if run == MAX_HYPHENATED + 1:
            out.append(i)
            run = 0
    return out


def _run_ends(found: list[Line]) -> list[Line]:
    return [found[i] for i in _run_indices(found)]


def _by_unit(found: list[Line]) -> dict[int, list[Line]]:
    """Each piece's lines, in their order."""
    out: dict[int, list[Line]] = {}
    for line in found:
        out.setdefault(line.unit, []).append(line)
    return out


def short_endings(found: list[Line], by_unit: dict[int, list[Line]] | None = None) -> list[int]:
    """The pieces that end on a page of 1–3 lines of their text (no picture: that page is the picture's)."""
    out = []
    for unit, own in sorted((by_unit if by_unit is not None else _by_unit(found)).items()):
        ending = _ending(own)
        if own[0].page != own[-1].page and len(ending) <= SHORT_ENDING and not any(line.picture for line in ending):
            out.append(unit)
    return out


def _ending(own: list[Line]) -> list[Line]:
    """A piece's lines on its last page."""
    return [line for line in own if line.page == own[-1].page]


def _loose(own: list[Line], piece_at: int) -> Mends:
    """The piece's paragraphs likeliest to lose their last line when set tighter (a short last
    line after many lines), three per line to pull back."""
    ending = _ending(own)
    ends: dict[int, float] = {}  # each block's last line's fill
    counts: dict[int, int] = {}
    for line in own:
        counts[line.block] = counts.get(line.block, 0) + 1
        ends[line.block] = line.fill
    closing = {line.block for line in ending}
    loose = sorted((fill / (counts[block] - 1), block) for block, fill in ends.items()
                   if fill < SHORT_LAST_LINE and counts[block] > 1 and block not in closing and block >= 0)
    return Mends(tighten=frozenset(block for _, block in loose[:3 * len(ending) + 2]))


def _closer(own: list[Line], piece_at: int, factor: float) -> Mends:
    """The loose paragraphs set tighter and the piece's leading (the piece's element is at
    piece_at in the parsed tree) closer by factor."""
    leadings = sorted(line.leading for line in own if line.leading)
    if not leadings:
        return Mends()
    median = leadings[len(leadings) // 2]
    return _loose(own, piece_at) | Mends(leading=frozenset({(piece_at, round(median * factor, 3))}))


def _spans(found: list[Line]) -> dict[int, int]:
    """Pages each piece's text runs over."""
    out: dict[int, tuple[int, int]] = {}
    for line in found:
        first, _ = out.get(line.unit, (line.page, line.page))
        out[line.unit] = (first, line.page)
    return {unit: last - first + 1 for unit, (first, last) in out.items()}


def _line(box, page: int, unit, index: dict, measure: float) -> Line:
    from weasyprint.formatting_structure import boxes

    texts = [b for b in box.descendants() if isinstance(b, boxes.TextBox)]
    text = "".join(b.text for b in texts)
    last = texts[-1] if texts else None
    hyphen = last.style["hyphenate_character"] if last is not None else ""
    hyphenated = bool(last is not None and hyphen and last.text.endswith(hyphen) and last.style["hyphens"] == "auto"
                      and _WORD_END.search(last.text[:-len(hyphen)]))
    right = max((b.position_x + b.margin_width() for b in texts), default=box.position_x)
    measure = measure or 1
    parent = box.element
    size = box.style["font_size"] or 1
    return Line(page, unit, index.get(parent, -1), text, hyphenated,
                min(1.0, (right - box.position_x) / measure), index.get(last.element) if last is not None else None,
                leading=round(box.height / size, 3))


def _word(line: Line, following: Line) -> tuple[int, str] | None:
    """(element, word) for the word a hyphenated line breaks: its start and its end."""
    start = _WORD_END.search(line.text.rstrip()[:-1])
    end = _WORD_START.search(following.text.lstrip())
    if line.element is None or not start or not end:
        return None
    return line.element, start[0] + end[0]


def _keep_whole(element, word: str) -> None:
    """Wrap the word where it stands in the element's own text in a span that never hyphenates."""
    pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")

    def split(text: str | None):
        if not text or not pattern.search(text):
            return text, []
        parts = pattern.split(text)
        spans = []
        for tail in parts[1:]:
            span = ElementTree.Element("span", {"style": KEEP_WHOLE})
            span.text, span.tail = word, tail
            spans.append(span)
        return parts[0], spans

    text, spans = split(element.text)
    element.text = text
    position = 0
    for span in spans:
        element.insert(position, span)
        position += 1
    for child in list(element)[position:]:
        tail, spans = split(child.tail)
        if not spans:
            continue
        child.tail = tail
        at = list(element).index(child) + 1
        for offset, span in enumerate(spans):
            element.insert(at + offset, span)


def _indices(root) -> dict:
    """Each element of the parsed tree by its place in document order; our own spans and the
    blocks they sit in keep the place of the element they mend (none is counted)."""
    out = {}
    position = 0
    for element in root.iter():
        if element.tag == "span" and element.get("style") == KEEP_WHOLE:
            continue
        out[element] = position
        position += 1
    return out


def _unit_of(root) -> dict:
    """The body's children (the pieces), numbered."""
    body = root.find("body")
    return {child: number for number, child in enumerate(body if body is not None else ())}
