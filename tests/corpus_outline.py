"""Turn a read Source into the outline a person reviews (title, authors, headings, lists, notes),
and compare it with a reviewed expected outline, check by check."""

from __future__ import annotations

import json
import re
from pathlib import Path

from zinebuild.model import Heading, ListBlock, Preformatted, Quote, Source, plain

CORPUS = Path(__file__).parent / "corpus" / "text"
EXPECTED = CORPUS / "expected"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
CHECKS = ("title", "headings", "lists", "notes")


def outline(source: Source) -> dict:
    pieces = []
    for doc in source.documents:
        lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
        pieces.append({
            "title": doc.title if not doc.untitled else None,
            "lang": doc.lang,
            "authors": list(doc.authors),
            "headings": [[b.level, plain(b.inlines)] for b in doc.blocks if isinstance(b, Heading)],
            "lists": len(lists),
            "items": sum(len(b.items) for b in lists),
            "preformatted": sum(1 for b in doc.blocks if isinstance(b, Preformatted)),
            "quotes": sum(1 for b in doc.blocks if isinstance(b, Quote)),
            "notes": len(doc.notes),
        })
    return {"pieces": pieces}


def expected(path: Path) -> dict | None:
    golden = EXPECTED / f"{path.stem}.json"
    return json.loads(golden.read_text(encoding="utf-8")) if golden.exists() else None


_QUOTES = str.maketrans("“”„«»‘’‚", "\"\"\"\"\"\'\'\'")


def _same(a: str | None, b: str | None) -> bool:
    """Titles and headings match up to spacing, curly or straight quotes and a closing stop or colon."""
    def norm(s):
        return re.sub(r"\s+", " ", s.translate(_QUOTES)).strip().rstrip(".:") if s is not None else None
    return norm(a) == norm(b)


def compare(want: dict, got: dict) -> dict[str, list[str]]:
    """For each check, the differences (an empty list: the check passes). Keys the expected
    outline leaves out are not judged."""
    out: dict[str, list[str]] = {check: [] for check in CHECKS}
    wp, gp = want["pieces"], got["pieces"]
    if len(wp) != len(gp):
        out["title"].append(f"{len(gp)} pieces, expected {len(wp)}: {[p['title'] for p in gp]}")
    for i, (w, g) in enumerate(zip(wp, gp)):
        where = f"piece {i + 1}"
        if not _same(w["title"], g["title"]):
            out["title"].append(f"{where}: title {g['title']!r}, expected {w['title']!r}")
        if "lang" in w and w["lang"] != g["lang"]:
            out["title"].append(f"{where}: language {g['lang']}, expected {w['lang']}")
        if "authors" in w and w["authors"] != g["authors"]:
            out["title"].append(f"{where}: authors {g['authors']}, expected {w['authors']}")
        if "headings" in w:
            wh, gh = [tuple(h) for h in w["headings"]], [tuple(h) for h in g["headings"]]
            if len(wh) != len(gh) or any(a[0] != b[0] or not _same(a[1], b[1]) for a, b in zip(wh, gh)):
                missing = [h for h in wh if not any(h[0] == x[0] and _same(h[1], x[1]) for x in gh)]
                extra = [h for h in gh if not any(h[0] == x[0] and _same(h[1], x[1]) for x in wh)]
                out["headings"].append(f"{where}: {len(gh)} headings, expected {len(wh)}; "
                                       f"missing {missing[:4]}, unexpected {extra[:4]}")
        for key in ("lists", "items", "preformatted", "quotes"):
            if key in w and w[key] != g[key]:
                out["lists"].append(f"{where}: {g[key]} {key}, expected {w[key]}")
        if "notes" in w and w["notes"] != g["notes"]:
            out["notes"].append(f"{where}: {g['notes']} notes, expected {w['notes']}")
    return out
