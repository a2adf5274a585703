"""Judge a hyphen at a line end: a word broken by the typesetter ("imperial-ist"), or a compound ("iron-clad")."""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property, lru_cache

# First elements that English hyphenates as a rule, even where the joined form exists.
HYPHENATING_PREFIXES = frozenset({
    "self", "non", "anti", "well", "ill", "half", "cross", "all", "quasi", "long", "short",
    "full", "high", "low", "pro", "counter", "mid", "neo", "pseudo", "ultra", "post",
})
# A joined word at least this common (Zipf scale: 3 = once per million words) is a real word.
JOINED_IS_A_WORD = 2.5
# Both halves at least this common, and the joined form not a word: a compound.
HALF_IS_A_WORD = 3.0

_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def release() -> None:
    """Let the word lists go (about 25 MiB) once the sources are cleaned, before pages are laid out."""
    _zipf.cache_clear()
    import sys

    wordfreq = sys.modules.get("wordfreq")
    if wordfreq is not None:
        wordfreq.get_frequency_dict.cache_clear()
        wordfreq.get_frequency_list.cache_clear()


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, lang)
    except LookupError:
        return 0.0


class Hyphens:
    """Decides line-end hyphens from the document's own words first, then a word list."""

    def __init__(self, text: str, lang: str = "en"):
        self.lang = lang
        self.text = text

    @cached_property
    def _vocabulary(self) -> tuple[Counter[str], set[str]]:
        # Built on the first question only: most web texts have no line-end hyphen to judge.
        joined: Counter[str] = Counter()
        hyphenated: set[str] = set()
        for line in self.text.split("\n"):
            tokens = _TOKEN.findall(line.rstrip().rstrip("-"))
            for token in tokens:
                parts = token.lower().split("-")
                joined[token.lower()] += 1
                for a, b in zip(parts, parts[1:]):
                    hyphenated.add(f"{a}-{b}")
        return joined, hyphenated

    def keep(self, before: str, after: str) -> bool:
        """True to keep the hyphen between before and after, False to join them into one word."""
        a, b = before.lower(), after.lower()
        if not after[:1].isalpha() or after[:1].isupper():
            return True  # "Such-and-" + "Such", "Anti-" + "Militarist"
        joined, hyphenated = self._vocabulary
        if f"{a}-{b}" in hyphenated:
            return True  # the document writes it hyphenated elsewhere
        if joined[a + b]:
            return False  # the document writes it as one word elsewhere
        if a in HYPHENATING_PREFIXES:
            return True
        if _zipf(a + b, self.lang) >= JOINED_IS_A_WORD:
            return False
        if _zipf(a, self.lang) >= HALF_IS_A_WORD and _zipf(b, self.lang) >= HALF_IS_A_WORD:
            return True  # "commodity-phantom", "skull-measuring"
        return False


_END = re.compile(r"([^\W\d_]+)-$", re.UNICODE)
_START = re.compile(r"^([^\W\d_]+)", re.UNICODE)


def join_lines(first: str, second: str, hyphens: Hyphens) -> str:
    """Join two wrapped lines; a line-end hyphen is kept or removed as the judge says."""
    first, second = first.rstrip(), second.strip()
    # Only first's last word can end in a hyphen: searched alone, a paragraph of thousands of
    # lines is joined in linear time, not searched whole at every line.
    end, start = _END.search(first, first.rfind(" ") + 1), _START.match(second)
    if end and start and not first.endswith(" -"):
        if hyphens.keep(end[1], start[1]):
            return first + second
        return first[:-1] + second
    return f"{first} {second}"
