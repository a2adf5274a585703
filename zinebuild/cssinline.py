"""Turn a layout's stylesheet into a self-contained one: every @import and url() embedded as data:.

Every file is read through the one confined fetcher (fetch.Confined): a url() or an
@import leading to the network, outside the project (by ``..``, an absolute path or a
symlink) or to a ``file:`` URL elsewhere is refused, logged and left out, never embedded.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
from pathlib import Path

from .fetch import Confined, Refused

log = logging.getLogger("zinebuild")

# @import "x.css"; @import url(x.css) screen;  — handled before the plain url()s.
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*(['"]?)([^'")]*)\1\s*\)|(['"])([^'"]*)\3)([^;]*);""", re.I)
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""", re.I)
_MAX_IMPORTS = 8  # nesting of @import: beyond it, a loop
_MIME = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
REFUSED = 'url("data:,")'


def inline_stylesheet(confined: Confined, path: Path) -> str:
    """The stylesheet at path (a layout file) with everything it refers to embedded."""
    return _inline(confined, path, 0).replace("</", "<\\/")


def _inline(confined: Confined, path: Path, depth: int) -> str:
    css = confined.required(path).decode("utf-8", errors="replace")

    def embed_import(match: re.Match) -> str:
        url, media = match[2] if match[2] is not None else match[4], match[5]
        target = _target(confined, path, url)
        if target is None or depth + 1 >= _MAX_IMPORTS:
            if depth + 1 >= _MAX_IMPORTS:
                log.warning("refused @import %s in %s: imports nested too deeply", url, path)
            return ""
        data = base64.b64encode(_inline(confined, target, depth + 1).encode()).decode()
        return f'@import url("data:text/css;base64,{data}"){media};'

    def embed_url(match: re.Match) -> str:
        url = match[2].strip()
        if url.lower().startswith("data:") or url.startswith("#") or not url:
            return match[0]
        target = _target(confined, path, url)
        if target is None:
            return REFUSED
        mime = _MIME.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(confined.read(target)).decode()}")'

    return _URL.sub(embed_url, _IMPORT.sub(embed_import, css))


def _target(confined: Confined, base: Path, url: str) -> Path | None:
    """The file url names, relative to the stylesheet at base; None (and a warning) when refused."""
    bare = re.split(r"[?#]", url, maxsplit=1)[0]
    try:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", bare):
            return confined.path(bare)  # file: URLs are checked like paths; other schemes refused
        return confined.path(base.parent / bare)
    except Refused as refused:
        log.warning("%s (in %s): not embedded in the HTML output", refused, base.name)
        return None
