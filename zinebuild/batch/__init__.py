"""Turn a folder of configs, or of sources and one template config, into many books at once.

`zinebuild batch` finds the books (books.py), builds each as `zinebuild build` would
(task.py: the same pipeline, one job per book, one cache for all) on a local process pool
or a Dask cluster (run.py, probe.py), and reports each book's Outcome: one book's failure
never stops the others.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from .books import Book, find
from .run import OnDone, on_cluster, on_pool
from .task import Outcome, Plan, build_book

__all__ = ["Book", "Outcome", "Plan", "build", "build_book", "find"]


def build(folder: Path, plan: Plan, template: Path | None = None, jobs: int = 1, scheduler: str | None = None,
          on_done: Callable[[Outcome, int, int], None] = lambda outcome, done, total: None) -> list[Outcome]:
    """Every book under folder built into plan.out: locally on jobs processes, or on the
    Dask cluster whose scheduler is at the address scheduler. on_done(outcome, done, total)
    hears of each book as it ends."""
    books = find(folder, plan.out, template)
    plan.out.mkdir(parents=True, exist_ok=True)
    ended = itertools.count(1)
    counted: OnDone = lambda outcome: on_done(outcome, next(ended), len(books))  # noqa: E731
    if scheduler:
        # The workers read the sources (under the template's folder in template mode) and write the outputs.
        shared = [(template.resolve().parent if template else folder.resolve()), plan.out]
        return on_cluster(books, plan, scheduler, shared, counted)
    return on_pool(books, plan, jobs, counted)
