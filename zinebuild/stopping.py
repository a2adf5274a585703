"""Stopping a build by a signal: SIGINT, SIGTERM and SIGHUP (a closed terminal) become an
exception raised where the build was, so that every `with` cleans up on its way out."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time

from .errors import ZinebuildError

# Long enough for a finaliser to return: its signal is sent again after this.
_AFTER_THE_FINALISER = 0.01
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(BaseException):
    """A signal asked the build to stop: raised where it was, so that every `with` cleans up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def error(self) -> ZinebuildError:
        error = ZinebuildError(f"stopped by {signal.Signals(self.signum).name}")
        error.exit_code = 128 + self.signum  # what a shell reports for a process killed by it
        return error


@contextlib.contextmanager
def stopping_cleanly():
    """Raise Stopped where a stop signal finds the build; a second one while it cleans up is
    ignored. A file-size limit fails the write (EFBIG) instead of killing the process. The
    handlers are set back afterwards.

    A signal that lands inside a finaliser (a pipe's `__del__`) would have its exception
    printed as "Exception ignored" and lost, and the build would go on: such a Stopped is
    caught on its way out of the finaliser and the signal is delivered again, after it."""
    stopping: list[int] = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(signum)
            raise Stopped(signum)

    def deliver_again(signum: int) -> None:
        time.sleep(_AFTER_THE_FINALISER)
        stopping.clear()  # were it to land in a finaliser again, it comes back here again
        signal.pthread_kill(threading.main_thread().ident, signum)

    def lost_in_a_finaliser(unraisable):
        if isinstance(unraisable.exc_value, Stopped):  # sent from another thread: handled on its return
            threading.Thread(target=deliver_again, args=(unraisable.exc_value.signum,), daemon=True).start()
        else:
            previous_hook(unraisable)

    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return
    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    if hasattr(signal, "SIGXFSZ"):
        previous[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    previous_hook, sys.unraisablehook = sys.unraisablehook, lost_in_a_finaliser
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for number, handler in previous.items():
            signal.signal(number, handler)
