"""Turn a book's pieces into Z102 notices: one per group of pieces that share most of their text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .model import Document, Notice, Piece, plain

# Pieces sharing this share of their word 8-grams are reported as duplicates.
_DUPLICATE_SHARE = 0.6


def _shingles(doc: Document, size: int = 8) -> set[int]:
    words = re.findall(r"\w+", " ".join(plain(getattr(b, "inlines", ())) for b in doc.blocks).lower())
    return {hash(tuple(words[i:i + size])) for i in range(max(0, len(words) - size + 1))}


def notices(pieces: list[Piece]) -> list[Notice]:
    """One Z102 per group of pieces sharing their text: a book of 12 copies gets one notice, not 66."""
    return [_notice([pieces[i] for i in group], low, high)
            for group, low, high in groups(pieces)]


def groups(pieces: list[Piece]) -> list[tuple[list[int], float, float]]:
    """The pieces linked by shared text (connected through pairs sharing _DUPLICATE_SHARE or more
    of the smaller's shingles), in book order, each with the least and greatest share of its pairs."""
    shingles = [_shingles(p.document) for p in pieces]
    # Only pieces that share a shingle are compared, found through the pieces holding each:
    # comparing every pair took 9 s for a book of 1,000 pieces, and grew with its square.
    # Pieces of the same text are compared once, as one.
    same: dict[frozenset[int], list[int]] = {}
    for index, own in enumerate(shingles):
        if own:
            same.setdefault(frozenset(own), []).append(index)
    texts = list(same.values())
    holders: dict[int, list[int]] = {}
    for text, group in enumerate(texts):
        for shingle in shingles[group[0]]:
            holders.setdefault(shingle, []).append(text)
    common: Counter[tuple[int, int]] = Counter()
    for held in holders.values():
        for n, a in enumerate(held if len(held) > 1 else ()):
            common.update((a, b) for b in held[n + 1:])
    # Texts joined into groups (union-find over texts): copies of one text are one node, so
    # that N copies cost N steps, not the N²/2 pairs they make.
    leader = list(range(len(texts)))

    def find(text: int) -> int:
        while leader[text] != text:
            leader[text] = leader[leader[text]]
            text = leader[text]
        return text

    shares: dict[int, list[float]] = {t: [1.0] for t, group in enumerate(texts) if len(group) > 1}
    for (a, b), count in common.items():
        share = count / min(len(shingles[texts[a][0]]), len(shingles[texts[b][0]]))
        if share >= _DUPLICATE_SHARE:
            root_a, root_b = find(a), find(b)
            found = shares.pop(root_a, []) + [share]
            if root_a != root_b:
                found += shares.pop(root_b, [])
                leader[root_b] = root_a
            shares[root_a] = found
    members: dict[int, list[int]] = {}
    for text, group in enumerate(texts):
        members.setdefault(find(text), []).extend(group)
    return sorted((sorted(members[root]), min(found), max(found)) for root, found in shares.items())


# A notice names this many pieces of a group; a longer group is named by its first few and a count.
_NAMED_COPIES = 4


def _notice(group: list[Piece], low: float, high: float) -> Notice:
    titles = [p.document.title for p in group]
    # Copies often carry one title: their files and places in the book tell them apart.
    names = [f"'{p.document.title}'" if titles.count(p.document.title) == 1
             else f"'{p.document.title}' ({Path(p.source).name}, piece {p.number})" for p in group]
    share = f"{low:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%} to {high:.0%}"
    if len(group) == 2:
        return Notice("Z102", f"{names[0]} and {names[1]} share {share} of their text; leave one out or pick "
                              "another article", group[1].source)
    if len(group) <= _NAMED_COPIES:
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    else:
        listed = ", ".join(names[:_NAMED_COPIES - 1]) + f" and {len(group) - _NAMED_COPIES + 1} more pieces"
    how = (f"share {share} of their text" if " to " not in share
           else f"are linked by shares of {share} of their text")
    return Notice("Z102", f"{len(group)} pieces: {listed} {how}; keep one of them or pick other articles",
                  group[1].source)
