"""Turn render requests into answers, in the render service's process and the workers it forks.

The service (serve) imports and warms up WeasyPrint once, forks workers for each request and
passes the workers' answers on to the build; it never renders a document itself, so that it
always hears the build and its workers. See workers.py for the build's side.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait as connection_wait

from ..errors import BuildError, Problem
from ..imagesrc import keep_named
from ..render import Layout
from . import hyphenation, lifelines, weasy


@dataclass(frozen=True)
class Job:
    name: str  # what the progress bar shows
    html: str
    extra_css: str
    pictures: dict = field(default_factory=dict)  # the pictures its HTML names (imagesrc.named_in)


# Pictures inline as data: URIs (a layout's own templates may write them; zinebuild's name
# theirs, imagesrc.py) make a piece's HTML long but cost little to lay out.
_DATA_URI = re.compile(r"data:[^\"')\s]+")


def weight(job: Job) -> int:
    """A guess at a job's layout time: the length of its HTML without inline pictures."""
    return len(job.html) - sum(m.end() - m.start() for m in _DATA_URI.finditer(job.html))  # no copies of photos


def longest_first(jobs: list[Job]) -> list[int]:
    """Job indexes in the order workers claim them: the longest first, so that the last
    ones claimed are short and no worker is left with a long piece while the others idle."""
    return sorted(range(len(jobs)), key=lambda i: -weight(jobs[i]))


def failure(name: str, error: Exception) -> BuildError:
    if isinstance(error, BuildError):
        return error
    if isinstance(error, OSError):  # the machine's fault (WeasyPrint keeps fonts in files): one line
        where = f"cannot write {error.filename}: " if error.filename else ""
        return BuildError(Problem(f"rendering {name!r}: {where}{error.strerror or error}"))
    return BuildError(Problem(f"rendering {name!r} failed: {type(error).__name__}: {error}",
                              hint="run with --jobs 1 --debug for the full trace"))


# Pages a worker keeps laid out before drawing them. Holding them lets the book be paginated
# while the workers draw (a third of their work); the bound keeps a worker's memory that of a
# few hundred pages (plus its longest piece) however long the book is.
HOLD_PAGES = 300


def lay_out_then_draw(batch: int, jobs: list[Job], claim: Callable[[], int | None], layout: Layout,
                      identifier: str, answer) -> None:
    """One worker's life: claim jobs until none is left, laying each out and telling its pages
    (their names, weasy.page_names) at once; draw them when all are claimed, or sooner once HOLD_PAGES pages wait."""
    held: list[tuple[int, object]] = []
    while (index := claim()) is not None:
        try:
            keep_named(jobs[index].pictures)
            document = weasy.lay_out(jobs[index].html, layout, jobs[index].extra_css)
            answer(("pages", batch, index, weasy.page_names(document)))
            held.append((index, document))
        except Exception as error:  # every job gets an answer, or the parent would wait forever
            answer(("pages", batch, index, None))
            answer(("done", batch, index, failure(jobs[index].name, error)))
        while len(held) > 1 and sum(len(document.pages) for _, document in held) > HOLD_PAGES:
            _draw(batch, jobs, *held.pop(0), identifier, answer)
    while held:
        _draw(batch, jobs, *held.pop(0), identifier, answer)
    weasy.release()  # a forked worker ends without running atexit


def _draw(batch: int, jobs: list[Job], index: int, document, identifier: str, answer) -> None:
    try:
        answer(("done", batch, index, weasy.draw(document, identifier, joined=True)))  # the join shares the fonts
    except Exception as error:
        answer(("done", batch, index, failure(jobs[index].name, error)))
    # `document` goes with this frame: it holds the fonts that release() lets go


def claims(order: list[int], counter) -> Callable[[], int | None]:
    """The next job index for whichever worker asks first; counter is shared by the workers
    (a multiprocessing.Value), so that a worker done early takes the jobs left."""
    def claim() -> int | None:
        with counter.get_lock():
            at = counter.value
            counter.value = at + 1
        return order[at] if at < len(order) else None

    return claim


def _render_one(ticket: int, html: str, pictures: dict, layout: Layout, identifier: str, extra_css: str,
                joined: bool, answer) -> None:
    keep_named(pictures)
    try:
        answer(("rendered", ticket, None, weasy.render(html, layout, identifier, extra_css, joined)))
    except Exception as error:
        answer(("rendered", ticket, None, failure("a page", error)))
    weasy.release()


