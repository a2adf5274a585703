"""Turn the pictures a source names into checked Image blocks, and report what cannot be shown.

The one place that decides, for every reader, what an image reference may become: a file
inside the project, a ``data:`` URL, or, for anything on the network, nothing but its
description as a caption (zinebuild never fetches). Readers only look the file up; it is
first read when the book is assembled (confine), through the one confined fetcher
(fetch.Confined), which refuses a link or ``..`` leading out of the project, and which also
reads it for every output (images.py). Pixels are images.py's business, not this module's.

Reader warnings carry their own codes (assemble reads them): ``coded("Z121", line, text)``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from .errors import InputError, Problem, SourceError
from .fetch import Confined, Refused  # the one fetcher, shared with the outputs
from .model import Block, Caption, Document, Image, Inlines, Notice, Text

# Z120: a picture or table where only text can go (a list item, a note): its words kept, with its line.
UNMODELLED = "Z120"
# Z121: an image left out (remote, unreadable) or without a description, or too coarse for print.
IMAGE = "Z121"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# Roles a source may give a figure through its class: "full-page" (a page of its own, the
# text block filled) and "full-bleed" (a page of its own, edge to edge, its margins too).
ROLES = {"full-page", "full-bleed"}
# Reading systems and PDF viewers show these; anything else is decoded and converted (images.py).
# What makes an SVG more than a drawing: it runs code, or pulls in other files.
_ACTIVE_SVG = re.compile(rb"<script|<foreignObject|\son[a-z]+\s*=|javascript:|href\s*=\s*[\"']\s*(?!#|data:)",
                         re.I)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)
SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"}


def coded(code: str, line: int | None, message: str) -> str:
    """A reader warning with its own notice code and the line it is about."""
    return f"{code} " + (f"line {line}: " if line else "") + message


def figure(src: str, alt: str, source: Path, line: int, warnings: list[str], *, title: str | None = None,
           caption: Inlines = (), role: str | None = None) -> Block | None:
    """The block an image reference becomes: an Image, or for a remote image its description as a Caption.

    The file is only named here; it is first read when the book is assembled (confine), where
    a missing one is an input error naming the source and line: a picture the editor meant to
    show must not vanish from the book. (Reading a source never stops at it: test_html_sources.)
    """
    alt = " ".join(alt.split())
    src = given = src.strip()
    if _SCHEME.match(src) and not src.lower().startswith("data:"):
        warnings.append(coded(IMAGE, line, f"image '{_short(src)}' left out: zinebuild never fetches from the "
                                           f"network; save it beside the source and link the file"
                                           + (" (its description is kept as a caption)" if caption or alt else "")))
        return _instead(caption, alt)
    if not src.lower().startswith("data:"):
        path = (source.parent / unquote(src.split("#")[0].split("?")[0])).resolve()
        if path.suffix.lower() not in SUFFIXES:
            raise SourceError(Problem(f"image '{src}' is not a picture zinebuild reads", file=source, line=line,
                                      hint=f"use one of {', '.join(sorted(SUFFIXES))}"))
        src = str(path)
    elif not _DATA_IMAGE.match(src):
        warnings.append(coded(IMAGE, line, f"'{_short(given)}' left out: a data: URL that is not a picture"))
        return _instead(caption, alt)
    if not alt:
        warnings.append(coded(IMAGE, line, f"image '{_short(given)}' has no description (alt text): "
                                           f"readers who cannot see it learn nothing of it"))
    return Image(src, alt, caption, title or None, role if role in ROLES else None, line)


def _instead(caption: Inlines, alt: str) -> Caption | None:
    """What stands for a picture left out: its caption, else its description."""
    return Caption(caption or (Text(alt),)) if caption or alt else None


def _short(src: str) -> str:
    return src if len(src) <= 60 else src[:57] + "…"


def images(blocks) -> list[Image]:
    """Every Image among blocks, nested ones included, in reading order."""
    found = []
    for block in blocks:
        if isinstance(block, Image):
            found.append(block)
        found += images(getattr(block, "blocks", ()))
    return found


def book_images(anthology) -> list[Image]:
    """Every image of the book, front and back matter included, in reading order."""
    pieces = (*anthology.front, *anthology.pieces, *anthology.back)
    return [image for piece in pieces for image in images(piece.document.blocks)]


def resolution_notices(documents: list[tuple[str, Document]], output, root: Path) -> list[Notice]:
    """Z121 for each picture that would print under 150 dpi at the size the layout gives it."""
    from .images import LOW_DPI, resolution_warnings

    notices = []
    for source, doc in documents:
        for image, dpi in resolution_warnings(images(doc.blocks), output, Confined.project(root)):
            where = f"line {image.line}: " if image.line else ""
            notices.append(Notice(IMAGE, f"{where}image '{Path(image.src).name if not image.src.startswith('data:') else 'data: URL'}' "
                                         f"prints at {dpi:.0f} dpi, under {LOW_DPI}: it will look soft or "
                                         f"blocky on paper; use a larger image", source))
    return notices


def confine(documents: list[tuple[str, Document]], root: Path) -> tuple[dict[int, Document], list[Notice]]:
    """Every picture read through the one confined fetcher: a file inside the project folder
    (a link or ``..`` leading out is refused) and still there, all problems reported together.

    A drawing that runs code or pulls in other files is left out (its caption or description
    kept) and reported: returned are the documents so changed, by id() of the old one.
    """
    fetcher = Confined.project(root)
    problems, notices, changed = [], [], {}
    for source, doc in documents:
        active = set()
        for image in images(doc.blocks):
            try:
                data = fetcher.read(image.src) if image.src[:5].lower() == "data:" else _head(fetcher, image.src)
            except Refused as refused:
                if "outside" in str(refused):
                    problems.append(Problem(f"image '{image.src[:80]}' is outside the project folder", file=source,
                                            line=image.line or None,
                                            hint=f"copy the picture itself (not a link to it) into {root}"))
                else:
                    problems.append(Problem(f"image '{Path(image.src).name}' not found (looked for {image.src})",
                                            file=source, line=image.line or None,
                                            hint="put the image file beside the source, or fix the path"))
                continue
            except (OSError, ValueError) as error:
                problems.append(Problem(f"image '{image.src[:60]}' cannot be read: {error}", file=source,
                                        line=image.line or None))
                continue
            if _is_svg(image.src, data) and _ACTIVE_SVG.search(data):
                active.add(image)
                where = f"line {image.line}: " if image.line else ""
                notices.append(Notice(IMAGE, f"{where}drawing '{_short(_shown(image))}' left out: it holds scripts, "
                                             f"event handlers or links to other files, which no book may run or "
                                             f"fetch", source))
        if active:
            changed[id(doc)] = replace(doc, blocks=_without(doc.blocks, active))
    if problems:
        raise InputError(problems)
    return changed, notices


def _head(fetcher: Confined, src: str) -> bytes:
    """What confine needs of a file: a drawing whole (to look for scripts), of anything else
    the start (a phone's photo of 4 MB is read by the outputs, and only if not converted yet)."""
    with fetcher.path(Path(src)).open("rb") as file:
        head = file.read(4096)
        return head + file.read() if _is_svg(src, head) else head


def _is_svg(src: str, data: bytes) -> bool:
    return src.lower().endswith(".svg") or src[:14].lower() == "data:image/svg" or b"<svg" in data[:4096]


def _shown(image: Image) -> str:
    return "a data: URL" if image.src[:5].lower() == "data:" else Path(image.src).name


def _without(blocks: tuple, active: set) -> tuple:
    """blocks with each Image of active replaced by what stands for it (_instead), nested ones too."""
    out = []
    for block in blocks:
        if isinstance(block, Image) and block in active:
            instead = _instead(block.caption, block.alt)
            if instead is not None:
                out.append(instead)
        elif getattr(block, "blocks", None):
            out.append(replace(block, blocks=_without(block.blocks, active)))
        else:
            out.append(block)
    return tuple(out)
