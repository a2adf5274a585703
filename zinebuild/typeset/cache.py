"""Keep rendered pages between builds, keyed by a hash of everything that shapes them.

A key covers the document's HTML (the piece's model through the layout's templates, with
the options that reach the templates), every file of the layout (stylesheets, fonts,
images), the CSS we add, and the versions of zinebuild and WeasyPrint. Each file starts
with the SHA-256 of the rest and is written atomically, so a torn or altered entry reads
as missing, never as wrong pages. Entries unused for PRUNE_AFTER are removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..fsutil import write_bytes
from ..render import Layout
from .weasy import Frame, Rendered

PRUNE_AFTER = 14 * 24 * 3600  # seconds
LOGGER = logging.getLogger("zinebuild")


@lru_cache(maxsize=8)
def layout_digest(layout: Layout) -> str:
    """A hash of every file in the layout's search path, by relative path, first folder wins."""
    seen: dict[str, Path] = {}
    for folder in layout.search_path:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                seen.setdefault(path.relative_to(folder).as_posix(), path)
    digest = hashlib.sha256()
    for relative, path in sorted(seen.items()):
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _versions() -> str:
    # Read from the installed metadata: importing WeasyPrint costs 0.6 s that a build
    # served wholly from the cache never needs to pay.
    return f"zinebuild {__version__}\0weasyprint {metadata.version('weasyprint')}\0"


def key(layout: Layout, *parts: str) -> str:
    digest = hashlib.sha256(_versions().encode())
    digest.update(layout_digest(layout).encode())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


class RenderCache:
    """A folder of <key>.pdf and <key>.json (and other blobs); RenderCache(None) keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, entry: str) -> Rendered | None:
        blob = self.get_blob(entry, ".pdf")
        meta = self.get_blob(entry, ".json")
        if blob is None or meta is None:
            return None
        try:
            fields = json.loads(meta)
            return Rendered(blob, tuple(Frame(*f) for f in fields["frames"]), tuple(map(tuple, fields["anchors"])),
                            tuple(fields["warnings"]))
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, entry: str, rendered: Rendered) -> None:
        meta = {"frames": [[f.x, f.y, f.width, f.height] for f in rendered.frames],
                "anchors": [list(a) for a in rendered.anchors], "warnings": list(rendered.warnings)}
        self.put_blob(entry, ".pdf", rendered.pdf)
        self.put_blob(entry, ".json", json.dumps(meta).encode())

    def get_blob(self, entry: str, suffix: str) -> bytes | None:
        """The bytes stored under entry, or None; a torn or altered file counts as missing."""
        if self.folder is None:
            return None
        path = self.folder / f"{entry}{suffix}"
        try:
            stored = path.read_bytes()
        except OSError:
            return None
        check, _, data = stored.partition(b"\n")
        if check.decode("ascii", "replace") != hashlib.sha256(data).hexdigest():
            return None
        now = time.time()
        os.utime(path, (now, now))  # recently used: kept by prune()
        return data

    def put_blob(self, entry: str, suffix: str, data: bytes) -> None:
        if self.folder is None:
            return
        try:
            write_bytes(self.folder / f"{entry}{suffix}", hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        except OSError as error:  # a full disk or read-only folder costs speed, not the build
            LOGGER.debug("cache: cannot keep %s: %s", entry, error)

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        limit = time.time() - PRUNE_AFTER
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                continue
