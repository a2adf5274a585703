"""Pictures in print as a reader sees them: full-page and full-bleed boxes, raw <img> in Markdown, covers."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pypdfium2
import pytest
from PIL import Image

from zinebuild.images import PRINT_DPI
from zinebuild.model import Image as ImageBlock
from zinebuild.readers import read
from zinebuild.render import page_margins

from .test_images import build, built, drawn_images as drawn, make_project  # noqa: F401 (built: a fixture)

RED, GREEN = (220, 20, 20), (20, 160, 60)


def png(size, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def rendered_pages(path, scale: float = 1.0) -> list[Image.Image]:
    """Each page drawn as a reader sees it, one pixel per point at scale 1."""
    pdf = pypdfium2.PdfDocument(str(path))
    return [pdf[i].render(scale=scale).to_pil().convert("RGB") for i in range(len(pdf))]


def box_of(page: Image.Image, colour) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) of the pixels near colour."""
    from PIL import ImageChops

    bands = ImageChops.difference(page, Image.new("RGB", page.size, colour)).split()
    farthest = ImageChops.lighter(ImageChops.lighter(bands[0], bands[1]), bands[2])
    return farthest.point(lambda v: 255 if v < 40 else 0).getbbox()


FULL = """\
---
title: Full pages
---

Words before the pictures.

{.full-page}
![A small red card](img/red.png)

{.full-bleed}
![A green field](img/green.png)
The field, edge to edge.

Words after the pictures.
"""


def test_full_page_fills_the_text_block_and_full_bleed_the_whole_page(tmp_path, caplog):
    caplog.set_level("INFO", logger="zinebuild")
    config = make_project(tmp_path, markdown=FULL)
    (tmp_path / "sources" / "img" / "red.png").write_bytes(png((120, 80), RED))  # far smaller than the page
    (tmp_path / "sources" / "img" / "green.png").write_bytes(png((300, 500), GREEN))
    blocks = read(tmp_path / "sources" / "pictures.md").documents[0].blocks
    assert [b.role for b in blocks if isinstance(b, ImageBlock)] == ["full-page", "full-bleed"]
    pages = rendered_pages(build(config, tmp_path / "out", ("pdf",))["pdf"])
    # A page with margins of its own; still laid out piece by piece (test_typeset.py compares).
    assert "rendered as one document" not in caplog.text
    width, height = pages[0].size
    margins = page_margins(width, height)
    red = [(i, box) for i, page in enumerate(pages) if (box := box_of(page, RED))]
    green = [(i, box) for i, page in enumerate(pages) if (box := box_of(page, GREEN))]
    assert len(red) == 1 and len(green) == 1  # each on one page
    (red_page, (left, top, right, bottom)), (green_page, bleed) = red[0], green[0]
    # Enlarged to the text block's width (a landscape picture), inside the margins.
    text_width = width - margins["inner"] - margins["outer"]
    assert abs((right - left) - text_width) <= 3
    assert top >= margins["top"] - 2 and bottom <= height - margins["bottom"] + 2
    assert min(left, width - right) >= min(margins["inner"], margins["outer"]) - 2
    # Edge to edge: every side of the page, its caption laid over its foot.
    assert bleed[:3] == (0, 0, width) and bleed[3] >= height * 0.85
    assert green_page != red_page
    assert "edge to edge" in pypdfium2.PdfDocument(str(tmp_path / "out" / "pictures-test.pdf"))[green_page] \
        .get_textpage().get_text_range()


RAW = """\
---
title: Raw pictures
---

Words before.

<img src="img/photo.jpg" alt="A street at dawn" title="Dawn" class="full-bleed">
The street, as raw HTML.

Text with <img src="img/drawing.png" alt="A tent"> inside it.

<figure class="full-page"><img src="img/drawing.png" alt="The tent again"><figcaption>Drawn twice.</figcaption></figure>
"""


def test_raw_img_in_markdown_is_a_picture_like_markdown_images(tmp_path):
    config = make_project(tmp_path, markdown=RAW)
    source = read(tmp_path / "sources" / "pictures.md")
    pictures = [b for b in source.documents[0].blocks if isinstance(b, ImageBlock)]
    assert [(p.alt, p.line, p.role, bool(p.caption)) for p in pictures] == [
        ("A street at dawn", 7, "full-bleed", True), ("A tent", 10, None, False),
        ("The tent again", 12, "full-page", True)]
    assert pictures[0].src == str((tmp_path / "sources" / "img" / "photo.jpg").resolve())
    from lxml import etree

    html = etree.HTML(build(config, tmp_path / "out", ("html",))["html"].read_bytes())
    shown = [img.get("alt") for img in html.xpath("//figure/img")] + html.xpath("//figure/*[local-name()='svg']/@aria-label")
    assert {"A street at dawn", "A tent", "The tent again"} <= set(shown)


