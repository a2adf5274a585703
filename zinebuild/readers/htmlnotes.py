"""Turn the HTML that other readers make (from Word, OpenDocument, EPUB) into a Document with linked notes.

The blocks come from the HTML reader's walker (``htmlblocks.Walker``), pictures and tables from
``figures.lift``; this module adds what a saved web page lacks and a book has: notes linked to
their references (found by ``notelinks.py``), and the title, subtitle and authors a document's
metadata gives.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..model import (Block, Break, Caption, Document, Heading, Image, Inline, Note, NoteRef, Paragraph, Quote, Removal,
                     Source, Table, Text, block_text, plain, shift_headings, with_inlines)
from ..slug import slugify
from . import figures
from .htmlblocks import Walker
from .notelinks import CLOSE, OPEN, epub_types, extract_notes  # noqa: F401  (epub.py reads them from here)
from .tree import replace_with_text

_MARK = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
# Never text: what runs, draws or submits. Their words (a form's labels) are reported.
_NOT_TEXT = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form", "button", "select",
             "input", "textarea", "svg", "canvas", "video", "audio", "head", "title", "meta", "link")
# "* * *" or "⁂" alone: how a word processor's user writes a scene break.
_SCENE_BREAK = re.compile(r"^\s*(\*\s*){3,5}$|^\s*⁂\s*$")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass
class Meta:
    """What a document's own metadata says (core.xml, meta.xml, the OPF)."""

    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    lang: str = ""
    date: str = ""
    source_url: str = ""
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_xml(cls, tree, namespaces: dict, title: str, authors: tuple[str, ...], lang: str) -> "Meta":
        """A document's properties file (docProps/core.xml, meta.xml): the first of each that is set."""
        def first(*xpaths: str) -> str:
            for xpath in xpaths:
                value = " ".join(str(tree.xpath(f"string({xpath})", namespaces=namespaces)).split())
                if value:
                    return value
            return ""

        author = first(*authors)
        return cls(title=first(title), authors=(author,) if author else (), lang=first(lang))


