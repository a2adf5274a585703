"""Turn every URL a source or the config gives into what the book may link to: once, in the model.

One policy (``allowed``): http, https and mailto become links; everything else (javascript:,
data:, file:, a path of the build machine) is never a link, its text is kept. ``police``
applies it to each Source as it is read, whatever the reader. ``resolve`` then settles each
link of the book once, for every output: a ``#fragment`` follows its heading to the id the book
gives it; a link to another source of the book (``other.md``, ``./page.html#sec``, a wikilink
``[[Other page]]``, another piece's original URL) becomes a link inside the book; a relative
link is made absolute against the source's base URL when it has one. A link that cannot be
kept is unlinked, its text kept, and reported (Z107 with the source and line).
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .model import Document, Heading, Link, ListBlock, Note, Notice, Piece, Quote, Source, plain, with_inlines
from .outline import section_anchor
from .slug import slugify, unique

ALLOWED = ("http", "https", "mailto")
WIKI = "wiki:"  # how the Markdown reader marks a [[wikilink]] until resolve() settles it
# Browsers ignore these inside a scheme ("java\tscript:"), so the policy does too.
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SUFFIXES = ("", ".md", ".markdown", ".html", ".htm", ".txt")


def scheme(url: str) -> str | None:
    match = _SCHEME.match(_IGNORED.sub("", url))
    return match[1].lower() if match else None


def allowed(url: str | None) -> str | None:
    """The URL if it may be a link in the book (absolute http, https or mailto), else None."""
    if not url:
        return None
    url = url.strip().replace(" ", "%20")
    kind = scheme(url)
    if kind not in ALLOWED or _IGNORED.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[broken" and such: not an address
        return None
    if kind in ("http", "https") and not parts.hostname:
        return None
    return url


def _absolute(url: str | None) -> str | None:
    return allowed(url) if url and scheme(url) in ("http", "https") else None


# ---------------------------------------------------------------- at reading
def police(source: Source) -> Source:
    """The Source with every link whose scheme is not allowed unlinked, and its URLs checked."""
    warnings: list[str] = []

    def check(link: Link):
        kind = scheme(link.url)
        if kind is None or kind in ALLOWED or link.url.startswith(WIKI):
            return link
        warnings.append(f"Z107 {_at(link)}link '{_short(link.url)}' unlinked, its text kept: {_REFUSED}")
        return None

    docs = tuple(_addresses(_map_links(doc, check)) for doc in source.documents)
    return replace(source, documents=docs, warnings=source.warnings + tuple(warnings))


def _addresses(doc: Document) -> Document:
    """The document's own addresses, only as the policy allows them (the Sources page prints source_url)."""
    source_url = allowed(doc.source_url)
    return replace(doc, source_url=source_url, base_url=_absolute(doc.base_url) or _absolute(doc.source_url),
                   urls=tuple(u for u in dict.fromkeys((*doc.urls, doc.source_url or ""))
                              if _absolute(u) or u.startswith("/") and not u.startswith("//")))


_REFUSED = "only http, https and mailto links are kept"
# police()'s warning, read back by source_links() (both here, so that they change together).
_REFUSAL = re.compile(r"Z107 (?:line (\d+): )?link '(.*)' unlinked, its text kept: " + re.escape(_REFUSED), re.S)


def _at(link: Link) -> str:
    return f"line {link.line}: " if link.line else ""


def _short(url: str) -> str:
    if url.startswith(WIKI):
        url = f"[[{url[len(WIKI):]}]]"
    return url if len(url) <= 60 else url[:59] + "…"