def test_raw_img_goes_through_the_same_policies(tmp_path):
    from .test_cli import assert_clean_failure, run

    remote = RAW.replace('src="img/photo.jpg"', 'src="https://example.org/x.jpg"')
    make_project(tmp_path / "a", markdown=remote)
    source = read(tmp_path / "a" / "sources" / "pictures.md")
    assert any(w.startswith("Z121 line 7:") and "never fetches" in w for w in source.warnings)
    assert not any(isinstance(b, ImageBlock) and "example.org" in b.src for b in source.documents[0].blocks)
    config = make_project(tmp_path / "b", markdown=RAW.replace("img/drawing.png\" alt=\"A tent\"",
                                                              "img/nothere.png\" alt=\"A tent\""))
    result = run("build", config, "--out", tmp_path / "out")
    assert_clean_failure(result, 2, "pictures.md:10", "nothere.png")


BEIGE = (0xF3, 0xEF, 0xE6)  # cover.html's paper


def test_a_drawn_cover_is_the_first_printed_page_and_the_booklets_outside(tmp_path, monkeypatch):
    from pypdf import PdfReader

    from zinebuild import images, pixels

    from .test_images import page_images

    monkeypatch.setattr(images, "_memo", {})  # what earlier tests converted, in this process
    converted = []  # the pixel sizes of the pictures converted
    convert = pixels.convert
    monkeypatch.setattr(pixels, "convert", lambda data, wanted: converted.append(
        Image.open(io.BytesIO(data)).size) or convert(data, wanted))
    config = make_project(tmp_path / "p")  # no [book] cover: drawn from cover.html
    paths = build(config, tmp_path / "out", ("pdf", "booklet", "epub"))
    reader = PdfReader(paths["pdf"])
    count = len(reader.pages)
    assert count % 4, "the book must need blank pages for the booklet, or this test proves nothing"
    with pikepdf.open(paths["pdf"]) as pdf:
        width_pt = float(pdf.pages[0].mediabox[2])
        cover = page_images(pdf.pages[0])
        assert len(cover) == 1 and abs(cover[0][0] - width_pt / 72 * PRINT_DPI) <= 2  # at 300 dpi
        assert page_images(pdf.pages[1]) == []
    # Drawn at that size, in colour, it is print's picture as it is: never decoded and encoded again.
    assert converted and not [size for size in converted if abs(size[0] - cover[0][0]) <= 2]
    first = rendered_pages(paths["pdf"], 0.5)[0]
    assert box_of(first, BEIGE) == (0, 0, *first.size)  # the drawn cover, edge to edge
    assert reader.pages[1].extract_text().strip() == ""  # the inside of the cover
    assert "Pictures Test" in reader.pages[2].extract_text()  # the title page, a right-hand page
    last = reader.pages[-1].extract_text().strip()
    assert last
    # Unfolded, the booklet's outer side holds the front cover and the book's last page; its
    # blank pages are inside (the padding goes before the last page).
    booklet = PdfReader(paths["booklet"])
    with pikepdf.open(paths["booklet"]) as sheets:
        assert page_images(sheets.pages[0]) == cover
    outside = booklet.pages[0].extract_text()
    assert last.split()[0] in outside and "Pictures Test" not in outside
    # The EPUB keeps its own cover, of the paperback's shape.
    with zipfile.ZipFile(paths["epub"]) as book:
        epub_cover = Image.open(io.BytesIO(book.read("EPUB/images/cover.jpg")))
    assert epub_cover.size == (1600, 2560)


def test_no_drawn_cover_in_print_when_drawn_covers_are_turned_off(tmp_path):
    from pypdf import PdfReader

    config = make_project(tmp_path / "p")
    config.write_text(config.read_text() + "\n[epub]\ncover = false\n")
    paths = build(config, tmp_path / "out", ("pdf", "epub"))
    assert "Pictures Test" in PdfReader(paths["pdf"]).pages[0].extract_text()  # the title page first
    with pikepdf.open(paths["pdf"]) as pdf:
        assert drawn(pdf.pages[0]) == []
    with zipfile.ZipFile(paths["epub"]) as book:
        assert not any("cover" in name for name in book.namelist())


