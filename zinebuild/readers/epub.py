"""Turn an EPUB into Documents: each spine document with text is a candidate article.

Titles come from the navigation (nav or NCX) and the document's own heading, authors from a
byline in the document or the OPF's creators; notes (``epub:type`` noteref/footnote and the
common ``<sup><a>`` pattern), even in another spine document, are linked. The cover, title
page and contents are left out and reported, as is every spine document with no text of
its own (a part's title page). Choose an article with ``article = "…"`` as for a compilation.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html

from ..errors import Problem, SourceError
from ..media import IMAGE, coded
from ..model import Document, Heading, Removal, Source, plain
from ..slug import unique
from . import htmlnotes
from .archive import Archive
from .tree import replace_with_text

_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
       "dc": "http://purl.org/dc/elements/1.1/", "x": "http://www.w3.org/1999/xhtml",
       "epub": "http://www.idpf.org/2007/ops", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
_OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML_TYPES = ("application/xhtml+xml", "text/html")
# Book furniture, not an article: what a reader program shows by itself.
_FURNITURE = {"cover", "titlepage", "toc", "landmarks", "halftitlepage", "copyright-page"}
_BYLINE = re.compile(r"author|byline|creator", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def read(path: Path, data: bytes) -> Source:
    archive = Archive(path, data, "EPUB")
    container = archive.xml("META-INF/container.xml")
    opf_path = container.xpath("string(//c:rootfile/@full-path)", namespaces=_NS)
    if not opf_path:
        raise SourceError(Problem("damaged EPUB: META-INF/container.xml names no package (OPF) file", file=path))
    opf = archive.xml(opf_path)
    base = posixpath.dirname(opf_path)
    manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", _NS)}
    book = _book_meta(opf)
    removed: list[Removal] = []
    warnings: list[str] = []
    labels = _nav_labels(archive, manifest, base)
    pages: list[tuple[str, object]] = []  # (file name in the zip, HTML body)
    for itemref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
        item = manifest.get(itemref.get("idref"))
        if item is None or item.get("media-type") not in _XHTML_TYPES:
            continue
        name = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        if "nav" in (item.get("properties") or "").split():
            removed.append(Removal(0, name, "the EPUB's table of contents (the book makes its own)"))
            continue
        if name in archive.names:
            pages.append((name, _body(archive, name)))
    ids = {(name, element.get("id")): element for name, body in pages for element in body.iter()
           if element.get("id")}
    metas, taken, documents = [], set(), []
    for name, body in pages:
        meta = htmlnotes.Meta(lang=body.get("data-lang") or book.lang, removed=removed, warnings=warnings)
        htmlnotes.clean_tree(body, meta)
        kinds: set[str] = set()
        for section in body.iter():
            kinds.update(htmlnotes.epub_types(section).split())
        metas.append((name, body, meta, kinds))
    for name, body, meta, kinds in metas:
        if kinds & _FURNITURE:
            _report(body, name, "the EPUB's " + "/".join(sorted(kinds & _FURNITURE)) + " page", removed)
            continue
        notes = htmlnotes.extract_notes(body, lambda href, here=name: ids.get(_target(here, href)), meta)
        _byline(body, meta)
        _pictures(body, name, archive, warnings)
        meta.title = labels.get(name, "")
        if not meta.authors:
            meta.authors = book.authors
        doc = htmlnotes.document(body, notes, meta, labels.get(name) or posixpath.basename(name).rsplit(".", 1)[0],
                                 path)
        if all(isinstance(b, Heading) for b in doc.blocks):  # a part's page, or the notes' page emptied
            text = " ".join([doc.title] + [plain(b.inlines) for b in doc.blocks]).strip()
            if text:
                removed.append(Removal(0, text, f"{name}: a page with a title and no text (a part's page)"))
            continue
        documents.append(_with_slug(doc, taken))
    if not documents:
        raise SourceError(Problem("no text found in this EPUB", file=path,
                                  hint="is it a comic or a scanned book? only text is read"))
    if len(documents) == 1 and documents[0].untitled and book.title:
        documents[0] = replace(documents[0], title=book.title, untitled=False)
    return Source(str(path), "epub", tuple(documents), tuple(removed), tuple(warnings))


def _book_meta(opf) -> htmlnotes.Meta:
    def text(xpath: str) -> list[str]:
        return [" ".join(str(v).split()) for v in opf.xpath(xpath, namespaces=_NS) if str(v).strip()]

    editors = set(text("//opf:meta[@property='role'][normalize-space()='edt']/@refines"))
    authors = tuple(" ".join(c.text.split()) for c in opf.iterfind(".//dc:creator", _NS)
                    if c.text and c.text.strip() and f"#{c.get('id')}" not in editors
                    and c.get("{http://www.idpf.org/2007/opf}role") != "edt")
    titles = text("//dc:title/text()")
    languages = text("//dc:language/text()")
    return htmlnotes.Meta(title=titles[0] if titles else "", authors=authors,
                          lang=languages[0] if languages else "")


def _nav_labels(archive: Archive, manifest: dict, base: str) -> dict[str, str]:
    """The first contents entry pointing into each file: the title a reader sees for it."""
    labels: dict[str, str] = {}
    for item in manifest.values():
        name = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        if name not in archive.names:
            continue
        if "nav" in (item.get("properties") or "").split():
            for link in archive.xml(name).iterfind(".//x:nav//x:a", _NS):
                nav_type = link.xpath("string(ancestor::x:nav/@epub:type)", namespaces=_NS)
                if nav_type in ("", "toc"):
                    target = _target(name, link.get("href") or "")[0]
                    labels.setdefault(target, " ".join("".join(link.itertext()).split()))
        elif item.get("media-type") == "application/x-dtbncx+xml":
            for point in archive.xml(name).iterfind(".//ncx:navPoint", _NS):
                src = point.find("ncx:content", _NS)
                label = " ".join("".join(point.find("ncx:navLabel", _NS).itertext()).split()) \
                    if point.find("ncx:navLabel", _NS) is not None else ""
                if src is not None and label:
                    labels.setdefault(_target(name, src.get("src") or "")[0], label)
    return labels


def _target(here: str, href: str) -> tuple[str, str]:
    """(file, id) an href inside the book points to, relative to the file it is in."""
    file, _, fragment = href.partition("#")
    if _SCHEME.match(file):
        return ("", "")  # outside the book
    name = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(file))) if file else here
    return (name, unquote(fragment))


def _body(archive: Archive, name: str):
    """A spine document as an HTML body: XHTML read as XML (no entities), then plain HTML tags."""
    data = archive.read(name)
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                     remove_comments=True))
    except etree.XMLSyntaxError:
        root = lxml_html.document_fromstring(data)  # tag soup in an EPUB 2: read it as a browser would
    lang = root.get(_XML_LANG) or root.get("lang") or ""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element.tag = etree.QName(element).localname
        for key in list(element.attrib):
            if key == _OPS_TYPE:
                element.set("data-epub-type", element.attrib.pop(key))
            elif key.startswith("{"):
                element.attrib.pop(key)
    etree.cleanup_namespaces(root)
    page = lxml_html.document_fromstring(etree.tostring(root, method="html", encoding="unicode"))
    body = page.find("body")
    if body is None:
        body = page
    body.set("data-lang", lang)
    return body


def _byline(body, meta: htmlnotes.Meta) -> None:
    """A header's byline and subtitle (zinebuild writes p.piece-author and p.piece-subtitle)."""
    for header in list(body.iter("header", "hgroup")):
        for p in list(header.iter("p", "div", "span")):
            css = p.get("class") or ""
            text = " ".join(p.text_content().split())
            if text and _BYLINE.search(css):
                meta.authors = tuple(a.strip() for a in text.split(",") if a.strip())
                htmlnotes.drop(p)
            elif text and "subtitle" in css:
                meta.subtitle = text
                htmlnotes.drop(p)
        header.drop_tag()


