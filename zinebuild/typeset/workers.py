"""Render documents with WeasyPrint in other processes, started before they are needed.

A build starts one render service at once. Its process imports WeasyPrint and Pango
(about 0.6 s) while this one reads and cleans the sources, then serves two requests:
render one document itself (the skeleton, the EPUB cover), or lay out a set of pieces in
workers it forks, which share its imported WeasyPrint instead of loading their own. The
pieces are shared out by size, longest first, each to the least loaded worker; a worker
lays out all of its pieces before drawing any and tells each one's page count as soon as
it is laid out, so the book can be paginated while the workers draw (a third of their
work). A build served wholly from the cache never waits for the service at all.

With one job, or where fork() is missing, LocalService does the same work in this process.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import queue as queue_module
import signal
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
    loads = [[0, []] for _ in range(max(workers, 1))]
    for index in sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html)):
        lightest = min(loads, key=lambda load: load[0])
        lightest[0] += len(jobs[index].html)
        lightest[1].append(index)
    return [indexes for _, indexes in loads if indexes]


def _failure(name: str, error: Exception) -> BuildError:
    if isinstance(error, BuildError):
        return error
    return BuildError(Problem(f"rendering {name!r} failed: {type(error).__name__}: {error}",
                              hint="run with --jobs 1 --debug for the full trace"))


def _lay_out_then_draw(batch: int, jobs: list[tuple[int, Job]], layout: Layout, identifier: str, answer) -> None:
    """One worker's life: lay out each job, then draw each, answering for every one."""
    laid_out = []
    for index, job in jobs:
        try:
            document = weasy.lay_out(job.html, layout, job.extra_css)
            answer(("pages", batch, index, len(document.pages)))
            laid_out.append((index, job, document))
        except Exception as error:  # every job gets an answer, or the parent would wait forever
            answer(("pages", batch, index, None))
            answer(("done", batch, index, _failure(job.name, error)))
    while laid_out:
        index, job, document = laid_out.pop(0)
        try:
            answer(("done", batch, index, weasy.draw(document, identifier)))
        except Exception as error:
            answer(("done", batch, index, _failure(job.name, error)))
        del document  # it holds the fonts that release() lets go
    weasy.release()  # a forked worker ends without running atexit


def _serve(inbox, outbox, parent: int) -> None:
    """The service process: import WeasyPrint once, then render and fork workers on request."""
    # Ctrl-C reaches the whole process group: the build stops us, without tracebacks from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import weasyprint  # noqa: F401

    context = multiprocessing.get_context("fork")
    workers = []
    while True:
        try:
            request = inbox.get(timeout=0.5)
        except queue_module.Empty:
            request = None
        for worker in [w for w in workers if w.exitcode is not None]:
            workers.remove(worker)
            if worker.exitcode != 0:
                outbox.put(("died", worker.zinebuild_batch, None, None))
        if request is None:
            if os.getppid() != parent:  # the build is gone (killed): so are we
                request = ("stop", None)
            else:
                continue
        kind, ticket, *args = request
        if kind == "stop":
            for worker in workers:
                worker.terminate()
            weasy.release()
            return
        if kind == "render":
            html, layout, identifier, extra_css = args
            try:
                outbox.put(("rendered", ticket, None, weasy.render(html, layout, identifier, extra_css)))
            except Exception as error:
                outbox.put(("rendered", ticket, None, _failure("a page", error)))
        elif kind == "pieces":
            jobs, layout, identifier, processes = args
            gc.freeze()  # what the workers inherit stays shared: the collector will not touch it
            for indexes in share_out(jobs, processes):
                worker = context.Process(target=_lay_out_then_draw, daemon=True,
                                         args=(ticket, [(i, jobs[i]) for i in indexes], layout, identifier,
                                               outbox.put))
                worker.zinebuild_batch = ticket
                worker.start()
                workers.append(worker)


