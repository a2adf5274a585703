"""Turn an article saved from a browser into one Document, and a report of every text it left out.

The model is built from an allow-list of elements; nothing else passes: no scripts,
styles, frames, forms, event handlers or ``javascript:`` links can reach an output.
Nothing is dropped silently either: page furniture, comments, the text around the main
part of the page and the page head's text are each reported as a Removal with a reason,
so that every word of the page is in the Document or in ``Source.removed``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from ..clean.decode import NotText, decode
from ..errors import Problem, SourceError
from ..model import Document, Removal, Source
from ..slug import slugify
from . import figures
from .htmlblocks import HEADINGS, Walker, squash

# Page furniture around an article, and everything that runs or submits.
_FURNITURE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "iframe", "frame", "object", "embed", "svg", "canvas", "video", "audio", "button", "select",
              "input", "textarea", "dialog", "menu")
# Void elements: libxml2 nests what follows an <embed> inside it, so their "content" is the page's.
_VOID = ("embed", "input", "source", "track", "param", "keygen", "wbr", "area")
_PERMALINK_SIGNS = {"¶", "§", "#", "🔗", "\u00b6"}
# Elements whose text counts toward finding the main part of the page.
_TEXT_TAGS = {*HEADINGS, "p", "li", "dd", "dt", "pre", "td", "th", "blockquote", "figcaption"}
# The main part is the smallest element holding this share of the page's text.
_MAIN_SHARE = 0.8
_PROSE = "count(.//p | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6)"


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.document_fromstring(text, parser=parser) if text.strip() else None
    except (etree.ParserError, ValueError) as error:
        raise SourceError(Problem(f"not readable as HTML: {error}", file=path)) from None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        # libxml2 stops at 256 levels and would drop the rest of the page without a word.
        raise SourceError(Problem("elements nested more than 255 deep: the page cannot be read whole", file=path,
                                  hint="save the page again from a browser, or its text as .txt"))
    if tree is None:
        return Source(str(path), encoding, ())
    removed: list[Removal] = []
    _drop_comments(tree, removed)
    _mend(tree, removed)
    meta = _meta(tree)
    _drop_furniture(tree, removed)
    main = _main(tree)
    meta["title"] = _title(tree, main) or meta.get("title")
    if not meta["title"]:
        del meta["title"]
    _report_outside(tree, main, removed, meta.get("title"))
    walker = Walker()
    warnings: list[str] = []
    figures.lift(main, walker._children, path, warnings)  # pictures and tables become blocks of their own
    blocks = walker.blocks(main)
    title = meta.get("title") or path.stem.replace("_", " ")
    lang = meta.get("lang")  # judged with every other source's in assemble (langtags)
    doc = Document(title=title, blocks=tuple(blocks), authors=tuple(filter(None, [meta.get("author")])),
                   lang=lang, slug=slugify(title), source_url=meta.get("url"), date=meta.get("date"),
                   untitled=not meta.get("title"), base_url=meta.get("base") or meta.get("url"),
                   urls=tuple(dict.fromkeys(filter(None, [meta.get("url"), meta.get("og_url")]))),
                   anchors=tuple(walker.finish().items()))
    removed.sort(key=lambda r: r.line)
    return Source(str(path), encoding, (doc,), tuple(removed), tuple(warnings))


_WORDS_IN_ATTRIBUTES = ("alt", "title")


def _words(element) -> str:
    """An element's words for a report, its pictures' alt texts and tooltips included (a reader's words,
    as the accounting counts them), joined with spaces so that no two words run together."""
    parts: list[str] = []
    for node in element.iter():
        if isinstance(node.tag, str):
            parts += [node.get(name) or "" for name in _WORDS_IN_ATTRIBUTES]
            parts.append(node.text or "")
        if node is not element:
            parts.append(node.tail or "")
    return squash(" ".join(parts))


def _drop_comments(tree, removed: list[Removal]) -> None:
    """Comments, conditional comments and <?php ?> (which the parser makes comments) never reach the text."""
    for comment in tree.xpath("//comment()"):
        body = comment.text or ""
        reason = "processing instruction" if body.startswith("?") else "comment"
        if body.strip():
            removed.append(Removal(comment.sourceline or 0, squash(body), reason))
        comment.drop_tree()
    for instruction in tree.xpath("//processing-instruction()"):
        removed.append(Removal(instruction.sourceline or 0, squash(instruction.text or ""), "processing instruction"))
        instruction.drop_tree()


def fragment(text: str, line: int, source: Path | None = None, warnings: list[str] | None = None
             ) -> tuple[list, list[Removal]]:
    """Raw HTML inside another source (a Markdown file) as blocks, through the same allow-list
    and with the same report of what it leaves out; line: where the fragment starts in the file.
    With source, its pictures and tables are read as the HTML reader's are (found beside source)."""
    removed: list[Removal] = []
    try:
        # Blank lines in front, so that the parser's line numbers are the file's.
        root = lxml_html.fragment_fromstring("\n" * (line - 1) + text, create_parent="div")
    except (etree.ParserError, ValueError):
        return [], [Removal(line, squash(text), "unreadable HTML")] if text.strip() else []
    _drop_comments(root, removed)
    _mend(root, removed)
    _drop_furniture(root, removed)
    walker = Walker()
    if source is not None:
        figures.lift(root, walker._children, source, warnings if warnings is not None else [])
    return walker.blocks(root), removed


