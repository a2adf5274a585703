"""Turn a Config and the sources it names into an Anthology: order, parts, matter, ids, checks.

Warnings carry stable codes so that people (and scripts) can rely on them:

- Z101 the same piece is listed twice
- Z102 pieces share most of their text (one notice per group of copies)
- Z103 the cleaner removed lines from a source (how many; `zinebuild inspect` lists them)
- Z104 a reader warning (an unmatched note marker, …)
- Z105 a `skip` entry matched no section
- Z106 a piece has no title in its source and none in the config
- Z107 a link could not be kept: its text stays, unlinked (links.py says why)
- Z108 a source's front matter says something the build cannot honour (a draft, a misspelt key)
- Z109 a reader lost words: they are neither in the book nor in the removal report
- Z120 a picture or table where only text can go (a list item, a note): its words kept (figures.py)
- Z121 an image left out (remote), without a description, or too coarse for print (media.py, images.py)
- Z111 photo captions whose photos are not in the book ([output] captions: marked or left out)
- Z112 characters the book face ([output] font) does not have: they print in a fallback font
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import accounting, copies, langtags, links, media, readers, typography
from .config import Config, PieceConfig
from .errors import InputError, Problem, ZinebuildError
from .model import Anthology, Document, Heading, Notice, Part, Piece, Source, block_text, plain
from .slug import PART_PREFIX, PIECE_PREFIX, safe_id, slugify
from .transforms import tidy


def assemble(config: Config, read: Callable[[Path], Source] = readers.read) -> Anthology:
    """The book the config describes; read turns a source file into a Source (readers.read, or a cached one)."""
    sources = _read_all(config, read)
    notices: list[Notice] = []
    taken: set[str] = set()
    parts = []
    seen: dict[tuple, str] = {}
    number = 0
    for index, part_config in enumerate(config.parts):
        pieces = []
        for piece_config in part_config.pieces:
            source = sources[piece_config.source]
            for doc in _select(source, piece_config, config):
                marker = (str(piece_config.source), doc.slug)
                if marker in seen:
                    notices.append(Notice("Z101", f"'{doc.title}' is listed twice ({seen[marker]} and "
                                                  f"{piece_config.key})", str(config.path)))
                seen[marker] = piece_config.key
                if doc.untitled and not piece_config.title:
                    notices.append(Notice("Z106", f"no title found in the text; using '{doc.title}' — set "
                                                  f"title in {piece_config.key}", str(piece_config.source)))
                doc, skip_notices = _apply(doc, piece_config, config)
                doc = tidy(doc)  # the config may have given the title the first heading repeats
                notices += skip_notices
                number += 1
                # The slug may come from front matter ("../../x"): safe_id makes it a plain, unique id.
                pieces.append(Piece(safe_id(PIECE_PREFIX, doc.slug or doc.title, taken), doc,
                                    str(piece_config.source), number))
        part_id = safe_id(PART_PREFIX, part_config.title or str(index + 1), taken)
        parts.append(Part(part_id, part_config.title, tuple(pieces)))
    for source in sources.values():
        if source.removed:
            notices.append(Notice("Z103", f"the cleaner removed {len(source.removed)} line(s); "
                                          f"see `zinebuild inspect {source.path}`", source.path, "info"))
        notices += [_reader_notice(w, source.path) for w in source.warnings]
        notices += [Notice("Z109", accounting.notice_text(lost), source.path) for lost in source.unaccounted]
    all_pieces = [p for part in parts for p in part.pieces]
    notices += copies.notices(all_pieces)
    notices += _orphan_captions(all_pieces, config.output.captions)
    notices += _uncovered(all_pieces, config)
    front = _matter(config.matter.introduction, "introduction", "Introduction", read, notices)
    back = _matter(config.matter.colophon, "colophon", "Colophon", read, notices)
    parts, front, back = _resolve_links(parts, front, back, taken, notices)
    placed = [(p.source, p.document) for p in (*front, *(p for part in parts for p in part.pieces), *back)]
    blurb = None
    if config.book.back_cover and config.book.back_cover.lower().endswith(".md"):
        (blurb,) = _matter(Path(config.book.back_cover), "back-cover", "", read, notices)
        placed.append((blurb.source, blurb.document))
    changed, image_notices = media.confine(placed, config.root)  # every picture read through the fetcher
    notices += image_notices
    if changed:  # drawings that run code left out

        def fix(piece):
            return replace(piece, document=changed.get(id(piece.document), piece.document))

        parts = [replace(part, pieces=tuple(map(fix, part.pieces))) for part in parts]
        front, back, blurb = tuple(map(fix, front)), tuple(map(fix, back)), blurb and fix(blurb)
        placed = [(source, changed.get(id(doc), doc)) for source, doc in placed]
    notices += media.resolution_notices(placed, config.output, config.root)
    return Anthology(config.book, tuple(parts), front, back, config.matter.contents, config.matter.half_title,
                     config.matter.sources, tuple(notices), blurb)


def _resolve_links(parts: list[Part], front: tuple, back: tuple, taken: set[str], notices: list[Notice]):
    """Every link of the book settled once (links.resolve), the pieces put back where they were."""
    everything = [*front, *(p for part in parts for p in part.pieces), *back]
    resolved, link_notices, _ = links.resolve(everything, taken | {p.id for p in everything})
    notices += link_notices
    by_id = {piece.id: piece for piece in resolved}
    parts = [replace(part, pieces=tuple(by_id[p.id] for p in part.pieces)) for part in parts]
    return parts, tuple(by_id[p.id] for p in front), tuple(by_id[p.id] for p in back)


def _reader_notice(warning: str, path: str) -> Notice:
    # A reader's warning is Z104 unless it carries a code of its own ("Z107 line 3: …").
    coded = re.match(r"(Z\d{3}) (.*)", warning, re.S)
    return Notice(coded[1], coded[2], path) if coded else Notice("Z104", warning, path)


def _uncovered(pieces: list[Piece], config: Config) -> list[Notice]:
    """Characters of each piece that the chosen face cannot set (a script it does not cover)."""
    from . import faces
    from .layout import BUILTIN_LAYOUTS

    shipped = BUILTIN_LAYOUTS / "default" / "fonts"
    regular = faces.face(config.output.font, config.root, shipped).regular
    scripts_shipped = [face.regular for face in faces.script_faces(shipped)]
    notices = []
    for piece in pieces:
        doc = piece.document
        text = doc.title + "".join(doc.authors) + (doc.subtitle or "") + "".join(block_text(b) for b in doc.blocks)
        text += "".join(plain(p) for note in doc.notes for p in note.paragraphs)
        lacking = faces.missing(text, regular, *scripts_shipped)
        if lacking:
            scripts = sorted({unicodedata.name(c, "?").split()[0] for c in lacking})
            for script in scripts:
                chars = "".join(c for c in lacking if unicodedata.name(c, "?").split()[0] == script)[:8]
                if config.output.missing_glyphs != "allow" and not faces.system_has(chars):
                    raise InputError(Problem(
                        f"'{doc.title}' is partly in the {script} script ({chars}), which no font here has",
                        file=piece.source, hint="install a font for it, name a folder of fonts in [output] font, "
                                                "or set [output] missing_glyphs = \"allow\" to print empty boxes"))
            notices.append(Notice("Z112", f"'{doc.title}': {len(lacking)} character(s) not in the font "
                                          f"{config.output.font} ({', '.join(scripts)}: {''.join(lacking[:12])}); "
                                          "they print in a fallback font", piece.source))
    return notices


def _orphan_captions(pieces: list[Piece], captions: str) -> list[Notice]:
    """Captions not under an image: the photo stayed on the web page the text came from."""
    notices = []
    for piece in pieces:
        blocks = piece.document.blocks
        count = sum(1 for i, b in enumerate(blocks)
                    if b.kind == "caption" and (i == 0 or blocks[i - 1].kind != "image"))
        if count:
            how = "left out ([output] captions = \"omit\")" if captions == "omit" else "printed as [Photo: …]"
            notices.append(Notice("Z111", f"{count} photo caption(s) in '{piece.document.title}' have no photo "
                                          f"in the book; {how}", piece.source, "info"))
    return notices


def _read_all(config: Config, read: Callable[[Path], Source]) -> dict[Path, Source]:
    sources: dict[Path, Source] = {}
    problems: list[Problem] = []
    for piece in config.pieces:
        if piece.source in sources:
            continue
        try:
            sources[piece.source] = read(piece.source)
        except ZinebuildError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return sources


def _select(source: Source, piece: PieceConfig, config: Config) -> tuple[Document, ...]:
    docs = source.documents
    if piece.article is None:
        return docs
    wanted, wanted_slug = piece.article.strip().lower(), slugify(piece.article)
    for doc in docs:
        if wanted == doc.title.strip().lower() or wanted_slug == doc.slug:
            return (doc,)
    titles = "\n".join(f"      {d.slug}  ({d.title})" for d in docs)
    raise InputError(Problem(f"no article '{piece.article}' in {piece.source.name}", file=config.path,
                             key=f"{piece.key}.article",
                             hint=f"the articles in that source are:\n{titles}"))


def _apply(doc: Document, piece: PieceConfig, config: Config) -> tuple[Document, list[Notice]]:
    changes: dict = {}
    if piece.title:
        changes["title"] = piece.title
    if piece.short_title:
        changes["short_title"] = piece.short_title
    if piece.authors:
        changes["authors"] = piece.authors
    notices = []
    if piece.lang:
        changes["lang"] = piece.lang
    elif doc.lang is not None and not langtags.is_valid(doc.lang):
        changes["lang"] = None
        notices.append(_bad_lang(doc, str(piece.source)))
    blocks = doc.blocks
    for heading in piece.skip:
        kept = _without_section(blocks, heading)
        if kept is None:
            notices.append(Notice("Z105", f"{piece.key}.skip: no section headed '{heading}' in '{doc.title}'",
                                  str(config.path)))
        else:
            blocks = kept
    if blocks is not doc.blocks:
        changes["blocks"] = blocks
    doc = replace(doc, **changes) if changes else doc
    if config.clean.typography:
        doc, _ = typography.normalise(doc, doc.lang or config.book.language)
    return doc, notices


def _without_section(blocks: tuple, heading: str):
    wanted = heading.strip().lower()
    for i, block in enumerate(blocks):
        if isinstance(block, Heading) and plain(block.inlines).strip().lower() == wanted:
            end = next((j for j in range(i + 1, len(blocks))
                        if isinstance(blocks[j], Heading) and blocks[j].level <= block.level), len(blocks))
            return blocks[:i] + blocks[end:]
    return None


def _matter(path: Path | None, piece_id: str, default_title: str,
            read: Callable[[Path], Source], notices: list[Notice]) -> tuple[Piece, ...]:
    if path is None:
        return ()
    try:
        source = read(path)
    except ZinebuildError as error:
        raise InputError(error.problems) from None
    doc = source.documents[0]
    if doc.untitled:
        doc = replace(doc, title=default_title, untitled=False)
    if doc.lang is not None and not langtags.is_valid(doc.lang):
        notices.append(_bad_lang(doc, str(path)))
        doc = replace(doc, lang=None)
    return (Piece(piece_id, doc, str(path)),)


def _bad_lang(doc: Document, source: str) -> Notice:
    # The last check before an xml:lang: whatever a reader let through, the book's language stands in.
    return Notice("Z104", f"'{doc.lang}' in '{doc.title}' is not a BCP 47 language tag; the book's language "
                          f"is used ({langtags.HINT}, or set lang in the config)", source)
