"""How a build runs, as opposed to what it makes: worker processes, the cache, progress.

Nothing here changes an output's bytes; anthology.toml says what the book is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CACHE_FOLDER = ".zinebuild-cache"  # inside the output folder, which is disposable already


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# progress(stage, done, total, label[, share]): a stage is an output format; the PDF's counts
# pieces, and adds the share of its work done (pieces differ in length), for the time left.
Progress = Callable[..., None]


@dataclass(frozen=True)
class Settings:
    jobs: int = field(default_factory=cores)
    """Worker processes laying out the PDF's pieces at once."""
    cache_dir: Path | None = None
    """Where laid-out pages are kept between builds; None keeps nothing."""
    split: bool = True
    """Lay out piece by piece (parallel, cached); False renders the book as one document."""
    progress: Progress | None = field(default=None, compare=False)
    service: object = field(default=None, compare=False)
    """A running typeset.workers render service to use; None: one is started when needed."""
    pdf_under_way: object = field(default=None, compare=False)
    """A typeset.Typesetting begun before the other outputs were written, for the PDF writer to finish."""

    def report(self, stage: str, done: int, total: int, label: str = "", share: float | None = None) -> None:
        if self.progress is not None:
            self.progress(stage, done, total, label, *(() if share is None else (share,)))
