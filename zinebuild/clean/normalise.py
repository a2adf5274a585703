"""Turn decoded text into plain lines: one line ending, no invisible or odd spaces."""

from __future__ import annotations

import re

NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SOFT_HYPHEN = "\u00ad"
REPLACEMENT_CHARACTER = "\ufffd"

_ODD_SPACES = re.compile(f"[{NO_BREAK_SPACE}{NARROW_NO_BREAK_SPACE}\u2000-\u200a\u3000\t]")
# Joiners (ZWNJ U+200C, ZWJ U+200D) are spelling inside a word: Persian "می‌خواهم", Hindi
# conjuncts, emoji sequences. Between two visible characters they stay; stray ones go.
_JOINERS = "\u200c\u200d"
_INVISIBLE = re.compile(f"[{ZERO_WIDTH.replace(_JOINERS, '')}{SOFT_HYPHEN}]|(?<!\\S)[{_JOINERS}]+|[{_JOINERS}]+(?!\\S)")
PILCROW = "\u00b6"
_LEADING_TABS = re.compile(r"^[ \t]*\t[ \t]*", re.M)
# "Abstract¶": the permalink mark a documentation page puts after each heading.
# (?<!\s): a match starts where a run of spaces does, never inside it (linear on a long run).
_PERMALINK = re.compile(f"(?<!\\s)\\s*{PILCROW}[ \\t]*$", re.M)
# Control characters other than newline: NUL bytes and the like from broken exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# A closing quote where a word begins ("”Putin’s Majority”"): an opening quote typed wrong.
_MISTYPED_OPEN_QUOTE = re.compile(r"(^|(?<=[\s(\[]))”(?=\w)", re.M)


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text.replace("\f", "\n"))
    # Leading spaces carry meaning (paragraph indents in PDF text); keep them as plain spaces.
    text = _MISTYPED_OPEN_QUOTE.sub("“", text)
    text = _PERMALINK.sub("", text)
    # Tabs that indent a line keep their width: indentation is structure in plain documents.
    text = _LEADING_TABS.sub(lambda m: m[0].expandtabs(8), text)
    return _ODD_SPACES.sub(" ", text)
