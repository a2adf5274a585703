"""Turn the elements of a web page's main part into model blocks, and note where each source id lands.

Used by html.py once it has chosen what of the page is text (and reported the rest).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import (Block, Break, Caption, Code, Emphasis, Heading, Inline, Inlines, ItemNumbers, Level,
                     LineBreak, Link, ListBlock, Paragraph, Preformatted, Quote, Strong, Text)
from ..slug import slugify
from .figures import PLACEHOLDER, placed

_SPACE = re.compile(r"\s+")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = {*HEADINGS, "p", "ul", "ol", "blockquote", "pre", "hr", "figure", "figcaption", "table", "div",
              "section", "article", "main", "dl", "li", "address", "details", "summary", "center", "dd", "dt",
              PLACEHOLDER}


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class Walker:
    """Elements to blocks; also where each source id lands (a heading's own, or the heading it falls under)."""

    def __init__(self):
        self.anchors: dict[str, str] = {}
        self.pending: list[str] = []  # ids seen since the last block
        self.heading = ""  # the id of the last heading

    def _ids(self, element) -> None:
        for name in (element.get("id"), element.get("name") if element.tag == "a" else None):
            if name and name not in self.anchors and name not in self.pending:
                self.pending.append(name)

    def _emit(self, blocks: list[Block], block: Block) -> None:
        if isinstance(block, Heading):
            self.heading = block.id or ""
        for name in self.pending:
            if name != block_id(block):
                self.anchors[name] = self.heading
        self.pending.clear()
        blocks.append(block)

    def blocks(self, element) -> list[Block]:
        blocks: list[Block] = []
        loose: list[Inline] = []

        def flush():
            inlines = _trim(loose)
            if inlines:
                self._emit(blocks, Paragraph(inlines))
            loose.clear()

        self._ids(element)
        if element.text and element.text.strip():
            loose.extend(_text(element.text))
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in BLOCK_TAGS:
                flush()
                for block in self._block(child):
                    self._emit(blocks, block)
            else:
                loose.extend(self._inline(child))
            if child.tail and child.tail.strip():
                loose.extend(_text(child.tail))
        flush()
        return blocks

    def finish(self) -> dict[str, str]:
        for name in self.pending:  # ids after the last block lead to the last heading
            self.anchors[name] = self.heading
        self.pending.clear()
        return self.anchors

    def _block(self, element) -> list[Block]:
        tag = element.tag
        if tag in HEADINGS:
            self._ids(element)
            inlines = _trim(self._children(element))
            if not inlines:
                return []
            own = element.get("id") or (self.pending[-1] if self.pending else None) or slugify(squash(
                element.text_content()))
            return [Heading(max(1, int(tag[1]) - 1), inlines, id=own)]
        if tag in ("p", "figcaption", "dt", "dd", "summary", "address"):
            self._ids(element)
            inlines = _trim(self._children(element))
            kind = Caption if tag == "figcaption" else Paragraph
            return [kind(inlines)] if inlines else []
        if tag in ("ul", "ol"):
            return self._list(element)
        if tag == "blockquote":
            inner = self.blocks(element)
            return [Quote(tuple(inner))] if inner else []
        if tag == "pre":
            self._ids(element)
            return [Preformatted(element.text_content().strip("\n"))]
        if tag == "hr":
            return [Break()]
        if tag == PLACEHOLDER:  # a picture or table read by figures.py
            return [placed(element)]
        if tag == "table":
            self._ids(element)
            rows = [" | ".join(squash(c.text_content()) for c in row.xpath("./td|./th"))
                    for row in element.iter("tr")]
            # Text of a table outside its cells (a caption, stray text) stays as a paragraph of its own.
            stray = squash(" ".join(element.xpath(".//text()[not(ancestor::td) and not(ancestor::th)]")))
            return [Paragraph((Text(r),)) for r in [stray, *rows] if r.strip(" |")]
        if tag == "li":
            self._ids(element)
            inlines = _trim(self._children(element))
            return [Paragraph(inlines)] if inlines else []
        return self.blocks(element)  # div, section, figure, …: look inside

    def _list(self, element) -> list[Block]:
        """A <ul> or <ol> with the lists inside its items, each item's own number (<li value>)
        and the list's way of counting (<ol type>), as the Markdown reader reads them."""
        items, levels = self._items(element, 0)
        if not items:
            return []
        ordered, start = element.tag == "ol", _start(element)
        flat = all(level == Level(0, ordered, start) for level in levels)
        return [ListBlock(ordered, tuple(items), start, () if flat else tuple(levels))]

    def _items(self, element, depth: int) -> tuple[list[Inlines], list[Level]]:
        """A list's items and their Levels in reading order, the lists inside them one level deeper."""
        self._ids(element)
        ordered = element.tag == "ol"
        start = _start(element)
        kind = Level(depth, ordered, start, _NUMBERINGS.get(element.get("type") or "", "1"))
        items: list[Inlines] = []
        levels: list[Level] = []
        numbers = ItemNumbers(start)

        def add(text: Inlines, level: Level) -> None:
            items.append(text)
            levels.append(level)

        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("ul", "ol"):  # a list straight inside a list (not in an item): the item before's
                more, deeper = self._items(child, depth + 1)
                items += more
                levels += deeper
            elif tag == "li":
                own = numbers.own(_number(child.get("value")) if ordered else None)
                for part, (text, inner) in enumerate(self._item(child)):
                    if text or inner:  # an item holding only a list stands in an empty one
                        add(text, replace(kind, value=own if part == 0 else None, continues=part > 0))
                    for inside in inner:
                        more, deeper = self._items(inside, depth + 1)
                        items += more
                        levels += deeper
            elif tag:
                text = _trim(self._inline(child))
                if text:
                    add(text, kind)
            if (child.tail or "").strip():
                add(_trim(_text(child.tail)), kind)
        return items, levels

    def _item(self, element) -> list[tuple[Inlines, list]]:
        """An <li>'s text and the lists inside it; text after such a list continues the item,
        in a part of its own (no marker, no number)."""
        self._ids(element)
        parts: list[tuple[list[Inline], list]] = [([], [])]
        if element.text:
            parts[-1][0].extend(_text(element.text))
        for child in element:
            if isinstance(child.tag, str) and child.tag in ("ul", "ol"):
                parts[-1][1].append(child)
            else:
                if parts[-1][1]:
                    parts.append(([], []))
                parts[-1][0].extend(self._inline(child))
            if child.tail and child.tail.strip() and parts[-1][1]:
                parts.append(([], []))
            if child.tail:
                parts[-1][0].extend(_text(child.tail))
        return [(_trim(text), inner) for text, inner in parts]

    def _children(self, element) -> list[Inline]:
        out: list[Inline] = []
        if element.text:
            out.extend(_text(element.text))
        for child in element:
            out.extend(self._inline(child))
            if child.tail:
                out.extend(_text(child.tail))
        return out

    def _inline(self, element) -> list[Inline]:
        tag = element.tag if isinstance(element.tag, str) else ""
        self._ids(element)
        if tag == "br":
            return [LineBreak()]
        if tag == "img":
            alt = (element.get("alt") or "").strip()
            return [Text(alt)] if alt else []
        if tag in BLOCK_TAGS:  # a block inside a paragraph or list item: its text, on a line of its own
            return [LineBreak(), *self._children(element), LineBreak()]
        children = self._children(element)
        if tag in ("em", "i", "cite"):
            return [Emphasis(tuple(children))] if children else []
        if tag in ("strong", "b"):
            return [Strong(tuple(children))] if children else []
        if tag in ("code", "kbd", "samp"):
            return [Code(element.text_content())]
        if tag == "a":
            href = (element.get("href") or "").strip()
            # Every href becomes a Link here; links.py decides once what each one may become.
            return [Link(href, tuple(children), line=element.sourceline)] if href and children else children
        return children


# <ol type>: how a list counts, as the model keeps it (Level.numbering).
_NUMBERINGS = {kind: kind for kind in ("1", "a", "A", "i", "I")}


def _number(value: str | None) -> int | None:
    """An HTML integer attribute (<ol start>, <li value>): digits with an optional minus sign."""
    value = (value or "").strip()
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else None


def _start(element) -> int:
    number = _number(element.get("start"))
    return 1 if number is None else number


def block_id(block: Block) -> str | None:
    return block.id if isinstance(block, Heading) else None


def _text(text: str) -> list[Inline]:
    return [Text(_SPACE.sub(" ", text))]


def _trim(nodes: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        elif isinstance(node, LineBreak) and merged and isinstance(merged[-1], LineBreak):
            continue
        elif not (isinstance(node, Text) and not node.text):
            merged.append(node)
    if merged and isinstance(merged[0], Text):
        merged[0] = Text(merged[0].text.lstrip())
    if merged and isinstance(merged[-1], Text):
        merged[-1] = Text(merged[-1].text.rstrip())
    while merged and (isinstance(merged[0], LineBreak) or merged[0] == Text("")):
        merged.pop(0)
    while merged and (isinstance(merged[-1], LineBreak) or merged[-1] == Text("")):
        merged.pop()
    return tuple(merged)
