"""Turn the pictures and tables of Markdown tokens and HTML trees into Image and Table blocks.

The Markdown and HTML readers call in here through small hooks, so that both read a
figure, a caption and a table the same way; what an image reference may become is
media.py's decision.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from ..media import UNMODELLED, coded, figure
from ..model import Block, Caption, Cell, Image, Inlines, LineBreak, Paragraph, Table, Text, from_data, to_data
from .tree import replace_with_text

_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


# ---------------------------------------------------------------- Markdown (markdown-it tokens)
def markdown_table(tokens, pos: int, inlines) -> tuple[Table, int]:
    """The pipe table opening at tokens[pos]; inlines turns an inline token's children into Inlines."""
    head: list[tuple[Cell, ...]] = []
    body: list[tuple[Cell, ...]] = []
    group, row = body, []
    while tokens[pos].type != "table_close":
        token = tokens[pos]
        if token.type == "thead_open":
            group = head
        elif token.type == "tbody_open":
            group = body
        elif token.type in ("th_open", "td_open"):
            align = _ALIGN.search(str(token.attrGet("style") or ""))
            row.append(Cell(inlines(tokens[pos + 1].children or []), token.type == "th_open",
                            align=align[1] if align else None))
        elif token.type == "tr_close":
            group.append(tuple(row))
            row = []
        pos += 1
    return Table(tuple(head), tuple(body)), pos + 1


def markdown_figures(pictures: list, inlines: Inlines, role: str | None, source: Path, line: int,
                     warnings: list[str]) -> list[Block]:
    """A paragraph holding images: each becomes a figure; text after a lone leading image is its caption.

    pictures: (image token, the paragraph line it is on, whether text came before it).
    """
    text = _trim(inlines)
    lone = len(pictures) == 1 and not pictures[0][2]
    out: list[Block] = [] if lone or not text else [Paragraph(text)]
    for token, offset, _ in pictures:
        block = figure(str(token.attrGet("src") or ""), token.content, source, line + offset, warnings,
                       title=str(token.attrGet("title") or "") or None, role=role,
                       caption=text if lone else ())
        if block is not None:
            out.append(block)
    return out


def inline_img(tag: str):
    """An <img> tag written inside Markdown text as the image token ![alt](src "title") gives, else None."""
    if not re.match(r"<img\b", tag, re.I):
        return None
    from lxml import etree, html as lxml_html
    from markdown_it.token import Token

    try:
        img = lxml_html.fragment_fromstring(tag)
    except (etree.ParserError, ValueError):
        return None
    attrs = {"src": img.get("src") or ""}
    if img.get("title"):
        attrs["title"] = img.get("title")
    return Token("image", "img", 0, attrs=attrs, content=img.get("alt") or "")


def lone_picture_caption(blocks: list[Block]) -> list[Block]:
    """A raw <img> with text on the next lines (one HTML block to Markdown): the text is its
    caption, as it is after ![alt](src)."""
    if len(blocks) == 2 and isinstance(blocks[0], Image) and not blocks[0].caption \
            and isinstance(blocks[1], Paragraph) and blocks[1].role is None:
        return [replace(blocks[0], caption=_trim(blocks[1].inlines))]
    return blocks


def report_flattened(blocks: list[Block], where: str, warnings: list[str]) -> None:
    """Pictures and tables inside what holds only text keep their words, not their form: say so (Z120)."""
    for block in blocks:
        if isinstance(block, (Image, Table)):
            line = getattr(block, "line", 0) or None
            warnings.append(coded(UNMODELLED, line, f"a {'picture' if isinstance(block, Image) else 'table'} "
                                                    f"inside {where} is kept as its text only"))


def take_caption(blocks: list[Block], caption: Caption) -> bool:
    """A {.caption} paragraph right after an image or table without one becomes its caption."""
    if blocks and isinstance(blocks[-1], (Image, Table)) and not blocks[-1].caption:
        blocks[-1] = replace(blocks[-1], caption=caption.inlines)
        return True
    return False


def _trim(inlines: Inlines) -> Inlines:
    nodes = list(inlines)
    while nodes and (isinstance(nodes[0], LineBreak) or isinstance(nodes[0], Text) and not nodes[0].text.strip()):
        nodes.pop(0)
    # A cell's paragraphs (<td><p>…</p></td>, as Word's are) end on a line break of their own.
    while nodes and (isinstance(nodes[-1], LineBreak) or isinstance(nodes[-1], Text) and not nodes[-1].text.strip()):
        nodes.pop()
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip())
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip())
    return tuple(nodes)


# ---------------------------------------------------------------- HTML (lxml trees)
PLACEHOLDER = "zb-block"  # stands where a figure or table was; carries the block as JSON
# Inside these an element is inline content: a lifted figure goes after the whole element.
_INLINE_CONTAINERS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "pre", "dt", "dd",
                      "td", "th", "caption", "a", "span", "em", "strong", "b", "i"}
