"""Turn an AmuseWiki (Emacs Muse) text into one Document, following the Text::Amuse markup manual.

Directives (``#title`` …) give the metadata; the body is read line by line into blocks,
then each block's text into inlines. What the model cannot hold is kept as text or reported:
comments, anchors and unused directives go to the removal report, a picture whose file is not
beside the text to the warnings.
The package: ``lines`` (the body's lines into raw blocks), ``inline`` (a block's text into
inlines), ``build`` (raw blocks into the model, notes); this module reads the directives.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...clean.decode import NotText, decode
from ...errors import Problem, SourceError
from ...model import Document, Removal, Source, plain, shift_headings
from ...slug import slugify
from .build import finish, flatten, notes_of
from .inline import Inlines
from .lines import Line, State, raw_blocks

_DIRECTIVE = re.compile(r"^#([A-Za-z]\w*)(?:\s+(.*?))?\s*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_USED_DIRECTIVES = {"title", "subtitle", "author", "authors", "sortauthors", "lang", "date", "source"}



def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    # Not the cleaner's normalise(): zero-width joiners are letters in Persian, and a Muse text is clean.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")).expandtabs(8)
    lines = [Line(n, t.rstrip()) for n, t in enumerate(text.split("\n"), start=1)]
    state = State()
    meta, body = _header(lines, state)
    raw = raw_blocks(body, state)
    inline = Inlines(set(state.notes), state.warnings, path)
    blocks = flatten([b for b in (finish(block, inline) for block in raw) if b is not None])
    notes = notes_of(blocks, state, Inlines(set(), state.warnings))
    title = plain(inline.parse(meta.get("title", ""))).strip()
    authors = meta.get("author") or meta.get("authors") or meta.get("sortauthors") or ""
    if not meta.get("author"):
        authors = re.split(r"\s*[;,]\s*", authors)
    else:
        authors = [authors]
    source_url = re.search(r"https?://[^\s\]\[<>]+", meta.get("source", ""))
    doc = Document(
        title=title or path.stem.replace("_", " "), blocks=shift_headings(tuple(blocks)), notes=tuple(notes),
        subtitle=plain(inline.parse(meta["subtitle"])).strip() if meta.get("subtitle") else None,
        authors=tuple(plain(inline.parse(a)).strip() for a in authors if a.strip()),
        lang=_lang(meta.get("lang", ""), state.warnings), slug=slugify(title or path.stem), date=meta.get("date") or None,
        source_url=source_url[0] if source_url else None, untitled=not title)
    return Source(str(path), encoding, (doc,), tuple(sorted(state.removed, key=lambda r: r.line)),
                  tuple(state.warnings))


def _lang(value: str, warnings: list[str]) -> str | None:
    """#lang goes into the book's markup: only a plausible BCP 47 tag gets through."""
    value = value.strip()
    if value and not _LANG.match(value):
        warnings.append(f"#lang '{value}' is not a language tag; the book's language is used")
        return None
    return value or None


# ---------------------------------------------------------------- the header
def _header(lines: list[Line], state: State) -> tuple[dict[str, str], list[Line]]:
    """Directives come before the text; a directive goes on over the lines right after it."""
    meta: dict[str, str] = {}
    pos, current = 0, None
    while pos < len(lines):
        line = lines[pos]
        match = _DIRECTIVE.match(line.text)
        if match:
            current = match[1].lower()
            meta[current] = match[2] or ""
        elif current and not line.blank:
            meta[current] = f"{meta[current]} {line.text.strip()}"
        elif not line.blank:
            break
        else:
            current = None  # a directive goes on only over the lines right after it
        pos += 1
    for line in lines[:pos]:
        match = _DIRECTIVE.match(line.text)
        name = match[1].lower() if match else None
        if match and name not in _USED_DIRECTIVES and meta.get(name, "").strip():
            state.removed.append(Removal(line.number, f"#{match[1]} {meta[name]}", f"directive #{match[1]} (not printed)"))
        elif name == "source" and meta.get("source"):
            state.removed.append(Removal(line.number, meta["source"],
                                         "directive #source: its address is kept as the piece's source"))
    return meta, lines[pos:]
