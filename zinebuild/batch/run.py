"""Turn a list of books into their Outcomes: on a local process pool, or on a Dask cluster.

Both run the same task (task.build_book) with the same arguments, so a book's bytes do not
depend on where it was built. Locally the pool has one process per core by default, and a
book whose process died (killed, out of memory) is built again in a new pool, up to TRIES
times. On a cluster (`--scheduler`), dask.distributed's scheduler does the same: a task
whose worker is lost is given to another worker, up to its allowed-failures setting (3).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from ..errors import BuildError, InputError, Problem
from .books import Book
from .task import Outcome, Plan, build_book

TRIES = 3
"""Times a book is tried whose worker process died under it."""

OnDone = Callable[[Outcome], None]


def on_pool(books: list[Book], plan: Plan, jobs: int, on_done: OnDone = lambda outcome: None) -> list[Outcome]:
    """Build the books on jobs local processes; see the module's docstring."""
    outcomes: dict[str, Outcome] = {}
    tries = dict.fromkeys((book.name for book in books), 0)
    todo = list(books)
    while todo:
        with _stopped_with_us(ProcessPoolExecutor(min(jobs, len(todo)), mp_context=_context())) as pool:
            futures = {pool.submit(build_book, book, plan): book for book in longest_first(todo)}
            todo = []
            for future in as_completed(futures):
                book = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker died; which book it held is not known
                    tries[book.name] += 1
                    if tries[book.name] < TRIES:
                        todo.append(book)
                        continue
                    outcome = lost(book, f"its worker process stopped unexpectedly ({TRIES} times)")
                outcomes[book.name] = outcome
                on_done(outcome)
    return [outcomes[book.name] for book in books]


@contextlib.contextmanager
def _stopped_with_us(pool: ProcessPoolExecutor):
    """The pool, whose workers stop when the batch does (Ctrl-C, SIGTERM, an error): left
    alone they would build the books in their queue. A book stopped half-way leaves its
    previous outputs (fsutil.together); the next build removes its temporary files."""
    try:
        yield pool
    except BaseException:
        processes = dict(getattr(pool, "_processes", None) or {})  # no public way to reach them
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            process.terminate()
        raise
    pool.shutdown()


def _context():
    """Workers forked from a server that has imported the build once, not from this process:
    a fork of a process with threads (a test's, a Dask client's) may inherit a held lock."""
    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(["zinebuild.batch.task", "weasyprint"])
    return context


def on_cluster(books: list[Book], plan: Plan, address: str, folders: list[Path],
               on_done: OnDone = lambda outcome: None) -> list[Outcome]:
    """Build the books on the Dask cluster whose scheduler is at address; every worker must see folders."""
    try:
        from distributed import Client
        from distributed import as_completed as completed
    except ImportError:
        raise InputError(Problem("--scheduler needs Dask's distributed package", key="--scheduler",
                                 hint="pip install 'zinebuild[cluster]'")) from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as error:
        raise BuildError(Problem(f"cannot reach the Dask scheduler at {address}: {error}", key="--scheduler",
                                 hint="start one with `dask scheduler`, and workers with `dask worker ADDRESS`")) from None
    with client:
        from .probe import check_workers

        check_workers(client, folders)
        batch = uuid.uuid4().hex[:8]  # keys of this run alone: another batch's results are not ours
        futures = {client.submit(build_book, book, plan, key=f"zinebuild-{batch}-{book.name}", pure=False,
                                 retries=TRIES - 1, priority=len(books) - rank): book
                   for rank, book in enumerate(longest_first(books))}
        outcomes: dict[str, Outcome] = {}
        for future in completed(list(futures)):
            book = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # distributed.KilledWorker: its workers kept dying under it
                outcome = lost(book, f"its worker was lost: {type(error).__name__}: {error}")
            outcomes[book.name] = outcome
            on_done(outcome)
    return [outcomes[book.name] for book in books]


def longest_first(books: list[Book]) -> list[Book]:
    """The order to start books in: a long book started last would keep one worker busy
    while the others wait at the end of the batch (a stable sort: configs keep theirs)."""
    return sorted(books, key=lambda book: -book.size)


def lost(book: Book, reason: str) -> Outcome:
    return Outcome(book.name, str(book.origin), problem=reason, exit_code=1)
