"""Faults end cleanly: a failed write, a dying child or a signal leaves the old set of outputs or the new one.

The first tests fail one thing by hand; the harness below them (tests/faultkit.py) fails
every write point of a build in turn, kills its children and sends it signals.
"""

from __future__ import annotations

import errno
import os
import random
import re
import resource
import subprocess
import sys

import pytest
from click.testing import CliRunner

from zinebuild import fsutil
from zinebuild.cli import main
from zinebuild.errors import BuildError, Problem

from .killbuild import rounds
from .faultkit import CACHE, ERRNOS, MOMENTS, SIGNALS, Scenario, exit_status, run_shim

NAMES = ["small-test-book-booklet.pdf", "small-test-book.epub", "small-test-book.html", "small-test-book.pdf"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def outputs(out):
    """Every entry of the output folder but the cache, with its bytes: a leftover shows up too."""
    return {p.name: (p.read_bytes() if p.is_file() else "folder") for p in out.iterdir()
            if p.name != ".zinebuild-cache"}


@pytest.fixture
def built(small_project, tmp_path):
    """A complete previous set of outputs, and a changed project whose next build differs in each."""
    out = tmp_path / "out"
    result = run("build", small_project, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(outputs(out)) == NAMES
    small_project.write_text(small_project.read_text().replace('editor = "Ed Itor"',
                                                               'editor = "Ed Itor"\nsubtitle = "Changed"'))
    return small_project, out, outputs(out)


def test_a_failed_format_leaves_every_previous_output(built, monkeypatch):
    project, out, before = built

    def failing(*args):
        raise BuildError(Problem("rendering failed"))

    monkeypatch.setattr("zinebuild.writers.pdf.render", failing)  # after the EPUB and HTML were made
    result = run("build", project, "--out", out)
    assert result.exit_code == 1 and "rendering failed" in result.output
    assert outputs(out) == before


def test_a_failed_rename_rolls_back_to_the_previous_set(built, monkeypatch):
    project, out, before = built
    real_replace = os.replace
    renamed = []

    def second_fails(source, target):
        if str(source).endswith(".part") and os.path.dirname(target) == str(out):
            renamed.append(target)
            if len(renamed) == 2:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(source, target)

    monkeypatch.setattr("zinebuild.fsutil.os.replace", second_fails)
    result = run("build", project, "--out", out)
    assert result.exit_code == 1, result.output
    assert f"cannot write {renamed[1]}: Input/output error" in result.output
    assert outputs(out) == before


def test_a_folder_where_an_output_goes_fails_before_anything_changes(built):
    project, out, before = built
    (out / NAMES[0]).unlink()
    (out / NAMES[0]).mkdir()
    (out / NAMES[0] / "keep.txt").write_text("mine")
    result = run("build", project, "--out", out)
    assert result.exit_code == 1 and "internal error" not in result.output
    assert f"cannot write {out / NAMES[0]}: a folder is in the way" in result.output
    assert outputs(out) == {**before, NAMES[0]: "folder"}
    assert (out / NAMES[0] / "keep.txt").read_text() == "mine"


# 1 MB: the PDFs and the EPUB fit, the HTML with its fonts inline does not. 60 kB: the font
# files WeasyPrint writes in the processes that lay out pages do not fit either.
@pytest.mark.parametrize("limit, message", [
    (1_000_000, r"cannot write .*/small-test-book\.html: File too large"),
    (60_000, r"rendering '[^']+': File too large"),
])
def test_a_file_size_limit_is_a_clear_error_not_a_killed_process(built, limit, message):
    project, out, before = built

    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([sys.executable, "-m", "zinebuild", "build", str(project), "--out", str(out)],
                            preexec_fn=set_limit, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(f"Error: {message}", lines[0]), result.stderr
    assert outputs(out) == before


def test_recover_finishes_a_switch_killed_half_way(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / "a.pdf").write_bytes(b"new a")  # already switched
    (tmp_path / "b.epub").write_bytes(b"old b")
    (tmp_path / f".b.epub.x1.{gone}.part").write_bytes(b"new b")
    (tmp_path / f".a.pdf.x2.{gone}.old").write_bytes(b"old a")
    (tmp_path / f".zinebuild-commit.{gone}.journal").write_text(
        f'[[".a.pdf.x3.{gone}.part", "a.pdf"], [".b.epub.x1.{gone}.part", "b.epub"]]')
    mine = tmp_path / f".c.html.x4.{os.getpid()}.part"  # a build still running: left alone
    mine.write_bytes(b"")
    fsutil.recover(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "a.pdf": b"new a", "b.epub": b"new b", mine.name: b""}


# ---------------------------------------------------------------- the harness (tests/faultkit.py)
# CI runs a fixed sample, every kind of fault at least once; `make faults` runs them all.
ALL = os.environ.get("ZB_FAULTS") == "all"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return Scenario(tmp_path_factory.mktemp("faults"))


@pytest.fixture(scope="module")
def points(scenario):
    return scenario.points()


# Which write point each sampled fault hits: the first one a predicate picks among those counted.
def _output_write(p):
    return p.kind == "write" and "/run-" in p.path and f"/{CACHE}/" not in p.path and "commit" not in p.path


def _cache_write(p):
    return p.kind == "write" and f"/{CACHE}/" in p.path


# name: (what, which point, whether the next build is compared with one from an empty cache)
# (that comparison doubles a case's time: it is made for each kind of thing that can go wrong).
SAMPLE = {
    "ENOSPC writing an output": ("ENOSPC", _output_write, True),
    "EFBIG writing a cache entry": ("EFBIG", _cache_write, True),
    "EACCES opening an output": ("EACCES", lambda p: p.kind == "open" and ".part" in p.path
                                 and f"/{CACHE}/" not in p.path, False),
    "EIO syncing an output": ("EIO", lambda p: p.kind == "fsync", False),
    "ENOSPC keeping an old output": ("ENOSPC", lambda p: p.kind == "link", False),
    "EIO switching an output": ("EIO", lambda p: p.kind == "replace" and f"/{CACHE}/" not in p.path
                                and p.path.endswith(".pdf"), False),
    "EIO removing the journal": ("EIO", lambda p: p.kind == "unlink" and p.path.endswith(".journal"), False),
    "EIO removing the probe of the output folder": ("EIO", lambda p: p.kind == "unlink" and "write-test" in p.path,
                                                    False),
    "EACCES making the cache folder": ("EACCES", lambda p: p.kind == "mkdir" and p.path.endswith(CACHE), False),
    "SIGINT while writing an output": ("SIGINT", _output_write, True),
    "SIGHUP to the group while switching": ("SIGHUP/group", lambda p: p.kind == "replace"
                                            and p.path.endswith(".epub"), False),
}


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_a_sampled_write_point_fails_cleanly(scenario, points, name):
    what, pick, clean_build = SAMPLE[name]
    point = next(p for p in points if pick(p))
    outcome = scenario.run(f"{point.number}={what}")
    assert outcome.fired, f"{name}: the fault was not injected"
    message = None if what.startswith("SIG") else os.strerror(getattr(errno, what))
    scenario.check(outcome, exit_status(what), message, clean_build)


# A one-off build's service is gone by the join (RenderService.rest): it is killed late while pieces are drawn.
MOMENT_SAMPLE = {"start=kill-service": True, "layout=kill-worker": True, "draw=kill-service": False,
                 "layout=SIGTERM/group": False, "draw=SIGTERM": False, "start=SIGHUP/group": False, "draw=SIGKILL": True}


@pytest.mark.parametrize("fault", MOMENT_SAMPLE)
def test_a_child_killed_or_a_signal_at_a_moment_ends_cleanly(scenario, fault):
    # A moment is a race with the children. The shim holds each worker, once done, until a
    # kill-worker fault has fired (a worker may finish before the build hears its first page
    # count); a kill-service may still find the service gone. Such a run is a plain build:
    # the moment is tried again, a few times at most.
    for _ in range(3):
        outcome = scenario.run(fault)
        if outcome.fired:
            break
    assert outcome.fired, f"{fault}: the fault was not injected"
    what = fault.split("=")[1]
    scenario.check(outcome, exit_status(what), None if what.startswith("SIG") else "stopped unexpectedly",
                   MOMENT_SAMPLE[fault])


@pytest.mark.skipif(not ALL, reason="the whole enumeration: `make faults`")
def test_every_write_point_with_every_error(scenario, points):
    # ZB_FAULTS_POINTS=FIRST:LAST (1-based, inclusive) runs a slice, to time it or to rerun a failure.
    first, _, last = os.environ.get("ZB_FAULTS_POINTS", f"1:{len(points)}").partition(":")
    print(f"{len(points)} write points")
    failures = []
    for point in points[int(first) - 1:int(last)]:
        for what in ERRNOS:
            try:
                scenario.check(scenario.run(f"{point.number}={what}"), exit_status(what), os.strerror(getattr(errno, what)))
            except AssertionError as error:
                failures.append(f"{point}: {error}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not ALL, reason="the whole enumeration: `make faults`")
def test_every_moment_with_every_kill_and_signal(scenario):
    failures = []
    for moment in MOMENTS:
        for what in ["kill-service", "kill-worker"] + [f"{s}{scope}" for s in (*SIGNALS, "SIGKILL")
                                                       for scope in ("", "/group")]:
            try:
                outcome = scenario.run(f"{moment}={what}")
                if outcome.fired:
                    scenario.check(outcome, exit_status(what))
            except AssertionError as error:
                failures.append(f"{moment}={what}: {error}")
    assert not failures, "\n".join(failures)


def test_builds_killed_at_random_moments_leave_no_process_and_no_mixed_output(scenario):
    """A few rounds of tests/killbuild.py (`python -m tests.killbuild --times 50` by hand)."""
    seed = int(os.environ.get("ZB_KILL_SEED", random.randrange(1 << 30)))
    for line in rounds(3, seed, scenario):
        print(f"seed {seed}: {line}")


@pytest.mark.parametrize("fault", ["layout=SIGHUP/group", "draw=kill-service"])
def test_preview_ends_cleanly_too(small_project, tmp_path, fault):
    folder = tmp_path / "sheets"
    folder.mkdir()
    outcome = run_shim(["preview", str(small_project), "-o", str(folder / "sheets.png")], fault, folder,
                       folder / "fired.txt")
    assert outcome.fired and "Traceback" not in outcome.stderr, outcome.stderr
    if fault.endswith("SIGHUP/group"):
        assert outcome.returncode == 129 and outcome.stderr.strip() == "Error: stopped by SIGHUP"
    else:
        assert outcome.returncode == 1 and "stopped unexpectedly" in outcome.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["fired.txt"]  # no sheet, no temporary file


def test_impose_stopped_while_writing_keeps_the_previous_file(small_build, tmp_path):
    folder = tmp_path / "imposed"
    folder.mkdir()
    target = folder / "imposed.pdf"
    target.write_bytes(b"the previous file")
    outcome = run_shim(["impose", str(small_build["pdf"]), str(target)], "2=SIGTERM", folder, folder / "fired.txt")
    assert outcome.returncode == 143 and outcome.stderr.strip() == "Error: stopped by SIGTERM", outcome.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["fired.txt", "imposed.pdf"]
    assert target.read_bytes() == b"the previous file"
