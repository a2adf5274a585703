"""`zinebuild batch`: many books on a local pool or a Dask LocalCluster, the same bytes either way.

The template mode is tried on a real text this machine has: Debian's copy of the BSD
licence (/usr/share/common-licenses/BSD, from base-files), copied at test time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import shutil
import threading
import time
from pathlib import Path

import psutil
import pytest
from distributed import Client, LocalCluster
from pypdf import PdfReader

from zinebuild import batch
from zinebuild.batch.probe import fingerprint, refusals
from zinebuild.errors import InputError

from .test_cli import assert_clean_failure, run
from .test_epub import NS, read_epub

LICENCES = Path("/usr/share/common-licenses")
CONFIG = """\
[book]
title = "{title}"
language = "en"
date = "2024-05-01"

[[pieces]]
source = "{source}"

[output]
page_size = "A6"
formats = ["epub", "pdf"]

[epub]
cover = false
"""
TEXT = "---\ntitle: {title}\nauthor: {author}\n---\n\n{title} begins here.\n\nA second paragraph of {title}.\n"


def library(root: Path, count: int = 3) -> Path:
    """A folder of count small books, one config each, one of them in a subfolder."""
    books = root / "books"
    for i in range(count):
        folder = books / ("nested" if i == 1 else "")
        source = folder / "texts" / f"piece-{i}.md"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(TEXT.format(title=f"Piece Number {i}", author=f"Author {i}"), encoding="utf-8")
        (folder / f"book-{i}.toml").write_text(CONFIG.format(title=f"Book {i}", source=f"texts/piece-{i}.md"))
    return books


def outputs(out: Path) -> dict[str, str]:
    """Each output file under out (the cache left out) and the SHA-256 of its bytes."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".zinebuild-cache" not in p.parts}


def pdf_text(path: Path) -> str:
    return pdf_text_of(PdfReader(path))


def pdf_text_of(reader: PdfReader) -> str:
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                      dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def pool_build(tmp_path_factory) -> tuple[Path, Path, object]:
    """The three-book library built once on the local pool, through the command."""
    root = tmp_path_factory.mktemp("pool")
    books = library(root)
    result = run("batch", books, "--out", root / "out", "--jobs", "2")
    return books, root / "out", result


def test_the_pool_builds_every_config_into_a_folder_of_its_own(pool_build):
    books, out, result = pool_build
    assert result.exit_code == 0, result.output
    assert "built 3, failed 0 of 3 book(s)" in result.output
    assert re.findall(r"^\[(\d)/3\] built ", result.output, re.M) == ["1", "2", "3"]  # each as it ends
    assert sorted(p.name for p in out.iterdir()) == [".zinebuild-cache", "book-0", "book-2", "nested-book-1"]
    for name, i in (("book-0", 0), ("nested-book-1", 1), ("book-2", 2)):
        assert sorted(p.name for p in (out / name).iterdir()) == [f"book-{i}.epub", f"book-{i}.pdf"]
        opf, _, files, _ = read_epub(out / name / f"book-{i}.epub")
        assert opf.xpath("string(//dc:title)", namespaces=NS) == f"Book {i}"
        assert any(f"A second paragraph of Piece Number {i}".encode() in data for data in files.values())
        assert f"Piece Number {i} begins here" in pdf_text(out / name / f"book-{i}.pdf")
    # One cache for all: cleaned sources and laid-out pieces of every book, none in a book's folder.
    assert len(list((out / ".zinebuild-cache").glob("*.source.json"))) == 3


def test_a_book_of_the_batch_is_the_book_build_makes(pool_build, tmp_path):
    books, pool_out, _ = pool_build
    result = run("build", books / "book-0.toml", "--out", tmp_path / "alone")
    assert result.exit_code == 0, result.output
    assert outputs(tmp_path / "alone") == {name.split("/", 1)[1]: digest for name, digest in outputs(pool_out).items()
                                           if name.startswith("book-0/")}