def _mend(tree, removed: list[Removal]) -> None:
    """What the parser and the page's generator put in the way of its text, before anything is read."""
    # An element that cannot have content gives its misparsed "children" back to the page.
    for element in tree.xpath("|".join(f"//{tag}" for tag in _VOID)):
        if len(element) or (element.text or "").strip():
            _unnest(element)  # the element itself stays: a <source>'s srcset names a picture
    # Sphinx's and MkDocs' "¶" after each heading: a link to itself, not words of the text.
    for element in tree.xpath("//a[starts-with(@href, '#')]"):
        if squash(element.text_content()) in _PERMALINK_SIGNS and not len(element):
            removed.append(Removal(element.sourceline or 0, _words(element), "heading permalink"))
            element.drop_tree()


def _unnest(element) -> None:
    """An empty element's misparsed content put back after it, in order, its own tail last."""
    tail, anchor = element.tail or "", element
    element.tail, element.text = element.text, None
    for child in list(element):
        anchor.addnext(child)
        anchor = child
    anchor.tail = (anchor.tail or "") + tail


def _drop_furniture(tree, removed: list[Removal]) -> None:
    for element in tree.xpath("|".join(f"//{tag}" for tag in _FURNITURE)):
        if element.getparent() is None or any(a.tag in _FURNITURE for a in element.iterancestors()):
            continue  # inside furniture already dropped, or about to be
        if element.tag == "header" and any(a.tag in ("article", "main") for a in element.iterancestors()):
            continue  # an article's own header: its title, byline and date
        text = _words(element)
        if text:
            removed.append(Removal(element.sourceline or 0, text, f"page furniture <{element.tag}>"))
        element.drop_tree()


def _meta(tree) -> dict[str, str]:
    def first(*xpaths: str) -> str | None:
        for xpath in xpaths:
            found = tree.xpath(xpath)
            if found:
                value = found[0] if isinstance(found[0], str) else found[0].text_content()
                value = squash(value)
                if value:
                    return value
        return None

    return {k: v for k, v in {
        "title": first("//meta[@property='og:title']/@content", "//article//h1", "//h1"),
        "author": first("//meta[@name='author']/@content", "//*[@rel='author']", "//*[contains(@class,'byline')]"),
        "lang": first("/html/@lang"),
        "url": first("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"),
        "og_url": first("//meta[@property='og:url']/@content"),
        "base": first("//base/@href"),
        "date": first("//meta[@property='article:published_time']/@content", "//time/@datetime"),
    }.items() if v}


_TITLE_PARTS = re.compile(r"\s+[|·•»—–-]\s+|\s*::\s*")


def _title(tree, main) -> str | None:
    """The page's title: og:title, else the main part's first h1, else the part of <title> its headings repeat.

    "FAQ | Site name": the site's name is not the piece's title; the heading the page opens with says which part is."""
    found = tree.xpath("//meta[@property='og:title']/@content") or main.xpath("(.//h1)[1]")
    if found:
        return squash(found[0] if isinstance(found[0], str) else found[0].text_content()) or None
    heads = tree.xpath("//title")
    if not heads or not squash(heads[0].text_content()):
        return None
    whole = squash(heads[0].text_content())
    headings = {_plain(h.text_content()) for h in main.xpath(".//h1|.//h2|.//h3")}
    return next((part for part in _TITLE_PARTS.split(whole) if _plain(part) in headings), whole)


def _plain(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _main(tree):
    """The article, main or role=main element; otherwise the smallest element with most of the text."""
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = tree.xpath(xpath)
        if found:
            return _common(found)
    body = tree.find("body")
    element = body if body is not None else tree
    sizes = _text_sizes(element)
    total = sizes.get(element, 0)

    def prose(e) -> int:
        return int(e.xpath(_PROSE))

    while total:
        # Deeper only where most of the text *and* most of its paragraphs and headings are:
        # a long code example is not the page without its explanation.
        inner = next((child for child in element if sizes.get(child, 0) >= _MAIN_SHARE * total
                      and prose(child) >= _MAIN_SHARE * prose(element)), None)
        if inner is None:
            break
        element = inner
    return element


def _common(elements):
    """The nearest element holding all of them: a page of several <article>s keeps them all."""
    chains = [[e, *e.iterancestors()][::-1] for e in elements]
    common = chains[0][0]
    for level in zip(*chains):
        if any(e is not level[0] for e in level):
            break
        common = level[0]
    return common


def _text_sizes(root) -> dict:
    """Characters of text inside text-bearing elements and outside links, per element (each counted once)."""
    sizes: dict = {}

    def walk(element, inside: bool) -> int:
        counted = inside or element.tag in _TEXT_TAGS
        size = len((element.text or "").strip()) if counted else 0
        for child in element:
            inner = walk(child, counted) if isinstance(child.tag, str) else 0
            if child.tag != "a":  # the words of links are a menu's: they do not make a main text
                size += inner
            if counted:
                size += len((child.tail or "").strip())
        sizes[element] = size
        return size

    walk(root, False)
    return sizes


def _report_outside(tree, main, removed: list[Removal], title: str | None) -> None:
    """Every text of the page outside its main part, as a removal: nothing is left out unsaid."""
    head = tree.find("head")
    if head is not None:
        text = _words(head)
        if text and text != title:
            removed.append(Removal(head.sourceline or 0, text, "page head"))
    path = [main, *main.iterancestors()]
    for child, parent in zip(path, path[1:]):
        if parent.tag == "html":
            break
        texts = [(parent.sourceline, parent.text or "")]
        for sibling in parent:
            texts.append((sibling.sourceline, (_words(sibling) if sibling is not child else "")
                          + " " + (sibling.tail or "")))
        removed.extend(Removal(line or 0, squash(text), "outside the main text") for line, text in texts
                       if text.strip())