def lift(main, inlines, source: Path, warnings: list[str]) -> None:
    """Replace each figure, picture, image and table under main by a placeholder holding its block.

    inlines turns an element's content into Inlines (the HTML reader's own rules).
    """
    for element in list(main.iter("figure", "table", "picture", "img")):
        if element.getparent() is None or _lifted_ancestor(element):
            continue
        blocks = _html_blocks(element, inlines, source, warnings)
        _replace(element, blocks)


def _lifted_ancestor(element) -> bool:
    # A figure's own image or a nested table is read with its outer element.
    return any(a.tag in ("figure", "table", "picture", PLACEHOLDER) for a in element.iterancestors())


def _html_blocks(element, inlines, source: Path, warnings: list[str]) -> list[Block]:
    if element.tag == "table":
        return [html_table(element, inlines)]
    if element.tag != "figure":
        block = _html_image(element, (), source, warnings, None)
        return [block] if block is not None else []
    caption_el = element.find(".//figcaption")
    caption = _trim(tuple(inlines(caption_el))) if caption_el is not None else ()
    role = _role(element)
    out: list[Block] = []
    tables = element.findall(".//table")
    # lxml's HTML parser does not know <source> is empty: an <img> may sit inside it, within <picture>.
    pictures = [e for e in element.iter("picture", "img")
                if not any(a.tag == "picture" for a in e.iterancestors()) or e.tag == "picture"]
    for table in tables:
        out.append(html_table(table, inlines, caption if not pictures and table is tables[-1] else ()))
    for picture in pictures:
        block = _html_image(picture, caption if picture is pictures[-1] else (), source, warnings, role)
        if block is not None:
            out.append(block)
    if caption and not pictures and not tables:
        out.append(Caption(caption))  # a figure of text: keep its caption
    return out


def _role(element) -> str | None:
    classes = set((element.get("class") or "").split())
    return "full-bleed" if "full-bleed" in classes else "full-page" if classes & {"full-page", "fullpage"} else None


def _html_image(element, caption: Inlines, source: Path, warnings: list[str], role: str | None) -> Block | None:
    img = element if element.tag == "img" else element.find(".//img")
    src = _best_source(element) or (img.get("src") if img is not None else "") or ""
    alt = (img.get("alt") or "") if img is not None else ""
    title = img.get("title") if img is not None else None
    if not src:
        return Caption(caption) if caption else None
    return figure(src, alt, source, element.sourceline or 0, warnings, title=title, caption=caption,
                  role=role or (_role(img) if img is not None else None))


def _best_source(element) -> str | None:
    """A <picture>'s best local file: the widest srcset candidate that is not on the network."""
    candidates = []
    for node in element.iter("source", "img"):
        for part in (node.get("srcset") or "").split(","):
            bits = part.split()
            if bits and not re.match(r"^[a-z][a-z0-9+.-]*:", bits[0], re.I):
                width = bits[1][:-1] if len(bits) > 1 and bits[1][-1:] in "wx" else "1"
                candidates.append((float(width) if width.replace(".", "", 1).isdigit() else 1.0, bits[0]))
        if node.tag == "img" and node.get("src") and not re.match(r"^[a-z][a-z0-9+.-]*:", node.get("src"), re.I):
            candidates.append((0.5, node.get("src")))
    return max(candidates)[1] if candidates else None


def html_table(element, inlines, caption: Inlines = ()) -> Table:
    """A <table>: rows of <thead> (or of header cells only, at the top) repeat on each page."""
    caption_el = element.find("caption")
    if caption_el is not None:
        caption = _trim(tuple(inlines(caption_el)))
    head: list[tuple[Cell, ...]] = []
    body: list[tuple[Cell, ...]] = []
    for row in element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells = tuple(Cell(_trim(tuple(inlines(c))), c.tag == "th", _span(c, "colspan"), _span(c, "rowspan"))
                      for c in row.xpath("./td|./th"))
        in_head = row.getparent().tag == "thead" or (not body and cells and all(c.header for c in cells))
        (head if in_head else body).append(cells)
    return Table(tuple(head), tuple(body), caption)


def _span(cell, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1


def _replace(element, blocks: list[Block]) -> None:
    anchor = element
    while anchor.getparent() is not None and anchor.getparent().tag in _INLINE_CONTAINERS:
        anchor = anchor.getparent()  # out of the paragraph: figures are blocks, after their paragraph
    parent = anchor.getparent()
    if parent is None:
        return
    holders = [parent.makeelement(PLACEHOLDER, {"data-block": json.dumps(to_data(b))}) for b in blocks]
    if anchor is element:
        for holder in holders:
            element.addprevious(holder)
    else:
        for holder in reversed(holders):
            anchor.addnext(holder)
    replace_with_text(element)


def placed(element) -> Block:
    """The block a placeholder stands for."""
    return from_data(json.loads(element.get("data-block")))
