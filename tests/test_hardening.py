"""Bad and strange input, interruptions, concurrency: zinebuild explains, never damages."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile

import lxml.etree
import lxml.html
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
from zinebuild.settings import Settings

from .conftest import ROOT, write_project
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
    assert result.exit_code == 130 and "stopped by SIGINT" in result.output
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


@pytest.mark.parametrize("name, source", [("my-book", "my-book.html"), ("notes", "notes.epub"),
                                          ("style", "style.html")])
def test_an_output_never_replaces_a_file_the_book_is_made_from(tmp_path, name, source):
    """`--out .` beside a source, a stylesheet or a piece named as an output would be: refused, untouched."""
    files = {"my-book.html": "<title>Piece</title><p>Words of the source piece.</p>", "style.css": "p { margin: 0 }",
             "notes.md": "# Notes\n\nWords.\n"}
    if source == "notes.epub":  # an EPUB source named as the book's EPUB will be
        files["notes.epub"] = (ROOT / "tests" / "corpus" / "formats" / "epub" / "report.epub").read_bytes()
    if source == "style.html":
        files["style.html"] = "<title>Style</title><p>A piece named as the book's HTML.</p>"
    pieces = f'[[pieces]]\nsource = "{source}"\n[[pieces]]\nsource = "notes.md"\n'
    config_path = write_project(tmp_path, f'[book]\ntitle = "T"\n[output]\nname = "{name}"\ncss = ["style.css"]\n'
                                          + pieces, files)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert_bad_input(run("build", config_path, "--out", tmp_path), "would replace a file this book is made from",
                     "--out")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before  # and nothing new


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


# ---------------------------------------------------------------- the bad-input matrix: exit 2, key named
BOOK = '[book]\ntitle = "T"\n'
PIECE = '[[pieces]]\nsource = "a.txt"\n'
TEXT = {"a.txt": "A Title\n\nA paragraph of text for the piece.\n"}


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height; Pillow reads the size without the pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))


def _image(kind: str, size=(40, 60)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "darkred").save(out, kind)
    return out.getvalue()


def _deep(opening: str, closing: str, depth: int) -> str:
    return opening * depth + closing * depth


BAD_CONFIGS = {
    # [book] date: not a date, a date that does not exist, year zero, a time only
    "date-month-13": (BOOK + 'date = "2026-13-45"\n' + PIECE, {}, "book.date", "not a real date"),
    "date-year-zero": (BOOK + 'date = "0000-01-01"\n' + PIECE, {}, "book.date", "not a real date"),
    "date-feb-30": (BOOK + 'date = "2026-02-30"\n' + PIECE, {}, "book.date", "not a real date"),
    "date-words": (BOOK + 'date = "next spring"\n' + PIECE, {}, "book.date", "not a real date"),
    "date-year-one": (BOOK + 'date = "0001-01-01"\n' + PIECE, {}, "book.date", "four digits"),
    "date-month-00": (BOOK + 'date = "2026-00"\n' + PIECE, {}, "book.date", "not a real date"),
    "date-toml-time": (BOOK + "date = 10:30:00\n" + PIECE, {}, "book.date", "must be text"),
    # language tags: shapes readers reject, and well-formed tags of no registered language
    "lang-underscore": (BOOK + 'language = "en_US"\n' + PIECE, {}, "book.language", "BCP 47"),
    "lang-unregistered": (BOOK + 'language = "xx"\n' + PIECE, {}, "book.language", "BCP 47"),
    "lang-word": (BOOK + 'language = "english"\n' + PIECE, {}, "book.language", "BCP 47"),
    "lang-markup": (BOOK + 'language = "en\\" onload=\\"x"\n' + PIECE, {}, "book.language", "BCP 47"),
    "lang-piece": (BOOK + PIECE + 'lang = "zz-ZZ"\n', {}, "pieces[0].lang", "BCP 47"),
    "lang-part-piece": (BOOK + '[[parts]]\ntitle = "P"\n[[parts.pieces]]\nsource = "a.txt"\nlang = "cs-"\n', {},
                        "parts[0].pieces[0].lang", "BCP 47"),
    # no pieces at all
    "pieces-empty": ("pieces = []\n" + BOOK, {}, "pieces", "non-empty"),
    "parts-empty": ("parts = []\n" + BOOK, {}, "parts", "non-empty"),
    "part-without-pieces": (BOOK + '[[parts]]\ntitle = "P"\npieces = []\n', {}, "parts[0].pieces", "needs its pieces"),
    "part-no-pieces-key": (BOOK + '[[parts]]\ntitle = "P"\n', {}, "parts[0].pieces", "needs its pieces"),
    # TOML nested deeper than the parser can go
    "toml-deep-array": ("a = " + _deep("[", "]", 5000) + "\n", {}, "anthology.toml", "nested too deeply"),
    "toml-deep-table": ("a = " + _deep("{b = ", "}", 5000).replace("{b = }", "{}") + "\n", {}, "anthology.toml",
                        "nested too deeply"),
    # output names that lead out of --out
    "name-parent": (BOOK + PIECE + '[output]\nname = "../sources/x"\n', {}, "output.name", "plain file name"),
    "name-absolute": (BOOK + PIECE + '[output]\nname = "/tmp/zinebuild-escape"\n', {}, "output.name", "plain file name"),
    "name-dotdot": (BOOK + PIECE + '[output]\nname = ".."\n', {}, "output.name", "plain file name"),
    "name-subfolder": (BOOK + PIECE + '[output]\nname = "sub/x"\n', {}, "output.name", "plain file name"),
    "name-backslash": (BOOK + PIECE + '[output]\nname = "..\\\\x"\n', {}, "output.name", "plain file name"),
    "name-hidden": (BOOK + PIECE + '[output]\nname = ".zinebuild-cache"\n', {}, "output.name", "plain file name"),
    "name-newline": (BOOK + PIECE + '[output]\nname = "a\\nb"\n', {}, "output.name", "plain file name"),
    # a layout "folder" that holds the project, or the whole disk, would open it all to the fetcher
    "layout-root": (BOOK + PIECE + '[output]\nlayout = "/"\n', {}, "output.layout", "not a layout folder"),
    "layout-parent": (BOOK + PIECE + '[output]\nlayout = ".."\n', {}, "output.layout", "not a layout folder"),
    "layout-etc": (BOOK + PIECE + '[output]\nlayout = "/etc"\n', {}, "output.layout", "not a layout folder"),
    # page and sheet sizes beyond what a PDF can hold
    "sheet-tiny": (BOOK + PIECE + '[output]\nsheet = "1mm x 1mm"\n', {}, "output.sheet", "1 inch to 200 inches"),
    "page-huge": (BOOK + PIECE + '[output]\npage_size = "6000mm x 100mm"\n', {}, "output.page_size",
                  "1 inch to 200 inches"),
    # covers: not what the suffix says, too large, broken, or outside the project
    "cover-png-text": (BOOK + 'cover = "c.png"\n' + PIECE, {"c.png": "not an image"}, "book.cover", "not a PNG"),
    "cover-jpg-text": (BOOK + 'cover = "c.jpg"\n' + PIECE, {"c.jpg": "not an image"}, "book.cover", "not a JPEG"),
    "cover-jpg-is-png": (BOOK + 'cover = "c.jpg"\n' + PIECE, {"c.jpg": _image("PNG")}, "book.cover", "not a JPEG"),
    "cover-png-is-gif": (BOOK + 'cover = "c.png"\n' + PIECE, {"c.png": _image("GIF")}, "book.cover", "not a PNG"),
    "cover-225-megapixels": (BOOK + 'cover = "c.png"\n' + PIECE, {"c.png": _png_header(15000, 15000)},
                             "book.cover", "pixels"),
    "cover-50-megapixels": (BOOK + 'cover = "c.png"\n' + PIECE, {"c.png": _png_header(10000, 5000)},
                            "book.cover", "pixels"),
    "cover-truncated": (BOOK + 'cover = "c.jpg"\n' + PIECE, {"c.jpg": _image("JPEG", (400, 400))[:300]},
                        "book.cover", "not a readable JPEG"),
    "cover-outside": (BOOK + 'cover = "../outside.jpg"\n' + PIECE, {"../outside.jpg": _image("JPEG")},
                      "book.cover", "outside the project"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_a_clear_input_error(tmp_path, case):
    text, files, key, message = BAD_CONFIGS[case]
    project = tmp_path / "project"
    path = write_project(project, text, {**TEXT, **files})
    for command in (("check", path), ("build", path, "--format", "epub", "--out", tmp_path / "out")):
        result = run(*command)
        assert_bad_input(result, key, message)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.jpg", "project"][("outside" not in case):]


def assert_bad_input(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_cover_leaving_the_project_by_a_link(tmp_path):
    (tmp_path / "secret.jpg").write_bytes(_image("JPEG"))
    path = write_project(tmp_path / "project", BOOK + 'cover = "c.jpg"\n' + PIECE, TEXT)
    (tmp_path / "project" / "c.jpg").symlink_to(tmp_path / "secret.jpg")
    assert_bad_input(run("check", path), "book.cover", "outside the project")


def test_cover_over_30_megabytes(tmp_path):
    path = write_project(tmp_path, BOOK + 'cover = "c.jpg"\n' + PIECE, TEXT)
    with open(tmp_path / "c.jpg", "wb") as cover:  # sparse: 31 MB on paper, nothing on the disk
        cover.write(_image("JPEG"))
        cover.seek(31 * 1024 * 1024)
        cover.write(b"\xff\xd9")
    assert_bad_input(run("check", path), "book.cover", "larger than 30 MB")


def test_good_covers_dates_and_tags_still_pass(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\ndate = 2026-11-22\nlanguage = "sr-Latn-RS"\n'
                                   'cover = "c.jpg"\n' + PIECE + 'lang = "zh-Hant"\n[output]\nname = "my zine (2)"\n',
                         {**TEXT, "c.jpg": _image("JPEG")})
    loaded = config.load(path)
    assert (loaded.book.date, loaded.book.language, loaded.pieces[0].lang) == ("2026-11-22", "sr-Latn-RS", "zh-Hant")
    assert loaded.output.name == "my zine (2)" and loaded.book.cover.endswith("c.jpg")
    for year in ("2026", "2026-02", "2024-02-29", "2026-11-22T10:00:00"):
        path.write_text(BOOK + f'date = "{year}"\n' + PIECE)
        assert config.load(path).book.date == year


@pytest.mark.parametrize("date", ["9999-12-31", "1000-01-01", "1979-12-31"])
def test_dates_far_from_now_give_a_valid_epub(tmp_path, date):
    from .test_epub import NS, read_epub

    path = write_project(tmp_path, BOOK + f'date = "{date}"\n' + PIECE, TEXT)
    result = run("build", path, "--format", "epub", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    opf, _, _, infos = read_epub(tmp_path / "out" / "t.epub")
    modified = opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS)
    assert re.fullmatch(rf"{date}T\d\d:\d\d:\d\dZ", modified)  # the form epubcheck asks for: 4-digit year, UTC
    assert all(1980 <= info.date_time[0] <= 2107 for info in infos)


def _pdf(pages: int, **save) -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(420, 595))
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def _encrypted() -> bytes:
    import pikepdf

    return _pdf(4, encryption=pikepdf.Encryption(owner="owner", user="reader"))


def _zero_box() -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(420, 595)).obj.MediaBox = pikepdf.Array([0, 0, 0, 0])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


BAD_PDFS = {
    "encrypted": (_encrypted, "encrypted"),
    "zero-size-page": (_zero_box, "no width or height"),
    "no-pages": (lambda: _pdf(0), "no pages"),
    "not-a-pdf": (lambda: b"%PDF-1.7\nthis is not really a PDF\n", "not a readable PDF"),
    "text-file": (lambda: b"Dear printer,\nplease fold this.\n", "not a readable PDF"),
    "empty-file": (lambda: b"", "not a readable PDF"),
}


@pytest.mark.parametrize("scheme", config.SCHEMES)
@pytest.mark.parametrize("case", sorted(BAD_PDFS))
def test_impose_refuses_what_it_cannot_impose(tmp_path, case, scheme):
    make, message = BAD_PDFS[case]
    source = tmp_path / "in.pdf"
    source.write_bytes(make())
    assert_bad_input(run("impose", source, tmp_path / "out.pdf", "--scheme", scheme), "in.pdf", message)
    assert not (tmp_path / "out.pdf").exists()


# ---------------------------------------------------------------- nested deeper than any page
DEEP_SOURCES = {
    "html-blockquotes": ("deep.html", "<html><head><title>Deep</title></head><body><article><p>Start here.</p>"
                         + "<blockquote><p>level</p>" * 240 + "<p>deepest</p>" + "</blockquote>" * 240
                         + "<p>End here.</p></article></body></html>", 241),
    "html-emphasis": ("deep.html", "<html><head><title>Deep</title></head><body><article><p>Start here.</p><p>"
                      + "<em>level <strong>" * 120 + "deepest" + "</strong></em>" * 120
                      + "</p><p>End here.</p></article></body></html>", 121),
    "markdown-quotes": ("deep.md", "# Deep\n\nStart here.\n\n"
                        + "".join(">" * i + " level\n" + ">" * i + "\n" for i in range(1, 81))
                        + "> deepest\n\nEnd here.\n", 81),
}


@pytest.mark.parametrize("case", sorted(DEEP_SOURCES))
def test_deep_nesting_builds_and_keeps_every_word(tmp_path, case):
    name, text, levels = DEEP_SOURCES[case]
    path = write_project(tmp_path, f'[book]\ntitle = "Deep"\n[[pieces]]\nsource = "{name}"\n', {name: text})
    out = tmp_path / "out"
    result = run("build", path, "--format", "pdf,epub,html", "--out", out)
    assert result.exit_code == 0, result.output
    words = " ".join(page.extract_text() for page in pypdf.PdfReader(out / "deep.pdf").pages).split()
    assert words.count("level") + words.count("deepest") == levels
    assert "Start" in words and words.index("deepest") < len(words) - 1
    body = lxml.html.parse(str(out / "deep.html")).find("body")
    words = body.text_content().split()
    assert words.count("level") + words.count("deepest") == levels
    assert max(len(e.xpath("ancestor::blockquote|ancestor::em|ancestor::strong")) for e in body.iter()) <= 8


def test_sources_nested_too_deep_to_parse_are_named(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "Deep"\n[[pieces]]\nsource = "deep.md"\n',
                         {"deep.md": "# Deep\n\n" + "> " * 3000 + "deepest\n"})
    assert_bad_input(run("build", path, "--format", "epub", "--out", tmp_path / "out"), "deep.md", "nested too deeply")


# ---------------------------------------------------------------- ids: their own namespace, sanitised, unique
# Titles that name the book's own files and ids, and front-matter slugs that lead out of the EPUB.
HOSTILE_TITLES = ("Sources", "Notes", "Style", "Nav", "Ncx", "Cover", "Title", "Contents", "Toc", "Introduction",
                  "Colophon", "Cover image", "Editor 1", "Part 1", "Piece a", "A note 1", "Series", "Landmarks")
HOSTILE_SLUGS = ("../../../../tmp/x", "/etc/passwd", "nav", "a b/../../c", "..", "%2e%2e%2fx", "ÿ" * 300)


def _hostile_project(root):
    files, pieces = {}, []
    for i, title in enumerate(HOSTILE_TITLES + HOSTILE_SLUGS):
        slug = f"slug: {json.dumps(title)}\n" if title in HOSTILE_SLUGS else ""
        files[f"sources/{i:02d}.md"] = (f"---\ntitle: {json.dumps(title if not slug else f'Slugged {i}')}\n{slug}---\n\n"
                                        f"Words of piece {i}.[^1] More words.[^x]\n\n## A section\n\nMore.\n\n"
                                        f"[^1]: Note one of {i}.\n\n"
                                        f"[^x]: Note x of {i}.\n")
        pieces.append(f'[[parts.pieces]]\nsource = "sources/{i:02d}.md"\n')
    text = ('[book]\ntitle = "Ids"\nlanguage = "en"\n[front]\nintroduction = "sources/00.md"\n'
            '[back]\ncolophon = "sources/01.md"\n[epub]\nnotes = "book"\n[output]\nnotes = "endnotes"\n'
            '[[parts]]\ntitle = "Notes"\n' + "".join(pieces[:10]) + '[[parts]]\ntitle = "Piece a"\n'
            + "".join(pieces[10:]))
    return write_project(root, text, files)


def test_untrusted_titles_and_slugs_never_collide_or_escape(tmp_path):
    from .test_epub import NS, assert_epubcheck_clean, read_epub

    config_path = _hostile_project(tmp_path / "project")
    before = sorted(p for p in tmp_path.rglob("*"))
    out = tmp_path / "out"
    result = run("build", config_path, "--format", "epub,html,pdf,booklet", "--out", out)
    assert result.exit_code == 0, result.output
    # Nothing written anywhere but the output folder (the cache is inside it too).
    assert sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out)) == before
    assert sorted(p.name for p in out.iterdir()) == [".zinebuild-cache", "ids-booklet.pdf", "ids.epub", "ids.html",
                                                     "ids.pdf"]
    project = pipeline.load(config_path)
    epub, html, pdf = out / "ids.epub", out / "ids.html", out / "ids.pdf"

    opf, base, files, infos = read_epub(epub)
    names = [info.filename for info in infos]
    assert len(names) == len(set(names))
    assert all(".." not in name.split("/") and not name.startswith("/") and len(name) < 120 for name in names)
    opf_ids = opf.xpath("//@id")
    assert len(opf_ids) == len(set(opf_ids))
    manifest = opf.xpath("//opf:manifest/opf:item/@href", namespaces=NS)
    assert len(manifest) == len(set(manifest)) == len(names) - 3  # all but mimetype, container.xml, the OPF
    for name, data in files.items():
        if name.endswith((".xhtml", ".ncx")):
            ids = lxml.etree.fromstring(data).xpath("//@id")
            assert len(ids) == len(set(ids)), name
    assert_epubcheck_clean(epub)

    # One document holds every piece in the HTML and PDF: ids must be unique across the book.
    tree = lxml.html.parse(str(html))
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))
    pieces = [p for p in project.anthology.pieces]
    assert all(p.id.startswith("piece-") for p in pieces)
    reader = pypdf.PdfReader(pdf)
    destinations = reader.named_destinations
    assert set(ids) <= set(destinations)
    for piece in pieces:  # each piece's anchor leads to its own first page, not a namesake's
        page = reader.get_destination_page_number(destinations[piece.id])
        assert piece.document.title in reader.pages[page].extract_text(), piece.id
    sources_page = reader.pages[reader.get_destination_page_number(destinations["sources"])].extract_text()
    # The book's own Sources page, listing the piece titled "Sources" (by title: no file names there).
    assert sources_page.startswith("Sources\nSources. ") and "00.md" not in sources_page



# ---------------------------------------------------------------- every output reads through the one fetcher
SECRET = b"SECRET-OUTSIDE-THE-PROJECT"
# What a layout's print.css may ask for; outside/ is beside the project, never inside it.
CSS_ATTACKS = {
    "import-symlink": ("@import url(pw.css);\n", {"pw.css": "->outside/secret.css"}),
    "import-leading-out": ('@import "inner.css";\n', {"inner.css": ".x { background: url(../../../outside/secret.png); }"}),
    "import-import-symlink": ("@import url(inner.css);\n", {"inner.css": '@import "pw.css";\n',
                                                            "pw.css": "->outside/secret.css"}),
    "dotdot": (".x { background: url(../../../outside/secret.png); }\n", {}),
    "quoted-dotdot": ('.x { background: url("../../../outside/secret.png?v=1"); }\n', {}),
    "absolute": (".x { background: url({outside}/secret.png); }\n", {}),
    "file-url": (".x { background: url(file://{outside}/secret.png); }\n", {}),
    "symlinked-image": (".x { background: url(img.png); }\n", {"img.png": "->outside/secret.png"}),
    "symlinked-folder": (".x { background: url(assets/secret.png); }\n", {"assets": "->outside"}),
    "font-symlink": ('@font-face { font-family: X; src: url(fonts/evil.otf); }\n',
                     {"fonts/evil.otf": "->outside/secret.png"}),
    "network": (".x { background: url(https://example.org/secret.png); }\n", {}),
}


def _decoded_data_urls(text: str):
    """Every data: URL's payload in text, and those inside embedded stylesheets, decoded."""
    import base64

    for payload in re.findall(r"data:[^;,\"')]*;base64,([A-Za-z0-9+/=]+)", text):
        data = base64.b64decode(payload)
        yield data
        yield from _decoded_data_urls(data.decode("latin-1"))


