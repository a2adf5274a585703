"""Give each chunk a kind by its shape and neighbours: heading, caption, list item, byline, …"""

from __future__ import annotations

import re
from collections import Counter

from .shapes import (BULLET_MARKER, EM_DASH, NOTES_HEADER, NUMBER_MARKER, SIGNED, URL, ends_sentence,
                     has_inner_sentences, is_title_like, words)
from .unwrap import Chunk

_BREAK = re.compile(r"^\s*(\*|\*\s?\*\s?\*|⁂|#|~|§)\s*$")
# "Mobilization bus smashing in Odessa. From social media": a description, then its source.
_CAPTION_SOURCE = re.compile(r"[.:]\s+(from|photos?|image|video|source|courtesy|received|also sent|credit)\b[^.]*$", re.I)
# "Footage of terror in the eyes…": a caption names what the picture shows.
_CAPTION_START = re.compile(r"^(footage|photo|photos|image|picture|screenshot|video still|illustration)\b", re.I)
# Bylines at the start of an article: "Author – X", "Article by X", "From an article by X – URL".
# The name starts with a capital: "By default, cjpeg …" is a sentence, not a byline.
BYLINE = re.compile(r"^(?:author\s*[–—:-]\s*|(?:(?:from\s+an?\s+|original\s+)?article\s+)?(?:written\s+)?by\s+"
                    r"(?=[\W\d]*(?-i:[A-Z\u00c0-\u00de\u0400-\u042f])))(?P<who>.+)$", re.I)
# Signatures closing an article: "—Autonomous Action", "Martin (CAS)", "Article by Dreyfus".
_DASH_SIGNATURE = re.compile(rf"^[{EM_DASH}\u2015]\s?(?P<who>[A-Z][^.!?]{{1,80}})$")
_NAME_ORG = re.compile(r"^(?P<who>[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){0,3} \([A-Z]{2,10}\))$")
# "KRAS*:", "Introduction:": a label standing before a title.
LABEL = re.compile(r"^(?P<label>[\w’'. -]{2,30}?)(?P<star>\*?)\s*:$")
# A FAQ's "Q. Why …?" and "A. Because …" (or "Q:" and "A:") paragraphs.
_QA = re.compile(r"^(?P<mark>[QA])[.:]\s+\S")
_SPEAKER = re.compile(r"^(?P<who>[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*){0,3}):\s+\S")


def byline(text: str) -> str | None:
    match = BYLINE.match(text.strip())
    if match and len(words(URL.sub("", match["who"]))) <= 14:
        return match["who"].strip()
    return None


def signature(text: str) -> str | None:
    text = text.strip()
    signed = SIGNED.match(text)
    if signed:
        return (signed["who"] or signed["name"]).strip()
    for pattern in (_DASH_SIGNATURE, _NAME_ORG):
        match = pattern.match(text)
        if match:
            return match["who"].strip()
    who = byline(text)
    if who and not URL.search(who) and len(words(who)) <= 6:
        return who
    return None


def is_caption(chunk: Chunk) -> bool:
    text = chunk.text
    if len(text) > 220 or len(chunk.lines) > 1 or ends_sentence(text) and not _CAPTION_SOURCE.search(text):
        return False
    if _CAPTION_SOURCE.search(text) and len(words(text)) <= 40:
        return True
    return bool(_CAPTION_START.match(text)) and len(words(text)) <= 20


