"""The shapes of lines the cleaner recognises, named once and shared by its stages."""

from __future__ import annotations

import re

EM_DASH, EN_DASH, HORIZONTAL_BAR = "\u2014", "\u2013", "\u2015"
DASHES = EM_DASH + EN_DASH + HORIZONTAL_BAR
BULLETS = "•‣◦▪▫●○■□–—-*·"

# A line that ends a sentence (closing quotes and brackets may follow the stop).
SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]]*$")
# Stops that do not end a paragraph in running text: a lone comma, an opening quote.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]’”]")

# "1)", "1.", "2:", "(3)" at the start of a line, with or without a space after.
NUMBER_MARKER = re.compile(r"^\s*(\d{1,3})(?:[.):]|\s*[–-])\s*(?=\S)")
# "•", "–", "-", "*" bullets at the start of a line (followed by text).
BULLET_MARKER = re.compile(rf"^\s*[•‣◦▪●■·*{EN_DASH}{EM_DASH}-]\s+(?=\S)")

# " -- Jane Doe <jane@example.org>  Mon, 01 Jan 2024" (Debian's signature under a text), or a
# name and address alone on the last line.
SIGNED = re.compile(r"^\s*--\s+(?P<who>[^<>]+?)\s*<[^>]+>.*$"
                    r"|^\s*(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})\s*<[^<>@\s]+@[^<>\s]+>\s*$")

NOTES_HEADER = re.compile(
    r"^\s*(notes?(\s+and\s+(sources|references))?|sources(\s+and\s+notes)?|references|endnotes|footnotes)"
    r"\s*[:—–-]?\s*$", re.I)  # "References:", "References -"
# "[1] …", "(1) …", "1) …", "1. Author, Title": a note under a notes heading.
NOTE_START = re.compile(r"^\s*[\[(](\d{1,5})[\])]\s*(.*)$|^\s*(\d{1,5})[.)]\s+(.*)$")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def ends_sentence(text: str) -> bool:
    # The end alone is searched: callers ask this of paragraphs growing line by line, and a
    # search of the whole made a paragraph of 20,000 lines take minutes.
    tail = text[-200:].rstrip() or text.rstrip()[-200:]
    return bool(SENTENCE_END.search(tail))


def is_title_like(text: str, max_words: int = 16) -> bool:
    """Short, standalone, not a sentence: how titles and headings look in copied text."""
    text = text.strip()
    if not text or len(text) > 140 or len(words(text)) > max_words or len(words(text)) == 0:
        return False
    if URL.search(text):
        return False
    bare = text.rstrip("’”'\"»)")
    if bare.endswith(("..", "…", "?", "!")):
        return True
    return not ends_sentence(bare) and not bare.endswith(",")


def has_inner_sentences(text: str) -> bool:
    """'What do we want?  Pragmatism! When …': sentences inside, so not a heading."""
    return bool(re.search(r"[.!?]['’”\"]?\s+[A-Z‘“]", text.strip()[:-1]))


def mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.85