def test_the_cluster_writes_the_same_bytes_as_the_pool(pool_build, cluster, tmp_path):
    books, pool_out, _ = pool_build
    result = run("batch", books, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert "built 3, failed 0 of 3 book(s)" in result.output
    assert outputs(tmp_path / "out") == outputs(pool_out)
    assert len(outputs(pool_out)) == 6


def test_a_template_makes_every_source_a_zine_with_a_booklet_per_sheet(tmp_path):
    texts = tmp_path / "archive" / "texts"
    (texts / "licences").mkdir(parents=True)
    shutil.copy(LICENCES / "BSD", texts / "licences" / "bsd.txt")
    (texts / "note.md").write_text(TEXT.format(title="A Short Note", author="Ann Author"), encoding="utf-8")
    template = tmp_path / "archive" / "zine.toml"
    template.write_text('[book]\nrights = "Free to copy"\n[output]\npage_size = "A5"\n'
                        'formats = ["epub", "booklet"]\n')
    result = run("batch", texts, "--template", template, "--sheet", "A4,letter", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "built 2, failed 0 of 2 book(s)" in result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [".zinebuild-cache", "licences-bsd", "note"]
    names = sorted(p.name for p in (out / "note").iterdir())
    assert names == ["a-short-note-a4-booklet.pdf", "a-short-note-letter-booklet.pdf", "a-short-note.epub"]
    opf, _, _, _ = read_epub(out / "note" / "a-short-note.epub")
    assert opf.xpath("string(//dc:title)", namespaces=NS) == "A Short Note"  # from the source
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Ann Author"]
    assert opf.xpath("string(//dc:rights)", namespaces=NS) == "Free to copy"  # from the template
    identifiers = {read_epub(p)[0].xpath("string(//dc:identifier)", namespaces=NS) for p in out.glob("*/*.epub")}
    assert len(identifiers) == 2
    for sheet, size in (("a4", (842, 595)), ("letter", (792, 612))):
        booklet = PdfReader(out / "licences-bsd" / f"bsd-{sheet}-booklet.pdf")
        assert {tuple(round(float(v)) for v in page.mediabox[2:]) for page in booklet.pages} == {size}
        assert "Redistribution and use in source and binary forms" in " ".join(pdf_text_of(booklet).split())
    assert "Z106" in result.output and "licences-bsd" in result.output  # BSD has no title line: said, per book


def test_a_failing_book_is_named_and_does_not_stop_the_others(tmp_path):
    books = library(tmp_path, 1)
    (books / "bad-key.toml").write_text('[book]\ntitle = "T"\nsubtitel = "x"\n[[pieces]]\nsource = "texts/piece-0.md"\n')
    (books / "texts" / "korean.md").write_text("# Three Alphabets\n\n안녕하세요 세계\n", encoding="utf-8")
    (books / "glyphs.toml").write_text(CONFIG.format(title="Glyphs", source="texts/korean.md"))
    result = run("batch", books, "--out", tmp_path / "out", "--jobs", "2", "--no-cache")
    assert_clean_failure(result, 2, "built 1, failed 2 of 3 book(s)",
                         "bad-key.toml:3: book.subtitel: unknown key", "'Three Alphabets'", "HANGUL")
    assert re.search(r"^  glyphs \(.*glyphs\.toml\): .*korean\.md", result.output, re.M)
    assert (tmp_path / "out" / "book-0" / "book-0.pdf").is_file()
    assert not [p for p in (tmp_path / "out" / "glyphs").iterdir()]  # nothing half-made
    assert not (tmp_path / "out" / ".zinebuild-cache").exists()  # --no-cache


def test_names_from_files_never_lead_outside_the_output_folder(tmp_path):
    books = library(tmp_path, 1)
    for name in ("--\x1b[2J .toml", "Über\nall.toml", "..toml"):  # the last: hidden
        shutil.copy(books / "book-0.toml", books / name)
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "2j").symlink_to(outside)  # a link where a book's folder goes is not followed
    (out / "uber-all" / "book-0.epub").mkdir(parents=True)  # a folder where an output goes: exit 1
    (books / ".hidden").mkdir()
    shutil.copy(books / "book-0.toml", books / ".hidden" / "skipped.toml")
    result = run("batch", books, "--out", out, "--format", "epub")
    assert_clean_failure(result, 1, "built 1, failed 2 of 3 book(s)", "2j", "is in the way",
                         "uber-all/book-0.epub: a folder is in the way")
    assert "\\u001b[2J .toml" in result.output and "\x1b" not in result.output  # the name shown, not obeyed
    assert list(outside.iterdir()) == []
    folders = sorted(p.name for p in out.iterdir() if not p.is_symlink())
    assert folders == [".zinebuild-cache", "book-0", "uber-all"]
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in folders[1:])
    assert all(p.resolve().is_relative_to(out) for p in out.rglob("*") if p.name != "2j")


