"""Turn py3langid's packed model into its language identifier, unpacked once per cache folder.

The model ships packed with xz: unpacking its 68 MB takes one to three seconds, as long as a
whole rebuild after editing one piece, and every build that cleans a source needs it. So the
unpacked arrays are kept in the build's cache (zinebuild.cache: checked, atomic, pruned),
under a key naming py3langid's version, as raw bytes the next build reads back in a fraction
of that. The identifier is the one py3langid's own loader makes, from the same arrays.
"""

from __future__ import annotations

import json
import tempfile
import threading
from array import array
from importlib import metadata

from .cache import BlobCache, digest

_MODEL: list = []  # the identifier, once loaded
_LOADING = threading.Lock()
_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


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


def _load(store: BlobCache):
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import load_model

    entry = digest("language model", metadata.version("py3langid"), str(MODEL_FILE))
    parts = _unpacked(store.get_view(entry, ".langid"))
    if parts is None:
        try:
            parts = load_model(MODEL_DIR / MODEL_FILE)
        except OSError as error:  # py3langid unpacks into an unnamed temporary file: say where it was
            raise OSError(error.errno, error.strerror,
                          f"{tempfile.gettempdir()} (unpacking the language model)") from None
        store.put_blob(entry, ".langid", _packed(parts))
    ptc, pc, classes, nextmove, row, output = parts
    return LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row)


def _packed(parts: tuple) -> bytearray:
    """One line of JSON (the classes, and each array's type, shape and length), then the arrays' bytes."""
    import numpy as np

    ptc, pc, classes, nextmove, row, output = parts
    values = dict(zip(_ARRAYS, (np.asarray(ptc), np.asarray(pc), np.asarray(nextmove), np.asarray(row),
                                np.asarray(output, dtype=np.int32))))
    head = {"classes": list(classes),
            "arrays": [[name, value.dtype.str, list(value.shape), value.nbytes] for name, value in values.items()]}
    packed = bytearray(json.dumps(head).encode() + b"\n")
    for value in values.values():
        packed += memoryview(np.ascontiguousarray(value)).cast("B")  # one copy, the one kept
    return packed


def _unpacked(data: memoryview | None) -> tuple | None:
    """The parts load_model returns, or None for what does not read as _packed wrote it. The
    numpy arrays are views into data, not copies: reading them back holds the model once."""
    import numpy as np

    if data is None:
        return None
    try:
        end = bytes(data[:1 << 16]).index(b"\n")
        fields = json.loads(bytes(data[:end]))
        at, values = end + 1, {}
        for name, dtype, shape, size in fields["arrays"]:
            values[name] = data[at:at + size], np.dtype(dtype), shape
            at += size
        if at != len(data) or set(values) != set(_ARRAYS):
            return None
        ptc, pc = (np.frombuffer(view, dtype=dtype).reshape(shape) for view, dtype, shape in
                   (values["ptc"], values["pc"]))
        out_feat = np.frombuffer(values["out_feat"][0], dtype=values["out_feat"][1]).tolist()
        return ptc, pc, fields["classes"], _stdlib(*values["nextmove"]), _stdlib(*values["nextmove_row"]), out_feat
    except (ValueError, KeyError, TypeError):
        return None


def _stdlib(view: memoryview, dtype, shape) -> array:
    """An unsigned integer array as py3langid keeps it: the standard library's array."""
    out = array({2: "H", 4: "I", 8: "L"}[dtype.itemsize])
    out.frombytes(view)
    return out