@pytest.mark.parametrize("mode, where", [("grayscale", "separate"), ("bitmap", "separate"), ("bitmap", "inside")])
def test_a_drawn_cover_is_converted_for_print_inside_or_on_a_separate_sheet(tmp_path, mode, where):
    config = make_project(tmp_path / "p", mode=mode)
    config.write_text(config.read_text() + f'cover = "{where}"\n')
    paths = build(config, tmp_path / "out", ("pdf", "booklet"))
    sheet = paths["pdf"].with_name("pictures-test-cover.pdf")
    assert sheet.exists() == (where == "separate")
    with pikepdf.open(paths["pdf"]) as pdf:
        covers = drawn(pdf.pages[0])
        if where == "separate":
            assert covers == []  # not in the reading PDF
            with pikepdf.open(sheet) as sheet_pdf:
                covers = drawn(sheet_pdf.pages[0])
        (picture,) = covers
        assert (int(picture.BitsPerComponent), str(picture.ColorSpace)) == \
            ((8, "/DeviceGray") if mode == "grayscale" else (1, "/DeviceGray"))


@pytest.mark.parametrize("how", ["symlink", "dotdot"])
def test_a_picture_leading_out_of_the_project_is_an_input_error_naming_source_and_line(tmp_path, how):
    from .test_cli import assert_clean_failure, run
    from .test_images import MARKDOWN

    secret = tmp_path / "secret.png"
    secret.write_bytes(png((10, 10), RED))
    if how == "symlink":
        config = make_project(tmp_path / "p", markdown=MARKDOWN.replace("img/drawing.png", "img/link.png"))
        (tmp_path / "p" / "sources" / "img" / "link.png").symlink_to(secret)
    else:
        config = make_project(tmp_path / "p", markdown=MARKDOWN.replace("img/drawing.png", "../../secret.png"))
    result = run("build", config, "--out", tmp_path / "out")
    assert_clean_failure(result, 2, "pictures.md:10", "outside the project folder")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.epub"))


def test_a_picture_swapped_for_a_link_after_reading_is_refused_by_the_outputs_fetcher(tmp_path):
    from zinebuild import images, pipeline
    from zinebuild.errors import InputError

    config = make_project(tmp_path / "p")
    project = pipeline.load(config)  # read and checked: every picture inside the project
    secret = tmp_path / "secret.png"
    secret.write_bytes(png((10, 10), RED))
    drawing = tmp_path / "p" / "sources" / "img" / "drawing.png"
    drawing.unlink()
    drawing.symlink_to(secret)
    images._memo.clear()  # nothing converted in memory: the outputs read the file again
    for fmt in ("epub", "html", "pdf"):
        try:
            pipeline.build(project, (fmt,), tmp_path / f"out-{fmt}")
        except InputError as error:
            assert "drawing.png" in str(error) and "outside the project folder" in str(error)
        else:
            raise AssertionError(f"{fmt}: a picture outside the project was read")
        assert not any((tmp_path / f"out-{fmt}").glob(f"*.{fmt}"))


DRAWING = ('<svg xmlns="http://www.w3.org/2000/svg" width="4in" height="2in" viewBox="0 0 400 200">'
           '<rect x="10" y="10" width="180" height="180" fill="#d01010"/>'
           '<circle cx="300" cy="100" r="80" fill="#1040e0"/></svg>')


