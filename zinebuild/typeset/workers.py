"""Render documents with WeasyPrint in other processes, started before they are needed.

A build starts one render service at once. Its process imports WeasyPrint and Pango and
warms them up (about 0.8 s) while this one reads and cleans the sources, then serves two
requests: render one document (the skeleton, the EPUB cover), or lay out a set of pieces,
in workers it forks, which share its imported WeasyPrint, parsed stylesheets, loaded fonts
and hyphenation dictionaries instead of loading their own. The workers claim the pieces
one at a time, longest first, from a shared counter, so none idles while another has
pieces left; a worker tells each piece's page count as soon as it is laid out and draws
its pieces once all are claimed, so the book can be paginated while the workers draw (a
third of their work), or sooner when it holds many pages (service.HOLD_PAGES), so that its
memory stays bounded however long the book. A build served wholly from the cache never
waits for the service at all. A one-off build's service stops once the PDF's pages are
all in (RenderService.rest), so that its WeasyPrint is not held while the book is joined.

Faults end cleanly (tests/test_faults.py): every pipe has one writer and one reader, so a
side that died reads as ended; the build waits on its pipe and the service's exit at once;
the service only forks and passes answers on, so it always hears the build and its
workers; and the service and workers die with the build however it ends (lifelines.py).
This module is the build's side; service.py runs in the service and its workers.

With one job, or where fork() is missing, LocalService does the same work in this process.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from multiprocessing.connection import wait as connection_wait
from pathlib import Path

from .. import memory
from ..errors import BuildError, Problem
from ..fsutil import running
from ..imagesrc import named_in
from ..render import Layout
from . import lifelines, weasy
from .service import Job, failure, lay_out_then_draw, longest_first, serve

__all__ = ["Job", "LocalService", "Pending", "Pieces", "RenderService", "start_service"]


class Pieces:
    """The answers for one set of pieces: page counts first, then the drawn documents."""

    def __init__(self, service, jobs: list[Job], on_done: Callable[[Job, bool], None]):
        # on_done(job, drawn): called when a job is laid out (drawn False), then when drawn
        self.service, self.jobs, self.on_done = service, jobs, on_done
        self.pages: dict[int, tuple[str, ...] | None] = {}  # job -> its pages' names (weasy.page_names)
        self.results: dict[int, weasy.Rendered | BuildError] = {}

    def take(self, kind: str, index: int, value) -> None:
        if kind == "pages":
            self.pages[index] = value
        else:
            self.results[index] = value
        self.on_done(self.jobs[index], kind != "pages")

    def complete(self) -> bool:
        return len(self.results) == len(self.jobs)

    def page_names(self) -> list[tuple[str, ...] | None]:
        """Each job's pages, by name (None if it failed), in the order of jobs, once all are laid out."""
        self.service.wait(lambda: len(self.pages) == len(self.jobs))
        return [self.pages[i] for i in range(len(self.jobs))]

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

    def complete(self) -> bool:
        return self.value is not None

    def result(self) -> weasy.Rendered:
        self.service.wait(self.complete)
        if isinstance(self.value, BuildError):
            raise self.value
        return self.value


