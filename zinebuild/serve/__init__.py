"""Turn a project folder into a live preview: build, serve the page, watch the files, build again.

`zinebuild serve` runs three things at once: the builds, on this (the main) thread, where
Ctrl-C arrives; an HTTP server (server.py) in a thread of its own; a file watcher
(watcher.py) in another. The render service is started before either thread, so that
it is forked from a process with one thread (only a failed build starts another); the
port is taken before that, so that a taken port is said at once.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, Problem
from ..settings import CACHE_FOLDER, cores
from .builder import Builder, Live
from .server import PreviewServer
from .watcher import Watcher

class Interrupted(KeyboardInterrupt):
    """Ctrl-C, as a KeyboardInterrupt of our own type.

    CPython takes a plain KeyboardInterrupt raised inside code run from a string (dataclasses
    and namedtuples make such code while modules import) as never handled, however it is
    handled later, and then ends the process by SIGINT instead of the exit status we ask for.
    It checks for that exact type: a subclass is caught the same everywhere, without that.
    """


@contextlib.contextmanager
def _interrupted_as_our_own():
    def interrupt(signum, frame) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleaning up short
        raise Interrupted()

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


SERVE_FOLDER = ".zinebuild-serve"  # inside the output folder, like the cache
HOST = "127.0.0.1"  # other interfaces only when asked by name: the page shows unpublished texts
PORT = 8000


def serve(config: Path, host: str = HOST, port: int = PORT, open_browser: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve the preview until Ctrl-C (a KeyboardInterrupt, left to the caller)."""
    if not config.exists():
        raise InputError(Problem("no such file or folder", file=config,
                                 hint="name the anthology.toml, or run `zinebuild init` to make one"))
    root = (config if config.is_dir() else config.parent).resolve()
    main = threading.current_thread() is threading.main_thread()  # where signals arrive
    with _interrupted_as_our_own() if main else contextlib.nullcontext():
        _serve(config, root, host, port, open_browser, announce)


def _serve(config: Path, root: Path, host: str, port: int, open_browser: bool,
           announce: Callable[[str], None]) -> None:
    from ..typeset.workers import start_service

    # Beside the cache of `zinebuild build`, which both use; never among its outputs, which
    # would then be a mix of its formats and ours.
    build_dir = root / "build"
    out_dir = build_dir / SERVE_FOLDER
    live = Live()
    try:
        server = PreviewServer((host, port), live, out_dir, root)
    except OSError as error:
        if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
            key, hint = "--host", "name an address of this machine (127.0.0.1 is the default)"
        else:
            key, hint = "--port", "choose another port with --port (0 picks a free one)"
        raise InputError(Problem(f"cannot listen on {host}:{port}: {error.strerror or error}", key=key,
                                 hint=hint)) from None
    try:
        with Builder(config, out_dir, build_dir / CACHE_FOLDER, live, cores(), start_service) as builder:
            watcher = Watcher(builder.changed, build_dir)
            try:
                server.start()
                watcher.watch(builder.folders)
                announce(server.url)
                if open_browser:
                    threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
                builder.run(after_build=lambda: watcher.watch(builder.folders))
            finally:
                watcher.stop()
    finally:
        server.close()
