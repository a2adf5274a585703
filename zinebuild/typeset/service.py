"""Turn render requests into answers, in the render service's process and the workers it forks.

The service (serve) imports WeasyPrint once, forks a worker for each request and passes the
workers' answers on to the build; it never renders itself, so that it always hears the
build and its workers. See workers.py for the build's side.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from multiprocessing.connection import wait as connection_wait

from ..errors import BuildError, Problem
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


def failure(name: str, error: Exception) -> BuildError:
    if isinstance(error, BuildError):
        return error
    if isinstance(error, OSError):  # the machine's fault (WeasyPrint keeps fonts in files): one line
        where = f"cannot write {error.filename}: " if error.filename else ""
        return BuildError(Problem(f"rendering {name!r}: {where}{error.strerror or error}"))
    return BuildError(Problem(f"rendering {name!r} failed: {type(error).__name__}: {error}",
                              hint="run with --jobs 1 --debug for the full trace"))


def lay_out_then_draw(batch: int, jobs: list[tuple[int, Job]], layout: Layout, identifier: str, answer) -> None:
    """One worker's life: lay out each job, then draw each, answering for every one."""
    laid_out = []
    for index, job in jobs:
        try:
            document = weasy.lay_out(job.html, layout, job.extra_css)
            answer(("pages", batch, index, len(document.pages)))
            laid_out.append((index, job, document))
        except Exception as error:  # every job gets an answer, or the parent would wait forever
            answer(("pages", batch, index, None))
            answer(("done", batch, index, failure(job.name, error)))
    while laid_out:
        index, job, document = laid_out.pop(0)
        try:
            answer(("done", batch, index, weasy.draw(document, identifier)))
        except Exception as error:
            answer(("done", batch, index, failure(job.name, error)))
        del document  # it holds the fonts that release() lets go
    weasy.release()  # a forked worker ends without running atexit


def _render_one(ticket: int, html: str, layout: Layout, identifier: str, extra_css: str, answer) -> None:
    try:
        answer(("rendered", ticket, None, weasy.render(html, layout, identifier, extra_css)))
    except Exception as error:
        answer(("rendered", ticket, None, failure("a page", error)))
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
    lifelines.ignore_stop_signals()  # the build stops us (close), or dies and takes us with it
    signal.signal(signal.SIGUSR1, lambda signum, frame: sys.exit(1))
    lifelines.die_with_parent(signal.SIGUSR1)
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
                start(lay_out_then_draw, ticket, (ticket, [(i, jobs[i]) for i in indexes], layout, identifier))
