"""Changing a layout as the README says, measured in the PDF: page box, text box, font names."""

from __future__ import annotations

import pikepdf
import pypdfium2
import pytest

from zinebuild import config, pipeline
from zinebuild.render import Layout, piece_html, print_pieces
from zinebuild.units import MM

from .test_cli import assert_clean_failure, run


def build_pdf(project_file, tmp_path):
    (path,) = pipeline.build(pipeline.load(project_file), ("pdf",), tmp_path / "out")
    return path


def text_boxes(path) -> list[tuple[float, float, float, float, str]]:
    """Per page: (page width, page height, leftmost and rightmost ink of the body text, its text)."""
    pages = []
    for page in pypdfium2.PdfDocument(path):
        width, height = page.get_size()
        textpage = page.get_textpage()
        # The body only: folios and running heads sit in the top and bottom margins.
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        body = [b for b in boxes if height * 0.2 < b[1] < height * 0.8 and b[2] > b[0]]
        left = min((b[0] for b in body), default=0.0)
        right = max((b[2] for b in body), default=0.0)
        pages.append((width, height, left, right, " ".join(textpage.get_text_range().split())))
    return pages


def margins_mm(path) -> list[tuple[float, float]]:
    """(left, right) margins of the body text in mm, on pages with a few lines of it."""
    return [(round(left / MM), round((width - right) / MM)) for width, _, left, right, text in text_boxes(path)
            if len(text) > 300]


def font_names(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(font.BaseFont).split("+")[-1] for page in pdf.pages
                for font in page.obj.Resources.get("/Font", {}).values()}


LONG = "\n\n".join(f"Paragraph {i}: " + "a plain sentence that fills the measure of the page " * 6
                   for i in range(12))


@pytest.fixture
def long_project(small_project):
    (small_project.parent / "sources" / "two.txt").write_text(f"Raw Title Line\n\n{LONG}\n", encoding="utf-8")
    return small_project


def test_built_in_margins_are_wider_at_the_fold(long_project, tmp_path):
    found = set(margins_mm(build_pdf(long_project, tmp_path)))
    assert found == {(12, 10), (10, 12)}  # A6: 11.5% of the width inside, 9.5% outside, mirrored


def test_custom_css_margin_wins_without_important(long_project, tmp_path):
    layout = long_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "custom.css").write_text("@page { margin: 20mm }\n")
    path = build_pdf(long_project, tmp_path)
    found = margins_mm(path)
    assert found and set(found) == {(20, 20)}
    assert {"Libertine", "Libertine-Italic"} <= font_names(path)


def test_config_css_body_font_size_wins(long_project, tmp_path):
    (long_project.parent / "my.css").write_text("body { font-size: 14pt }\n")
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\ncss = ["my.css"]'))
    path = build_pdf(long_project, tmp_path)
    page = next(p for p in pypdfium2.PdfDocument(path) if "Paragraph 3" in p.get_textpage().get_text_range())
    textpage = page.get_textpage()
    index = textpage.get_text_range().index("Paragraph 3")
    top, bottom = textpage.get_charbox(index)[3], textpage.get_charbox(index)[1]
    # "P" is about 0.65 em tall in Libertine: 14pt, not the 10.5pt of the config.
    assert 8 < top - bottom < 10.5


def test_config_values_are_custom_properties_a_stylesheet_can_override(long_project, tmp_path):
    layout = long_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "custom.css").write_text("@page { --zb-margin-inner: 25mm; --zb-margin-outer: 5mm; }\n")
    found = set(margins_mm(build_pdf(long_project, tmp_path)))
    assert found == {(25, 5), (5, 25)}  # still mirrored: the inner margin is at the fold


def test_a_short_print_css_adds_to_the_built_in_one(long_project, tmp_path):
    layout = long_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "print.css").write_text("@page { margin: 20mm }\n")
    path = build_pdf(long_project, tmp_path)
    assert set(margins_mm(path)) == {(20, 20)}
    assert {"Libertine", "Libertine-Italic"} <= font_names(path)
    pages = text_boxes(path)
    first = next(i for i, p in enumerate(pages) if "The first note" in p[4])
    text = pages[first][4]
    assert text.index("The first note") > text.index("And another note")  # a footnote, not inline
    assert any(p[4].rstrip().endswith(str(number)) for number, p in enumerate(pages, start=1))  # folios


def test_a_layout_may_replace_the_built_in_stylesheet_outright(long_project, tmp_path):
    layout = long_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "layout.toml").write_text('replace = ["print.css"]\n')
    (layout / "print.css").write_text('@page { size: A6; margin: 15mm } body { margin: 0; font-family: "DejaVu Sans" } p { text-align: justify }\n')
    path = build_pdf(long_project, tmp_path)
    assert set(margins_mm(path)) == {(15, 15)}
    assert not any("Libertine" in name for name in font_names(path))


def test_a_layout_extends_another_and_overrides_only_what_it_names(long_project, tmp_path):
    layouts = long_project.parent / "layouts"
    (layouts / "wide").mkdir(parents=True)
    (layouts / "wide" / "custom.css").write_text("@page { margin: 8mm }\n")
    (layouts / "mine").mkdir()
    (layouts / "mine" / "layout.toml").write_text('extends = "wide"\n')
    (layouts / "mine" / "title.html").write_text('<section class="title-page" id="title"><h1>OURS</h1></section>\n')
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\nlayout = "mine"'))
    path = build_pdf(long_project, tmp_path)
    pages = text_boxes(path)
    assert "OURS" in pages[2][4]  # after the drawn cover and its blank inside
    assert set(margins_mm(path)) == {(8, 8)}
    assert "Libertine" in font_names(path)