def test_a_worker_lost_mid_task_is_retried_on_the_cluster(cluster, tmp_path, monkeypatch):
    books = library(tmp_path, 2)
    out = tmp_path / "out"
    # The workers were started without it: the command's own reaches them with each book.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")
    plan = batch.Plan(out, ("epub", "pdf"))
    done = {}
    thread = threading.Thread(target=lambda: done.update(
        outcomes=batch.build(books, plan, scheduler=cluster.scheduler_address)))
    thread.start()
    with Client(cluster.scheduler_address) as client:
        worker, key = _task_under_way(client, out)
        name = key.split("-", 2)[2]
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert [o.ok for o in done["outcomes"]] == [True, True], done["outcomes"]
    (pdf,) = (out / name).glob("*.pdf")
    assert "begins here" in pdf_text(pdf)
    for epub in out.glob("*/*.epub"):
        modified = read_epub(epub)[0].xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS)
        assert modified.startswith("2000-01-01T"), modified
    assert not [p.name for p in (out / name).iterdir() if p.name.startswith(".")]  # no temporary left


def _task_under_way(client, out: Path) -> tuple[str, str]:
    """A worker and the key of the book task it runs, once that task has begun (its folder made)
    and before it has written its outputs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            for key in keys:
                folder = out / str(key).split("-", 2)[2]
                if str(key).startswith("zinebuild-") and folder.is_dir() and not list(folder.glob("*.pdf")):
                    return worker, str(key)  # begun, and not yet written: the kill falls mid-task
        time.sleep(0.01)
    raise AssertionError("no book task started within a minute")


def test_a_pool_worker_lost_mid_task_is_tried_again(tmp_path):
    books = library(tmp_path, 2)
    out = tmp_path / "out"
    done = {}
    thread = threading.Thread(target=lambda: done.update(outcomes=batch.build(books, batch.Plan(out, ("pdf",)), jobs=2)))
    thread.start()
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(out.iterdir()) and len(_pool_workers()) == 2) and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = _pool_workers()
    unfinished = len([p for p in out.glob("*/*.pdf") if p.parent.name != ".zinebuild-cache"]) < 2
    for child in killed:
        child.kill()
    thread.join(timeout=120)
    assert len(killed) == 2 and unfinished  # --jobs 2: two workers, killed while books were under way
    assert [o.ok for o in done["outcomes"]] == [True, True], done["outcomes"]
    assert [p.parent.name for p in sorted(out.glob("*/*.pdf")) if p.parent.name != ".zinebuild-cache"] == [
        "book-0", "nested-book-1"]
    assert not [p for p in out.glob("*/.*") if p.parent.name != ".zinebuild-cache"]  # no temporary left


def _pool_workers() -> list[psutil.Process]:
    """The local pool's worker processes: those its fork server made."""
    workers = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error, AttributeError):
            if "forkserver" in " ".join(child.parent().cmdline()):
                workers.append(child)
    return workers


def test_a_worker_that_cannot_see_the_folders_or_runs_other_code_is_refused():
    ours = fingerprint()
    other = {**ours["libraries"], "weasyprint": "0.1"}
    answers = {"tcp://a:1": {**ours, "missing": []},
               "tcp://b:1": {"code": "other", "libraries": other, "missing": ["/srv/texts"]}}
    problems = [str(p) for p in refusals(answers, ours)]
    assert len(problems) == 3
    assert problems[0].startswith("worker tcp://b:1 does not see /srv/texts")
    assert problems[1].startswith("worker tcp://b:1 runs another version of zinebuild")
    assert problems[2].startswith(f"worker tcp://b:1 runs other libraries: weasyprint 0.1 (here {ours['libraries']['weasyprint']})")


