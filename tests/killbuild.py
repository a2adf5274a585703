"""Kill `zinebuild build` at random moments; after each kill, no process and no partial or mixed output.

    python -m tests.killbuild [--times 50] [--seed N]      (from the repository's root)

Each round builds a changed book over a complete previous set of outputs, sends SIGKILL or
SIGTERM to the build process alone or to its whole group at a random moment of its run,
then checks: nothing of its session is left running; the folder holds the complete old set
or the complete new one (after the switch a SIGKILL may have cut, which the next build
finishes: fsutil.recover); and the next build gives the new set byte for byte and leaves no
temporary file. tests/test_faults.py runs a few rounds; run it longer by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zinebuild import fsutil

from .faultkit import BOUND, CACHE, Scenario, leftover_processes, outputs

CHOICES = [(signal.SIGKILL, False), (signal.SIGKILL, True), (signal.SIGTERM, False), (signal.SIGTERM, True)]


def one_round(scenario: Scenario, rng: random.Random, span: float) -> str:
    signum, group = rng.choice(CHOICES)
    delay = rng.uniform(0, span)
    name = f"{signal.Signals(signum).name} to the {'group' if group else 'build'} after {delay:.2f} s"
    out = scenario.fresh_out()
    process = subprocess.Popen([sys.executable, "-m", "zinebuild", "build", str(scenario.config), "--out", str(out),
                                "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    time.sleep(delay)
    try:
        (os.killpg if group else os.kill)(process.pid, signum)
    except ProcessLookupError:
        pass
    try:
        _, stderr = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        leftover_processes(process.pid, grace=0)
        raise AssertionError(f"{name}: the build did not end within {BOUND} s") from None
    left = leftover_processes(process.pid)
    assert not left, f"{name}: processes of the build left running: {left}"
    finished = process.returncode == 0
    if signum == signal.SIGTERM and not finished:
        # Before its handlers are set (the interpreter starting), the signal ends it as it would any program.
        assert process.returncode in (143, -signum), f"{name}: exit {process.returncode}\n{stderr}"
        if process.returncode == 143:
            assert stderr.strip().splitlines()[-1] == "Error: stopped by SIGTERM", f"{name}:\n{stderr}"
        assert "Traceback" not in stderr, f"{name}:\n{stderr}"
    if signum == signal.SIGKILL:
        fsutil.recover(out)  # what the next build does first: finish a cut switch, drop a dead build's files
    found = outputs(out)
    assert found in (scenario.old, scenario.new), f"{name}: neither the old nor the new set: {sorted(found)}"
    if finished:
        assert found == scenario.new, f"{name}: exit 0 but not the new set"
    scenario.build(out)
    assert outputs(out) == scenario.new, f"{name}: the next build differs from one from an empty cache"
    stray = [p.name for p in (out / CACHE).iterdir() if p.suffix in (".part", ".old")]
    assert not stray, f"{name}: temporary files left in the cache: {stray}"
    shutil.rmtree(out)
    return f"{name}: {'finished first' if finished else f'exit {process.returncode}'}, ok"


def rounds(times: int, seed: int, scenario: Scenario):
    """One line per round, as it ends; an AssertionError says what went wrong."""
    rng = random.Random(seed)
    span = scenario.seconds * 1.1  # now and then the kill comes after the end
    for _ in range(times):
        yield one_round(scenario, rng, span)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="zinebuild-kills-") as root:
        for number, line in enumerate(rounds(args.times, seed, Scenario(Path(root))), start=1):
            print(f"{number:3d} {line}", flush=True)


if __name__ == "__main__":
    main()