class Pieces:
    """The answers for one set of pieces: page counts first, then the drawn documents."""

    def __init__(self, service, jobs: list[Job], on_done: Callable[[Job], None]):
        self.service, self.jobs, self.on_done = service, jobs, on_done
        self.counts: dict[int, int | None] = {}
        self.results: dict[int, weasy.Rendered | BuildError] = {}

    def take(self, kind: str, index: int, value) -> None:
        if kind == "pages":
            self.counts[index] = value
        else:
            self.results[index] = value
            self.on_done(self.jobs[index])

    def page_counts(self) -> list[int | None]:
        """Each job's page count (None if it failed), in the order of jobs, once all are laid out."""
        self.service.wait(lambda: len(self.counts) == len(self.jobs))
        return [self.counts[i] for i in range(len(self.jobs))]

    def rendered(self) -> list[weasy.Rendered]:
        """The documents in the order of jobs; the first failure is raised once all have stopped."""
        self.service.wait(lambda: len(self.results) == len(self.jobs))
        for index in range(len(self.jobs)):
            if isinstance(self.results[index], BuildError):
                raise self.results[index]
        return [self.results[index] for index in range(len(self.jobs))]


class Pending:
    def __init__(self, service):
        self.service, self.value = service, None

    def result(self) -> weasy.Rendered:
        self.service.wait(lambda: self.value is not None)
        if isinstance(self.value, BuildError):
            raise self.value
        return self.value


class RenderService:
    """A process that renders with WeasyPrint on request; see the module's docstring."""

    def __init__(self, processes: int):
        self.processes = processes
        self.tickets = itertools.count()
        self.waiting: dict[int, object] = {}
        context = multiprocessing.get_context("fork")
        self.inbox, self.outbox = context.Queue(), context.Queue()
        # Not a daemon: daemons may not fork the workers. It stops when this process does.
        self.process = context.Process(target=_serve, args=(self.inbox, self.outbox, os.getpid()))
        self.process.start()

    def close(self) -> None:
        if self.process.is_alive():
            if self.waiting:  # it may have workers to stop (it answers within half a second when idle)
                self.inbox.put(("stop", None))
                self.process.join(timeout=3)
            if self.process.is_alive():  # never asked for anything: maybe still importing WeasyPrint
                self.process.terminate()
                self.process.join()
        self.inbox.close()
        self.outbox.close()

    def __enter__(self) -> RenderService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pieces(self, jobs: list[Job], layout: Layout, identifier: str,
               on_done: Callable[[Job], None] = lambda job: None) -> Pieces:
        ticket = next(self.tickets)
        self.waiting[ticket] = answers = Pieces(self, jobs, on_done)
        if jobs:
            self.inbox.put(("pieces", ticket, jobs, layout, identifier, self.processes))
        return answers

    def render(self, html: str, layout: Layout, identifier: str, extra_css: str = "") -> Pending:
        ticket = next(self.tickets)
        self.waiting[ticket] = pending = Pending(self)
        self.inbox.put(("render", ticket, html, layout, identifier, extra_css))
        return pending

    def wait(self, done: Callable[[], bool]) -> None:
        while not done():
            try:
                kind, ticket, index, value = self.outbox.get(timeout=1)
            except queue_module.Empty:
                if not self.process.is_alive():
                    raise BuildError(Problem("the process rendering pages stopped unexpectedly",
                                             hint="run again with --jobs 1")) from None
                continue
            if kind == "died":
                raise BuildError(Problem("a worker laying out pages stopped unexpectedly",
                                         hint="run again with --jobs 1"))
            answer = self.waiting[ticket]
            if kind == "rendered":
                answer.value = value
            else:
                answer.take(kind, index, value)


class LocalService:
    """The same requests, answered in this process, one at a time."""

    def __enter__(self) -> LocalService:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def close(self) -> None:
        pass

    def pieces(self, jobs: list[Job], layout: Layout, identifier: str,
               on_done: Callable[[Job], None] = lambda job: None) -> Pieces:
        answers = Pieces(self, jobs, on_done)
        _lay_out_then_draw(0, list(enumerate(jobs)), layout, identifier,
                           lambda message: answers.take(message[0], message[2], message[3]))
        return answers

    def render(self, html: str, layout: Layout, identifier: str, extra_css: str = "") -> Pending:
        pending = Pending(self)
        try:
            pending.value = weasy.render(html, layout, identifier, extra_css)
        except Exception as error:
            pending.value = _failure("a page", error)
        return pending

    def wait(self, done: Callable[[], bool]) -> None:
        assert done(), "a local answer is complete when it is returned"


def start_service(processes: int) -> RenderService | LocalService:
    if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
        return RenderService(processes)
    return LocalService()
