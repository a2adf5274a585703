"""Turn the pictures a source names into checked Image blocks, and report what cannot be shown.

The one place that decides, for every reader, what an image reference may become: a file
inside the project (checked again when the book is assembled, since a cleaned source is
cached), a ``data:`` URL, or, for anything on the network, nothing but its description as
a caption (zinebuild never fetches). Pixels are images.py's business, not this module's.

Reader warnings carry their own codes (assemble reads them): ``coded("Z121", line, text)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from .errors import InputError, Problem, SourceError
from .fetch import inside  # the one confinement rule, shared with the outputs' fetcher
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

    A missing file is an input error naming the source and line: a picture the editor meant
    to show must not vanish from the book.
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
        if not path.is_file():
            raise SourceError(Problem(f"image '{src}' not found (looked for {path})", file=source, line=line,
                                      hint="put the image file beside the source, or fix the path"))
        if path.suffix.lower() not in SUFFIXES:
            raise SourceError(Problem(f"image '{src}' is not a picture zinebuild reads", file=source, line=line,
                                      hint=f"use one of {', '.join(sorted(SUFFIXES))}"))
        src = str(path)
    elif not _DATA_IMAGE.match(src):
        warnings.append(coded(IMAGE, line, f"'{_short(given)}' left out: a data: URL that is not a picture"))
        return _instead(caption, alt)
    if src.lower().endswith(".svg") or src.lower().startswith("data:image/svg"):
        if _active_svg(src):
            warnings.append(coded(IMAGE, line, f"drawing '{_short(given)}' left out: it holds scripts, event "
                                               f"handlers or links to other files, which no book may run or fetch"))
            return _instead(caption, alt)
    if not alt:
        warnings.append(coded(IMAGE, line, f"image '{_short(given)}' has no description (alt text): "
                                           f"readers who cannot see it learn nothing of it"))
    return Image(src, alt, caption, title or None, role if role in ROLES else None, line)


def _instead(caption: Inlines, alt: str) -> Caption | None:
    """What stands for a picture left out: its caption, else its description."""
    return Caption(caption or (Text(alt),)) if caption or alt else None


def _active_svg(src: str) -> bool:
    from .images import source_bytes

    try:
        return _ACTIVE_SVG.search(source_bytes(src)) is not None
    except ValueError:  # a data: URL that does not decode: images.py reports it when it is drawn
        return False


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


def resolution_notices(documents: list[tuple[str, Document]], output) -> list[Notice]:
    """Z121 for each picture that would print under 150 dpi at the size the layout gives it."""
    from .images import LOW_DPI, resolution_warnings

    notices = []
    for source, doc in documents:
        for image, dpi in resolution_warnings(images(doc.blocks), output):
            where = f"line {image.line}: " if image.line else ""
            notices.append(Notice(IMAGE, f"{where}image '{Path(image.src).name if not image.src.startswith('data:') else 'data: URL'}' "
                                         f"prints at {dpi:.0f} dpi, under {LOW_DPI}: it will look soft or "
                                         f"blocky on paper; use a larger image", source))
    return notices


def confine(documents: list[tuple[str, Document]], root: Path) -> None:
    """Every image file inside the project folder and still there; all problems reported together."""
    problems = []
    for source, doc in documents:
        for image in images(doc.blocks):
            if image.src.lower().startswith("data:"):
                continue
            path = Path(image.src)
            if inside(path, (root,)) is None:
                problems.append(Problem(f"image '{path}' is outside the project folder", file=source,
                                        line=image.line or None, hint=f"copy it into {root}"))
            elif not path.is_file():
                problems.append(Problem(f"image '{path}' not found", file=source, line=image.line or None))
    if problems:
        raise InputError(problems)

