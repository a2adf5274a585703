"""Faults end cleanly: a failed write, a dying child or a signal leaves the old set of outputs or the new one.

The first tests fail one thing by hand; the harness below them (tests/faultkit.py) fails
every write point of a build in turn, kills its children and sends it signals.
"""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys

import pytest
from click.testing import CliRunner

from zinebuild import fsutil
from zinebuild.cli import main
from zinebuild.errors import BuildError, Problem

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


def test_a_file_size_limit_is_a_clear_error_not_a_killed_process(built):
    project, out, before = built

    def limit():  # the PDFs and the EPUB fit, the HTML with its fonts inline does not
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    assert max(len(before[n]) for n in NAMES) > 1_000_000 > min(len(before[n]) for n in NAMES)
    result = subprocess.run([sys.executable, "-m", "zinebuild", "build", str(project), "--out", str(out)],
                            preexec_fn=limit, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: cannot write {out / 'small-test-book.html'}: File too large"], result.stderr
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