def _map_links(doc: Document, change) -> Document:
    """The Document with change(link) for each link: a Link, or None to keep only its text."""
    def inlines(nodes):
        out = []
        for node in nodes:
            if isinstance(node, Link):
                children = inlines(node.children)
                new = change(replace(node, children=children))
                out.extend([new] if new is not None else children)
            elif hasattr(node, "children"):
                out.append(replace(node, children=inlines(node.children)))
            else:
                out.append(node)
        return tuple(out)

    def block(b):
        if isinstance(b, Quote):
            return replace(b, blocks=tuple(block(x) for x in b.blocks))
        if isinstance(b, ListBlock):
            return replace(b, items=tuple(inlines(i) for i in b.items))
        if hasattr(b, "inlines"):
            return replace(b, inlines=inlines(b.inlines))
        return with_inlines(b, inlines)  # a picture's caption, a table's cells

    return replace(doc, blocks=tuple(block(b) for b in doc.blocks),
                   notes=tuple(Note(n.id, tuple(inlines(p) for p in n.paragraphs)) for n in doc.notes))


# ---------------------------------------------------------------- in the book
@dataclass(frozen=True)
class Outcome:
    """What one link of a source became, for `inspect` and the reports."""

    source: str
    line: int | None
    href: str
    became: str  # "internal: #id", "external: URL" or "unlinked: why"


def _key(text: str) -> str:
    """Titles and names compared for wikilinks: case, accents, spaces and punctuation aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/') or '/'}" + (f"?{parts.query}" if parts.query else "")


class _Book:
    """Where each source, title, URL and heading of the book is, by the names links use for them."""

    def __init__(self, pieces: list[Piece]):
        self.by_path: dict[Path, Piece] = {}
        self.by_name: dict[str, Piece] = {}
        self.by_url: dict[str, Piece] = {}
        for piece in pieces:
            doc = piece.document
            self.by_path.setdefault(Path(piece.source).resolve(), piece)
            aliases = [json.loads(value) for key, value in doc.meta if key == "aliases"]
            for name in (doc.title, Path(piece.source).stem, doc.slug, *(a for names in aliases for a in names)):
                self.by_name.setdefault(_key(name), piece)
            for url in doc.urls:
                self.by_url.setdefault(_url_key(url) if scheme(url) else url.rstrip("/") or "/", piece)

    def piece_at(self, path: Path) -> Piece | None:
        for suffix in _SUFFIXES:
            for candidate in (path.with_name(path.name + suffix), path / f"index{suffix}"):
                if candidate in self.by_path:
                    return self.by_path[candidate]
        return None


def heading_id(text: str) -> str:
    """The id GitHub, GitLab and MkDocs give a heading: lower case, punctuation out, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _number_headings(piece: Piece, taken: set[str]) -> tuple[Document, dict[str, str]]:
    """Every heading gets a book-wide id; returns the document and its source ids' book ids.

    The ids are the outline's (section_anchor: the contents point at the same ones); a heading
    is found by its own source id, and by the ids tools derive from its text."""
    ids: dict[str, str] = {}
    derived: dict[str, str] = {}

    def walk(blocks, inside: str | None = None):
        out = []
        for index, b in enumerate(blocks):
            if isinstance(b, Heading):
                anchor = section_anchor(piece, index) if inside is None else f"{inside}-{index}"
                new = unique(anchor, taken)
                if b.id:
                    ids.setdefault(b.id, new)
                text = plain(b.inlines)
                for name in (heading_id(text), slugify(text)):
                    derived.setdefault(name, new)
                b = replace(b, id=new)
            elif isinstance(b, Quote):
                b = replace(b, blocks=walk(b.blocks, f"{inside or section_anchor(piece, index)}-q"))
            out.append(b)
        return tuple(out)

    doc = replace(piece.document, blocks=walk(piece.document.blocks))
    for name, heading in piece.document.anchors:
        ids.setdefault(name, ids.get(heading, piece.id) if heading else piece.id)
    for name, new in derived.items():
        ids.setdefault(name, new)
    ids.setdefault("", piece.id)
    ids.setdefault("top", piece.id)
    return doc, ids