def _pictures(body, name: str, archive: Archive, warnings: list[str]) -> None:
    """Each picture's file, read from inside the EPUB only, becomes its data: URL; a picture that
    names a file the EPUB does not hold (or one outside it) leaves its description as text."""
    for img in list(body.iter("img")):
        src = (img.get("src") or "").strip()
        if _SCHEME.match(src):
            continue  # on the network, or a data: URL: media.py decides, as for any source
        member = _target(name, src)[0] if src else ""
        url = archive.picture(member, warnings) if member in archive.names else None
        if url is not None:
            img.set("src", url)
            continue
        if member not in archive.names:
            warnings.append(coded(IMAGE, None, f"{name}: picture '{src}' left out: the EPUB holds no such file"))
        alt = " ".join((img.get("alt") or "").split())
        replace_with_text(img, f" {alt} " if alt else "")


def _report(body, name: str, why: str, removed: list[Removal]) -> None:
    text = " ".join(" ".join(body.itertext()).split())
    alts = " ".join(img.get("alt") or "" for img in body.iter("img")).strip()
    if text or alts:
        removed.append(Removal(0, " ".join(filter(None, [text, alts])), f"{name}: {why}"))


def _with_slug(doc: Document, taken: set[str]) -> Document:
    return replace(doc, slug=unique(doc.slug, taken))
