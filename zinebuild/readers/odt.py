"""Turn an OpenDocument text (.odt) into one Document: its content.xml becomes semantic HTML for the HTML reader.

The same rules as for Word: headings by outline level (the Title style is the piece's title),
quotations and preformatted text by paragraph style, bold and italic from the automatic
styles, footnotes and endnotes linked as notes, lists, links, tables with their header rows,
pictures inside the document (as data: URLs) with the caption LibreOffice sets around them.
Comments (annotations) and tracked deletions are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml.html import builder as E

from ..errors import Problem, SourceError
from ..media import IMAGE, coded
from ..model import Removal, Source
from . import htmlnotes
from .archive import Archive
from .tree import replace_with_text

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}
_T = "{%s}" % _NS["text"]
_TB = "{%s}" % _NS["table"]
_BLOCK_STYLES = {"Title": "title", "Subtitle": "subtitle", "Quotations": "blockquote", "Quote": "blockquote",
                 "Preformatted_20_Text": "pre"}


def read(path: Path, data: bytes) -> Source:
    archive = Archive(path, data, "OpenDocument (.odt)")
    if "content.xml" not in archive.names:
        raise SourceError(Problem("not an OpenDocument text: it has no content.xml", file=path))
    mimetype = archive.read("mimetype").strip() if "mimetype" in archive.names else b""
    if mimetype and not mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise SourceError(Problem(f"not an OpenDocument text but '{mimetype.decode(errors='replace')}'",
                                  file=path, hint="only word-processor documents (.odt) are read"))
    content = archive.xml("content.xml")
    meta = _meta(archive)
    styles = _Styles(content, archive.xml("styles.xml") if "styles.xml" in archive.names else None)
    converter = _Converter(styles, meta, archive)
    body = E.BODY()
    for text in content.iterfind(".//office:body/office:text", _NS):
        converter.children(text, body)
    body.extend(converter.pending)  # note bodies after the text, where htmlnotes finds and takes them
    htmlnotes.clean_tree(body, meta)
    return htmlnotes.single_source(path, body, meta, "odt")


def _meta(archive: Archive) -> htmlnotes.Meta:
    if "meta.xml" not in archive.names:
        return htmlnotes.Meta()
    return htmlnotes.Meta.from_xml(archive.xml("meta.xml"), _NS, "//dc:title",
                                   ("//meta:initial-creator", "//dc:creator"), "//dc:language")


class _Styles:
    """Paragraph and text styles by name: what each one (or its parents) means for the model."""

    def __init__(self, *trees):
        self.parent: dict[str, str] = {}
        self.bold: set[str] = set()
        self.italic: set[str] = set()
        # list style -> its levels (1 at the top) -> how a list at that level counts (ListLevel)
        self.lists: dict[str, dict[int, ListLevel]] = {}
        for tree in trees:
            if tree is None:
                continue
            for style in tree.iterfind(".//style:style", _NS):
                name = style.get(f"{{{_NS['style']}}}name")
                parent = style.get(f"{{{_NS['style']}}}parent-style-name")
                if parent:
                    self.parent[name] = parent
                props = style.find("style:text-properties", _NS)
                if props is not None:
                    if props.get(f"{{{_NS['fo']}}}font-weight") in ("bold", "600", "700", "800", "900"):
                        self.bold.add(name)
                    if props.get(f"{{{_NS['fo']}}}font-style") in ("italic", "oblique"):
                        self.italic.add(name)
            for lst in tree.iterfind(".//text:list-style", _NS):
                self.lists[lst.get(f"{{{_NS['style']}}}name")] = {
                    int(level.get(f"{_T}level") or 1): ListLevel.of(level) for level in lst
                    if (level.get(f"{_T}level") or "1").isdigit()}
        self.bold |= {"Strong_20_Emphasis"}
        self.italic |= {"Emphasis"}

    def lineage(self, name: str | None):
        seen = 0
        while name and seen < 20:  # a style loop in a broken file must not hang us
            yield name
            name, seen = self.parent.get(name), seen + 1

    def block(self, name: str | None) -> str | None:
        for style in self.lineage(name):
            if style in _BLOCK_STYLES:
                return _BLOCK_STYLES[style]
            heading = re.fullmatch(r"Heading_20_([1-9])", style)
            if heading:  # a plain paragraph in a heading style is a heading all the same
                return f"h{heading[1]}"
        return None

    def looks(self, name: str | None) -> tuple[bool, bool]:
        names = list(self.lineage(name))
        return any(n in self.bold for n in names), any(n in self.italic for n in names)


@dataclass(frozen=True)
class ListLevel:
    """One level of an OpenDocument list style, as HTML says it: <ol type start> or <ul>."""

    ordered: bool = False
    numbering: str = "1"  # style:num-format: 1, a, A, i or I
    start: int = 1

    @classmethod
    def of(cls, element) -> ListLevel:
        if element.tag != f"{_T}list-level-style-number":
            return cls()
        numbering = element.get(f"{{{_NS['style']}}}num-format") or "1"
        start = element.get(f"{_T}start-value") or "1"
        return cls(True, numbering if numbering in ("1", "a", "A", "i", "I") else "1",
                   int(start) if start.isdigit() else 1)

    def element(self):
        if not self.ordered:
            return E.UL()
        attributes = {"type": self.numbering} if self.numbering != "1" else {}
        return E.OL(**attributes, **({"start": str(self.start)} if self.start != 1 else {}))


class _Converter:
    def __init__(self, styles: _Styles, meta: htmlnotes.Meta, archive: Archive):
        self.styles, self.meta, self.archive = styles, meta, archive
        self.notes = 0
        self.pending: list = []  # note bodies
        self.lists: list[str | None] = []  # the style of each list this one is inside, outermost first

    def children(self, element, out) -> None:
        for child in element:
            self.block(child, out)

    def block(self, element, out) -> None:
        tag = element.tag
        style = element.get(f"{_T}style-name")
        if tag == f"{_T}h":
            level = int(element.get(f"{_T}outline-level") or 1)
            kind = self.styles.block(style)
            heading = E.H1(**{"class": "title"}) if kind == "title" else getattr(E, f"H{min(level, 6)}")()
            out.append(self.inline(element, heading))
        elif tag == f"{_T}p":
            kind = self.styles.block(style)
            if kind == "title":
                out.append(self.inline(element, E.H1(**{"class": "title"})))
            elif kind and kind[0] == "h":
                out.append(self.inline(element, getattr(E, kind.upper())()))
            elif kind == "subtitle" and not self.meta.subtitle:
                self.meta.subtitle = " ".join(self.inline(element, E.P()).text_content().split())
            elif kind == "blockquote":
                out.append(E.BLOCKQUOTE(self.inline(element, E.P())))
            elif kind == "pre":
                out.append(self.inline(element, E.PRE()))
            else:
                out.append(self.inline(element, E.P()))
        elif tag == f"{_T}list":
            # A list inside a list item takes its style's next level (its own style, if it
            # names one, else the enclosing list's): LibreOffice names only the outermost.
            style = style or (self.lists[-1] if self.lists else None)
            lst = self.styles.lists.get(style, {}).get(len(self.lists) + 1, ListLevel()).element()
            self.lists.append(style)
            try:
                for item in element:
                    if item.tag in (f"{_T}list-item", f"{_T}list-header"):
                        li = E.LI()
                        self.children(item, li)
                        lst.append(li)
            finally:
                self.lists.pop()
            out.append(lst)
        elif tag == f"{_TB}table":
            out.append(self.table(element))
        elif tag in (f"{_T}section", f"{_T}index-body") or tag.endswith("}table-of-content"):
            div = E.DIV()
            self.children(element, div)
            out.append(div)
        elif tag == f"{_T}tracked-changes":
            for deleted in element.iterfind(".//text:deletion", _NS):
                words = " ".join(" ".join(deleted.itertext()).split())
                if words:
                    self.meta.removed.append(Removal(0, words, "a tracked deletion"))

    def inline(self, element, out):
        """Copies element's text and inline children into the HTML element out."""
        if element.text:
            _append_text(out, element.text)
        for child in element:
            tag = child.tag
            if tag == f"{_T}span":
                bold, italic = self.styles.looks(child.get(f"{_T}style-name"))
                target = E.SPAN()
                self.inline(child, target)
                if italic:
                    target = E.EM(target)
                if bold:
                    target = E.STRONG(target)
                out.append(target)
            elif tag == f"{_T}a":
                out.append(self.inline(child, E.A(href=child.get(f"{{{_NS['xlink']}}}href") or "")))
            elif tag == f"{_T}s":
                _append_text(out, " " * int(child.get(f"{_T}c") or 1))
            elif tag == f"{_T}tab":
                _append_text(out, " ")
            elif tag == f"{_T}line-break":
                out.append(E.BR())
            elif tag == f"{_T}note":
                out.append(self.note(child))
            elif tag == f"{{{_NS['office']}}}annotation":
                words = " ".join(" ".join(child.itertext()).split())
                if words:
                    self.meta.removed.append(Removal(0, words, "a comment (annotation) in the document"))
            elif tag == f"{{{_NS['draw']}}}frame":
                out.append(self.frame(child))
            elif tag in (f"{_T}bookmark", f"{_T}bookmark-start", f"{_T}bookmark-end", f"{_T}soft-page-break",
                         f"{_T}reference-mark", f"{_T}reference-mark-start", f"{_T}reference-mark-end",
                         f"{{{_NS['office']}}}annotation-end", f"{_T}change", f"{_T}change-start",
                         f"{_T}change-end"):
                pass  # markers with no text
            else:  # fields (page numbers, dates, references…): their shown text
                target = E.SPAN()
                self.inline(child, target)
                out.append(target)
            if child.tail:
                _append_text(out, child.tail)
        return out

    def table(self, element):
        """A table: its header rows (repeated on each page in the document) as <thead>, spans kept."""
        table, body = E.TABLE(), E.TBODY()
        for row in element.iter(f"{_TB}table-row"):
            if any(a.tag == f"{_TB}table" for a in row.iterancestors() if a is not element):
                continue  # a table inside a cell: read with its cell
            header = row.getparent().tag == f"{_TB}table-header-rows"
            tr = E.TR()
            for cell in row.iterfind("table:table-cell", _NS):
                td = E.TH() if header else E.TD()
                for name, attribute in (("colspan", "number-columns-spanned"), ("rowspan", "number-rows-spanned")):
                    if cell.get(f"{_TB}{attribute}"):
                        td.set(name, cell.get(f"{_TB}{attribute}"))
                for child in cell:  # a cell's paragraphs, one line each
                    if len(td) or (td.text or "").strip():
                        td.append(E.BR())
                    if child.tag in (f"{_T}p", f"{_T}h"):
                        self.inline(child, td)
                    else:
                        self.block(child, td)
                tr.append(td)
            (table.append(E.THEAD(tr)) if header else body.append(tr))
        table.append(body)
        return table

    def frame(self, element):
        """A frame: a picture inside the document (with the caption LibreOffice sets around it), or a text box."""
        image = element.find("draw:image", _NS)
        if image is not None:
            alt = " ".join(" ".join(t.itertext()) for kind in ("title", "desc")
                           for t in element.iterfind(f"svg:{kind}", _NS)).strip()
            alt = " ".join(alt.split())
            href = image.get(f"{{{_NS['xlink']}}}href") or ""
            url = self.archive.picture(href, self.meta.warnings) if href in self.archive.names else None
            if url is None:
                if href not in self.archive.names:
                    self.meta.warnings.append(coded(IMAGE, None, f"picture '{href}' left out: only pictures "
                                                                 "inside the document are read"))
                return E.SPAN(alt)
            return E.IMG(src=url, alt=alt)
        box = element.find("draw:text-box", _NS)
        if box is None:
            return E.SPAN()
        pictures = box.findall(".//draw:frame/draw:image", _NS)
        target = E.FIGURE() if pictures else E.SPAN()
        caption = E.FIGCAPTION() if pictures else target
        for paragraph in box:
            if paragraph.tag in (f"{_T}p", f"{_T}h"):
                self.inline(paragraph, caption)
                _append_text(caption, " ")
        if pictures:
            for img in list(caption.iter("img")):
                replace_with_text(img)  # its tail stays in the caption
                img.tail = None
                target.append(img)
            target.append(caption)
        return target

    def note(self, element):
        """A reference and its body, side by side for now: htmlnotes links and takes them apart."""
        self.notes += 1
        note_id = f"odt-note-{self.notes}"
        body = E.DIV(id=note_id)
        for part in element.iterfind("text:note-body", _NS):
            self.children(part, body)
        self.pending.append(body)
        return E.SUP(E.A(element.findtext("text:note-citation", "", _NS) or str(self.notes),
                         href=f"#{note_id}", **{"class": "noteref"}))


def _append_text(element, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text
