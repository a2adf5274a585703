"""Turn py3langid's packed model into its language identifier, unpacked once per cache folder.

The model ships packed with xz: unpacking its 68 MB takes one to three seconds, as long as a
whole rebuild after editing one piece, and every build that cleans a source needs it. So the
unpacked arrays are kept as raw bytes a build maps into memory (zinebuild.cache: checked,
atomic), under a key naming py3langid's version and this module's format: once for the
installation (`python -m zinebuild.langmodel`, which `make` runs when it installs; a build
writes nothing outside its output folder), or else in each build's cache. The
identifier is the one py3langid's own loader makes, from the same arrays, used in place in
the mapped file: neither unpacking nor reading back holds a copy, and the pages a text
reads (tens of MiB, spread over the whole table) are let go once it has its answer.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import mmap
import shutil
import struct
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path

from .cache import BlobCache

_MODEL: list = []  # the identifier, once loaded
_LOADING = threading.Lock()
_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")  # py3langid's npz, but "classes"


def identifier(store: BlobCache | None = None):
    """py3langid's LanguageIdentifier (norm_probs), loaded once per process: from store if it
    holds the unpacked model, else from py3langid's file (and then kept in store)."""
    with _LOADING:
        if not _MODEL:
            _MODEL.append(_load(store or BlobCache(None)))
        return _MODEL[0]


def release() -> None:
    with _LOADING:
        _MODEL.clear()


def loaded() -> bool:
    return bool(_MODEL)


SUFFIX = ".langid"


def installed(read_only: bool = True) -> BlobCache:
    """Where the installation keeps the unpacked model for all its builds (see install());
    a build only reads it."""
    return BlobCache(Path(sys.prefix) / "share" / "zinebuild", read_only)


def _entry() -> str:
    """The unpacked model's key: py3langid's model and this module's format, and nothing else of
    zinebuild's (an edit elsewhere in the code leaves it the same model, the same bytes)."""
    from py3langid.langid import MODEL_FILE

    parts = ("language model", metadata.version("py3langid"), str(MODEL_FILE),
             hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def install() -> Path:
    """Unpack the model once for this installation (the first build in each new folder would
    otherwise do it) and remove what an older py3langid or format left; return its path."""
    store, entry = installed(read_only=False), _entry()
    path = store.folder / f"{entry}{SUFFIX}"
    if _unpacked(store.get_view(entry, SUFFIX)) is None:
        store.folder.mkdir(parents=True, exist_ok=True)
        store.put_blob(entry, SUFFIX, _unpacked_file())
        if _unpacked(store.get_view(entry, SUFFIX)) is None:
            raise OSError(f"cannot write {path}")
    for stale in store.folder.glob(f"*{SUFFIX}"):
        if stale != path:
            stale.unlink()
    return path


def _load(store: BlobCache):
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    entry = _entry()
    for where in (installed(), store):
        data = where.get_view(entry, SUFFIX)
        parts = _unpacked(data)
        if parts is not None:
            break
    else:
        try:
            data = _unpacked_file()
        except OSError as error:  # unpacked into an unnamed temporary file: say where it was
            raise OSError(error.errno, error.strerror,
                          f"{tempfile.gettempdir()} (unpacking the language model)") from None
        store.put_blob(entry, SUFFIX, data)
        parts = _unpacked(data)
    ptc, pc, classes, nextmove, row, output = parts
    return _Mapped(LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True,
                                      tk_row=row), data.obj)


class _Mapped:
    """py3langid's identifier over the mapped file, which lets go of the file's pages after
    each answer: they are read back from the system's file cache the next time (a fault per
    page), instead of counting in the build's memory while it cleans other texts and while
    the render service starts. One text touches tens of MiB of them (the features it has
    spread over the whole table, and a file system maps its neighbours with each page)."""

    def __init__(self, identifier, mapped: mmap.mmap):
        self.identifier, self.mapped = identifier, mapped
        self._let_go()  # the pages read to check or write the file

    def classify(self, text):
        try:
            return self.identifier.classify(text)
        finally:
            self._let_go()

    def rank(self, text):
        try:
            return self.identifier.rank(text)
        finally:
            self._let_go()

    def __getattr__(self, name):  # its arrays, for tests
        return getattr(self.identifier, name)

    def _let_go(self) -> None:
        # Safe while another thread reads the mapping: a page let go is read back on its next use.
        if hasattr(self.mapped, "madvise"):
            self.mapped.madvise(mmap.MADV_DONTNEED)


def _unpacked_file() -> memoryview:
    """py3langid's model unpacked as _unpacked reads it, in an unnamed temporary file mapped
    into memory: its arrays pass through memory one at a time, not all at once and copied."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    with tempfile.TemporaryFile(suffix=".npz") as npz, tempfile.TemporaryFile(suffix=".langid") as out:
        with lzma.open(MODEL_DIR / MODEL_FILE) as source:
            shutil.copyfileobj(source, npz, length=1 << 20)
        npz.seek(0)
        arrays = []
        with np.load(npz, allow_pickle=False) as model:  # its members are read one by one
            classes = model["classes"].tolist()
            for name in _ARRAYS:
                value = np.ascontiguousarray(model[name])
                out.write(memoryview(value).cast("B"))
                arrays.append([name, value.dtype.str, list(value.shape), value.nbytes])
                del value
        fields = json.dumps({"classes": classes, "arrays": arrays}).encode()
        out.write(fields + struct.pack("<Q", len(fields)))
        out.flush()
        return memoryview(mmap.mmap(out.fileno(), 0, access=mmap.ACCESS_READ))  # outlives the file's name


def _unpacked(data: memoryview | None) -> tuple | None:
    """The parts py3langid's load_model returns, or None for what does not read as
    _unpacked_file wrote it: the arrays, then JSON (the classes, and each array's type, shape
    and length), then the JSON's length. Every part is a view into data, not a copy."""
    import numpy as np

    if data is None:
        return None
    try:
        (length,) = struct.unpack("<Q", data[-8:])
        start = len(data) - 8 - length
        if start < 0:
            return None
        fields = json.loads(bytes(data[start:-8]))
        at, values = 0, {}
        for name, dtype, shape, size in fields["arrays"]:
            values[name] = data[at:at + size], np.dtype(dtype), shape
            at += size
        if at != start or set(values) != set(_ARRAYS):
            return None
        ptc, pc = (np.frombuffer(view, dtype=dtype).reshape(shape) for view, dtype, shape in
                   (values["ptc"], values["pc"]))
        nextmove, row, out_feat = (_integers(*values[name]) for name in ("nextmove", "nextmove_row", "out_feat"))
        return ptc, pc, fields["classes"], nextmove, row, out_feat
    except (ValueError, KeyError, TypeError, struct.error):
        return None


def _integers(view: memoryview, dtype, shape) -> memoryview:
    """An integer array as py3langid indexes it (one Python int per item), read in place."""
    if len(shape) != 1 or dtype.kind not in "iu":
        raise ValueError(f"not a flat integer array: {dtype} {shape}")
    code = {1: "b", 2: "h", 4: "i", 8: "q"}[dtype.itemsize]
    return view.cast(code.upper() if dtype.kind == "u" else code)


if __name__ == "__main__":
    try:
        print(f"language model unpacked in {install()}")
    except OSError as error:  # a read-only installation: each build's cache keeps it instead
        print(f"language model not unpacked for the installation ({error}); each build's cache keeps it")
