"""[output] font: a shipped face or a folder of the user's, measured by the fonts the PDF embeds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest

from zinebuild import faces, pipeline

from .conftest import write_project
from .test_cli import assert_clean_failure, run

SHIPPED_FONTS = Path(__file__).resolve().parent.parent / "layouts" / "default" / "fonts"

TEXT = """\
---
title: Three Alphabets
author: Ann Author
---

Latin with *italic* and **bold**; Ελληνικά κείμενα εδώ; русский текст тоже.
"""


def project(tmp_path, font: str = "", extra: dict | None = None, text: str = TEXT) -> Path:
    config = f"""\
        [book]
        title = "Fonts"
        editor = "Ed"
        language = "en"
        date = "2024-05-01"

        [[pieces]]
        source = "one.md"

        [output]
        page_size = "A6"
        {font}
        [epub]
        embed_fonts = true
        """
    return write_project(tmp_path / "book", config, {"one.md": text, **(extra or {})})


def pdf_fonts(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(font.BaseFont).split("+")[-1] for page in pdf.pages
                for font in page.obj.Resources.get("/Font", {}).values()}


def build(config_path, tmp_path, formats=("pdf",)):
    return pipeline.build(pipeline.load(config_path), formats, tmp_path / "out")


def test_the_default_face_is_libertine(tmp_path):
    (path,) = build(project(tmp_path), tmp_path)
    names = pdf_fonts(path)
    assert {"Libertine", "Libertine-Italic", "Libertine-Bold"} <= names
    assert not any("DejaVu" in name for name in names)  # Greek and Cyrillic are covered too


def test_noto_serif_is_shipped_for_latin_greek_and_cyrillic(tmp_path):
    paths = build(project(tmp_path, 'font = "Noto Serif"'), tmp_path, ("pdf", "epub"))
    pdf = next(p for p in paths if p.suffix == ".pdf")
    names = pdf_fonts(pdf)
    assert {"Noto-Serif", "Noto-Serif-Italic", "Noto-Serif-Bold"} <= names, names
    assert not any("Libertine" in name or "DejaVu" in name for name in names)
    with zipfile.ZipFile(next(p for p in paths if p.suffix == ".epub")) as epub:
        css = epub.read("EPUB/style/epub.css").decode()
        assert '"Noto Serif"' in css and "EPUB/fonts/font-0.ttf" in epub.namelist()


def test_the_generated_cover_is_set_in_the_chosen_face(tmp_path):
    """cover.html (the EPUB's cover image) names [output] font, as the book does."""
    from zinebuild.render import cover_html
    from zinebuild.typeset import weasy

    project_ = pipeline.load(project(tmp_path, 'font = "Noto Serif"'))
    drawn = weasy.render(cover_html(project_.anthology, project_.layout), project_.layout, "cover")
    with pikepdf.open(io.BytesIO(drawn.pdf)) as pdf:
        names = {str(font.BaseFont).split("+")[-1] for font in pdf.pages[0].obj.Resources.Font.values()}
    assert "Noto-Serif" in names and not any("Libertine" in name for name in names), names


def test_a_font_folder_of_the_users_own(tmp_path):
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    extra = {f"myfont/{name}": (dejavu / name).read_bytes()
             for name in ("DejaVuSans.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf")}
    (path,) = build(project(tmp_path, 'font = "myfont"', extra), tmp_path)
    names = pdf_fonts(path)
    # Named after the CSS family zinebuild gives the folder, so not the system's own DejaVu.
    assert {"zb-DejaVu-Sans", "zb-DejaVu-Sans-Italic", "zb-DejaVu-Sans-Bold"} <= names, names
    assert not any("Libertine" in name for name in names)


def test_an_unknown_face_is_a_config_error(tmp_path):
    config = project(tmp_path, 'font = "Comic Sans"')
    assert_clean_failure(run("check", config), 2, "output.font", "Libertine, Noto Serif")


@pytest.mark.allow_warnings
def test_characters_the_face_lacks_are_named_with_their_script(tmp_path):
    text = TEXT + "\n안녕하세요 세계\n"
    anthology = pipeline.load(project(tmp_path, 'missing_glyphs = "allow"', text=text)).anthology
    (notice,) = [n for n in anthology.notices if n.code == "Z112"]
    assert "'Three Alphabets'" in notice.message and "HANGUL" in notice.message and "Libertine" in notice.message
    assert not [n for n in pipeline.load(project(tmp_path / "2")).anthology.notices if n.code == "Z112"]


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED_FONTS.glob("*.[ot]tf")))
def test_the_characters_of_a_font_are_its_cmaps(name):
    # faces.characters reads the cmap under numbered glyph names; fontTools' own names must
    # give the same code points.
    from fontTools.ttLib import TTFont

    assert faces.characters(SHIPPED_FONTS / name) == frozenset(TTFont(SHIPPED_FONTS / name).getBestCmap())


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED_FONTS.glob("*.[ot]tf")))
def test_the_postscript_name_is_read_as_fonttools_reads_it(name):
    from fontTools.ttLib import TTFont

    from zinebuild.typeset.sfnt import postscript_name

    path = SHIPPED_FONTS / name
    expected = TTFont(path)["name"].getDebugName(6)
    assert expected and postscript_name(path) == postscript_name(path.read_bytes()) == expected


