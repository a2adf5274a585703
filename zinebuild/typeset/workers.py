"""Render many documents at once in worker processes forked from this one.

Forked, not spawned: the parent has already imported WeasyPrint and Pango (about 0.6 s a
process), and each child starts with them loaded. The documents are shared out by size
(longest first, each to the least loaded worker). Each worker lays out all of its
documents before drawing any, and says each one's page count as soon as it is laid out:
the parent can then paginate the book (the skeleton) while the workers draw, which is
about a third of their work.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BuildError, Problem
from ..render import Layout
from . import weasy


@dataclass(frozen=True)
class Job:
    name: str  # what the progress bar shows
    html: str
    extra_css: str


def share_out(jobs: list[Job], workers: int) -> list[list[int]]:
    """Job indexes for each worker: longest first, each to the worker with the least so far."""
    loads = [[0, []] for _ in range(workers)]
    for index in sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html)):
        lightest = min(loads, key=lambda load: load[0])
        lightest[0] += len(jobs[index].html)
        lightest[1].append(index)
    return [indexes for _, indexes in loads if indexes]


def _work(jobs: list[tuple[int, Job]], layout: Layout, identifier: str, messages) -> None:
    """A worker's life: lay out each job, then draw each, answering for every one."""
    laid_out = []
    for index, job in jobs:
        try:
            document = weasy.lay_out(job.html, layout, job.extra_css)
            messages.put(("pages", index, len(document.pages)))
            laid_out.append((index, job, document))
        except Exception as error:  # every job gets an answer, or the parent would wait forever
            messages.put(("pages", index, None))
            messages.put(("done", index, _failure(job, error)))
    for index, job, document in laid_out:
        try:
            messages.put(("done", index, weasy.draw(document, identifier)))
        except Exception as error:
            messages.put(("done", index, _failure(job, error)))
        del document


def _failure(job: Job, error: Exception) -> BuildError:
    if isinstance(error, BuildError):
        return error
    return BuildError(Problem(f"rendering {job.name!r} failed: {type(error).__name__}: {error}",
                              hint="run with --jobs 1 --debug for the full trace"))


class Renderer:
    """Lays out jobs in forked workers (or in this process, for processes=1 or one job)."""

    def __init__(self, jobs: list[Job], layout: Layout, identifier: str, processes: int,
                 on_done: Callable[[Job], None] = lambda job: None):
        self.jobs, self.layout, self.identifier, self.on_done = jobs, layout, identifier, on_done
        self.parallel = processes > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods()
        self.processes = min(processes, len(jobs))
        self.counts: list[int | None] = [None] * len(jobs)
        self.counted: set[int] = set()
        self.results: dict[int, weasy.Rendered | BuildError] = {}
        self.children: list = []
        self.messages = None

    def __enter__(self) -> Renderer:
        if not self.jobs:
            return self
        import weasyprint  # noqa: F401  (once here, before forking, rather than once per worker)

        if not self.parallel:
            for index, job in enumerate(self.jobs):
                try:
                    result = weasy.render(job.html, self.layout, self.identifier, job.extra_css)
                    self.counts[index] = result.pages
                except BuildError as error:
                    result = error
                self.counted.add(index)
                self.results[index] = result
                self.on_done(job)
            return self
        context = multiprocessing.get_context("fork")
        self.messages = context.Queue()
        for indexes in share_out(self.jobs, self.processes):
            child = context.Process(target=_work, daemon=True,
                                    args=([(i, self.jobs[i]) for i in indexes], self.layout, self.identifier,
                                          self.messages))
            child.start()
            self.children.append(child)
        return self

    def __exit__(self, *exc) -> None:
        for child in self.children:
            if child.is_alive():
                child.terminate()
            child.join()

    def page_counts(self) -> list[int | None]:
        """Each job's page count (None if it failed), in the order of jobs, once all are laid out."""
        while len(self.counted) < len(self.jobs):
            self._receive()
        return self.counts

    def rendered(self) -> list[weasy.Rendered]:
        """The documents in the order of jobs; the first failure is raised once all have stopped."""
        while len(self.results) < len(self.jobs):
            self._receive()
        for index in range(len(self.jobs)):
            if isinstance(self.results[index], BuildError):
                raise self.results[index]
        return [self.results[index] for index in range(len(self.jobs))]

    def _receive(self) -> None:
        try:
            kind, index, value = self.messages.get(timeout=1)
        except queue_module.Empty:
            if any(child.exitcode not in (None, 0) for child in self.children):
                raise BuildError(Problem("a worker laying out pages stopped unexpectedly",
                                         hint="run again with --jobs 1")) from None
            return
        if kind == "pages":
            self.counts[index] = value
            self.counted.add(index)
        else:
            self.results[index] = value
            self.on_done(self.jobs[index])