class RenderService:
    """A process that renders with WeasyPrint on request; see the module's docstring."""

    parallel = True  # its work goes on while the build does something else

    def __init__(self, processes: int, rests: bool = False):
        self.processes, self.rests = processes, rests
        self.tickets = itertools.count()
        self.waiting: dict[int, object] = {}
        self.resting = False
        _remove_abandoned_folders()
        self._start()

    def _start(self) -> None:
        self.temporary = tempfile.mkdtemp(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-")
        context = multiprocessing.get_context("fork")
        # One writer and one reader per pipe, each side closing the other's ends: a pipe whose
        # other side died reads as ended and refuses writes, instead of waiting forever.
        service_in, self.inbox = context.Pipe(duplex=False)
        self.outbox, service_out = context.Pipe(duplex=False)
        life, self.life = os.pipe()  # ours alone to hold: it ends when this process does
        # Not a daemon: daemons may not fork the workers. It stops when this process does.
        self.process = context.Process(target=serve, args=(service_in, service_out, life,
                                                            [self.inbox, self.outbox, _Fd(self.life)],
                                                            self.temporary))
        # Closed at exit if nothing closed it before (a signal before `with` took it): otherwise
        # multiprocessing would wait at exit for a service that waits for us to exit.
        self.closed = False
        atexit.register(self.close)
        with lifelines.stop_signals_blocked():
            self.process.start()
        service_in.close()
        service_out.close()
        os.close(life)

    def rest(self) -> None:
        """The build needs no more pages for now (its PDF's are all in): a service started with
        rests=True stops its process, whose WeasyPrint holds 50 MiB while the build joins the
        book and imposes the booklet. A request after this starts it again (the import and
        warm-up once more, about 0.8 s: a separate cover sheet). One that does not rest (serve's,
        whose next build wants it warm) goes on. Never while an answer is still awaited."""
        if self.rests and not self.closed and all(answer.complete() for answer in self.waiting.values()):
            self.waiting.clear()  # nothing awaited: close() ends it at once, without a stop to wait for
            self.close()
            self.resting = True

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        started = self.process.pid is not None
        if started and self.process.is_alive() and self.waiting:  # it may have workers to stop
            with contextlib.suppress(OSError):
                self.inbox.send(("stop", None))
                self.process.join(timeout=3)
        if started:
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
               on_done: Callable[[Job, bool], None] = lambda job, drawn: None) -> Pieces:
        ticket = next(self.tickets)
        self.waiting[ticket] = answers = Pieces(self, jobs, on_done)
        if jobs:
            self._send(("pieces", ticket, jobs, layout, identifier, self.processes))
        return answers

    def render(self, html: str, layout: Layout, identifier: str, extra_css: str = "", joined: bool = False) -> Pending:
        """One document; joined: its layout fonts are replaced in the join (weasy.draw)."""
        ticket = next(self.tickets)
        self.waiting[ticket] = pending = Pending(self)
        self._send(("render", ticket, html, named_in(html), layout, identifier, extra_css, joined))
        return pending

    def raster(self, html: str, layout: Layout, identifier: str, width_px: int, fmt: str) -> Pending:
        """One page drawn and turned into a PNG or JPEG of this width, in a worker (a cover)."""
        ticket = next(self.tickets)
        self.waiting[ticket] = pending = Pending(self)
        self._send(("raster", ticket, html, named_in(html), layout, identifier, width_px, fmt))
        return pending

    def limit(self, workers: int | None) -> None:
        """Let the service run at most this many workers at once (None: no limit), for as long
        as this process uses a core of its own (while it reads the sources)."""
        self._send(("limit", workers))

    def prepare(self, layout: Layout, html: str, cache_dir: Path | None = None) -> None:
        """Have the service parse the layout's stylesheets (those html links), load its fonts and
        the book's hyphenation dictionary (parsed ones kept in cache_dir: hyphenation.py) now,
        while this process reads the sources, rather than once the pieces are sent."""
        self._send(("prepare", layout, html, cache_dir))

    def _send(self, request: tuple) -> None:
        if self.resting:
            self.resting = False
            self._start()
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
            self._receive()

    def poll(self) -> None:
        """Take the answers that have come, without waiting for more: while this process writes
        the EPUB and the HTML, the progress line follows the pieces laid out meanwhile."""
        while not self.closed and not self.resting and self.outbox.poll():
            self._receive()

    def _receive(self) -> None:
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

    parallel = False

    def __enter__(self) -> LocalService:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def close(self) -> None:
        pass

    def rest(self) -> None:
        pass  # nothing to stop: the pages are laid out in this process

    def pieces(self, jobs: list[Job], layout: Layout, identifier: str,
               on_done: Callable[[Job, bool], None] = lambda job, drawn: None) -> Pieces:
        answers = Pieces(self, jobs, on_done)
        order = iter(longest_first(jobs))
        lay_out_then_draw(0, jobs, lambda: next(order, None), layout, identifier,
                          lambda message: answers.take(message[0], message[2], message[3]))
        return answers

    def render(self, html: str, layout: Layout, identifier: str, extra_css: str = "", joined: bool = False) -> Pending:
        pending = Pending(self)
        try:
            pending.value = weasy.render(html, layout, identifier, extra_css, joined)
        except Exception as error:
            pending.value = failure("a page", error)
        return pending

    def raster(self, html: str, layout: Layout, identifier: str, width_px: int, fmt: str) -> Pending:
        from ..cover import raster

        pending = Pending(self)
        try:
            pending.value = raster(weasy.render(html, layout, identifier).pdf, width_px, fmt)
        except Exception as error:
            pending.value = failure("the cover", error)
        return pending

    def limit(self, workers: int | None) -> None:
        pass  # one process, which does one thing at a time

    def prepare(self, layout: Layout, html: str, cache_dir: Path | None = None) -> None:
        pass  # one process: nothing to do ahead of the pieces

    def poll(self) -> None:
        pass  # every answer is complete when it is returned

    def wait(self, done: Callable[[], bool]) -> None:
        assert done(), "a local answer is complete when it is returned"


def start_service(processes: int, rests: bool = False) -> RenderService | LocalService:
    """rests: a one-off build's service, which stops once the PDF's pages are in (RenderService.rest)."""
    # Before the fork, so the service and its workers give freed memory back too (memory.py).
    memory.give_back_freed()
    if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
        return RenderService(processes, rests)
    return LocalService()