@pytest.mark.allow_warnings
@pytest.mark.parametrize("case", sorted(CSS_ATTACKS))
def test_html_output_embeds_nothing_from_outside_the_project(small_project, tmp_path, case, caplog):
    from zinebuild.writers import WRITERS

    rule, files = CSS_ATTACKS[case]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(SECRET)
    (outside / "secret.css").write_bytes(b".leak { content: '" + SECRET + b"'; }")
    layout = small_project.parent / "layouts" / "default"
    (layout / "fonts").mkdir(parents=True)
    (layout / "ok.png").write_bytes(_image("PNG"))
    for name, content in files.items():
        if content.startswith("->"):
            (layout / name).symlink_to(tmp_path / content[2:])
        else:
            (layout / name).write_text(content)
    builtin = (ROOT / "layouts" / "default" / "print.css").read_text()
    (layout / "print.css").write_text(rule.replace("{outside}", str(outside)) + builtin
                                      + "\n.ok { background: url(ok.png); }\n")
    project = pipeline.load(small_project)
    path = WRITERS["html"](project.anthology, project.layout, tmp_path / "out", Settings())
    html = path.read_text()
    blobs = list(_decoded_data_urls(html))
    assert SECRET.decode() not in html and not any(SECRET in blob for blob in blobs)
    assert "refused" in caplog.text and "not embedded" in caplog.text
    assert any(blob.startswith(b"\x89PNG") for blob in blobs)  # the layout's own image is still embedded
    assert any(blob[:4] == b"OTTO" for blob in blobs)  # and the built-in fonts
    assert "The First Piece" in html


