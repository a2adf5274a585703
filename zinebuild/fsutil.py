"""Write outputs atomically: temporary files beside their targets, renamed when all are complete.

One file (write_bytes, atomic_path) replaces its target only once it is whole. Inside
together(folder), the files written into that folder are only staged: they replace their
targets all at once when the block ends without error, and are removed otherwise, so a build
leaves the complete previous set of outputs or the complete new one, never a mix.

The switch is guarded against the process dying half-way: old files are kept as hard links
until every rename is done (an error rolls back to them), signals are held off meanwhile, and
a journal lists the renames, which recover() completes after a SIGKILL. Temporaries carry the
pid of the build that wrote them; recover() removes those of builds that are gone. Failures
to write are raised as CannotWrite, naming the target rather than its temporary file.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import signal
import tempfile
import threading
from pathlib import Path
from .errors import InputError, Problem

# .<name>.<random>.<pid>.part|old|journal: the pid says whether the build that made it still runs.
_SUFFIXES = (".part", ".old", ".journal")
_HELD_OFF = ("SIGINT", "SIGTERM", "SIGHUP")
_stage: contextvars.ContextVar[_Stage | None] = contextvars.ContextVar("zinebuild_stage", default=None)


class CannotWrite(OSError):
    """An output (or its temporary file) could not be written; filename is the output."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def _cannot_write(target: Path, error: OSError) -> CannotWrite:
    if isinstance(error, CannotWrite):
        return error
    return CannotWrite(error.errno, error.strerror or str(error), str(target))


def _temporary(target: Path, suffix: str = ".part") -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{os.getpid()}{suffix}", dir=target.parent)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path; once the block is done it replaces target (or is staged to,
    inside together()); on any failure it is removed and the previous output stays intact.

    Two builds into one folder never interleave their bytes: each has its own temporary file.
    """
    tmp_path = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = _temporary(target)
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        stage = _stage.get()
        if stage is not None and target.parent == stage.folder:
            stage.add(tmp_path, target)
        else:
            os.replace(tmp_path, target)
    except BaseException as error:
        if tmp_path is not None:
            _remove(tmp_path)
        if isinstance(error, OSError):
            raise _cannot_write(target, error) from None
        raise


def write_bytes(target: Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


@contextlib.contextmanager
def together(folder: Path, inputs: frozenset[Path] = frozenset()):
    """Stage the files written into folder meanwhile; they replace their targets together
    when the block ends without error (see the module's docstring). None may replace one of
    inputs (resolved paths): the files the outputs are made from. Inside a together() of the
    same folder, the files join the outer stage (a batch's several builds of one book)."""
    outer = _stage.get()
    if outer is not None and outer.folder == folder:
        outer.inputs = outer.inputs | inputs
        yield outer
        return
    stage = _Stage(folder, inputs)
    token = _stage.set(stage)
    try:
        yield stage
    except BaseException:
        stage.discard()
        raise
    finally:
        _stage.reset(token)
    stage.commit()


class _Stage:
    def __init__(self, folder: Path, inputs: frozenset[Path] = frozenset()):
        self.folder = folder
        self.inputs = inputs
        self.staged: list[tuple[Path, Path]] = []  # (temporary, target)

    def add(self, tmp: Path, target: Path) -> None:
        if target.resolve() in self.inputs:  # `--out .` beside a source named like the book
            raise InputError(Problem(f"the output {target.name} would replace a file this book is made from",
                                     file=target, hint="choose another folder with --out, or another "
                                                       "file name with [output] name"))
        for earlier in [t for t, g in self.staged if g == target]:  # written twice: the last one counts
            _remove(earlier)
        self.staged = [(t, g) for t, g in self.staged if g != target] + [(tmp, target)]

    def discard(self) -> None:
        for tmp, _ in self.staged:
            _remove(tmp)
        self.staged = []

    def commit(self) -> None:
        try:
            for tmp, target in self.staged:  # on the disk before they replace anything
                with _naming(target):
                    _sync(tmp)
            with _signals_held_off():
                self._switch()
            self.staged = []
            with contextlib.suppress(OSError):
                _sync(self.folder)  # the renames too
        finally:
            self.discard()

    def _switch(self) -> None:
        for _, target in self.staged:  # before anything changes: a folder where a file should go
            if target.is_dir() and not target.is_symlink():
                raise CannotWrite(errno.EISDIR, "a folder is in the way", str(target))
        backups: dict[Path, Path] = {}
        journal = self.folder / f".zinebuild-commit.{os.getpid()}.journal"
        try:
            for _, target in self.staged:
                if target.exists():
                    with _naming(target):
                        backups[target] = _temporary(target, ".old")
                        os.unlink(backups[target])
                        os.link(target, backups[target])
            write_bytes(journal, json.dumps([[t.name, g.name] for t, g in self.staged]).encode())
            done = []
            try:
                for tmp, target in self.staged:
                    with _naming(target):
                        os.replace(tmp, target)
                    done.append(target)
            except BaseException:
                for target in reversed(done):  # back to the previous set
                    if target in backups:
                        os.replace(backups.pop(target), target)
                    else:
                        target.unlink()
                raise
        finally:
            for path in [*backups.values(), journal]:
                _remove(path)


@contextlib.contextmanager
def _naming(target: Path):
    try:
        yield
    except OSError as error:
        raise _cannot_write(target, error) from None


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held_off():
    """Delay SIGINT, SIGTERM and SIGHUP to the end of the block (a few renames)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived = []
    previous = {}
    for name in _HELD_OFF:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(arrived):
            signal.raise_signal(number)


def recover(folder: Path | None) -> None:
    """Finish the switch of a build killed half-way through it, and remove the temporary
    files of builds that are gone (a SIGKILL leaves them: nothing runs after it)."""
    if folder is None or not folder.is_dir():
        return
    leftovers = [path for path in folder.iterdir() if path.name.startswith(".") and path.suffix in _SUFFIXES
                 and not _running(path)]
    for journal in (path for path in leftovers if path.suffix == ".journal"):
        with contextlib.suppress(OSError, ValueError, TypeError):
            for tmp_name, target_name in json.loads(journal.read_bytes()):
                tmp = folder / Path(tmp_name).name
                if tmp.exists():  # every temporary was complete before the journal was written
                    os.replace(tmp, folder / Path(target_name).name)
    for path in leftovers:
        _remove(path)


def _running(path: Path) -> bool:
    try:
        pid = int(path.name.rsplit(".", 2)[-2])
    except (ValueError, IndexError):
        return True  # not one of ours: leave it
    return pid == os.getpid() or running(pid)


def running(pid: int) -> bool:
    """Whether a process of that id exists (ours or not: then it is not known to be gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
