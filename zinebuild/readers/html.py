"""Turn an article saved from a browser into one Document: its main text only.

The model is built from an allow-list of elements; nothing else passes: no scripts,
styles, frames, forms, event handlers or ``javascript:`` links can reach an output.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from ..clean.decode import NotText, decode
from ..errors import Problem, SourceError
from ..model import (Block, Break, Caption, Code, Document, Emphasis, Heading, Inline, LineBreak, Link,
                     ListBlock, Paragraph, Preformatted, Quote, Source, Strong, Text, plain)
from ..slug import slugify

# Page furniture around an article, and everything that runs or submits.
_FURNITURE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "iframe", "frame", "object", "embed", "svg", "canvas", "video", "audio", "button", "select",
              "input", "textarea", "dialog", "menu")
_SAFE_URL = re.compile(r"^(https?:|mailto:)", re.I)
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "figure",
               "figcaption", "table", "div", "section", "article", "main", "dl"}


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = lxml_html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError) as error:
        raise SourceError(Problem(f"not readable as HTML: {error}", file=path)) from None
    if tree is None:
        return Source(str(path), encoding, ())
    meta = _meta(tree)
    for element in tree.xpath("|".join(f"//{tag}" for tag in _FURNITURE)):
        element.drop_tree()
    main = _main(tree)
    blocks = _blocks(main)
    title = meta.get("title") or path.stem.replace("_", " ")
    if blocks and isinstance(blocks[0], Heading) and plain(blocks[0].inlines).strip() == title.strip():
        blocks = blocks[1:]
    doc = Document(title=title, blocks=tuple(blocks), authors=tuple(filter(None, [meta.get("author")])),
                   lang=meta.get("lang"), slug=slugify(title), source_url=meta.get("url"), date=meta.get("date"),
                   untitled=not meta.get("title"))
    return Source(str(path), encoding, (doc,))


def _meta(tree) -> dict[str, str]:
    def first(*xpaths: str) -> str | None:
        for xpath in xpaths:
            found = tree.xpath(xpath)
            if found:
                value = found[0] if isinstance(found[0], str) else found[0].text_content()
                value = _SPACE.sub(" ", value).strip()
                if value:
                    return value
        return None

    return {k: v for k, v in {
        "title": first("//meta[@property='og:title']/@content", "//article//h1", "//h1", "//title"),
        "author": first("//meta[@name='author']/@content", "//*[@rel='author']", "//*[contains(@class,'byline')]"),
        "lang": first("/html/@lang"),
        "url": first("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"),
        "date": first("//meta[@property='article:published_time']/@content", "//time/@datetime"),
    }.items() if v}


def _main(tree):
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = tree.xpath(xpath)
        if found:
            return max(found, key=lambda e: len(e.text_content()))
    # Otherwise the element holding the most paragraph text.
    scores: dict = {}
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(p.text_content())
    return max(scores, key=scores.get) if scores else tree.find("body") if tree.find("body") is not None else tree


def _blocks(element) -> list[Block]:
    blocks: list[Block] = []
    loose: list[Inline] = []

    def flush():
        inlines = _trim(loose)
        if inlines:
            blocks.append(Paragraph(inlines))
        loose.clear()

    if element.text and element.text.strip():
        loose.extend(_text(element.text))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS or tag == "li":
            flush()
            blocks.extend(_block(child))
        else:
            loose.extend(_inline(child))
        if child.tail and child.tail.strip():
            loose.extend(_text(child.tail))
    flush()
    return blocks


def _block(element) -> list[Block]:
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        inlines = _trim(_children(element))
        return [Heading(max(1, int(tag[1]) - 1), inlines)] if inlines else []
    if tag == "p":
        inlines = _trim(_children(element))
        return [Paragraph(inlines)] if inlines else []
    if tag in ("ul", "ol"):
        items = tuple(i for i in (_trim(_children(li)) for li in element.iter("li")) if i)
        start = int(element.get("start", "1")) if element.get("start", "1").isdigit() else 1
        return [ListBlock(tag == "ol", items, start)] if items else []
    if tag == "blockquote":
        inner = _blocks(element)
        return [Quote(tuple(inner))] if inner else []
    if tag == "pre":
        return [Preformatted(element.text_content().strip("\n"))]
    if tag == "hr":
        return [Break()]
    if tag == "figcaption":
        inlines = _trim(_children(element))
        return [Caption(inlines)] if inlines else []
    if tag == "table":
        rows = [" | ".join(_SPACE.sub(" ", c.text_content()).strip() for c in row.xpath("./td|./th"))
                for row in element.iter("tr")]
        return [Paragraph((Text(r),)) for r in rows if r.strip(" |")]
    return _blocks(element)  # div, section, figure, …: look inside


def _children(element) -> list[Inline]:
    out: list[Inline] = []
    if element.text:
        out.extend(_text(element.text))
    for child in element:
        out.extend(_inline(child))
        if child.tail:
            out.extend(_text(child.tail))
    return out


def _inline(element) -> list[Inline]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        return [LineBreak()]
    if tag == "img":
        alt = (element.get("alt") or "").strip()
        return [Text(alt)] if alt else []
    children = _children(element)
    if tag in ("em", "i", "cite"):
        return [Emphasis(tuple(children))] if children else []
    if tag in ("strong", "b"):
        return [Strong(tuple(children))] if children else []
    if tag in ("code", "kbd", "samp"):
        return [Code(element.text_content())]
    if tag == "a":
        href = (element.get("href") or "").strip()
        return [Link(href, tuple(children))] if _SAFE_URL.match(href) and children else children
    return children


def _text(text: str) -> list[Inline]:
    return [Text(_SPACE.sub(" ", text))]


def _trim(nodes: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
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
