"""Render many documents at once in worker processes forked from this one.

Forked, not spawned: the parent has already imported WeasyPrint and Pango (about 0.6 s a
process), and each child starts with them loaded. Jobs go largest first, so that the
longest piece does not start last and leave one core idle at the end.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import BuildError
from ..render import Layout
from . import weasy


@dataclass(frozen=True)
class Job:
    name: str  # what the progress bar shows
    html: str
    extra_css: str


# Set in the parent before forking; the children inherit it instead of unpickling a Layout per job.
_SHARED: tuple[Layout, str] | None = None


def _run(item: tuple[int, Job]) -> tuple[int, weasy.Rendered | BuildError]:
    index, job = item
    layout, identifier = _SHARED
    try:
        return index, weasy.render(job.html, layout, identifier, job.extra_css)
    except BuildError as error:
        return index, error


def render_all(jobs: list[Job], layout: Layout, identifier: str, processes: int,
               on_done: Callable[[Job], None] = lambda job: None) -> list[weasy.Rendered]:
    """Rendered documents in the order of jobs; the first failure is raised once all have stopped."""
    global _SHARED
    if jobs:
        import weasyprint  # noqa: F401  (once here, before forking, rather than once per worker)
    results: list[weasy.Rendered | BuildError | None] = [None] * len(jobs)
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))
    _SHARED = (layout, identifier)
    try:
        for index, result in _results(jobs, order, processes):
            results[index] = result
            on_done(jobs[index])
    finally:
        _SHARED = None
    for result in results:
        if isinstance(result, BuildError):
            raise result
    return results


def _results(jobs: list[Job], order: list[int], processes: int) -> Iterator[tuple[int, object]]:
    items = [(i, jobs[i]) for i in order]
    if processes <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_run, items)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(min(processes, len(items))) as pool:
        yield from pool.imap_unordered(_run, items, chunksize=1)
