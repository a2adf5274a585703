"""Turn the note references of an HTML tree into marks, and take its note bodies out: notes found
by their links (``epub:type="noteref"``, ``role="doc-noteref"``, LibreOffice's ``sdfootnoteanc``,
the common ``<sup><a href="#n1">``), in the same document or another one (an EPUB's notes file).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..labels import LABELS
from ..model import Removal
from .tree import replace_with_text

# A note reference becomes this mark in the text, and a NoteRef once the HTML reader is done.
OPEN, CLOSE = "\ue000", "\ue001"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_NOTE_LABEL = re.compile(r"^\s*[\[(]?\s*(\d{1,4}|[*†‡§]+|[ivxlc]{1,6})\s*[\])]?\.?\s*$", re.I)
# "Notes" in the languages the book's own headings come in (labels.py): a zinebuild EPUB reads back clean.
_NOTES_HEADING = re.compile(r"^\s*(foot|end)?notes?\s*$|^\s*(" + "|".join(sorted({re.escape(words.notes)
                            for words in LABELS.values()})) + r")\s*$", re.I)
_INLINE = ("sup", "sub", "span", "em", "strong", "b", "i", "small", "cite", "code")


def extract_notes(root, target: Callable[[str], object | None], meta) -> list[tuple[str, object]]:
    """Replaces each note reference in root with a mark and takes its note body out of its tree.

    ``target(href)`` finds the element an href points to (in this document or another one);
    returns (note id, body element) in the order the text refers to them.
    """
    found: dict[int, tuple[str, object]] = {}
    order: list[tuple[str, object]] = []
    inside: set[int] = set()  # links in a note found so far: its back-link is no reference
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        if "#" not in href or id(link) in inside or not _is_reference(link):
            continue
        body = _note_body(target(href))
        if body is None or _contains(body, link):
            continue
        if id(body) not in found:
            found[id(body)] = (str(len(found) + 1), body)
            order.append(found[id(body)])
            inside.update(id(a) for a in body.iter("a"))
        note_id = found[id(body)][0]
        ref = link.getparent() if _only_child(link, "sup") else link
        replace_with_text(ref, f"{OPEN}{note_id}{CLOSE}")
    for note_id, body in order:
        _drop_backlinks(body)
        _drop_label(body)
        parent = body.getparent()
        replace_with_text(body)
        _drop_empty_notes_container(parent, meta)
    return order


def epub_types(element) -> str:
    """An element's epub:type, however the parser spelled the attribute."""
    return " ".join(element.get(key) or "" for key in (_EPUB_TYPE, "epub:type", "data-epub-type"))


def _is_reference(link) -> bool:
    kinds = f"{epub_types(link)} {link.get('role', '')} {link.get('class', '')}"
    if re.search(r"noteref|footnote|endnote|sdfootnoteanc|sdendnoteanc", kinds, re.I):
        return "backlink" not in kinds and "footnotebody" not in kinds
    parent = link.getparent()
    in_sup = (parent is not None and parent.tag == "sup") or link.find("sup") is not None
    return in_sup and bool(_NOTE_LABEL.match(link.text_content()))


def _note_body(element):
    """The element holding a note: the target itself, or the paragraph around a target anchor."""
    if element is None or element.tag in _INLINE:
        return None  # a place in running text (a back-link's target), not a note
    if element.tag == "a" and element.getparent() is not None:
        parent = element.getparent()
        # LibreOffice: <div id="sdfootnote1"><p><a name="sdfootnote1sym">1</a>text</p></div>
        grand = parent.getparent()
        if grand is not None and grand.tag in ("div", "aside", "li", "section") and len(grand) == 1:
            return grand
        return parent
    return element


def _contains(body, link) -> bool:
    return any(e is link for e in body.iter("a"))


def _only_child(link, tag: str) -> bool:
    parent = link.getparent()
    return (parent is not None and parent.tag == tag and len(parent) == 1 and not (parent.text or "").strip()
            and not (link.tail or "").strip())


def _drop_backlinks(body) -> None:
    """The "↑" or "1." that leads back to the reference: the book makes its own."""
    for link in list(body.iter("a")):
        kinds = f"{epub_types(link)} {link.get('role', '')} {link.get('class', '')}"
        label = link.text_content().strip()
        if "#" in (link.get("href") or "") and ("backlink" in kinds or "sdfootnotesym" in kinds
                                                or "sdendnotesym" in kinds or _NOTE_LABEL.match(label)
                                                or label in ("↑", "↩", "^", "⮌", "back")):
            replace_with_text(link)


def _drop_label(body) -> None:
    """A note's own number ("<span>1.</span>") before its text: the book numbers notes itself."""
    for element in body.iter():
        if element is body:
            continue
        if (element.text or "").strip() and element.tag not in ("span", "sup", "b", "strong", "small", "a"):
            return
        if element.tag in ("span", "sup", "b", "strong", "small", "a"):
            if _NOTE_LABEL.match(element.text_content()) and element.getprevious() is None:
                replace_with_text(element)
            return


def _drop_empty_notes_container(element, meta) -> None:
    """The list or section that held the notes goes too, with its "Notes" heading (reported)."""
    while element is not None and element.tag not in ("body", "html"):
        text = " ".join(element.text_content().split())
        parent = element.getparent()
        if text and not _NOTES_HEADING.match(text):
            return
        if text:
            meta.removed.append(Removal(element.sourceline or 0, text, "the notes' heading (notes are linked)"))
        replace_with_text(element)
        element = parent
