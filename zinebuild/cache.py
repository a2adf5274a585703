"""Keep build products between builds in a folder, under keys that hash what made them.

Each file starts with a line naming its own entry and the SHA-256 of the rest, and is
written atomically, so a torn, altered or misplaced entry (one file copied over another)
reads as missing, never as wrong. Entries unused for PRUNE_AFTER are removed.
A BlobCache(None) keeps nothing. What the keys cover is up to each user: the cleaned
sources (readers) and the rendered pages (typeset.cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import time
from functools import lru_cache
from pathlib import Path

from . import __version__
from .fsutil import atomic_path

PRUNE_AFTER = 14 * 24 * 3600  # seconds
LOGGER = logging.getLogger("zinebuild")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of zinebuild's own code. The version number alone changes only at a release, and
    a checkout updated between two builds (`git pull`, then `make zine`) would otherwise be
    served what the older code cleaned and rendered. About 3 ms, once per process."""
    hashed = hashlib.sha256(f"zinebuild {__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        hashed.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A key from its parts and zinebuild's code (other code may read and render otherwise)."""
    hashed = hashlib.sha256(code_digest().encode())
    for part in parts:
        hashed.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
    return hashed.hexdigest()


def _header(entry: str, suffix: str, data: bytes | bytearray | memoryview) -> bytes:
    # The entry's own name is inside it: a valid file renamed to another key is refused.
    return f"{entry}{suffix} {hashlib.sha256(data).hexdigest()}".encode("ascii", "replace")


class BlobCache:
    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder, self.read_only = folder, read_only  # read_only: not ours to write, not even a time

    def get_blob(self, entry: str, suffix: str) -> bytes | None:
        """The bytes stored under entry, or None; a torn or altered file counts as missing."""
        view = self.get_view(entry, suffix)
        return None if view is None else bytes(view)

    def get_view(self, entry: str, suffix: str) -> memoryview | None:
        """get_blob's bytes as a view of the file mapped into memory, not a copy: for entries of
        tens of MB (the language model), of which a build reads some pages. Checking the hash
        reads every page; they are then let go of (MADV_DONTNEED, the file's pages stay in the
        system's cache), so that only the pages used afterwards count in this process's memory.
        Entries are replaced by renaming, never rewritten in place, so a mapped one stays whole."""
        if self.folder is None:
            return None
        path = self.folder / f"{entry}{suffix}"
        try:
            with open(path, "rb") as file:
                mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, unreadable, or empty (which mmap refuses)
            return None
        end = mapped.find(b"\n")
        data = memoryview(mapped)[end + 1:]
        if end < 0 or mapped[:end] != _header(entry, suffix, data):
            return None
        if hasattr(mapped, "madvise"):
            mapped.madvise(mmap.MADV_DONTNEED)
        if not self.read_only:
            now = time.time()
            with contextlib.suppress(OSError):  # a read-only cache still serves
                os.utime(path, (now, now))  # recently used: kept by prune()
        return data

    def put_blob(self, entry: str, suffix: str, data: bytes | bytearray) -> None:
        if self.folder is None or self.read_only:
            return
        try:
            with atomic_path(self.folder / f"{entry}{suffix}") as tmp, open(tmp, "wb") as file:
                file.write(_header(entry, suffix, data) + b"\n")
                file.write(data)  # not joined to its header first: a copy of tens of MB for the model
        except OSError as error:  # a full disk or read-only folder costs speed, not the build
            LOGGER.debug("cache: cannot keep %s: %s", entry, error)

    def prune(self) -> None:
        if self.folder is None or self.read_only or not self.folder.is_dir():
            return
        limit = time.time() - PRUNE_AFTER
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                continue
