"""Turn a picture's src into its bytes and their hash, read through the one confined fetcher.

Every picture an output shows is read here (images.py converts what it reads), through
fetch.Confined: a file that became a link leading out of the project since it was first
read is refused, on every use. What is kept is only the reading and hashing of the bytes,
once per version of the file (identity_of): a rebuild of a book of 20 phone photos read
and hashed 4 MB about 600 times, once for each output showing each photo. The hashes are
kept in the build cache too (keep_digests_in): a rebuild of that book hashed its 113 MB of
photos again, 0.2 s, only to find every form of them in the cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from .cache import BlobCache, digest
from .errors import InputError, Problem
from .fetch import Confined, Refused

MOST = 512  # hashes kept: a long-lived process (a preview server) must not grow without end
NAMES: dict[str, str] = {}  # source hash -> where it came from, for error messages
DIGESTS: dict[tuple | str, str] = {}  # file identity (or data: URL) -> SHA-256 of its bytes
# A file's identity stands for its bytes in the build cache once its times are this many
# seconds old: a file system keeping times to the second or two (FAT, some network shares)
# gives a file written again at once the same times, and maybe the same size (git's "racy"
# files).
SETTLED = 3.0
_SHA256 = re.compile(rb"[0-9a-f]{64}")
_stored = BlobCache(None)


def keep_digests_in(folder: Path | None) -> None:
    """Keep the files' hashes, under their identities, in this folder (the build cache)."""
    global _stored
    _stored = BlobCache(folder)


# Without a fetcher, only data: URLs are read: no root, so every file is refused.
NO_FILES = Confined(None)


def source_bytes(src: str, fetcher: Confined = NO_FILES) -> bytes:
    """The bytes of an Image block's src (a file media.py checked, or a data: URL), read through
    the one confined fetcher: a file that became a link leading out since is refused."""
    return reading(src, lambda: fetcher.read(src if is_data(src) else Path(src)))


def source_digest(src: str, fetcher: Confined = NO_FILES) -> str:
    """The SHA-256 of what source_bytes would read, read and hashed once per version of the file
    (identity_of); the confinement check (Confined.path) is made on every call all the same."""
    if len(DIGESTS) > MOST:
        DIGESTS.clear()

    def hashed() -> str:
        if is_data(src):  # the URL is the picture: kept by the URL itself
            if src not in DIGESTS:
                DIGESTS[src] = hashlib.sha256(fetcher.read(src)).hexdigest()
            return DIGESTS[src]
        with fetcher.path(Path(src)).open("rb") as file:
            identity = identity_of(file)
            if identity in DIGESTS:
                return DIGESTS[identity]
            entry = digest("picture file", repr(identity))
            stored = _stored.get_blob(entry, ".sha256")
            if stored is not None and _SHA256.fullmatch(stored):
                sha = DIGESTS[identity] = stored.decode()
                return sha
            sha = DIGESTS[identity] = hashlib.file_digest(file, "sha256").hexdigest()  # a buffer, not the file
            changed_ns = max(identity[-2:])  # identity_of ends with the mtime and the ctime
            if time.time() - changed_ns / 1e9 > SETTLED:  # else hashed again by the next build
                _stored.put_blob(entry, ".sha256", sha.encode())
            return sha

    sha = reading(src, hashed)
    NAMES.setdefault(sha, "a data: URL" if is_data(src) else src)
    return sha


def identity_of(file) -> tuple:
    """What changes whenever the file's bytes may have: its real path, inode and size, and the
    times of its last change in nanoseconds (ctime too: a file written again and given its old
    mtime back still has a new ctime, which no program can set)."""
    stat = os.fstat(file.fileno())
    return (file.name, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns,
            stat.st_ctime_ns)


def is_data(src: str) -> bool:
    return src[:5].lower() == "data:"


def reading(src: str, step):
    """step(), a refused or unreadable picture turned into an input error that names it."""
    try:
        return step()
    except Refused as refused:
        raise InputError(Problem(f"image not read: {refused}", file=None if is_data(src) else src,
                                 hint="put the picture itself (not a link to it) inside the project")) from None
    except (OSError, ValueError) as error:
        raise InputError(Problem(f"cannot read image: {getattr(error, 'strerror', None) or error}",
                                 file=src[:60])) from None


def read_hashed(src: str, fetcher: Confined) -> tuple[str, bytes]:
    """The hash and bytes of src, read now: a file may have changed since source_digest."""
    data = source_bytes(src, fetcher)
    now = hashlib.sha256(data).hexdigest()
    NAMES.setdefault(now, "a data: URL" if is_data(src) else src)
    return now, data
