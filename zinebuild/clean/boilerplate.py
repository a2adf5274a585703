"""Drop web and print clutter lines by their shape and position, reporting each one.

Each rule is a small function: (line text) -> reason or None. None of them knows a
site's exact strings; they know what clutter looks like.
"""

from __future__ import annotations

import re

from ..model import Removal
from .lines import Line
from .shapes import mostly_upper, words

# Rows of underscores, dashes, equals signs: visual separators from web pages and emails.
_SEPARATOR = re.compile(r"^\s*([_=~#•·*.\-–—])(\s?\1){3,}\s*$")
# "3 days ago", "1 month ago": timestamps of a comment or post.
_TIMESTAMP = re.compile(r"^\s*(about\s+)?(\d+|an?|one)\s+(second|minute|hour|day|week|month|year)s?\s+ago\s*$", re.I)
# A lone number: a like or view counter on the web, a running page number in a PDF.
_LONE_NUMBER = re.compile(r"^\s*\d{1,5}\s*$")
# "Listen to the Episode — 105 min": an audio or video player's label.
_DURATION = re.compile(r"\b\d+\s*(min|mins|minutes|sec|secs|seconds|h|hrs|hours)\b\.?", re.I)
_MEDIA_WORD = re.compile(r"\b(listen|watch|play|episode|video|audio|podcast|stream)\b", re.I)
# "You can listen to the song here.": the text of a link whose link was lost in copying.
_DANGLING_LINK = re.compile(r"^\s*(you can\s+|click\s+|tap\s+)?(listen|watch|read|download|see|view|find)\b.{0,60}\bhere\s*[.!]?\s*$", re.I)
# "Loading comments...", "Saving…": a web page's progress message.
_PROGRESS = re.compile(r"^\s*[A-Z][a-z]+ing\b(\s+\w+){0,3}\s*(\.{3}|…)\s*$")
# "Subscribe to us!", "Follow us on …", "Donate now": short calls to the reader.
_CALL = re.compile(r"^\s*(subscribe|follow|donate|support|share|like|sign\s+up|join|download)\b", re.I)


def _language_menu(text: str) -> bool:
    # "/ Česky / Magyar / Deutsch /": three or more one- or two-word items between slashes or bars.
    if text.count("/") + text.count("|") < 2:
        return False
    items = [i.strip() for i in re.split(r"[/|]", text) if i.strip()]
    return len(items) >= 3 and all(len(i) <= 20 and len(i.split()) <= 2 and i[0].isupper() for i in items)


def _call_to_action(text: str, first: bool) -> bool:
    n = len(words(text))
    if n == 0 or n > 8 or text.rstrip().endswith(":"):
        return False
    # Shouting that ends in "!" ("SUBSCRIBE TO US!"); all-caps headings and codes do not.
    if mostly_upper(text) and text.rstrip().endswith("!") and not first:
        return True
    return bool(_CALL.match(text)) and bool(re.search(r"\b(us|our|now|today|here)\b|!", text, re.I))


def classify(text: str, first: bool, wrapped: bool) -> str | None:
    """The reason a line is clutter, or None."""
    if _SEPARATOR.match(text):
        return "separator line"
    if _language_menu(text):
        return "language menu"
    if _TIMESTAMP.match(text):
        return "timestamp"
    if _LONE_NUMBER.match(text):
        return "page number" if wrapped else "counter"
    if _PROGRESS.match(text):
        return "progress message"
    if len(words(text)) <= 12 and _DURATION.search(text) and _MEDIA_WORD.search(text):
        return "media player"
    if len(words(text)) <= 12 and _DANGLING_LINK.match(text):
        return "link text without its link"
    if _call_to_action(text, first):
        return "call to action"
    return None


def remove_clutter(lines: list[Line], removed: list[Removal], wrapped: bool) -> list[Line]:
    """Blank out clutter lines (blank, not deleted: the gap still separates paragraphs)."""
    out = []
    first = True
    for line in lines:
        if line.blank:
            out.append(line)
            continue
        reason = classify(line.text, first, wrapped)
        if reason:
            removed.append(Removal(line.number, line.stripped, reason))
            out.append(Line(line.number, ""))
        else:
            out.append(line)
            first = False
    return out