def _raster_one(ticket: int, html: str, pictures: dict, layout: Layout, identifier: str, width_px: int, fmt: str,
                answer) -> None:
    from ..cover import raster

    keep_named(pictures)
    try:
        answer(("rendered", ticket, None, raster(weasy.render(html, layout, identifier).pdf, width_px, fmt)))
    except Exception as error:
        answer(("rendered", ticket, None, failure("the cover", error)))
    weasy.release()


def _worker(task, args, answers, closing, life: int) -> None:
    """A forked worker: die with the service (lifelines.py), answer through a pipe of its own."""
    lifelines.die_with_parent()
    lifelines.watch(life)
    for connection in closing:  # the service's ends: were it gone, its pipes must say so
        connection.close()
    try:
        task(*args, answers.send)
    except OSError:  # the pipe is broken: the service is gone, there is nobody left to tell
        os._exit(1)
    answers.close()


def serve(inbox, outbox, life: int, closing, temporary: str) -> None:
    """The service process: import WeasyPrint once, then fork a worker for each request and pass
    their answers on. It never renders itself, so it always hears the build and its workers."""
    # The build's death ends us by a signal that still lets us stop the workers and remove the
    # font files (the build removes them too, when it can); ours ends the workers by SIGKILL.
    workers: dict[object, tuple] = {}  # sentinel -> (process, its answers, batch)

    def end() -> None:
        for process, _, _ in list(workers.values()):
            process.kill()
        shutil.rmtree(temporary, ignore_errors=True)

    def build_died(signum, frame) -> None:
        # Not sys.exit: the signal may land inside a finaliser (a pipe's __del__), where an
        # exception is printed as "Exception ignored" and lost; we end here, cleanly, at once.
        end()
        os._exit(1)

    lifelines.ignore_stop_signals()  # the build stops us (close), or dies and takes us with it
    signal.signal(signal.SIGUSR1, build_died)
    lifelines.die_with_parent(signal.SIGUSR1)
    for connection in closing:
        connection.close()
    tempfile.tempdir = temporary  # WeasyPrint's font files, our workers' included
    try:
        _ahead(weasy.warm_up)  # what every worker would otherwise do first, done once before they fork
        _pass_on(inbox, lifelines.Sender(outbox), life, workers)
    finally:
        end()


def _ahead(step, *args) -> None:
    """Work done ahead for the workers. Should it fail, each worker does it again and reports
    what went wrong as the failure of its own piece, where the build names it."""
    try:
        step(*args)
    except Exception:  # noqa: BLE001 (reported by the workers, which meet it again)
        pass


def _pass_on(inbox, to_parent: lifelines.Sender, life: int, workers: dict) -> None:
    """Fork workers as the build asks and pass their answers on, until it says stop or is gone.
    A request starts its worker at once (the skeleton, asked for while the workers of pieces
    still draw, shares the cores with them and ends with them rather than after them: 0.34 s
    sooner on the sample), but while the build asks for fewer workers ("limit"): as it reads
    its sources, it uses a core of its own, and two covers drawn beside it at once only added
    memory. A request beyond the limit waits for a worker to end."""
    context = multiprocessing.get_context("fork")
    queued: deque[tuple] = deque()
    limit = math.inf

    def start(task, ticket, args) -> None:
        if len(workers) >= limit:
            queued.append((task, ticket, args))
            return
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
        while queued and len(workers) < limit:
            start(*queued.popleft())
        if inbox not in ready:
            continue
        try:
            kind, ticket, *args = inbox.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            to_parent.close()
            return
        if kind == "limit":  # ticket: the workers that may run at once, None for no limit
            limit = math.inf if ticket is None else max(1, ticket)
            while queued and len(workers) < limit:
                start(*queued.popleft())
        elif kind == "prepare":  # sent before the sources are read: ticket is the layout
            layout, html, cache_dir = ticket, *args
            hyphenation.keep_in(cache_dir)  # for this build's dictionaries, here and at its pieces
            _ahead(weasy.prepare, [Job("", html, "")], layout)
        elif kind == "render":
            start(_render_one, ticket, (ticket, *args))
        elif kind == "raster":
            start(_raster_one, ticket, (ticket, *args))
        elif kind == "pieces":
            jobs, layout, identifier, processes = args
            _ahead(weasy.prepare, jobs, layout)  # once here rather than once in each worker
            gc.freeze()  # what the workers inherit stays shared: the collector will not touch it
            claim = claims(longest_first(jobs), context.Value("l", 0))
            for _ in range(min(max(processes, 1), len(jobs))):
                start(lay_out_then_draw, ticket, (ticket, jobs, claim, layout, identifier))
