"""Turn an empty folder into a project: anthology.toml, a first source, and the layout files people edit.

Only the small files a person changes are copied: a project's layout adds to the built-in
one (zinebuild/layout.py), so it keeps getting the built-in layout's fixes.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, Problem
from .fsutil import write_bytes

DEFAULT_CONFIG = "anthology.toml"


def scaffold(directory: Path) -> list[Path]:
    """Write the starter files that are not there yet; the config must not be."""
    config = directory / DEFAULT_CONFIG
    if config.exists():
        raise InputError(Problem("already has an anthology.toml; nothing was changed", file=directory))
    layout = directory / "layouts" / "default"
    files = {
        directory / "sources" / "first-piece.md": STARTER_PIECE,
        directory / "introduction.md": "---\ntitle: Introduction\n---\n\nWhy these texts, and why now.\n",
        layout / "custom.css": STARTER_CSS,
        layout / "README.md": STARTER_LAYOUT_README,
        config: STARTER_CONFIG,
    }
    written = []
    for path, text in files.items():
        if not path.exists():
            write_bytes(path, text.encode("utf-8"))
            written.append(path)
    return written


STARTER_CONFIG = """\
[book]
title = "My Zine"
editor = "Your Name"
language = "en"
date = "2026"
rights = "Anti-copyright: reproduce freely."

[front]
introduction = "introduction.md"

[[pieces]]
source = "sources/first-piece.md"

# [[pieces]]
# source = "sources/copied-from-the-web.txt"
# article = "title-of-one-article"   # pick one article from a multi-article file

[output]
formats = ["epub", "pdf", "booklet", "html"]
page_size = "A5"       # A6, B6, half-letter, quarter-letter, or "148mm x 210mm"
sheet = "A4"           # or "letter"
imposition = "saddle"
font_size = 10.5
layout = "default"     # layouts/default/custom.css adds to the built-in layout
# css = ["my.css"]     # more stylesheets of your own, applied last
"""

STARTER_PIECE = """\
---
title: A First Piece
author: Someone
---

Write or paste the text here. Notes work like this.[^1]

[^1]: A footnote, printed at the foot of the page.
"""

STARTER_CSS = """\
/* Your additions to the built-in print.css (PDF and .html output). They come after it,
   so plain CSS wins; the built-in fonts, folios and footnotes stay. For example:

@page { margin: 20mm; }                      all four margins, on every page
@page { --zb-margin-inner: 25mm; }           only the margin at the fold
body { font-size: 11pt; }
.piece-title { font-size: 2em; }

Values from anthology.toml are custom properties you can use or override:
--zb-page-width, --zb-page-height, --zb-font-size, --zb-margin-top, --zb-margin-bottom,
--zb-margin-inner, --zb-margin-outer. */
"""

STARTER_LAYOUT_README = """\
# This project's layout

Files here add to or override the built-in layout `default`, file by file.

- `custom.css` is applied after the built-in `print.css`: write only what you change.
- Any built-in template (`piece.html`, `title.html`, `blocks.html`, …) copied here from
  zinebuild's `layouts/default/` replaces the built-in one; the rest stays built in.
- A `print.css` here is added after the built-in one too. To make it the whole stylesheet,
  write `replace = ["print.css"]` in a `layout.toml` here.
- `layout.toml` may also say `extends = "NAME"`: another layout to build on.
"""
