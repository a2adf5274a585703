"""Split a compilation into articles, each with its title, subtitle, authors and source URL.

An article starts at a title-like chunk that is the first of the text, stands under a
label ("KRAS*:"), has a byline right after it, follows the closing signature or the
notes of the previous article, or is followed straight away by another heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Removal
from .classify import BYLINE, LABEL, byline, signature
from .shapes import URL, mostly_upper, words
from .unwrap import Chunk


# "The following interview was carried out by …": a reprinted text opens by naming its source.
_REPRINT = re.compile(r"^(the following|this (interview|text|article|statement))\b.{0,50}\b(by|from)\b", re.I)


@dataclass
class Article:
    chunks: list[Chunk]
    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    source_url: str | None = None
    about: list[str] = field(default_factory=list)  # notes on the author (a PDF's page-foot notes)
    starred: bool = False  # the label carried a "*" pointing at such a note


def split(chunks: list[Chunk], removed: list[Removal]) -> list[Article]:
    starts = [i for i in range(len(chunks)) if _starts(chunks, i) and _has_body(chunks, i)]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    bounds = list(zip(starts, starts[1:] + [len(chunks)]))
    articles = [_article(chunks[a:b], removed) for a, b in bounds if chunks[a:b]]
    _attach_page_notes(articles)
    return articles


def whole(chunks: list[Chunk], removed: list[Removal]) -> list[Article]:
    """A plain document is one article, however many headings it has; its layout has already
    said which line is the title and which the subtitle (``plain``)."""
    if not chunks:
        return []
    article = Article(list(chunks))
    for role in ("title", "subtitle"):
        if article.chunks and article.chunks[0].role == role:
            setattr(article, role, article.chunks.pop(0).text)
    for chunk in [c for c in article.chunks[:4] if c.role == "authors"]:
        article.chunks.remove(chunk)
        for line in chunk.raw or [chunk.text]:
            article.authors.append(signature(line) or line.strip())
            removed.append(Removal(chunk.line, line.strip(), "byline → author"))
    _sign(article, removed)
    return [article]


def _starts(chunks: list[Chunk], i: int) -> bool:
    chunk = chunks[i]
    prev = chunks[i - 1] if i else None
    nxt = chunks[i + 1] if i + 1 < len(chunks) else None
    if chunk.kind == "label":
        return nxt is not None and nxt.kind == "heading"
    if chunk.kind != "heading":
        return False
    if prev is None or prev.kind == "label":
        return prev is None
    if nxt is not None and BYLINE.match(nxt.text) and not URL.fullmatch(nxt.text):
        return True
    if prev.kind == "byline" or prev.kind == "note-text":
        return True
    if nxt is not None and _REPRINT.match(nxt.text):
        return True
    after = chunks[i + 2] if i + 2 < len(chunks) else None
    return nxt is not None and nxt.kind == "heading" and after is not None and after.kind == "paragraph"


def _has_body(chunks: list[Chunk], i: int) -> bool:
    """A title with no text of its own before the next title is no article (a closing slogan)."""
    for chunk in chunks[i + 1:]:
        if chunk.kind in ("paragraph", "lines", "bullet", "item", "numbered", "caption", "break"):
            return True
        if chunk.kind == "heading" and _starts(chunks, chunks.index(chunk)):
            return False
    return False


def _article(chunks: list[Chunk], removed: list[Removal]) -> Article:
    article = Article(list(chunks))
    body = article.chunks
    if len(body) > 1 and body[0].kind == "label" and body[1].kind == "heading":
        label = body.pop(0)
        match = LABEL.match(label.text)
        name = match["label"].strip()
        article.starred = bool(match["star"])
        if mostly_upper(name) or len(name) <= 5:
            article.authors.append(name)
            removed.append(Removal(label.line, label.text, "label → author"))
        else:
            body[0].text = f"{name}: {body[0].text}"
    if body and body[0].kind == "heading":
        article.title = body.pop(0).text
        if body and body[0].kind == "heading" and not _recurs(body[0], body[1:]) and \
                not BYLINE.match(body[0].text):
            article.subtitle = body.pop(0).text
    if body and BYLINE.match(body[0].text):
        who, url, rest = _parse_byline(body[0].text)
        if who:
            removed.append(Removal(body[0].line, body[0].text if not rest else body[0].text[: -len(rest)].strip(),
                                   "byline → author"))
            article.authors.append(who)
            article.source_url = url
            if rest:
                body[0].text, body[0].kind = rest, "paragraph"
            else:
                body.pop(0)
    _sign(article, removed)
    return article


def _sign(article: Article, removed: list[Removal]) -> None:
    """A signature closing the text names its author."""
    body = article.chunks
    last = _last_text_index(body)
    if last is not None and body[last].kind == "byline":
        who = signature(body[last].text)
        if who and not article.authors:
            article.authors.append(who)
            removed.append(Removal(body[last].line, body[last].text, "signature → author"))
            body.pop(last)


def _recurs(chunk: Chunk, rest: list[Chunk]) -> bool:
    """'Part one, …' followed later by 'Part two, …': a section heading, not a subtitle."""
    first = chunk.text.split()[0].lower()
    return any(c.kind == "heading" and c.text.split()[0].lower() == first for c in rest)


def _last_text_index(body: list[Chunk]) -> int | None:
    for i in range(len(body) - 1, -1, -1):
        if body[i].kind == "notes-header":
            return i - 1 if i > 0 else None
        if body[i].kind not in ("note-text", "pagenote"):
            return i if not any(c.kind == "notes-header" for c in body[i:]) else None
    return None


def _parse_byline(text: str) -> tuple[str | None, str | None, str]:
    """'Original Article by X – URL' -> (X, URL, ''); 'Author – site.org More text.' -> (site.org, None, 'More text.')"""
    who = byline(text) or ""
    url_match = URL.search(who)
    url = url_match[0] if url_match else None
    if url_match:
        who = who[:url_match.start()]
    who = who.strip().rstrip("–—-:").strip()
    rest = ""
    first, _, remainder = who.partition(" ")
    if "." in first and re.fullmatch(r"[\w.-]+\.[a-z]{2,}", first) and remainder:
        who, rest = first, remainder.strip()
    elif len(words(who)) > 8:
        return None, None, ""
    return (who or None), url, rest


def _attach_page_notes(articles: list[Article]) -> None:
    """A starred label's page-foot note ("* KRAS (Confederation …)") is about the author."""
    for article in articles:
        for chunk in list(article.chunks):
            if chunk.kind == "pagenote" and article.starred and chunk.marker == "*":
                article.about.append(chunk.text)
                article.chunks.remove(chunk)
