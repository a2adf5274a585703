"""Turn a document's text into its language (a BCP 47 tag), where the text says so clearly, and
mark runs of words in another script with theirs.

A piece whose source names no language (front matter, an HTML ``lang``) gets the one its words
show, so that hyphenation and ``xml:lang`` are right; a config ``lang`` still wins (``assemble``).
A short or mixed text says nothing for sure, and is left to the book's language.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from . import langmodel, memory
from .cache import BlobCache
from .model import (Caption, Document, Emphasis, Heading, ListBlock, Paragraph, Quote, Source, Span, Strong, Text,
                    block_text)

SAMPLE = 4000  # characters: enough for a sure answer, little enough to stay quick
MIN_WORDS = 12  # fewer words than this say nothing for sure
CONFIDENCE = 0.9


def _identifier():
    return langmodel.identifier()


def preload(store: BlobCache | None = None) -> None:
    """Start loading the model in a thread of its own, once per process: a source about to be
    cleaned will ask for it at the end, and the unpacking (which lets go of the GIL) runs
    meanwhile on another core; store keeps it unpacked for the next build (langmodel.py).
    A faster detector was tried: a count of function words agreed with the model wherever
    the model was sure, but not where it was unsure (a licence's first 400 characters: the
    model says nothing, the count says English), and those answers are the book's xml:lang
    and hyphenation, recorded in the goldens: the model stays."""
    global _PRELOADING
    if _PRELOADING is None and not langmodel.loaded():
        _PRELOADING = threading.Thread(target=langmodel.identifier, args=(store,), daemon=True,
                                       name="zinebuild-language-model")
        _PRELOADING.start()


_PRELOADING: threading.Thread | None = None


def release() -> None:
    """Let the model go (about 60 MiB) once a one-off build has read its sources: the pages are
    laid out while it would sit unused. The next text that needs it loads it again."""
    global _PRELOADING
    if _PRELOADING is not None:
        _PRELOADING.join()  # a load under way finishes before it is let go
        _PRELOADING = None
    langmodel.release()
    memory.trim()  # and what cleaning freed (the word lists went just before): 6 MiB in the heap


def detect(text: str) -> str | None:
    """The language of a text, or None when the text is too short or the answer unsure."""
    if len(text.split()) < MIN_WORDS:
        return None
    language, probability = _identifier().classify(text[:SAMPLE])
    return language if probability >= CONFIDENCE else None


def sample(doc: Document) -> str:
    """The document's running text: prose, headings and lists, not code or tables."""
    parts: list[str] = []
    size = 0
    for block in doc.blocks:
        if isinstance(block, (Paragraph, Heading, ListBlock, Quote)):
            parts.append(block_text(block))
            size += len(parts[-1])
            if size > SAMPLE:
                break
    return "\n".join(parts)


def with_languages(source: Source) -> Source:
    """Each document with no language of its own gets the one its text shows."""
    documents = tuple(replace(doc, lang=detect(sample(doc))) if doc.lang is None else doc
                      for doc in source.documents)
    return replace(source, documents=tuple(mark_scripts(doc) for doc in documents))


# Scripts that name their language, and Cyrillic, whose language the model picks among those
# written in it. A run of them inside text of another script is marked with its language.
_SCRIPTS = (
    ("el", r"\u0370-\u03ff\u1f00-\u1fff"), ("he", r"\u0590-\u05ff"), ("hy", r"\u0530-\u058f"),
    ("ka", r"\u10a0-\u10ff"), ("th", r"\u0e00-\u0e7f"), ("ko", r"\uac00-\ud7af\u1100-\u11ff"),
    ("ja", r"\u3040-\u30ff"), ("Cyrl", r"\u0400-\u04ff"),
)
_CYRILLIC_LANGUAGES = ("ru", "uk", "be", "bg", "mk", "sr")
_RUNS = [(tag, re.compile(rf"[{chars}]+(?:[\s\-’'][{chars}]+)*")) for tag, chars in _SCRIPTS]
_SCRIPT_OF_LANGUAGE = {"el": "el", "he": "he", "hy": "hy", "ka": "ka", "th": "th", "ko": "ko", "ja": "ja",
                       **{lang: "Cyrl" for lang in _CYRILLIC_LANGUAGES}}


def run_language(tag: str, text: str) -> str:
    """The language of a run in a given script: the script's own, or for Cyrillic the likeliest
    of the languages written in it (BCP 47 'und-Cyrl' when the run is too short to tell)."""
    if tag != "Cyrl":
        return tag
    if len(text.split()) < 3:
        return "und-Cyrl"
    ranked = [lang for lang, _ in _identifier().rank(text) if lang in _CYRILLIC_LANGUAGES]
    return ranked[0] if ranked else "und-Cyrl"


def mark_scripts(doc: Document) -> Document:
    """Runs in another script than the piece's (a Russian name in English text) as Spans."""
    if doc.lang is None:
        return doc  # a piece of unknown language has no "other" script
    own = _SCRIPT_OF_LANGUAGE.get(doc.lang.split("-")[0])
    patterns = [(tag, pattern) for tag, pattern in _RUNS if tag != own]

    def inlines(nodes):
        out = []
        for node in nodes:
            if isinstance(node, Text):
                out.extend(_split(node.text, patterns))
            elif isinstance(node, (Emphasis, Strong)):
                out.append(replace(node, children=inlines(node.children)))
            else:
                out.append(node)
        return tuple(out)

    def block(b):
        if isinstance(b, (Paragraph, Heading, Caption)):
            return replace(b, inlines=inlines(b.inlines))
        if isinstance(b, ListBlock):
            return replace(b, items=tuple(inlines(i) for i in b.items))
        if isinstance(b, Quote):
            return replace(b, blocks=tuple(block(x) for x in b.blocks))
        return b

    blocks = tuple(block(b) for b in doc.blocks)
    return doc if blocks == doc.blocks else replace(doc, blocks=blocks)


def _split(text: str, patterns) -> list:
    found = sorted((m.start(), m.end(), tag) for tag, pattern in patterns for m in pattern.finditer(text))
    if not found:
        return [Text(text)]
    out: list = []
    at = 0
    for start, end, tag in found:
        if start < at:
            continue
        if start > at:
            out.append(Text(text[at:start]))
        out.append(Span(run_language(tag, text[start:end]), (Text(text[start:end]),)))
        at = end
    if at < len(text):
        out.append(Text(text[at:]))
    return out