def test_a_template_edited_between_two_builds_is_compiled_again(long_project, tmp_path):
    """Compiled templates are kept in the build cache: an edit of one must still show at once,
    in every format, and a build of the unedited template after it is served from the cache."""
    title = long_project.parent / "layouts" / "mine" / "title.html"
    title.parent.mkdir(parents=True)
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\nlayout = "mine"'))
    shown = []
    for heading in ("FIRST", "SECOND", "FIRST"):
        title.write_text(f'<section class="title-page" id="title"><h1>{heading}</h1></section>\n')
        written = pipeline.build(pipeline.load(long_project), ("pdf", "html"), tmp_path / "out")
        pdf = next(p for p in written if p.suffix == ".pdf")
        html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
        shown.append((text_boxes(pdf)[2][4], heading in html))
    assert [("FIRST" in text, "SECOND" in text, in_html) for text, in_html in shown] == [
        (True, False, True), (False, True, True), (True, False, True)]
    assert list((tmp_path / "out" / ".zinebuild-cache").glob("*.jinja"))


def test_a_stylesheet_edited_while_one_render_service_serves_every_build(long_project, tmp_path):
    """As `zinebuild serve` builds: one render service (its parsed stylesheets kept) for every
    build; an edit of custom.css changes the next PDF, and going back gives the first again."""
    from zinebuild.settings import CACHE_FOLDER, Settings
    from zinebuild.typeset.workers import start_service

    custom = long_project.parent / "layouts" / "mine" / "custom.css"
    custom.parent.mkdir(parents=True)
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\nlayout = "mine"'))
    out = tmp_path / "out"
    found = []
    with start_service(2) as service:
        for margin in (8, 14, 8):
            custom.write_text(f"@page {{ margin: {margin}mm }}\n")
            settings = Settings(jobs=2, cache_dir=out / CACHE_FOLDER, service=service)
            (pdf,) = pipeline.build(pipeline.load(long_project), ("pdf",), out, settings=settings)
            found.append(set(margins_mm(pdf)))
    assert found == [{(8, 8)}, {(14, 14)}, {(8, 8)}]


def test_a_layout_that_extends_itself_is_a_clear_error(small_project):
    layouts = small_project.parent / "layouts"
    for name, parent in (("a", "b"), ("b", "a")):
        (layouts / name).mkdir(parents=True)
        (layouts / name / "layout.toml").write_text(f'extends = "{parent}"\n')
    small_project.write_text(small_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\nlayout = "a"'))
    assert_clean_failure(run("build", small_project, "--out", small_project.parent / "out"), 2, "extends itself")


def test_user_stylesheets_keep_the_split_render_fast_path(long_project, tmp_path):
    """Every stylesheet, the user's too, is parsed once per process and the pieces render apart."""
    from zinebuild.settings import Settings
    from zinebuild.typeset import typeset, weasy

    (long_project.parent / "my.css").write_text("body { font-size: 11pt }\n")
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\ncss = ["my.css"]'))
    project = pipeline.load(long_project)
    html = piece_html(project.anthology, project.layout, *print_pieces(project.anthology)[1])
    rest, sheets = weasy._take_stylesheets(html, project.layout.search_path[0].as_uri() + "/",
                                           weasy._State(0, project.layout, None, None))
    assert "<style" not in rest and "<link" not in rest
    assert len(sheets) == 1 + len(project.layout.print_stylesheets()) == 3
    assert typeset(project.anthology, project.layout, Settings(jobs=1)).split


def test_init_copies_only_the_files_people_edit(tmp_path):
    target = tmp_path / "my-zine"
    assert run("init", target).exit_code == 0
    layout_files = sorted(p.name for p in (target / "layouts").rglob("*") if p.is_file())
    assert layout_files == ["README.md", "custom.css"]
    layout = Layout.from_config(config.load(target / "anthology.toml"))
    assert layout.print_stylesheets()[-1] == (target / "layouts" / "default" / "custom.css").resolve()


def test_user_stylesheets_apply_to_the_epub_too(long_project, tmp_path):
    """custom.css and [output] css come after the built-in epub.css, with what they refer to
    embedded (the EPUB holds no file they could name), and the EPUB stays epubcheck-clean."""
    import re
    import zipfile

    from .test_epub import assert_epubcheck_clean

    layout = long_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "custom.css").write_text("p { text-indent: 2.5em }\n@media print { @page { margin: 20mm } }\n")
    (layout / "rule.png").write_bytes(_ONE_PIXEL_PNG)
    (long_project.parent / "my.css").write_text(".piece-title { color: #b3261e; border-top: 2px solid #111;"
                                                " background: url(layouts/default/rule.png) }\n")
    long_project.write_text(long_project.read_text().replace('page_size = "A6"', 'page_size = "A6"\ncss = ["my.css"]'))
    (epub,) = pipeline.build(pipeline.load(long_project), ("epub",), tmp_path / "out")
    with zipfile.ZipFile(epub) as book:
        css = book.read(next(n for n in book.namelist() if n.endswith("epub.css"))).decode()
    built_in, custom, mine = (css.index(".cover-page"), css.index("text-indent: 2.5em"), css.index("#b3261e"))
    assert built_in < custom < mine
    assert re.search(r'url\("?data:image/png;base64,', css) and "rule.png" not in css
    assert_epubcheck_clean(epub)


_ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005"
    "0001ff5d2d1c6b0000000049454e44ae426082")
