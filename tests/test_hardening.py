"""Bad and strange input, interruptions, concurrency: zinebuild explains, never damages."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zinebuild import config, pipeline
from zinebuild.clean import clean
from zinebuild.clean.decode import decode
from zinebuild.errors import ConfigError
from zinebuild.fetch import ConfinedFetcher, Refused
from zinebuild.render import Layout

from .conftest import ROOT
from .test_cli import assert_clean_failure, run


# ---------------------------------------------------------------- offline and confined
def test_fetcher_serves_project_and_layout_files_only(small_project, tmp_path):
    (small_project.parent / "layouts" / "default").mkdir(parents=True)  # a project layout with no fonts
    layout = Layout.from_config(config.load(small_project))
    fetcher = ConfinedFetcher(layout)
    inside = small_project.parent / "intro.md"
    assert fetcher.fetch(inside.as_uri()).read().startswith(b"---")
    # A file the project's layout folder does not have comes from the built-in layout.
    font = small_project.parent / "layouts" / "default" / "fonts" / "LinLibertine_R.otf"
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"OTTO"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    (tmp_path / "outside.txt").write_text("secret")
    link = small_project.parent / "sneaky.txt"
    link.symlink_to(tmp_path / "outside.txt")
    for url in ("http://example.org/x.png", "https://example.org/f.otf", "file:///etc/passwd",
                (small_project.parent / ".." / ".." / "outside.txt").as_uri(), link.as_uri(), "ftp://x/y"):
        with pytest.raises(Refused):
            fetcher.fetch(url)


@pytest.mark.allow_warnings
def test_layout_asking_for_remote_and_outside_files_still_builds(small_project, tmp_path, caplog):
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "print.css").write_text(
        (ROOT / "layouts" / "default" / "print.css").read_text()
        + "body { background: url(http://example.org/track.png); }\n"
          ".piece { background: url(file:///etc/passwd); }\n.part-page { background: url(../../../x.png); }\n")
    (path,) = pipeline.build(pipeline.load(small_project), ("pdf",), tmp_path / "out")
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "never fetches from the network" in messages and "outside the project" in messages
    assert "Z301" in messages
    assert len(pypdf.PdfReader(path).pages) > 3


def test_epub_has_no_remote_resources(small_build):
    with zipfile.ZipFile(small_build["epub"]) as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".css")):
                data = epub.read(name).decode()
                assert "src=\"http" not in data and "url(http" not in data, name


# ---------------------------------------------------------------- the same bytes every time
def test_two_pdf_builds_are_identical(small_project, tmp_path):
    first = pipeline.build(pipeline.load(small_project), ("pdf", "booklet"), tmp_path / "a")
    second = pipeline.build(pipeline.load(small_project), ("pdf", "booklet"), tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


# ---------------------------------------------------------------- interruptions and failures
def test_ctrl_c_while_writing_leaves_the_previous_output(small_project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("build", small_project, "--format", "pdf,epub", "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # The next build differs (another subtitle) and is interrupted when its files are complete
    # but not yet in place: the moment a non-atomic writer would already have overwritten them.
    small_project.write_text(small_project.read_text().replace('editor = "Ed Itor"',
                                                               'editor = "Ed Itor"\nsubtitle = "Changed"'))

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr("zinebuild.fsutil.os.replace", interrupted)
    result = run("build", small_project, "--format", "pdf,epub", "--out", out)
    assert result.exit_code == 1 and "Aborted" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # same bytes, no .part


def test_internal_errors_show_a_trace_only_with_debug(small_project, tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug of ours")

    monkeypatch.setitem(__import__("zinebuild.writers", fromlist=["WRITERS"]).WRITERS, "html", broken)
    result = run("build", small_project, "--format", "html", "--out", tmp_path)
    assert_clean_failure(result, 1, "internal error: RuntimeError: a bug of ours", "--debug")
    result = run("--debug", "build", small_project, "--format", "html", "--out", tmp_path)
    assert isinstance(result.exception, RuntimeError)


def test_sources_are_never_modified(tmp_path):
    sources = sorted((ROOT / "sources").iterdir())
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sources
              if p.is_file()}
    run("build", ROOT / "sources" / "anthology.toml", "--format", "epub,html", "--out", tmp_path)
    run("import", ROOT / "sources" / "003_324805f2c092eb77.txt", "-o", tmp_path / "x.md")
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
             for p in sorted((ROOT / "sources").iterdir()) if p.is_file()}
    assert before == after


def test_two_builds_into_one_folder_at_once(small_project, tmp_path):
    out = tmp_path / "shared-out"
    command = [sys.executable, "-m", "zinebuild", "-q", "build", str(small_project), "--format", "epub,pdf",
               "--out", str(out)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    assert sorted(p.name for p in out.iterdir()) == [".zinebuild-cache", "small-test-book.epub",
                                                     "small-test-book.pdf"]
    assert not [p for p in (out / ".zinebuild-cache").iterdir() if p.name.endswith(".part")]
    assert zipfile.ZipFile(out / "small-test-book.epub").testzip() is None
    assert len(pypdf.PdfReader(out / "small-test-book.pdf").pages) > 3


# ---------------------------------------------------------------- big and strange input
def test_ten_thousand_notes():
    n = 10_000
    body = " ".join(f"Claim {i} is made.({i})" for i in range(1, n + 1))
    notes = "\n".join(f"({i}) Source {i}." for i in range(1, n + 1))
    (doc,), _, warnings = clean(f"Title\n\n{body}\n\nNotes\n\n{notes}\n")
    assert len(doc.notes) == n and not warnings
    assert sum(1 for node in doc.blocks[0].inlines if node.kind == "noteref") == n


def test_years_in_parentheses_are_not_lost_markers():
    (doc,), _, warnings = clean("T\n\nThe uprising (2014) and the war (2022) are different, and this is "
                                "a long enough paragraph of text to read as prose.\n")
    assert not warnings and "(2014)" in doc.blocks[0].inlines[0].text


def test_a_megabyte_on_one_line():
    (doc,), _, _ = clean("Title\n\n" + "word " * 200_000)
    assert len(doc.blocks) == 1 and doc.words() == 200_000


def test_nul_bytes_and_mixed_encodings():
    data = ("Title\n\nČeský text v UTF-8,\x00 řádek první.\n".encode()
            + "Příliš žluťoučký kůň úpěl ďábelské ódy a další česká slova.\n".encode("cp1250"))
    text, encoding = decode(data)
    assert encoding == "utf-8+cp1250"
    assert "Český text" in text and "Příliš žluťoučký kůň" in text
    (doc,), _, _ = clean(text)
    assert "\x00" not in repr(doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('[]=."\'\n #abcdefpiecstoubkrl_0123456789{},')), max_size=200))
def test_config_loader_never_raises_anything_but_config_errors(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "anthology.toml"
    path.write_text(text)
    try:
        config.load(path)
    except ConfigError as error:
        assert error.exit_code == 2 and str(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["title", "language", "editor", "date", "series_index", "cover", "x"]),
                       st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.lists(st.text(max_size=5)))))
def test_config_loader_with_typed_values(tmp_path_factory, book):
    import json

    folder = tmp_path_factory.mktemp("typed")
    lines = ["[book]"] + [f"{k} = {json.dumps(v)}" for k, v in book.items()]
    lines += ["[[pieces]]", 'source = "a.txt"']
    (folder / "a.txt").write_text("A\n\ntext\n")
    (folder / "anthology.toml").write_text("\n".join(lines))
    try:
        config.load(folder / "anthology.toml")
    except ConfigError:
        pass
