"""Turn user mistakes into one clear message: which file, which line or key, what to do.

Library code raises these; only the ``cli`` package catches them. Exit status 2 means the
input needs fixing (config, sources, arguments); 1 means the build itself failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we cheaply can."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        text = f"{where}{key}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ZinebuildError(click.ClickException):
    """A failure the user can act on; never shown with a traceback."""

    exit_code = 1

    def __init__(self, problems: Problem | list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__(self._text())

    def format_message(self) -> str:
        # Problems quote sources and front matter: shown, never obeyed, on the terminal.
        from .terminal import shown

        return shown(self.message)

    def _text(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += ["  " + str(p).replace("\n", "\n  ") for p in self.problems]
        return "\n".join(lines)


class InputError(ZinebuildError):
    """The config, a source or an argument needs fixing (exit status 2)."""

    exit_code = 2


class ConfigError(InputError):
    """anthology.toml is invalid; carries every problem found, not just the first."""


class SourceError(InputError):
    """A source file cannot be read or understood."""


class BuildError(ZinebuildError):
    """Rendering or writing an output failed (exit status 1)."""