def resolve(pieces: list[Piece], taken: set[str]) -> tuple[list[Piece], list[Notice], list[Outcome]]:
    """The pieces with every link settled (see the module's docstring), the reports, and each outcome."""
    numbered = []
    targets: dict[str, dict[str, str]] = {}
    for piece in pieces:
        # Again here: a Source kept in the cache by an older build went through an older policy.
        doc, targets[piece.id] = _number_headings(replace(piece, document=_addresses(piece.document)), taken)
        numbered.append(replace(piece, document=doc))
    book = _Book(numbered)
    notices: list[Notice] = []
    outcomes: list[Outcome] = []
    done = []
    for piece in numbered:
        def settle(link: Link, piece=piece) -> Link | None:
            result, why = _settle(link, piece, book, targets)
            if result is None:
                notices.append(Notice("Z107", f"{_at(link)}link '{_short(link.url)}' unlinked, its text kept: {why}",
                                      piece.source))
                became = f"unlinked: {why}"
            else:
                became = f"internal: {result.piece}{result.url}" if result.piece else f"external: {result.url}"
            outcomes.append(Outcome(piece.source, link.line, _short(link.url), became))
            return result
        done.append(replace(piece, document=_map_links(piece.document, settle)))
    return done, notices, outcomes


def _settle(link: Link, piece: Piece, book: _Book, targets) -> tuple[Link | None, str]:
    href = link.url.strip()
    if href.startswith(WIKI):
        name, _, fragment = href[len(WIKI):].partition("#")
        target = book.by_name.get(_key(name))
        if target is None:
            return None, f"no piece of the book is called '{name}'"
        return _inside(link, target, fragment, targets, loose=True)
    kind = scheme(href)
    if kind is not None and kind not in ALLOWED:
        return None, _REFUSED
    if kind is None and not href.startswith("//"):
        path, _, fragment = href.partition("#")
        if not path:
            return _inside(link, piece, unquote(fragment), targets, loose=False)
        path = path.split("?")[0]
        target = book.by_url.get(path.rstrip("/") or "/") if path.startswith("/") else None
        if target is None and not path.startswith("/"):
            here = Path(piece.source).resolve().parent
            target = book.piece_at(Path(posixpath.normpath(str(here / unquote(path)))))
        if target is not None:
            return _inside(link, target, unquote(fragment), targets, loose=True)
        base = piece.document.base_url
        if not base:
            return None, "a relative link to a file that is not in the book, and the source has no base URL"
        href = _join(base, href)
    elif href.startswith("//"):
        href = _join(piece.document.base_url or "https://", href)
    url = allowed(href)
    if url is None:
        return None, "not a well-formed http, https or mailto address"
    target = book.by_url.get(_url_key(url)) if scheme(url) != "mailto" else None  # allowed() split it already
    if target is not None:
        return _inside(link, target, unquote(urlsplit(url).fragment), targets, loose=True)
    return replace(link, url=url, piece=None), ""


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def _inside(link: Link, target: Piece, fragment: str, targets, loose: bool) -> tuple[Link | None, str]:
    """A link into target: to the heading the fragment names, or (another piece only) its top."""
    ids = targets[target.id]
    found = ids.get(fragment) or ids.get(slugify(fragment)) if fragment else target.id
    if found is None:
        if not loose:
            return None, f"no element with id '{fragment}' in this source"
        found = target.id  # the piece is there, the section is not: its top is the next best
    return replace(link, url=f"#{found}", piece=target.id), ""


def source_links(source: Source) -> list[Outcome]:
    """What each link of one source becomes when it is read alone (for `zinebuild inspect`),
    those police() refused as it was read included, in the order of their lines."""
    taken: set[str] = set()
    pieces = [Piece(unique(doc.slug or "piece", taken), doc, source.path) for doc in source.documents]
    refused = [Outcome(source.path, int(m[1]) if m[1] else None, m[2], f"unlinked: {_REFUSED}")
               for m in map(_REFUSAL.match, source.warnings) if m]
    return sorted(resolve(pieces, taken)[2] + refused, key=lambda o: o.line or 0)
