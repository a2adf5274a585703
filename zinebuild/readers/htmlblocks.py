"""Turn the elements of a web page's main part into model blocks, and note where each source id lands.

Used by html.py once it has chosen what of the page is text (and reported the rest).
"""

from __future__ import annotations

import re

from ..model import (Block, Break, Caption, Code, Emphasis, Heading, Inline, LineBreak, Link, ListBlock,
                     Paragraph, Preformatted, Quote, Strong, Text)
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
            self._ids(element)
            items = []
            for child in element:
                if isinstance(child.tag, str):
                    self._ids(child)
                    items.append(_trim(self._inline(child) if child.tag != "li" else self._children(child)))
                if (child.tail or "").strip():
                    items.append(_trim(_text(child.tail)))
            start = int(element.get("start", "1")) if element.get("start", "1").isdigit() else 1
            items = tuple(i for i in items if i)
            return [ListBlock(tag == "ol", items, start)] if items else []
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
