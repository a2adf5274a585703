"""Tie a forked child's life to its parent's: it dies with it, whatever kills the parent.

Two lines, because either alone has a gap: Linux's parent-death signal (prctl) kills the
child the moment its parent ends, even by SIGKILL; and a pipe whose only writer is the
build reads as ended when the build is gone, on any system, for a child that watches it.
A child also never blocks sending to its parent (Sender), so that it always hears both.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask the kernel for signum when the parent ends (Linux; elsewhere the pipe does it)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)


def watch(life: int) -> None:
    """End this process when the read end `life` of the build's pipe reads as ended."""
    def wait_for_the_end() -> None:
        with contextlib.suppress(OSError):
            while os.read(life, 1):  # nobody writes: it returns only at the end
                pass
        os._exit(1)

    threading.Thread(target=wait_for_the_end, daemon=True).start()


_STOP_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


@contextlib.contextmanager
def stop_signals_blocked():
    """Around a fork: the child starts with the build's handlers, which are not for it, so
    the stop signals wait until it has set its own (ignore_stop_signals)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_stop_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP sent to the whole group are for the build to handle: it
    stops its children itself, after cleaning up, and they die with it if it cannot."""
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


class Sender:
    """Send on a connection from a thread of its own: the caller never waits for the reader."""

    def __init__(self, connection):
        self.connection = connection
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def send(self, message) -> None:
        self.queue.put(message)

    def _run(self) -> None:
        while (message := self.queue.get()) is not None:
            try:
                self.connection.send(message)
            except OSError:  # the reader is gone: the process hears it by its own lifeline
                return

    def close(self) -> None:
        """Send what is queued, for a second at most (the reader may have stopped reading)."""
        self.queue.put(None)
        self.thread.join(timeout=1)


def drain(connection, send) -> None:
    """Pass on what a finished process left in its pipe, then close it."""
    with contextlib.suppress(EOFError, OSError):
        while not connection.closed and connection.poll():
            send(connection.recv())
    connection.close()

