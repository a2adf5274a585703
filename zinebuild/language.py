"""Turn a document's text into its language (a BCP 47 tag), where the text says so clearly.

A piece whose source names no language (front matter, an HTML ``lang``) gets the one its words
show, so that hyphenation and ``xml:lang`` are right; a config ``lang`` still wins (``assemble``).
A short or mixed text says nothing for sure, and is left to the book's language.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from .model import Document, Heading, ListBlock, Paragraph, Quote, Source, block_text

SAMPLE = 4000  # characters: enough for a sure answer, little enough to stay quick
MIN_WORDS = 12  # fewer words than this say nothing for sure
CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier():
    # Loading the model takes a moment: once per process, and only when a text needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


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
    return replace(source, documents=documents)