LAYOUT_LINKS = {  # a layout file that is a link leading out, and the format that reads it
    "template": ("title.html", "epub"),
    "template-html": ("piece.html", "html"),
    "epub-css": ("epub.css", "epub"),
    "embedded-font": ("fonts/LinLibertine_R.otf", "epub"),
    "print-css-html": ("print.css", "html"),
}


@pytest.mark.parametrize("case", sorted(LAYOUT_LINKS))
def test_layout_files_linking_outside_are_refused(small_project, tmp_path, case):
    name, fmt = LAYOUT_LINKS[case]
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    link = small_project.parent / "layouts" / "default" / name
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    small_project.write_text(small_project.read_text() + "\n[epub]\nembed_fonts = true\n")
    out = tmp_path / "out"
    assert_bad_input(run("build", small_project, "--format", fmt, "--out", out), name.rpartition("/")[2],
                     "outside the project")
    assert not any(SECRET in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_layout_files_leave_out_links_leading_outside(small_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Other.otf").write_bytes((ROOT / "layouts" / "default" / "fonts" / "LinLibertine_R.otf").read_bytes())
    fonts = small_project.parent / "layouts" / "default" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "Other.otf").symlink_to(outside / "Other.otf")
    (fonts / "Inside.otf").write_bytes(b"OTTO")
    files = Layout.from_config(config.load(small_project)).files()
    assert "fonts/Inside.otf" in files and "fonts/Other.otf" not in files
    assert files["fonts/LinLibertine_R.otf"].is_relative_to(ROOT / "layouts")


@pytest.mark.allow_warnings
def test_language_tags_from_sources_are_checked_before_they_reach_xml_lang(tmp_path, caplog):
    from zinebuild import langtags

    from .test_epub import assert_epubcheck_clean

    files = {"intro.md": "---\ntitle: Intro\nlang: english\n---\n\nWhy we made it.\n",
             "a.md": "---\ntitle: Underscored\nlang: en_US\n---\n\nA paragraph of text.\n",
             "b.html": '<html lang="xx"><head><title>Unregistered</title></head><body><article>'
                       "<p>Some text of the web page.</p></article></body></html>",
             "c.md": "---\ntitle: Fine\nlang: uk-UA\n---\n\nТекст українською.\n"}
    path = write_project(tmp_path, '[book]\ntitle = "T"\n[front]\nintroduction = "intro.md"\n'
                                   '[[pieces]]\nsource = "a.md"\n[[pieces]]\nsource = "b.html"\n'
                                   '[[pieces]]\nsource = "c.md"\n', files)
    result = run("build", path, "--format", "epub,html", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for bad in ("english", "en_US", "xx"):
        assert "Z104" in result.output and f"'{bad}'" in result.output
    with zipfile.ZipFile(tmp_path / "out" / "t.epub") as epub:
        tags = [tag for name in epub.namelist() if name.endswith(".xhtml")
                for tag in lxml.etree.fromstring(epub.read(name)).xpath("//@xml:lang|//@lang")]
    html_tags = lxml.html.parse(str(tmp_path / "out" / "t.html")).xpath("//@lang")
    assert "uk-UA" in tags and all(langtags.is_valid(tag) for tag in tags + html_tags)
    assert_epubcheck_clean(tmp_path / "out" / "t.epub")


# ---------------------------------------------------------------- control characters
_CONTROLS = set("\x1b\x07\x9b\u202e")


@pytest.mark.allow_warnings
def test_control_characters_from_sources_reach_neither_terminal_nor_outputs(tmp_path):
    """An ESC in front matter (YAML's "\\e"), in a body or in a file name is shown, never obeyed,
    and no output carries it: XML cannot, and a terminal would recolour, retitle or clear."""
    from .test_epub import assert_epubcheck_clean

    text = ('---\ntitle: "Evil \\e]0;pwned\\a\\e[2J title \\u202egnp.exe"\nauthor: "A\\e[31m B"\n---\n\n'
            "Body \x1b[31m text with enough words \x9b to be a paragraph.\x07\n\n[link](javascript:alert(1))\n")
    config_path = write_project(tmp_path / "p", '[book]\ntitle = "Escapes"\nlanguage = "en"\n'
                                                '[[pieces]]\nsource = "evil.md"\n', {"evil.md": text})
    source = config_path.parent / "esc\x1b[1mape.md"  # a name no config can hold; inspect reads it
    source.write_text(text, encoding="utf-8")
    commands = (["build", str(config_path), "--out", str(tmp_path / "out")], ["list", str(config_path)],
                ["inspect", str(source)], ["inspect", "--json", str(source)])
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "zinebuild", *command], capture_output=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr.decode()
        shown = done.stdout.decode() + done.stderr.decode()
        assert not _CONTROLS & set(shown), (command, shown)
        if "inspect" in command:
            # A control character is no word: gone from the model; the bidi override is shown as its escape.
            assert "Evil ]0;pwned[2J title \\u202egnp.exe" in shown and "esc\\u001b[1mape.md" in shown
        if "--json" in command:
            assert json.loads(done.stdout)["pieces"][0]["title"].startswith("Evil ]0;pwned")
    outputs = list((tmp_path / "out").glob("escapes*"))
    assert len(outputs) == 4
    for output in outputs:
        data = output.read_bytes()
        if output.suffix == ".epub":
            with zipfile.ZipFile(output) as book:
                data = b"".join(book.read(entry) for entry in book.namelist()
                                if entry.endswith((".xhtml", ".opf", ".ncx", ".css")))
        elif output.suffix == ".pdf":
            data = "".join(page.extract_text() for page in pypdf.PdfReader(output).pages).encode()
        assert b"\x1b" not in data and b"\x07" not in data, output
        assert b"Evil ]0;pwned" in data.replace(b"\n", b" ") or output.suffix == ".pdf", output
    assert_epubcheck_clean(next(p for p in outputs if p.suffix == ".epub"))


def test_control_characters_in_the_config_are_an_input_error(tmp_path):
    config_path = write_project(tmp_path, '[book]\ntitle = "T\\u001b[2J"\n[[pieces]]\nsource = "a.md"\n',
                                {"a.md": "Some words.\n"})
    assert_bad_input(run("build", config_path), "book.title", "U+001B", ":2:")


def test_notes_that_refer_to_themselves_or_each_other(tmp_path):
    """A note citing itself, or two notes citing each other, print as numbers, not as endless notes."""
    config_path = write_project(tmp_path, '[book]\ntitle = "Loops"\nlanguage = "en"\n[[pieces]]\nsource = "a.md"\n', {
        "a.md": "# Loops\n\nFirst claim.[^self] Second claim.[^a]\n\n"
                "[^self]: This note cites itself.[^self]\n\n[^a]: See also.[^b]\n\n[^b]: And back.[^a]\n"})
    result = run("build", config_path, "--out", tmp_path / "out", "--format", "pdf,epub,html")
    assert result.exit_code == 0, result.output
    page = pypdf.PdfReader(tmp_path / "out" / "loops.pdf").pages[-2]
    text = " ".join(page.extract_text(extraction_mode="layout").split())
    # Note b is cited by note a alone: it is listed under the piece, with its own number.
    for note in ("1. This note cites itself.1", "2. See also.3", "3. And back.2"):
        assert text.count(note) == 1, text
    html = lxml.html.parse(str(tmp_path / "out" / "loops.html"))
    assert [li.get("value") for li in html.iterfind('.//ol[@class="note-list"]/li')] == ["3"]


_DEGENERATE = {  # each made some pass quadratic: minutes, or hours, where it reads in seconds now
    "tabs.txt": "\t" * 100_000 + "x\n",  # a mode-line search from every tab
    "spaces.md": " " * 1_000_000 + "x\n",  # a permalink search from every space
    "capitals.txt": ("WORD " * 20 + "\n") * 5_000,  # a hyphen search over the growing paragraph
    "hyphens.txt": "abc-\n" * 50_000,  # a sentence-end search over the growing line
    "code.md": "`a" * 50_000 + "\n",  # the typography's look-ahead copying the rest of the paragraph
}


def test_degenerate_texts_are_read_in_bounded_time(tmp_path):
    """A hang detector, not a timing: linear passes read these in seconds; a quadratic one would
    take many minutes. Every word is still accounted for."""
    for name, text in _DEGENERATE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    script = ("import sys\nfrom zinebuild.readers import read\nfrom zinebuild import typography\n"
              "for name in sys.argv[1:]:\n"
              "    source = read(name)\n"
              "    assert source.unaccounted == (), (name, source.unaccounted[:3])\n"
              "    for doc in source.documents:\n"
              "        typography.normalise(doc, 'en')\n")
    done = subprocess.run([sys.executable, "-c", script, *_DEGENERATE], cwd=tmp_path, capture_output=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
