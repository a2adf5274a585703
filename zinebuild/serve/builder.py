"""Turn saved edits into builds: debounced, one at a time, and one more for an edit made during a build.

Builds run on the thread that calls Builder.run (the main one, where Ctrl-C arrives); the
page learns of each through Live, which the server's event streams wait on.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import pipeline
from ..errors import InputError, Problem, ZinebuildError
from ..settings import Settings
from .snapshot import Snapshot, take

LOGGER = logging.getLogger("zinebuild")
# A burst of saves (an editor writing several files, a formatter run) makes one build:
# it starts once no file has changed for this long.
QUIET = 0.2
# What the page shows: the reading PDF's pages (and from them the booklet's sheets, imposed
# when the page asks), the EPUB's files. `zinebuild build` writes the final files, all of them.
FORMATS = ("epub", "pdf")


@dataclass(frozen=True)
class Failure:
    """Why the last build made nothing: the problems as errors.py located them."""

    problems: tuple[Problem, ...]
    input: bool  # True: the config or a source needs fixing; False: the build itself failed


class Live:
    """What the page shows now; every change wakes the event streams waiting on it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.server = secrets.token_hex(4)  # tells a page that the server was started again
        self.version = 0
        self.snapshot: Snapshot | None = None  # the last good build: kept while later ones fail
        self.failure: Failure | None = None
        self.building = False
        self.builds = 0

    def update(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self.version += 1
            self._changed.notify_all()

    def now(self) -> dict:
        """Every field at once, as one update left them."""
        with self._changed:
            return {name: getattr(self, name)
                    for name in ("server", "version", "snapshot", "failure", "building", "builds")}

    def wait(self, seen: int, timeout: float) -> int:
        """The version after `seen`, or `seen` again when nothing changed within timeout."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout)
            return self.version


class _Collect(logging.Handler):
    """The warnings a build logs while writing (layout problems, Z301): the page lists them too."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.thread = threading.get_ident()  # the build's: not the server's complaints meanwhile

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


class Builder:
    """Builds the project when asked, never two at once; edits during a build queue exactly one more."""

    def __init__(self, config: Path, out_dir: Path, cache_dir: Path, live: Live, jobs: int, start_service) -> None:
        self.config, self.out_dir, self.cache_dir, self.live, self.jobs = config, out_dir, cache_dir, live, jobs
        # One render service for every build (WeasyPrint imported once), renewed after a failed one.
        self._start_service = start_service
        self._service = contextlib.ExitStack()
        self.service = self._service.enter_context(start_service(jobs))
        self._wake = threading.Condition()
        self._pending: set[Path] = set()
        self._dirty = True  # the first build
        self._last_edit = 0.0
        self.folders: set[Path] = {(config if config.is_dir() else config.parent).resolve()}
        """What the watcher should watch: the project's folder, and any source or layout outside it."""

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc) -> None:
        self._service.close()

    def _renew_service(self) -> None:
        """After a build that failed in rendering: its service or a worker may be what failed (killed, say)."""
        self._service.close()
        self._service = contextlib.ExitStack()
        self.service = self._service.enter_context(self._start_service(self.jobs))

    def changed(self, paths: set[Path]) -> None:
        """Called by the watcher (another thread) with the files just saved."""
        with self._wake:
            self._pending |= paths
            self._dirty = True
            self._last_edit = time.monotonic()
            self._wake.notify_all()

    def run(self, after_build: Callable[[], None] = lambda: None) -> None:
        """Build whenever asked, until interrupted (Ctrl-C raises in this thread)."""
        while True:
            edited = self._next()
            if edited is not None:
                self.build(edited)
                after_build()

    def _next(self) -> set[Path] | None:
        """The files edited since the last build once they have been quiet for QUIET; None meanwhile."""
        with self._wake:
            if not self._dirty:
                self._wake.wait(0.25)  # short waits: Ctrl-C is taken between them
                return None
            quiet = QUIET - (time.monotonic() - self._last_edit)
            if quiet > 0:
                self._wake.wait(quiet)
                return None
            edited, self._pending, self._dirty = self._pending, set(), False
            return edited

    def build(self, edited: set[Path]) -> None:
        self.live.update(building=True)
        collect = _Collect()
        LOGGER.addHandler(collect)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            project = pipeline.load(self.config, cache_dir=self.cache_dir)
            written: dict[str, Path] = {}
            settings = Settings(jobs=self.jobs, cache_dir=self.cache_dir, service=self.service)
            pipeline.build(project, FORMATS, self.out_dir, settings=settings,
                           on_written=lambda fmt, path: written.__setitem__(fmt, path))
            generation = self.live.builds + 1
            snapshot = take(generation, project.anthology, project.layout.output, written, collect.messages,
                            {path.resolve() for path in edited}, self.live.snapshot)
        except ZinebuildError as error:
            LOGGER.error("%s", error.format_message())
            self.live.update(building=False, builds=self.live.builds + 1,
                             failure=Failure(tuple(error.problems), isinstance(error, InputError)))
            if not isinstance(error, InputError):
                self._renew_service()
            return
        except OSError as error:  # the machine's fault: a full disk, a folder we may not write to
            LOGGER.error("cannot write %s: %s", error.filename or self.out_dir, error.strerror or error)
            problem = Problem(f"cannot write: {error.strerror or error}", file=error.filename or self.out_dir,
                              hint="free some space, or make the folder writable; the next save builds again")
            self.live.update(building=False, builds=self.live.builds + 1, failure=Failure((problem,), False))
            return
        except Exception as error:  # the page says so, and the server goes on for the next edit
            LOGGER.exception("internal error while building")
            problem = Problem(f"internal error: {type(error).__name__}: {error}",
                              hint="the terminal running `zinebuild serve` shows the trace; please report it")
            self.live.update(building=False, builds=self.live.builds + 1, failure=Failure((problem,), False))
            return
        finally:
            LOGGER.removeHandler(collect)
        self.folders = _folders(project)
        self.live.update(building=False, builds=generation, snapshot=snapshot, failure=None)
        LOGGER.info("built %d page(s) in %s; %d warning(s), listed on the page", snapshot.pages, self.out_dir,
                    len(snapshot.warnings))


def _folders(project: pipeline.Project) -> set[Path]:
    """The project's folder, and the folders of its inputs that lie outside it (the built-in layout aside)."""
    from ..render import BUILTIN_LAYOUTS

    root = project.config.root
    inputs = [Path(p.source) for p in project.anthology.front + project.anthology.pieces + project.anthology.back]
    if project.config.book.cover:
        inputs.append(Path(project.config.book.cover))
    folders = {root} | {path.parent for path in inputs if not path.is_relative_to(root)}
    folders |= {d for d in project.layout.search_path
                if not d.is_relative_to(root) and not d.is_relative_to(BUILTIN_LAYOUTS.resolve())}
    return {folder.resolve() for folder in folders if folder.is_dir()}
