"""Render documents with WeasyPrint in other processes, started before they are needed.

A build starts one render service at once. Its process imports WeasyPrint and Pango
(about 0.6 s) while this one reads and cleans the sources, then serves two requests:
render one document (the skeleton, the EPUB cover), or lay out a set of pieces, each in
workers it forks, which share its imported WeasyPrint instead of loading their own. The
pieces are shared out by size, longest first, each to the least loaded worker; a worker
lays out all of its pieces before drawing any and tells each one's page count as soon as
it is laid out, so the book can be paginated while the workers draw (a third of their
work). A build served wholly from the cache never waits for the service at all.

Faults end cleanly (tests/test_faults.py): every pipe has one writer and one reader, so a
side that died reads as ended; the build waits on its pipe and the service's exit at once;
the service only forks and passes answers on, so it always hears the build and its
workers; and the service and workers die with the build however it ends (lifelines.py).

With one job, or where fork() is missing, LocalService does the same work in this process.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait as connection_wait
from pathlib import Path

from ..errors import BuildError, Problem
from ..fsutil import running
from ..render import Layout
from . import lifelines, weasy


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
    if isinstance(error, OSError):  # the machine's fault (WeasyPrint keeps fonts in files): one line
        where = f"cannot write {error.filename}: " if error.filename else ""
        return BuildError(Problem(f"rendering {name!r}: {where}{error.strerror or error}"))
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


def _render_one(ticket: int, html: str, layout: Layout, identifier: str, extra_css: str, answer) -> None:
    try:
        answer(("rendered", ticket, None, weasy.render(html, layout, identifier, extra_css)))
    except Exception as error:
        answer(("rendered", ticket, None, _failure("a page", error)))
    weasy.release()


def _worker(task, args, answers, closing, life: int) -> None:
    """A forked worker: die with the service (lifelines.py), answer through a pipe of its own."""
    lifelines.die_with_parent()
    lifelines.watch(life)
    for connection in closing:  # the service's ends: were it gone, its pipes must say so
        connection.close()
    task(*args, answers.send)
    answers.close()


def _serve(inbox, outbox, life: int, closing, temporary: str) -> None:
    """The service process: import WeasyPrint once, then fork a worker for each request and pass
    their answers on. It never renders itself, so it always hears the build and its workers."""
    # The build's death ends us by a signal that still lets us stop the workers and remove the
    # font files (the build removes them too, when it can); ours ends the workers by SIGKILL.
    lifelines.die_with_parent(signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, lambda signum, frame: sys.exit(1))
    lifelines.ignore_stop_signals()  # the build stops us (close), or dies and takes us with it
    for connection in closing:
        connection.close()
    tempfile.tempdir = temporary  # WeasyPrint's font files, our workers' included
    workers: dict[object, tuple] = {}  # sentinel -> (process, its answers, batch)
    try:
        import weasyprint  # noqa: F401

        _pass_on(inbox, lifelines.Sender(outbox), life, workers)
    finally:
        for process, _, _ in workers.values():
            process.kill()
        shutil.rmtree(temporary, ignore_errors=True)


def _pass_on(inbox, to_parent: lifelines.Sender, life: int, workers: dict) -> None:
    """Fork workers as the build asks and pass their answers on, until it says stop or is gone."""
    context = multiprocessing.get_context("fork")

    def start(task, ticket, args) -> None:
        answers, worker_end = context.Pipe(duplex=False)
        closing = [inbox] + [conn for _, conn, _ in workers.values()]
        process = context.Process(target=_worker, daemon=True,
                                  args=(task, args, worker_end, closing + [answers], life))
        process.start()
        worker_end.close()
        workers[process.sentinel] = (process, answers, ticket)

    while True:
        answer_ends = {conn: sentinel for sentinel, (_, conn, _) in workers.items() if not conn.closed}
        ready = connection_wait([inbox, life, *answer_ends, *workers])
        if life in ready:  # the build is gone: so are we and our workers
            return
        for conn in [r for r in ready if r in answer_ends]:
            try:
                to_parent.send(conn.recv())
            except (EOFError, OSError):
                conn.close()
        for sentinel in [r for r in ready if r in workers]:
            process, conn, ticket = workers.pop(sentinel)
            lifelines.drain(conn, to_parent.send)
            process.join()
            if process.exitcode != 0:
                to_parent.send(("died", ticket, None, None))
        if inbox not in ready:
            continue
        try:
            kind, ticket, *args = inbox.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            to_parent.close()
            return
        if kind == "render":
            start(_render_one, ticket, (ticket, *args))
        elif kind == "pieces":
            jobs, layout, identifier, processes = args
            gc.freeze()  # what the workers inherit stays shared: the collector will not touch it
            for indexes in share_out(jobs, processes):
                start(_lay_out_then_draw, ticket, (ticket, [(i, jobs[i]) for i in indexes], layout, identifier))


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
        _remove_abandoned_folders()
        self.temporary = tempfile.mkdtemp(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-")
        context = multiprocessing.get_context("fork")
        # One writer and one reader per pipe, each side closing the other's ends: a pipe whose
        # other side died reads as ended and refuses writes, instead of waiting forever.
        service_in, self.inbox = context.Pipe(duplex=False)
        self.outbox, service_out = context.Pipe(duplex=False)
        life, self.life = os.pipe()  # ours alone to hold: it ends when this process does
        # Not a daemon: daemons may not fork the workers. It stops when this process does.
        self.process = context.Process(target=_serve, args=(service_in, service_out, life,
                                                            [self.inbox, self.outbox, _Fd(self.life)],
                                                            self.temporary))
        self.process.start()
        service_in.close()
        service_out.close()
        os.close(life)

    def close(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                if self.waiting:  # it may have workers to stop
                    self.inbox.send(("stop", None))
                    self.process.join(timeout=3)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.inbox.close()
        self.outbox.close()
        os.close(self.life)
        shutil.rmtree(self.temporary, ignore_errors=True)

    def __enter__(self) -> RenderService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pieces(self, jobs: list[Job], layout: Layout, identifier: str,
               on_done: Callable[[Job], None] = lambda job: None) -> Pieces:
        ticket = next(self.tickets)
        self.waiting[ticket] = answers = Pieces(self, jobs, on_done)
        if jobs:
            self._send(("pieces", ticket, jobs, layout, identifier, self.processes))
        return answers

    def render(self, html: str, layout: Layout, identifier: str, extra_css: str = "") -> Pending:
        ticket = next(self.tickets)
        self.waiting[ticket] = pending = Pending(self)
        self._send(("render", ticket, html, layout, identifier, extra_css))
        return pending

    def _send(self, request: tuple) -> None:
        try:
            self.inbox.send(request)
        except OSError:
            raise self._stopped() from None

    def _stopped(self) -> BuildError:
        return BuildError(Problem("the process rendering pages stopped unexpectedly", hint="run again with --jobs 1"))

    def wait(self, done: Callable[[], bool]) -> None:
        while not done():
            # Its answers first: the service may have sent the last ones just before it ended.
            if self.outbox not in connection_wait([self.outbox, self.process.sentinel]):
                raise self._stopped()
            try:
                kind, ticket, index, value = self.outbox.recv()
            except (EOFError, OSError):
                raise self._stopped() from None
            if kind == "died":
                raise BuildError(Problem("a worker laying out pages stopped unexpectedly",
                                         hint="run again with --jobs 1"))
            answer = self.waiting[ticket]
            if kind == "rendered":
                answer.value = value
            else:
                answer.take(kind, index, value)


_FOLDER_PREFIX = "zinebuild-render-"


def _remove_abandoned_folders() -> None:
    """The font folders of builds killed with their whole group (nothing of theirs could)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_FOLDER_PREFIX}*-*"):
        pid = folder.name[len(_FOLDER_PREFIX):].split("-")[0]
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


class _Fd:
    """A bare file descriptor with the close() of a connection."""

    def __init__(self, fd: int):
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


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