def test_what_is_no_font_has_no_postscript_name(tmp_path):
    from zinebuild.typeset.sfnt import postscript_name

    truncated = (SHIPPED_FONTS / "NotoSerif-Regular.ttf").read_bytes()[:40]
    for data in (b"", b"OTTO", b"%PDF-1.7 not a font", truncated):
        assert postscript_name(data) is None
    (tmp_path / "empty.otf").write_bytes(b"")
    assert postscript_name(tmp_path / "empty.otf") is None


def test_shipped_fonts_have_their_licences():
    fonts = SHIPPED_FONTS
    assert "Open Font License" in (fonts / "LICENSE-NotoSerif.txt").read_text()
    assert "NotoSerif-Regular.ttf" in (fonts / "SOURCES.md").read_text()
    assert len(list(fonts.glob("NotoSerif-*.ttf"))) == 4


HEBREW = "---\ntitle: שלום\nlang: he\n---\n\nזהו משפט קצר.\n"


def test_a_right_to_left_piece_is_marked_and_set_from_the_right(tmp_path):
    import pypdfium2

    from .test_epub import assert_epubcheck_clean

    config = project(tmp_path, extra={"two.md": HEBREW})
    config.write_text(config.read_text().replace('source = "one.md"', 'source = "one.md"\n[[pieces]]\nsource = "two.md"'))
    paths = {p.suffix: p for p in build(config, tmp_path, ("pdf", "epub", "html"))}
    with zipfile.ZipFile(paths[".epub"]) as epub:
        xhtml = next(t for t in (epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
                     if "זהו משפט" in t)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="he" xml:lang="he" dir="rtl">' in xhtml
    assert 'lang="he" dir="rtl"' in paths[".html"].read_text()
    assert_epubcheck_clean(paths[".epub"])
    page = next(p for p in pypdfium2.PdfDocument(paths[".pdf"]) if "זהו" in p.get_textpage().get_text_range())
    width, _ = page.get_size()
    textpage = page.get_textpage()
    start = textpage.get_text_range().index("זהו")
    boxes = [textpage.get_charbox(start + i) for i in range(len("זהו משפט קצר"))]
    assert min(b[0] for b in boxes) > width / 2  # a short line, set against the right margin


def test_a_script_no_font_has_stops_the_build_naming_piece_and_script(tmp_path):
    config = project(tmp_path, text=TEXT + "\n안녕하세요 세계\n")
    assert_clean_failure(run("build", config, "--out", tmp_path / "out"), 2,
                         "'Three Alphabets'", "HANGUL", "missing_glyphs")
    assert not [p for p in (tmp_path / "out").iterdir() if p.is_file()]  # no output written