def single_source(path, root, meta: Meta, kind: str) -> Source:
    """The Source of a one-article document whose notes link by id inside root."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    notes = extract_notes(root, lambda href: by_id.get(href.partition("#")[2]), meta)
    doc = document(root, notes, meta, path.stem.replace("_", " "), path)
    return Source(str(path), kind, (doc,), tuple(meta.removed), tuple(meta.warnings))


def clean_tree(root, meta: Meta) -> None:
    """Takes out what is never text, and the private marks this module uses, before anything else."""
    for element in root.iter():
        if element.text:
            element.text = element.text.replace(OPEN, "").replace(CLOSE, "")
        if element.tail:
            element.tail = element.tail.replace(OPEN, "").replace(CLOSE, "")
    for element in root.iter("p"):
        classes = (element.get("class") or "").split()
        if "caption" in classes:
            element.tag = "figcaption"  # a caption written as a paragraph (zinebuild's own EPUB does)
        if "photo-missing" in classes:
            _unmark_missing_photo(element, meta)
    for element in list(root.iter(*_NOT_TEXT)):
        if element.getparent() is None:
            continue
        words = " ".join(element.text_content().split()) if element.tag in ("form", "button", "select") else ""
        if words:
            meta.removed.append(Removal(element.sourceline or 0, words, f"<{element.tag}> is not text"))
        drop(element)


def _unmark_missing_photo(element, meta: Meta) -> None:
    """zinebuild's layouts print a caption whose photo is not in the book as "[Photo: …]": the
    label is the layout's, not the text's, and is reported rather than read as the caption."""
    last = element[-1] if len(element) else None
    tail = last.tail if last is not None else element.text
    if not (element.text or "").startswith(PHOTO_LABEL) or not (tail or "").rstrip().endswith("]"):
        return
    if last is not None:
        last.tail = tail.rstrip()[:-1]
    element.text = element.text[len(PHOTO_LABEL):]
    if last is None:
        element.text = element.text.rstrip()[:-1]
    meta.removed.append(Removal(element.sourceline or 0, "[Photo: ]", "the layout's label of a caption without its photo"))


PHOTO_LABEL = "[Photo: "


def document(root, notes: list[tuple[str, object]], meta: Meta, fallback_title: str, path) -> Document:
    """The Document of an HTML body whose note references are marks and whose notes are taken out.

    Pictures (their src a data: URL by now: a document's pictures are inside it) and tables become
    blocks of their own as in a web page (figures.py); a caption paragraph right after one is its caption.
    """
    walker = Walker()
    figures.lift(root, walker._children, path, meta.warnings)
    levels = [0 if "title" in (h.get("class") or "").split() else int(h.tag[1])
              for h in root.iter(*_HEADINGS) if h.text_content().strip()]
    blocks = _relevel(_captions([_resolve_block(b) for b in walker.blocks(root)]), levels)
    note_list = []
    for note_id, body in notes:
        paragraphs = tuple(_resolve(getattr(b, "inlines", None) or (Text(block_text(b)),))
                           for b in Walker().blocks(body))
        note_list.append(Note(note_id, paragraphs or ((Text(""),),)))
    title = meta.title
    if blocks and isinstance(blocks[0], Heading) and (blocks[0].level == 0 or not title
                                                       or _same(plain(blocks[0].inlines), title)):
        title = title or plain(blocks[0].inlines).strip()
        blocks = blocks[1:]  # the title heading is the piece's title
    elif blocks and isinstance(blocks[0], Paragraph) and title and _same(plain(blocks[0].inlines), title):
        blocks = blocks[1:]  # a title typed as a big paragraph (LibreOffice's EPUB export)
    blocks = join_quotes([dataclasses.replace(b, level=max(b.level, 1)) if isinstance(b, Heading)
                           else Break() if isinstance(b, Paragraph) and _SCENE_BREAK.match(plain(b.inlines))
                           else b for b in blocks])
    subtitle = meta.subtitle
    lang = meta.lang.strip()
    if lang and not _LANG.match(lang):
        meta.warnings.append(f"language '{lang}' is not a language tag; the book's language is used")
        lang = ""
    return Document(title=title or fallback_title, blocks=shift_headings(tuple(blocks)), notes=tuple(note_list),
                    subtitle=subtitle or None, authors=meta.authors, lang=lang or None,
                    slug=slugify(title or fallback_title), source_url=meta.source_url or None,
                    date=meta.date or None, untitled=not title)


def _captions(blocks: list[Block]) -> list[Block]:
    """A word processor's caption is a paragraph of its own (style Caption) after its picture or table."""
    out: list[Block] = []
    for block in blocks:
        if not (isinstance(block, Caption) and figures.take_caption(out, block)):
            out.append(block)
    return out


def join_quotes(blocks: list[Block]) -> list[Block]:
    """Paragraphs quoted in a row are one quotation (a word processor styles each paragraph as one,
    a PDF's layout shows each paragraph set in)."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Quote) and out and isinstance(out[-1], Quote):
            out[-1] = Quote(out[-1].blocks + block.blocks)
        else:
            out.append(block)
    return out


def _relevel(blocks: list[Block], levels: list[int]) -> list[Block]:
    """The HTML reader makes h1 and h2 both level 1 (a web page's h1 is its title); here every
    level counts, and a Title-style paragraph (h1.title) is level 0 until it becomes the title."""
    found = list(_headings(blocks))
    if len(found) != len(levels):
        return blocks  # the HTML reader dropped or split one: keep its levels
    new = iter(levels)
    return [_with_levels(b, new) for b in blocks]


def _headings(blocks):
    for block in blocks:
        if isinstance(block, Heading):
            yield block
        elif isinstance(block, Quote):
            yield from _headings(block.blocks)


def _with_levels(block: Block, levels) -> Block:
    if isinstance(block, Heading):
        return dataclasses.replace(block, level=next(levels))
    if isinstance(block, Quote):
        return Quote(tuple(_with_levels(b, levels) for b in block.blocks))
    return block


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def drop(element) -> None:
    """Removes an element, keeping the text that follows it."""
    replace_with_text(element)


def _resolve(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and OPEN in node.text:
            pos = 0
            for match in _MARK.finditer(node.text):
                if match.start() > pos:
                    out.append(Text(node.text[pos:match.start()]))
                out.append(NoteRef(match[1]))
                pos = match.end()
            if pos < len(node.text):
                out.append(Text(node.text[pos:]))
        elif hasattr(node, "children"):
            out.append(dataclasses.replace(node, children=_resolve(node.children)))
        else:
            out.append(node)
    # "word¹" was "word<sup>1</sup>": no space is lost, none is added.
    return tuple(out)


def _resolve_block(block: Block) -> Block:
    if isinstance(block, (Image, Table)):
        return with_inlines(block, _resolve)
    if hasattr(block, "inlines"):
        return dataclasses.replace(block, inlines=_resolve(block.inlines))
    if hasattr(block, "items"):
        return dataclasses.replace(block, items=tuple(_resolve(i) for i in block.items))
    if hasattr(block, "blocks"):
        return dataclasses.replace(block, blocks=tuple(_resolve_block(b) for b in block.blocks))
    return block

