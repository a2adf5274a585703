"""Run the zinebuild command line with one fault injected, for tests/faultkit.py.

    python tests/faultshim.py build CONFIG --out OUT ...

Configured by the environment:
  ZB_POINTS=FILE    count the write points: each filesystem call that writes (open for
                    writing, write, rename/replace, link, fsync, mkdir, unlink) appends a line
                    "pid kind path" to FILE, from the build process and its forked children.
  ZB_FAULT=WHEN=WHAT  inject one fault; ZB_FIRED=FILE is written when it happened.
    WHEN: N, the N-th write point of the build process (counted as above), or a moment:
          start (the render service just started), layout (the first page count arrived),
          draw (the first piece drawn arrived), join (the pieces are being joined).
    WHAT: ENOSPC, EIO, EFBIG, EACCES (N only: the call fails with that error);
          SIGINT, SIGTERM, SIGHUP (sent to the build process), with /group (to its group);
          kill-service, kill-worker (SIGKILL to the render service or one of its workers).
          At layout and draw, kill-worker holds each worker once its task is done until the
          fault has fired (ZB_HOLD seconds at most, 20 by default): a worker that finished before
          the build heard of the moment would leave nobody to kill, and the test would prove nothing.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import signal
import stat
import sys
import time
from pathlib import Path

MAIN = os.getpid()
POINTS = os.environ.get("ZB_POINTS")
WHEN, _, WHAT = os.environ.get("ZB_FAULT", "").partition("=")
FIRED = os.environ.get("ZB_FIRED")
MOMENTS = ("start", "layout", "draw", "join")
HOLD = float(os.environ.get("ZB_HOLD", "20"))
_counted = 0
_real = {name: getattr(os, name) for name in ("open", "write", "replace", "rename", "link", "fsync",
                                                 "mkdir", "unlink", "remove", "rmdir")}
_real_open = io.open
_log_fd = _real["open"](POINTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if POINTS else None
_services: list = []


def _fire(description: str) -> None:
    if FIRED:
        with _real_open(FIRED, "a") as fired:
            fired.write(description + "\n")


def _act(what: str) -> None:
    """Do WHAT, but fail a call: that is done by the caller, which raises."""
    name, _, scope = what.partition("/")
    if name.startswith("SIG"):
        _fire(what)
        if scope == "group":
            os.killpg(os.getpgid(0), getattr(signal, name))
        else:
            os.kill(os.getpid(), getattr(signal, name))
    elif name in ("kill-service", "kill-worker"):
        victim = _service_pid() if name == "kill-service" else _worker_pid()
        if victim is not None:
            _fire(f"{what} {victim}")
            os.kill(victim, signal.SIGKILL)


def _service_pid() -> int | None:
    alive = [s.process.pid for s in _services if s.process.is_alive()]
    return alive[0] if alive else None


def _worker_pid() -> int | None:
    service = _service_pid()
    deadline = time.monotonic() + 3
    while service is not None and time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{service}/task/{service}/children").read_text().split()
        except OSError:
            return None
        if children:
            return int(children[0])
        time.sleep(0.02)
    return None


def point(kind: str, path) -> None:
    global _counted
    if _log_fd is not None:
        _real["write"](_log_fd, f"{os.getpid()} {kind} {path}\n".encode())
    if os.getpid() != MAIN:
        return
    _counted += 1
    if WHEN != str(_counted):
        return
    if WHAT.startswith("E"):
        _fire(f"{WHAT} {kind} {path}")
        code = getattr(errno, WHAT)
        raise OSError(code, os.strerror(code), str(path))
    _act(WHAT)


def _at_moment(moment: str) -> None:
    global WHEN
    if WHEN == moment and os.getpid() == MAIN:
        WHEN = ""  # once
        _act(WHAT)


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f"fd {fd}"


def _is_file(fd: int) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)  # pipes to and from children are not files
    except OSError:
        return False


class _Writing:
    """A file opened for writing, its writes counted."""

    def __init__(self, file, path):
        self._file, self._path = file, path

    def write(self, data):
        point("write", self._path)
        return self._file.write(data)

    def writelines(self, lines):
        point("write", self._path)
        return self._file.writelines(lines)

    def __enter__(self):
        self._file.__enter__()
        return self

    def __exit__(self, *exc):
        return self._file.__exit__(*exc)

    def __iter__(self):
        return iter(self._file)

    def __getattr__(self, name):
        return getattr(self._file, name)


def _open(file, mode="r", *args, **kwargs):
    writing = any(c in mode for c in "wax+")
    if writing and not isinstance(file, int):
        point("open", file)
    opened = _real_open(file, mode, *args, **kwargs)
    return _Writing(opened, file if not isinstance(file, int) else _fd_path(file)) if writing else opened


def _wrap(name: str, kind: str, where):
    real = _real[name]

    def wrapper(*args, **kwargs):
        label = where(*args)
        if label is not None:
            point(kind, label)
        return real(*args, **kwargs)

    wrapper.__wrapped__ = real
    return wrapper


def install() -> None:
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    os.open = _wrap("open", "open", lambda path, flags, *a: path if flags & writes else None)
    os.write = _wrap("write", "write", lambda fd, *a: _fd_path(fd) if _is_file(fd) else None)
    os.fsync = _wrap("fsync", "fsync", lambda fd, *a: _fd_path(fd if isinstance(fd, int) else fd.fileno()))
    for name, kind in (("replace", "replace"), ("rename", "replace"), ("link", "link")):
        setattr(os, name, _wrap(name, kind, lambda source, target, *a: target))
    for name, kind in (("mkdir", "mkdir"), ("unlink", "unlink"), ("remove", "unlink"), ("rmdir", "unlink")):
        setattr(os, name, _wrap(name, kind, lambda path, *a, **k: path))
    builtins.open = io.open = _open

    from zinebuild.typeset import book, workers

    real_init = workers.RenderService.__init__

    def started(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        _services.append(self)
        _at_moment("start")

    workers.RenderService.__init__ = started
    real_take = workers.Pieces.take

    def take(self, kind, index, value):
        real_take(self, kind, index, value)
        _at_moment("layout" if kind == "pages" else "draw")

    workers.Pieces.take = take
    if WHAT == "kill-worker" and WHEN in ("layout", "draw"):  # later, a held worker would keep the skeleton waiting for its place
        _hold_workers()
    real_join = book.join

    def join(*args, **kwargs):
        _at_moment("join")
        return real_join(*args, **kwargs)

    book.join = join


def _hold_workers() -> None:
    """Keep each forked worker alive after its task until the fault fired (see the docstring)."""
    from zinebuild.typeset import service

    real_worker = service._worker

    def worker(*args, **kwargs):
        real_worker(*args, **kwargs)
        deadline = time.monotonic() + HOLD
        while not (FIRED and os.path.exists(FIRED)) and time.monotonic() < deadline:
            time.sleep(0.02)

    service._worker = worker


if __name__ == "__main__":
    install()
    from zinebuild.cli import main

    sys.argv[0] = "zinebuild"
    main()
