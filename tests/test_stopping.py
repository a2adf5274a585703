"""A stop signal ends the build wherever it lands, a finaliser included."""

import os
import signal
import sys
import time

import pytest

from zinebuild.stopping import Stopped, stopping_cleanly


def _go_on_for(seconds: float) -> None:
    """The build at work: short sleeps, as a build's waits on its children have timeouts (a
    signal that comes just before a long blocking call is only handled after it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.01)


class _SignalledWhileFinalised:
    """Sends itself SIGTERM from __del__ and gives Python bytecodes to run the handler on."""

    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        _go_on_for(1)  # the handler runs here, inside the finaliser


def test_a_stop_signal_raises_where_the_build_is():
    with pytest.raises(Stopped) as stopped, stopping_cleanly():
        os.kill(os.getpid(), signal.SIGHUP)
        _go_on_for(5)
    assert stopped.value.signum == signal.SIGHUP
    assert stopped.value.error().exit_code == 128 + signal.SIGHUP


def test_a_stop_signal_inside_a_finaliser_is_not_lost(capsys):
    # Raised inside __del__, the exception would be printed as "Exception ignored" and the
    # build would go on; it is delivered again once the finaliser returns.
    started = time.monotonic()
    with pytest.raises(Stopped) as stopped, stopping_cleanly():
        _SignalledWhileFinalised()  # dropped at once: __del__ runs here
        _go_on_for(5)  # the build going on: the signal, sent again, ends it here
    assert stopped.value.signum == signal.SIGTERM
    assert time.monotonic() - started < 4
    assert "Exception ignored" not in capsys.readouterr().err


def test_the_handlers_and_the_hook_are_set_back():
    hook, handler = sys.unraisablehook, signal.getsignal(signal.SIGTERM)
    with stopping_cleanly():
        assert signal.getsignal(signal.SIGTERM) is not handler
    assert sys.unraisablehook is hook and signal.getsignal(signal.SIGTERM) is handler