@pytest.mark.parametrize("mode, bits", [("grayscale", 8), ("bitmap", 1)])
def test_svg_drawings_print_gray_or_one_bit_at_their_printed_size(tmp_path, mode, bits):
    from zinebuild import pipeline
    from zinebuild.images import print_box

    markdown = "---\ntitle: Drawn\n---\n\nA drawing:\n\n![Red square, blue disc](img/d.svg)\n"
    config = make_project(tmp_path / "p", mode=mode, markdown=markdown)
    (tmp_path / "p" / "sources" / "img" / "d.svg").write_text(DRAWING, encoding="utf-8")
    paths = build(config, tmp_path / "out", ("pdf", "epub"))
    output = pipeline.load(config).config.output
    box_width, _ = print_box(output, None)  # 4 inches is wider than A6's text block: fitted to it
    with pikepdf.open(paths["pdf"]) as pdf:
        pictures = [o for p in list(pdf.pages)[1:] for o in drawn(p)]
        sizes = {(int(o.Width), int(o.Height)): (int(o.BitsPerComponent), str(o.ColorSpace)) for o in pictures}
    want = round(box_width / 72 * PRINT_DPI)
    drawing = [size for size in sizes if abs(size[0] - want) <= 2 and abs(size[1] - want / 2) <= 2]
    assert drawing and sizes[drawing[0]] == (bits, "/DeviceGray"), sizes
    # As a reader sees the page: not a coloured dot left.
    pages = rendered_pages(paths["pdf"], 0.5)
    assert all(max(abs(r - g), abs(g - b)) < 12 for page in pages[1:] for r, g, b in page.get_flattened_data())
    with zipfile.ZipFile(paths["epub"]) as book:  # the EPUB keeps the drawing, in colour
        assert any(name.endswith(".svg") and b"#d01010" in book.read(name) for name in book.namelist())


def test_the_html_file_stores_a_picture_shown_again_once_and_shows_it_each_time(tmp_path):
    from lxml import etree

    from .test_serve import CHROMIUM, CHROMIUM_ARGS

    config = make_project(tmp_path / "p")  # the photo is shown three times, the drawing once
    html = build(config, tmp_path / "out", ("html",))["html"]
    data = html.read_bytes()
    tree = etree.HTML(data)
    svg = "//figure/*[local-name()='svg']"
    images = tree.xpath(f"{svg}/*[local-name()='image']")
    uses = tree.xpath(f"{svg}/*[local-name()='use']/@href")
    assert len(images) == 1 and uses == ["#" + images[0].get("id")] * 2
    assert data.count(images[0].get("href").encode()) == 1  # its bytes once in the file
    assert tree.xpath(f"{svg}/@aria-label") == ["A street at dawn", "The same street", "The street from the page"]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 600, "height": 900})
            page.goto(html.as_uri())
            shown = page.locator("figure svg.picture")
            assert shown.count() == 3
            for index in range(3):
                box = shown.nth(index).bounding_box()
                assert 200 < box["width"] <= 600 and abs(box["width"] / box["height"] - 1.5) < 0.02, box
                picture = Image.open(io.BytesIO(shown.nth(index).screenshot())).convert("RGB")
                colours = picture.resize((8, 8)).get_flattened_data()
                assert any(b > 150 and r < 120 for r, g, b in colours)  # the photo's blue, drawn each time
                assert any(r > 200 and g > 180 and b < 120 for r, g, b in picture.get_flattened_data())  # its sun
        finally:
            browser.close()


@pytest.mark.parametrize("screen", [(360, 640), (600, 800)])  # a phone, an e-reader
def test_epub_pictures_and_tables_fit_the_screen_in_a_browser(built, tmp_path, screen):
    """The EPUB's pages as Chromium lays them out, paginated into screen-sized columns as
    Readium-based reading systems do: no picture or table wider or taller than the screen."""
    from playwright.sync_api import sync_playwright

    from .test_serve import CHROMIUM, CHROMIUM_ARGS

    with zipfile.ZipFile(built["epub"]) as book:
        book.extractall(tmp_path)
    pages = [p for p in (tmp_path / "EPUB" / "text").glob("*.xhtml") if b"<figure" in p.read_bytes()]
    assert len(pages) == 2
    width, height = screen
    paged = (f"html {{ height: {height}px; column-width: {width}px; column-gap: 0; column-fill: auto; }} "
             f"body {{ margin: 0 16px !important; }}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            for xhtml in pages:
                page.goto(xhtml.as_uri())
                page.add_style_tag(content=paged)
                page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                boxes = page.eval_on_selector_all("figure img, .table-wrap", "els => els.map(e => "
                                                  "[e.tagName.toUpperCase(), e.getBoundingClientRect().width, "
                                                  "e.getBoundingClientRect().height, e.scrollWidth, e.clientWidth])")
                assert any(tag == "IMG" for tag, *_ in boxes) and any(tag == "DIV" for tag, *_ in boxes)
                for tag, box_width, box_height, scroll_width, client_width in boxes:
                    assert 0 < box_width <= width - 32 and box_height <= height, (xhtml.name, tag, box_width, box_height)
                    if tag == "DIV":  # a table of three columns reflows; it never needs to scroll
                        assert scroll_width <= client_width + 1, xhtml.name
        finally:
            browser.close()
