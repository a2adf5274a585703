"""The fault-injection harness: build a small book with one fault injected, then check the aftermath.

A Scenario is a project with a complete previous set of outputs (the "old" set, its cache
warm) and a change that makes every output differ, and the "new" set that change gives
when built from an empty cache. run() builds the change with one fault injected by
tests/faultshim.py, in a session of its own; check() asserts what issue #20 asks:
  - the build ends within BOUND seconds;
  - its exit status is the expected one, with one error line (no traceback, no "internal error");
  - no process of its session is left;
  - the output folder holds the complete old set or the complete new one, nothing else;
  - the next build without faults gives the new set byte for byte (the cache is sound),
    and leaves no temporary file in the folder or in the cache.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from zinebuild import fsutil

from .conftest import SMALL_CONFIG, SMALL_FILES, write_project
from .faultshim import MOMENTS  # noqa: F401 (the moments the shim knows, for the tests)

SHIM = Path(__file__).with_name("faultshim.py")
BOUND = 60  # seconds: a build that takes longer after a fault is taken to hang
CACHE = ".zinebuild-cache"
ERRNOS = ("ENOSPC", "EIO", "EFBIG", "EACCES")
SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@dataclass
class Outcome:
    fault: str
    returncode: int
    stderr: str
    fired: str
    out: Path
    pid: int


@dataclass(frozen=True)
class Point:
    number: int
    kind: str
    path: str


class Scenario:
    def __init__(self, root: Path):
        self.root = root
        self.config = write_project(root / "project", SMALL_CONFIG, SMALL_FILES)
        self.template = root / "old"
        self.build(self.template)
        self.old = outputs(self.template)
        # Every output changes (the title page), and one piece must be laid out again.
        self.config.write_text(self.config.read_text().replace('editor = "Ed Itor"',
                                                               'editor = "Ed Itor"\nsubtitle = "Changed"'))
        two = self.config.parent / "sources" / "two.txt"
        two.write_text(two.read_text().replace("Second paragraph.", "Second paragraph, edited."))
        started = time.monotonic()
        self.build(root / "new")
        self.seconds = time.monotonic() - started  # a cold build: a kill at random falls within it
        self.new = outputs(root / "new")
        assert set(self.old) == set(self.new) and all(self.old[n] != self.new[n] for n in self.old)
        self.runs = 0

    def build(self, out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "zinebuild", "build", str(self.config), "--out", str(out),
                                 "-j", "2"], capture_output=True, text=True, timeout=BOUND * 3, env=env)
        assert result.returncode == 0, result.stderr
        return result

    def fresh_out(self) -> Path:
        self.runs += 1
        out = self.root / f"run-{self.runs}"
        shutil.copytree(self.template, out, symlinks=True)
        return out

    def points(self) -> list[Point]:
        """Every write point of the build process, learnt by a first run that counts them."""
        log = self.root / f"points-{self.runs}.txt"
        outcome = self.run("", points=log)
        assert outcome.returncode == 0, outcome.stderr
        rows = [line.split(" ", 2) for line in log.read_text().splitlines()]
        main = [(kind, path) for pid, kind, path in rows if int(pid) == outcome.pid]
        return [Point(n, kind, path) for n, (kind, path) in enumerate(main, start=1)]

    def run(self, fault: str, points: Path | None = None) -> Outcome:
        out = self.fresh_out()
        return run_shim(["build", str(self.config), "--out", str(out), "-j", "2"], fault, out,
                        self.root / f"fired-{self.runs}.txt", points)

    def check(self, outcome: Outcome, expected: tuple[int, ...], message: str | None = None,
              clean_build: bool = True) -> None:
        """The assertions of the module docstring, for one faulty build."""
        fault, stderr = outcome.fault, outcome.stderr
        assert outcome.returncode in expected, f"{fault}: exit {outcome.returncode}\n{stderr}"
        assert "Traceback" not in stderr and "internal error" not in stderr, f"{fault}:\n{stderr}"
        errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
        if outcome.returncode < 0:  # killed by a signal it cannot handle (SIGKILL): it said nothing,
            fsutil.recover(outcome.out)  # and left what the next build into the folder cleans up first
        elif outcome.returncode == 0:
            assert not errors, f"{fault}:\n{stderr}"
        else:
            lines = stderr.strip().splitlines()
            after = lines[lines.index(errors[0]) + 1:] if len(errors) == 1 else ["?"]
            assert all(line.startswith("    hint: ") for line in after), f"{fault}:\n{stderr}"
            if message is not None:
                assert message in errors[0], f"{fault}: {errors[0]!r} lacks {message!r}"
        found = outputs(outcome.out)
        stray = set(found) - set(self.old)
        if stray and "unlink" in outcome.fired and all(_from_dead_build(outcome.out / name) for name in stray):
            # Removing a temporary file failed: it stays until the next build removes it.
            found = {name: data for name, data in found.items() if name not in stray}
        assert found in (self.old, self.new), f"{fault}: neither the old nor the new set: {_difference(found, self)}"
        if outcome.returncode == 0:
            assert found == self.new, f"{fault}: exit 0 but not the new set"
        if clean_build:
            self.build(outcome.out)
            assert outputs(outcome.out) == self.new, f"{fault}: the next build differs from one from an empty cache"
            stray = [p.name for p in (outcome.out / CACHE).iterdir() if p.suffix in (".part", ".old")]
            assert not stray, f"{fault}: temporary files left in the cache: {stray}"
        shutil.rmtree(outcome.out)


def run_shim(args: list[str], fault: str, out: Path, fired: Path, points: Path | None = None) -> Outcome:
    """Run the command line with the fault injected, in a session of its own; check that it ends
    within BOUND seconds and that nothing of its session is left running."""
    env = {**os.environ, "ZB_FAULT": fault, "ZB_FIRED": str(fired)}
    if points is not None:
        env["ZB_POINTS"] = str(points)
    process = subprocess.Popen([sys.executable, str(SHIM), *args], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        kill_session(process.pid)
        process.communicate()
        raise AssertionError(f"{fault}: the build did not end within {BOUND} s") from None
    left = leftover_processes(process.pid)
    assert not left, f"{fault}: processes of the build left running: {left}"
    return Outcome(fault, process.returncode, stderr, fired.read_text() if fired.exists() else "", out, process.pid)


def outputs(out: Path) -> dict[str, bytes | str]:
    """Every entry of the output folder but the cache, with its bytes: a leftover shows too."""
    return {p.name: (p.read_bytes() if p.is_file() else "folder") for p in out.iterdir() if p.name != CACHE}


def _from_dead_build(path: Path) -> bool:
    return path.name.startswith(".") and not fsutil._running(path)


def _difference(found: dict, scenario: Scenario) -> str:
    return ", ".join(f"{name}: {'old' if data == scenario.old.get(name) else 'new' if data == scenario.new.get(name) else 'other'}"
                     for name, data in sorted(found.items()))


def session_processes(sid: int) -> list[int]:
    """The processes of a session, by /proc (by session, not by name: a child keeps it when orphaned)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # session id; zombies are already dead
            found.append(int(entry.name))
    return found


def leftover_processes(sid: int, grace: float = 10) -> list[int]:
    """Processes of the session still alive after a grace period (a child dies a moment after its parent)."""
    deadline = time.monotonic() + grace
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        kill_session(sid)
    return left


def kill_session(sid: int) -> None:
    for pid in session_processes(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def exit_status(what: str) -> tuple[int, ...]:
    """What a build stopped by WHAT exits with."""
    if what.startswith("SIGKILL"):
        return (-signal.SIGKILL,)
    if what.startswith("SIG"):
        return (128 + getattr(signal, what.split("/")[0]),)
    return (0, 1)  # a fault the build did not need to hear of (a cache entry, a last clean-up) costs nothing
