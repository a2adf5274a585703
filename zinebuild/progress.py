"""Turn a build's progress reports into a line on the terminal: the stage, pieces done of total, time left.

On a terminal the line is redrawn in place; asked for elsewhere (`build --progress` into a log
file), each new count is a line of its own. Nothing here is shown unless asked for or on a
terminal: the build's output is the files and the warnings.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from collections.abc import Callable

import click

from .terminal import shown  # a piece's title is untrusted text


class Estimate:
    """Seconds left in a stage, at the pace of the work done since it began: by the share of
    it done where the stage says (pieces differ in length, the longest go first), else by
    pieces. Pieces taken from the cache (done at the first report) cost nothing and do not count."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.stage: str | None = None
        self.start = 0.0
        self.base = 0

    def left(self, stage: str, done: int, total: int, share: float | None = None) -> float | None:
        """None until some work has been done in this stage (no pace to go by)."""
        if stage != self.stage:
            self.stage, self.start, self.base = stage, self.clock(), done
            return None
        if done >= total:
            return 0.0
        if share is None:
            share = (done - self.base) / (total - self.base) if done > self.base else 0.0
        if share <= 0:
            return None
        return (self.clock() - self.start) * (1 - share) / share


def says(stage: str, done: int, total: int, left: float | None, label: str, width: int = 0) -> str:
    """'pdf     [######....] 7/19 pieces, about 12 s left: Title'; width > 0 draws the bar."""
    bar = ""
    if width:
        filled = width * done // max(total, 1)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] "
    unit = " pieces" if stage == "pdf" and total > 1 else ""
    when = f", about {_duration(left)} left" if left else ""
    return f"{stage:<7} {bar}{done}/{total}{unit}{when}{': ' + label if label else ''}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class ProgressLine:
    """The build's progress on stderr (Settings.progress is its update)."""

    WIDTH = 24
    active: ProgressLine | None = None

    def __init__(self, in_place: bool, clock: Callable[[], float] = time.monotonic):
        self.in_place = in_place
        self.estimate = Estimate(clock)
        self.drawn = False
        self.last: tuple[str, int, int] | None = None

    @classmethod
    @contextlib.contextmanager
    def for_build(cls, quiet: bool, asked: bool = False):
        """A line on a terminal (unless quiet), or lines of their own when asked (--progress)."""
        terminal = sys.stderr.isatty()
        line = cls(in_place=terminal) if asked or (terminal and not quiet) else None
        cls.active = line
        try:
            yield line
        finally:
            cls.active = None
            if line is not None:
                line.clear()

    @classmethod
    def clear_active(cls) -> None:
        """Make room for a message; the next update draws the line again."""
        if cls.active is not None:
            cls.active.clear()

    def update(self, stage: str, done: int, total: int, label: str, share: float | None = None) -> None:
        left = self.estimate.left(stage, done, total, share)
        if self.in_place:
            columns = shutil.get_terminal_size((80, 20)).columns
            line = says(stage, done, total, left, label, self.WIDTH)
            click.echo("\r\033[K" + shown(line[:columns - 1]), nl=False, err=True)
            self.drawn = True
        elif (stage, done, total) != self.last:  # a log gets a line per step, not per redraw
            click.echo(shown(says(stage, done, total, left, label)), err=True)
        self.last = (stage, done, total)

    def clear(self) -> None:
        if self.drawn:
            click.echo("\r\033[K", nl=False, err=True)  # our own: clears the line
            self.drawn = False