def test_the_output_folder_and_hidden_folders_are_not_taken_for_books(tmp_path):
    texts = tmp_path / "texts"
    for name in ("a.md", "build/a/a.pdf", "build/a/a.epub", ".git/b.md", "sub/.c.txt", "sub/d.txt"):
        (texts / name).parent.mkdir(parents=True, exist_ok=True)
        (texts / name).write_text("Title\n\nText.\n")
    template = tmp_path / "zine.toml"
    template.write_text("[output]\n")
    found = batch.find(texts, texts / "build", template)
    assert [(b.name, b.source.relative_to(texts).as_posix()) for b in found] == [("a", "a.md"), ("sub-d", "sub/d.txt")]
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(template, tmp_path / "elsewhere" / "zine.toml")
    with pytest.raises(InputError, match="outside the template's folder"):
        batch.find(texts, texts / "build", tmp_path / "elsewhere" / "zine.toml")


def test_a_source_that_links_outside_the_templates_folder_is_refused(tmp_path):
    secret = tmp_path / "private" / "diary.md"
    secret.parent.mkdir()
    secret.write_text("# Diary\n\nNot for the archive.\n")
    (tmp_path / "archive" / "texts").mkdir(parents=True)
    (tmp_path / "archive" / "zine.toml").write_text("[output]\n")
    (tmp_path / "archive" / "texts" / "diary.md").symlink_to(secret)
    (book,) = batch.find(tmp_path / "archive" / "texts", tmp_path / "out", tmp_path / "archive" / "zine.toml")
    outcome = batch.build_book(book, batch.Plan(tmp_path / "out"))
    assert not outcome.ok and outcome.exit_code == 2
    assert "diary.md: is a link to a file outside the template's folder" in outcome.problem
    assert list((tmp_path / "out" / "diary").iterdir()) == [] and not (tmp_path / "out" / ".zinebuild-cache").exists()


def test_a_book_built_twice_in_one_block_replaces_its_outputs_once(tmp_path):
    """A book's booklets on several sheets are builds of their own inside one together()."""
    from zinebuild.fsutil import together, write_bytes

    (tmp_path / "old.pdf").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with together(tmp_path):
            with together(tmp_path):
                write_bytes(tmp_path / "old.pdf", b"new")
            write_bytes(tmp_path / "other.pdf", b"new")
            raise RuntimeError("the second build failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.pdf"]
    assert (tmp_path / "old.pdf").read_bytes() == b"old"
    with together(tmp_path):
        with together(tmp_path):
            write_bytes(tmp_path / "old.pdf", b"new")
        assert (tmp_path / "old.pdf").read_bytes() == b"old"  # staged until the outer block ends
    assert (tmp_path / "old.pdf").read_bytes() == b"new"


def test_a_file_where_a_books_folder_goes_fails_that_book(tmp_path):
    from zinebuild.batch.task import _own_folder

    (tmp_path / "poems").write_text("not a folder")
    with pytest.raises(InputError, match="is in the way"):
        _own_folder(tmp_path, "poems")
    assert _own_folder(tmp_path, "odes").is_dir()


def test_the_pool_has_one_process_per_core_unless_told(monkeypatch, tmp_path):
    from zinebuild.settings import cores

    asked = []
    monkeypatch.setattr(batch, "build", lambda folder, plan, template, jobs, scheduler, report: asked.append(jobs) or [])
    (tmp_path / "books").mkdir()
    assert run("batch", tmp_path / "books").exit_code == 0
    assert run("batch", tmp_path / "books", "--jobs", "3").exit_code == 0
    assert asked == [cores(), 3]


def test_a_worker_with_several_threads_builds_one_book_at_a_time(monkeypatch, tmp_path):
    from zinebuild.batch import task

    running, most = [], []

    def slow_build(book, plan):
        running.append(book)
        most.append(len(running))
        time.sleep(0.2)
        running.remove(book)
        return [], []

    monkeypatch.setattr(task, "_build", slow_build)
    books = [batch.Book(f"b{i}", tmp_path / f"b{i}.toml") for i in range(3)]
    threads = [threading.Thread(target=task.build_book, args=(book, batch.Plan(tmp_path))) for book in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == [1, 1, 1]
