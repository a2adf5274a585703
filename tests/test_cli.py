"""The command line: clear errors with exit status and no traceback; init, check, list, inspect."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from zinebuild.cli import main

from .conftest import ROOT, SAMPLE, write_project


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd:
        with runner.isolated_filesystem(temp_dir=cwd):
            os.chdir(cwd)
            return runner.invoke(main, list(map(str, args)))
    return runner.invoke(main, list(map(str, args)))


def assert_clean_failure(result, code: int, *fragments: str):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_build_writes_every_format(small_project, tmp_path):
    out = tmp_path / "out"
    result = run("build", small_project, "--out", out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".zinebuild-cache", "small-test-book-booklet.pdf", "small-test-book.epub",
                     "small-test-book.html", "small-test-book.pdf"]
    assert "flip on the SHORT edge" in result.output


def test_build_without_cache_keeps_nothing(small_project, tmp_path):
    out = tmp_path / "out"
    result = run("build", small_project, "--out", out, "--no-cache", "--jobs", "1", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["small-test-book.pdf"]


def test_build_rejects_zero_jobs(small_project):
    result = run("build", small_project, "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs" in result.output


def test_build_one_format_into_default_folder(small_project):
    result = run("build", small_project, "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (small_project.parent / "build").iterdir()) == [".zinebuild-cache",
                                                                                  "small-test-book.html"]


def test_unknown_format(small_project, tmp_path):
    assert_clean_failure(run("build", small_project, "--format", "docx", "--out", tmp_path / "o"), 2,
                         "unknown format(s): docx")


def test_bad_config_exits_2_and_writes_nothing(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\nsubtitel = "x"\n[[pieces]]\nsource = "gone.txt"\n', {})
    result = run("build", path, "--out", tmp_path / "out")
    assert_clean_failure(result, 2, "2 problems", "anthology.toml:3: book.subtitel: unknown key",
                         "anthology.toml:5: pieces[0].source: no such file 'gone.txt'")
    assert not (tmp_path / "out").exists()


def test_missing_config_file(tmp_path):
    assert_clean_failure(run("build", tmp_path / "nope.toml"), 2, "no such config file", "zinebuild init")


def test_empty_source_is_a_clear_error(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\n[[pieces]]\nsource = "empty.txt"\n', {"empty.txt": "\n\n"})
    assert_clean_failure(run("build", path, "--out", tmp_path / "o"), 2, "empty.txt", "no text found")


def test_binary_source_is_refused(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\n[[pieces]]\nsource = "junk.txt"\n',
                         {"junk.txt": bytes(range(256)) * 40})
    assert_clean_failure(run("build", path, "--out", tmp_path / "o"), 2, "junk.txt", "binary")


def test_unknown_article_lists_the_articles(small_project, tmp_path):
    text = small_project.read_text().replace('title = "The Second Piece"', 'article = "nothing-like-this"')
    small_project.write_text(text)
    assert_clean_failure(run("build", small_project, "--out", tmp_path / "o"), 2,
                         "no article 'nothing-like-this'", "raw-title-line")


# A layout's template is the user's input: its errors are input errors, exit status 2.
@pytest.mark.parametrize("template, expected", [
    ("<h1>{{ book.title }</h1>\n", ["title.html:1", "template error"]),
    ("\n<h1>{{ book.no_such_thing.title }}</h1>\n", ["title.html:2", "template error", "no_such_thing"]),
    ('{% include "nowhere.html" %}\n', ["title.html:1", "layout has no template 'nowhere.html'"]),
    ("{% for letter in 5 %}{{ letter }}{% endfor %}\n", ["title.html:1", "template error", "not iterable"]),
])
def test_broken_template_names_file_and_line(small_project, tmp_path, template, expected):
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "title.html").write_text(template)
    result = run("build", small_project, "--format", "html", "--out", tmp_path / "o")
    assert_clean_failure(result, 2, *expected)
    assert not (tmp_path / "o" / "small-test-book.html").exists()


def test_project_layout_overrides_one_file(small_project, tmp_path):
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "title.html").write_text('<section class="title-page" id="title"><h1>OURS: {{ book.title }}</h1></section>\n')
    assert run("build", small_project, "--format", "html,epub", "--out", tmp_path / "o").exit_code == 0
    html = (tmp_path / "o" / "small-test-book.html").read_text()
    assert "OURS: Small Test Book" in html
    assert "The First Piece" in html  # everything else still comes from the built-in layout


def test_unwritable_output_folder(small_project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_clean_failure(run("build", small_project, "--out", blocker / "sub"), 2, "cannot write to the output folder")


def test_a_bug_met_in_a_shipped_template_is_an_internal_error(small_project, tmp_path, monkeypatch):
    # The layouts zinebuild ships are not the user's input: what goes wrong there is ours.
    def broken(*args):
        raise ValueError("a bug of ours")

    monkeypatch.setattr("zinebuild.render.punctuate", broken)  # called by the built-in sources.html
    result = run("build", small_project, "--format", "html", "--out", tmp_path / "o")
    assert_clean_failure(result, 1, "internal error: ValueError: a bug of ours", "--debug")


def test_failed_build_keeps_previous_output(small_project, tmp_path):
    out = tmp_path / "o"
    assert run("build", small_project, "--format", "html", "--out", out).exit_code == 0
    before = (out / "small-test-book.html").read_bytes()
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "piece.html").write_text("{{ no_such_variable.attr }}")
    assert run("build", small_project, "--format", "html", "--out", out).exit_code == 2  # an input error (the template)
    assert (out / "small-test-book.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["small-test-book.html"]  # no .part left


def test_check_reports_warnings_with_codes(sample_project):
    result = run("check", SAMPLE)
    assert result.exit_code == 0, result.output
    assert "anthology.toml: 17 piece(s), 1 warning(s)" in result.output
    assert "warning: Z104" in result.output and "note marker '(2)' has no note" in result.output
    assert "note: Z103" in result.output and "removed 4 line(s)" in result.output


def test_check_warns_about_duplicate_pieces(tmp_path):
    seeds = ROOT / "sources"
    config = write_project(tmp_path, f"""\
        [book]
        title = "Dup"
        [[pieces]]
        source = "{seeds / '000_ba82ee1c59e692d9.txt'}"
        title = "Forcibly mobilised"
        [[pieces]]
        source = "{seeds / '001_610ae073540cbeae.txt'}"
        article = "forcibly-mobilised-and-then-killed-by-drone-the"
        [[pieces]]
        source = "{seeds / '001_610ae073540cbeae.txt'}"
        article = "forcibly-mobilised-and-then-killed-by-drone-the"
        """, {})
    result = run("check", config)
    assert result.exit_code == 0, result.output
    assert "Z102" in result.output and "share 100% of their text" in result.output
    assert "Z101" in result.output and "listed twice" in result.output


def test_list_shows_pieces_in_order(small_project):
    result = run("list", small_project)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["piece", "author"]
    body = "\n".join(lines)
    assert body.index("The First Piece") < body.index("The Second Piece") < body.index("Třetí kus")
    assert "[First Part]" in body and "Ann Author" in body and "one.md" in body


def test_inspect_json_shape(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("A Title\n\nFirst paragraph\nstill first.\n\nSecond.\n")
    result = run("inspect", src, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == str(src) and data["encoding"] == "utf-8"
    (piece,) = data["pieces"]
    assert piece["title"] == "A Title"
    assert {"id", "title", "subtitle", "authors", "lang", "blocks", "notes"} <= set(piece)
    assert piece["blocks"][0] == {"type": "paragraph", "text": "First paragraph still first."}
    assert data["removed"] == []


def test_inspect_human_outline(tmp_path):
    src = tmp_path / "a.md"
    src.write_text("---\ntitle: T\nauthor: A\n---\n\nText.[^1]\n\n[^1]: Note.\n")
    result = run("inspect", src)
    assert result.exit_code == 0, result.output
    assert "# T" in result.output and "by A" in result.output and "note 1" in result.output


def test_init_scaffolds_a_project_that_builds(tmp_path):
    target = tmp_path / "my-zine"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert (target / "anthology.toml").is_file()
    assert (target / "layouts" / "default" / "custom.css").is_file()
    result = run("build", target / "anthology.toml", "--out", target / "build")
    assert result.exit_code == 0, result.output
    assert (target / "build" / "my-zine.epub").is_file()
    assert_clean_failure(run("init", target), 2, "already has an anthology.toml")


def test_python_dash_m_works(small_project, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "zinebuild", "list", str(small_project)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "The First Piece" in done.stdout


def test_impose_any_pdf(tmp_path):
    from .test_impose import numbered_pdf

    source = tmp_path / "any.pdf"
    source.write_bytes(numbered_pdf(6))
    result = run("impose", source, tmp_path / "out.pdf", "--scheme", "minizine", "--sheet", "letter")
    assert result.exit_code == 0, result.output
    assert "1 sheet(s)" in result.output and "single-sided" in result.output
    assert_clean_failure(run("impose", source, source), 2, "over the source")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    assert_clean_failure(run("impose", junk, tmp_path / "x.pdf"), 2, "not a readable PDF")
    assert_clean_failure(run("impose", source, tmp_path / "x.pdf", "--sheet", "A9000"), 2, "unknown page size")


def test_preview_draws_a_contact_sheet(small_project):
    from PIL import Image

    result = run("preview", small_project)
    assert result.exit_code == 0, result.output
    png = small_project.parent / "build" / "small-test-book-preview.png"
    image = Image.open(png).convert("RGB")
    assert image.width > 800 and image.height > 300
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert (198, 40, 40) in colours  # the fold, dashed in red
    assert (31, 78, 156) in colours  # page numbers, in blue


def test_output_read_by_a_command_that_stops_early_ends_quietly(tmp_path):
    # `zinebuild inspect X | head -1`: the reader goes away; we end as a command killed by
    # SIGPIPE would (exit 141), with no error message and no traceback.
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written
    process = subprocess.Popen([sys.executable, "-m", "zinebuild", "inspect",
                                str(ROOT / "sources" / "002_89a23be9b7ebce13.txt")],
                               stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141 and stderr == "", stderr


@pytest.mark.parametrize(("args", "status"), [(["--version"], 0), (["build", "no-such.toml"], 2)])
def test_the_command_exits_with_its_status_its_output_written_and_exit_handlers_run(tmp_path, args, status):
    # run() ends without the interpreter's teardown (os._exit): what is buffered must still be
    # written, and what was registered to run at exit must still run.
    import subprocess
    import sys

    code = ("import atexit, sys; from zinebuild.cli import run; "
            "atexit.register(lambda: print('exit handler ran', flush=True)); "
            f"sys.argv = ['zinebuild', *{args!r}]; run()")
    with open(tmp_path / "out", "w") as out:  # a file: block-buffered, as in a pipe
        done = subprocess.run([sys.executable, "-c", code], stdout=out, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, timeout=120)
    written = (tmp_path / "out").read_text()
    assert done.returncode == status, done.stderr
    assert written.endswith("exit handler ran\n")
    assert ("version" in written) if status == 0 else ("no-such.toml" in done.stderr and "Traceback" not in done.stderr)