def classify(chunks: list[Chunk], wrapped: bool) -> list[Chunk]:
    speakers = _speakers(chunks)
    in_notes = False
    last_question = 0  # the number of the last numbered question ("9)What message …?")
    for i, chunk in enumerate(chunks):
        text = chunk.text
        if chunk.kind == "pagenote":
            continue
        if NOTES_HEADER.match(text):
            chunk.kind, in_notes = "notes-header", True
            continue
        if in_notes:
            # Notes are parsed as a whole later; only a title can end them (a new article).
            chunk.kind = "note-text"
            if is_title_like(text, 20) and not NUMBER_MARKER.match(text) and not text.startswith(("(", "[")):
                following = chunks[i + 1] if i + 1 < len(chunks) else None
                if following and not re.match(r"^\s*[\[(]\d", following.text) and len(following.text) > 100:
                    chunk.kind, in_notes = "heading", False
            continue
        if _BREAK.match(text):
            chunk.kind = "break"
        elif _is_question(chunk, speakers) or _next_question(text, last_question):
            chunk.kind, chunk.role = "paragraph", "question"
            chunk.text = re.sub(r"^(\d{1,3}\))(?=\S)", r"\1 ", text)
            number = re.match(r"^(\d{1,3})\)", text)
            last_question = int(number[1]) if number else last_question
        elif text.startswith(EM_DASH + " "):
            chunk.kind = "paragraph"  # dialogue, not a bullet
        elif BULLET_MARKER.match(text) and len(chunk.lines) == 1 and len(text) < 400:
            inner = BULLET_MARKER.sub("", text, count=1)
            number = NUMBER_MARKER.match(inner)
            chunk.kind, chunk.text = ("numbered", inner) if number else ("bullet", inner)
            if number:
                chunk.number = int(number[1])
        elif NUMBER_MARKER.match(text) and (len(chunk.lines) == 1 or wrapped):
            chunk.kind, chunk.number = "numbered", int(NUMBER_MARKER.match(text)[1])
        elif chunk.kind in ("lines", "item"):
            pass
        elif LABEL.match(text) and len(words(text)) <= 3:
            chunk.kind = "label"
        elif is_caption(chunk):
            chunk.kind = "caption"
        elif signature(text) and (_DASH_SIGNATURE.match(text) or _NAME_ORG.match(text) or BYLINE.match(text)):
            chunk.kind = "byline"
        elif SIGNED.match(text) and len(chunk.lines) == 1:
            # "Damien Miller <djm@…>" in the middle of a README signs what is above it; what follows
            # (a postscript, references) belongs to the same text, so it starts no article.
            chunk.kind, chunk.role = "paragraph", "signature"
        elif len(chunk.lines) == 1 and _heading_shape(chunk, first=not any(c.kind != "pagenote" for c in chunks[:i])):
            chunk.kind = "heading"
    return chunks


def _heading_shape(chunk: Chunk, first: bool) -> bool:
    # The first line of a text may be a long title with a full stop inside; later headings may
    # not, and a web heading that lost its image above it (two blank lines) may run longer.
    if first:
        return is_title_like(chunk.text, 24)
    limit = 24 if chunk.gap_before >= 2 else 16
    return is_title_like(chunk.text, limit) and not has_inner_sentences(chunk.text)


def _is_question(chunk: Chunk, speakers: set[str]) -> bool:
    text = chunk.text.rstrip()
    if not text.endswith(("?", "?”", "?’", "?\"")) and not re.match(r"^\d{1,3}\)\S.*\?", text):
        return False
    if text.startswith(EM_DASH) or re.match(r"^\d{1,3}\)", text):
        return True
    if _QA.match(text) and _QA.match(text)["mark"] == "Q" and "A" in speakers:
        return True  # a FAQ's "Q. …?" where "A. …" paragraphs answer
    match = _SPEAKER.match(text)
    return bool(match and match["who"] in speakers)


def faq_questions(chunks: list[Chunk]) -> None:
    """A FAQ's "Q. …?" paragraphs are questions where "A." paragraphs answer (three at least):
    plain documents (clean/plain.py) keep their own kinds, and get this role too."""
    if _speakers([c for c in chunks if c.kind == "paragraph"]) & {"A"}:
        for chunk in chunks:
            if chunk.kind == "paragraph" and chunk.role is None and _is_question(chunk, {"A"}):
                chunk.role = "question"


def _next_question(text: str, last_question: int) -> bool:
    """'10)Thank you for the interview …': the next number after numbered questions is one too."""
    number = re.match(r"^(\d{1,3})\)", text)
    return bool(number and last_question and int(number[1]) == last_question + 1)


def _speakers(chunks: list[Chunk]) -> set[str]:
    """Names that label three or more paragraphs: an interview's speakers."""
    counts = Counter(m["who"] for c in chunks if (m := _SPEAKER.match(c.text)))
    counts.update(m["mark"] for c in chunks if (m := _QA.match(c.text)))  # "A. …" answers three times: a FAQ
    return {who for who, n in counts.items() if n >= 3}
