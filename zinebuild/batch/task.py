"""Turn one Book of a batch into its outputs, in whichever process or machine runs the task.

The task is the ordinary build (pipeline.load, pipeline.build) with one job, so that a
batch's parallelism is across books, and with the batch's one cache. Every output of the
book, booklets for several sheets included, replaces the previous ones together or not at
all (fsutil.together). Whatever goes wrong is returned as the Outcome, never raised: one
book's failure must not stop the others, and an error in the input is not worth a retry.
Only a lost worker (the process gone) makes the task run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import fsutil, pipeline
from ..cache import BlobCache
from ..errors import InputError, Problem, ZinebuildError
from ..render import output_stem
from ..settings import CACHE_FOLDER, Settings
from ..slug import slugify
from ..units import parse_page_size
from .books import Book


# A Dask worker may run tasks in several threads; a build is one process's work (its logging,
# its caches, WeasyPrint), so its books are built one after the other.
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Plan:
    """What every book of the batch is built into and as: the same for all of them."""

    out: Path
    """The output folder (absolute): each book writes into OUT/<book name>/ only."""
    formats: tuple[str, ...] = ()
    """The outputs to write; () for what each config says."""
    sheets: tuple[str, ...] = ()
    """Paper for booklets, one booklet each (NAME-a4-booklet.pdf…); () for the config's sheet."""
    cache: bool = True
    """Share OUT/.zinebuild-cache between the books (and later batches)."""
    source_date_epoch: str | None = field(default_factory=lambda: os.environ.get("SOURCE_DATE_EPOCH"))
    """The SOURCE_DATE_EPOCH of the command (dates.py, typeset/weasy.py read it): a worker
    elsewhere has an environment of its own, and the books' bytes must not depend on it."""

    @property
    def cache_dir(self) -> Path | None:
        return self.out / CACHE_FOLDER if self.cache else None


@dataclass(frozen=True)
class Outcome:
    """How one book's task ended."""

    book: str
    origin: str
    """The config or source the book is made from, as the user named it."""
    written: tuple[str, ...] = ()
    """The files written, relative to the output folder."""
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    """Why the book failed (with its file, line or piece, as `zinebuild build` says it); None if built."""
    exit_code: int = 0
    """2 when the input needs fixing, 1 for a fault of the machine or of zinebuild."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def build_book(book: Book, plan: Plan) -> Outcome:
    """Build book into plan.out/book.name; see the module's docstring."""
    collected = _Collected()
    try:
        with _ONE_AT_A_TIME, collected.warnings(), _source_date_epoch(plan.source_date_epoch):
            written, notices = _build(book, plan)
    except ZinebuildError as error:
        return _failed(book, collected, error.message, error.exit_code)
    except OSError as error:  # the machine's fault: which file, and the system's reason
        from ..cli import _os_problem

        return _failed(book, collected, str(_os_problem(error)), 1)
    except Exception as error:
        return _failed(book, collected, f"internal error: {type(error).__name__}: {error}", 1)
    return Outcome(book.name, str(book.origin), tuple(p.relative_to(plan.out).as_posix() for p in written),
                   tuple(notices) + tuple(collected.messages))


def _build(book: Book, plan: Plan) -> tuple[list[Path], list[str]]:
    folder = _own_folder(plan.out, book.name)
    config = book.config
    if book.source is not None:
        from ..readers import cached

        if not book.source.resolve().is_relative_to(book.config.parent):
            # An archive's folder may hold what others sent: a link must not publish /etc/passwd.md.
            raise InputError(Problem("is a link to a file outside the template's folder", file=book.source,
                                     hint="copy the file into the folder instead"))
        from .template import zine_config

        config = zine_config(book.config, book.source, cached(BlobCache(plan.cache_dir)))
    project = pipeline.load(config, cache_dir=plan.cache_dir)
    notices = [str(n) for n in project.anthology.notices if n.level == "warning"]
    formats = plan.formats or project.config.output.formats
    settings = Settings(jobs=1, cache_dir=plan.cache_dir)  # one core per book: the batch fills the others
    written = []
    with fsutil.together(folder):  # the booklets of each sheet join the one set of outputs
        once = tuple(f for f in formats if f != "booklet" or not plan.sheets)
        if once:
            written += pipeline.build(project, once, folder, settings=settings)
        for sheet in plan.sheets if "booklet" in formats else ():
            written += pipeline.build(_on_sheet(project, sheet), ("booklet",), folder, settings=settings)
    return written, notices


def _on_sheet(project: pipeline.Project, sheet: str) -> pipeline.Project:
    """The project with its booklet on another paper, named for it: NAME-letter-booklet.pdf."""
    output = project.config.output
    output = replace(output, sheet=parse_page_size(sheet),
                     name=f"{output_stem(project.anthology.book, output)}-{slugify(sheet)}")
    return replace(project, config=replace(project.config, output=output),
                   layout=replace(project.layout, output=output))


@contextlib.contextmanager
def _source_date_epoch(value: str | None):
    """The command's SOURCE_DATE_EPOCH (or none) in this process while a book is built."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    _set_source_date_epoch(value)
    try:
        yield
    finally:
        _set_source_date_epoch(before)


def _set_source_date_epoch(value: str | None) -> None:
    if value is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = value


def _own_folder(out: Path, name: str) -> Path:
    """OUT/name, a real folder: a link there could lead the outputs anywhere."""
    folder = out / name
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError(Problem("is in the way of the book's outputs: not a folder but a link or a file",
                                 file=folder, hint="move it away, or choose another --out"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _failed(book: Book, collected: _Collected, problem: str, code: int) -> Outcome:
    return Outcome(book.name, str(book.origin), (), tuple(collected.messages), problem, code)


class _Collected(logging.Handler):
    """The build's log warnings (WeasyPrint's, the booklet's), kept for the batch's report
    instead of printed by whatever process or machine the task runs in."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    @contextlib.contextmanager
    def warnings(self):
        logger = logging.getLogger("zinebuild")
        propagate = logger.propagate
        logger.addHandler(self)
        logger.propagate = False
        try:
            yield
        finally:
            logger.removeHandler(self)
            logger.propagate = propagate
