"""Turn memory a build has freed back into memory the machine has: glibc's allocator settings.

glibc's malloc serves a large block (a rasterised cover, an image being resized, the
language model's arrays) from its own mapping and unmaps it when it is freed; but after
the first such free it raises that threshold to the freed block's size (up to 32 MiB), so
every later block below it comes from the heap, where it stays after being freed whenever
anything above it is still in use. Measured on the sample (tests/bench.py peak_memory):
the build process kept 45 MiB it had freed, through the whole layout, from drawing the
cover alone. A fixed threshold keeps large blocks in mappings of their own, given back
when freed; the cost is a page fault per 4 KiB of each large block (milliseconds a build).

Called once, first thing in a build, before the render service forks (which inherits it).
Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept fixed
TRIM_THRESHOLD = 1024 * 1024  # free memory at the heap's top above this goes back at once


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
            return libc
    return None


def give_back_freed() -> bool:
    """Keep large blocks out of the heap from now on (see the module's docstring); True if set."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(_M_TRIM_THRESHOLD,
                                                                                       TRIM_THRESHOLD))


def trim() -> None:
    """Give back the free pages inside the heap, after letting go of many small objects at once
    (what the heap's top alone cannot return: freed blocks below ones still in use)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
