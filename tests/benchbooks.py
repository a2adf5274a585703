"""The books `make bench` builds: the sample, the sample many times over, many short pieces, one long piece.

Each is written into a folder of its own (the benchmark edits a source). The generated
books take their words from the sample's own sources, so that a page holds about as much
text as the sample's; the short pieces are drawn at random (seeded: the same book each run)
from the sample's paragraphs and lettered anew (_lettering). The sample multiplied is
the same texts again: its copies are near duplicates (Z102, a notice for each group of copies).
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
SAMPLE = SOURCES / "anthology.toml"
EDITED = "003_324805f2c092eb77.txt"  # the piece the benchmark edits: a short one


def sample_copy(folder: Path) -> Path:
    shutil.copytree(SOURCES, folder)
    return folder / SAMPLE.name


def multiplied(folder: Path, times: int) -> Path:
    """The sample with its parts `times` over, each copy from source files of its own."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, rest = text.split("[[parts]]", 1)
    parts, output = rest.split("[output]", 1)
    copies = []
    for copy in range(1, times + 1):
        sub = folder / f"copy{copy}"
        shutil.copytree(SOURCES, sub, ignore=shutil.ignore_patterns("*.toml", "introduction.md", "colophon.md"))
        body = re.sub(r'source = "([^"]+)"', rf'source = "copy{copy}/\1"', parts)
        body = re.sub(r'^title = "([^"]+)"', rf'title = "\1 ({copy})"', body, flags=re.M)
        copies.append("[[parts]]" + body)
    for name in ("introduction.md", "colophon.md"):
        shutil.copy(SOURCES / name, folder / name)
    config = folder / "anthology.toml"
    config.write_text(head + "".join(copies) + "[output]" + output, encoding="utf-8")
    return config


VOWELS, CONSONANTS = "aeiou", "bcdfghjklmnpqrstvwxyz"


def _lettering(seed: int) -> dict[int, int]:
    """Letters swapped for others of their kind (vowels for vowels), the same way through a
    piece: the same words' lengths, so pages hold as much, but no piece a near duplicate of
    another (the sample's paragraphs are drawn again and again), as in a real book."""
    chance = random.Random(seed)
    table = {}
    for kind in (VOWELS, CONSONANTS):
        swapped = chance.sample(kind, len(kind))
        table.update(zip(kind, swapped))
        table.update(zip(kind.upper(), "".join(swapped).upper()))
    return str.maketrans(table)


def edited_source(config: Path) -> Path:
    folder = config.parent
    return next(p for p in (folder / "copy2" / EDITED, folder / EDITED) if p.exists())


def _paragraphs() -> list[str]:
    """The sample's prose paragraphs (30 words or more), each on one line."""
    found = []
    for source in sorted(SOURCES.glob("00*.txt")):
        for block in re.split(r"\n\s*\n", source.read_text(encoding="utf-8")):
            words = block.split()
            if len(words) >= 30:
                found.append(" ".join(words).replace("*", "").replace("#", "").replace("_", " "))
    return found


def _book(folder: Path, title: str, parts: list[list[str]]) -> Path:
    """A config with these parts, each a list of Markdown files under folder."""
    head = SAMPLE.read_text(encoding="utf-8").split("[front]", 1)[0]
    head = re.sub(r'^title = "[^"]+"', f'title = "{title}"', head, flags=re.M)
    lines = [head]
    for number, files in enumerate(parts, 1):
        lines.append(f'[[parts]]\ntitle = "Part {number}"\n')
        lines += [f'  [[parts.pieces]]\n  source = "{name}"\n' for name in files]
    output = SAMPLE.read_text(encoding="utf-8").split("[output]", 1)[1].replace('"booklet", ', "")
    lines.append("[output]" + output)
    config = folder / "anthology.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def short_pieces(folder: Path, count: int = 5000, per_part: int = 100) -> Path:
    """count pieces of one or two of the sample's paragraphs each (about a page), in parts."""
    folder.mkdir(parents=True)
    pool = _paragraphs()
    chance = random.Random(17)
    names = []
    for number in range(1, count + 1):
        name = f"piece{number:05d}.md"
        body = "\n\n".join(chance.sample(pool, chance.choice((1, 2)))).translate(_lettering(number))
        (folder / name).write_text(f"# Short piece number {number}\n\n{body}\n", encoding="utf-8")
        names.append(name)
    return _book(folder, f"{count} short pieces", [names[i:i + per_part] for i in range(0, count, per_part)])


def one_long_piece(folder: Path, characters: int) -> Path:
    """One piece of about `characters` characters: the sample's paragraphs, over and over,
    with a heading every forty paragraphs (the sample holds about 2,100 characters a page)."""
    folder.mkdir(parents=True)
    pool = _paragraphs()
    out, size, index = ["# One long piece\n"], 0, 0
    while size < characters:
        if index % 40 == 0:
            out.append(f"## Section {index // 40 + 1}\n")
        out.append(pool[index % len(pool)] + "\n")
        size += len(out[-1])
        index += 1
    (folder / "long.md").write_text("\n".join(out), encoding="utf-8")
    return _book(folder, "One long piece", [["long.md"]])
