"""Pictures and tables: read from Markdown and HTML, in every output, fitted, converted, never fetched."""

from __future__ import annotations

import base64
import io
import json
import math
import re
import socketserver
import threading
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image, ImageDraw
from pypdf import PdfReader

from zinebuild import pipeline
from zinebuild.images import PRINT_DPI, print_box
from zinebuild.model import Image as ImageBlock, Table, from_data, to_data
from zinebuild.readers import read

from .conftest import write_project
from .test_cli import assert_clean_failure, run
from .test_epub import NS, assert_epubcheck_clean, read_epub

PHOTO = (2400, 1600)  # far more pixels than an A6 page prints at 300 dpi


def photo_bytes(size=PHOTO) -> bytes:
    """A photo-like JPEG: smooth colour gradients and a few shapes, with EXIF that must not survive."""
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 8):
        draw.rectangle([x, 0, x + 8, size[1]], fill=(x * 255 // size[0], 120, 255 - x * 255 // size[0]))
    draw.ellipse([size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2], fill=(250, 220, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def drawing_bytes() -> bytes:
    image = Image.new("RGBA", (600, 400), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 380), (300, 20), (580, 380)], fill=(200, 0, 0, 255), width=6)
    draw.ellipse([250, 150, 350, 250], outline=(0, 0, 160, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


CONFIG = """\
[book]
title = "Pictures Test"
editor = "Ed Itor"
language = "en"
date = "2024-05-01"

[[pieces]]
source = "sources/pictures.md"
[[pieces]]
source = "sources/page.html"

[output]
page_size = "A6"
images = "{mode}"
"""

MARKDOWN = """\
---
title: Pictures
---

The street, in the morning.

![A street at dawn](img/photo.jpg "Dawn")
The street at dawn, from the roof.

![A sketch of a tent](img/drawing.png)

{.caption}
A tent, drawn on the train.

Once more, the same street:

![The same street](img/photo.jpg)

| Town | Leaflets | Share |
|:-----|---------:|:-----:|
| Lviv | 1200 | *40%* |
| Odesa | 900 | 30% |
"""

HTML = """\
<html><head><title>A Page</title></head><body><article>
<h1>A Page</h1>
<p>Words before the figure.</p>
<figure><picture><source srcset="img/photo.jpg 2400w, https://cdn.example/huge.jpg 9000w">
<img src="img/drawing.png" alt="The street from the page"></picture>
<figcaption>Seen from the <em>page</em>.</figcaption></figure>
<table><caption>Who came</caption>
<thead><tr><th rowspan="2">Place</th><th colspan="2">People</th></tr>
<tr><th>Day</th><th>Night</th></tr></thead>
<tbody><tr><td>Square</td><td>30</td><td>12</td></tr><tr><td>Park</td><td colspan="2">none</td></tr></tbody>
</table>
<p>Words after.</p>
</article></body></html>
"""


def make_project(root: Path, mode: str = "colour", markdown: str = MARKDOWN, html: str = HTML) -> Path:
    return write_project(root, CONFIG.format(mode=mode), {
        "sources/pictures.md": markdown, "sources/page.html": html,
        "sources/img/photo.jpg": photo_bytes(), "sources/img/drawing.png": drawing_bytes()})


def build(config: Path, out: Path, formats=("epub", "pdf", "html")) -> dict[str, Path]:
    paths = pipeline.build(pipeline.load(config), formats, out)
    return {"booklet" if p.stem.endswith("-booklet") else p.suffix.lstrip("."): p for p in paths}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("pictures")
    return build(make_project(root / "project"), root / "out")


def pdf_images(path: Path, cover: bool = False) -> list[dict]:
    """Each picture of a PDF (not the transparency masks, nor the cover on its first page unless
    cover): pixel size, bits, colour space, pixels."""
    with pikepdf.open(path) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        masks = {obj.SMask.objgen for obj in images if "/SMask" in obj}
        covers = set() if cover else {obj.objgen for obj in drawn_images(pdf.pages[0])}
        return [{"size": (int(obj.Width), int(obj.Height)), "bits": int(obj.BitsPerComponent),
                 "space": str(obj.ColorSpace), "pixels": pikepdf.PdfImage(obj).as_pil_image()}
                for obj in images if obj.objgen not in masks | covers]


def drawn_images(container) -> list:
    """The image objects a page (or a form XObject it places) draws."""
    found = []
    named = container.get("/Resources", {}).get("/XObject", {})
    drawn = {str(operands[0]) for operands, operator in pikepdf.parse_content_stream(container)
             if str(operator) == "Do"}
    for obj in (named[name] for name in drawn if name in named):
        if obj.get("/Subtype") == "/Image":
            found.append(obj)
        elif obj.get("/Subtype") == "/Form":
            found += drawn_images(obj)
    return found


# ---------------------------------------------------------------- reading
def test_markdown_images_captions_and_pipe_tables(tmp_path):
    make_project(tmp_path)
    source = read(tmp_path / "sources" / "pictures.md")
    blocks = source.documents[0].blocks
    assert [b.kind for b in blocks] == ["paragraph", "image", "image", "paragraph", "image", "table"]
    photo, drawing = blocks[1], blocks[2]
    assert (photo.alt, photo.title, Path(photo.src).name, photo.line) == ("A street at dawn", "Dawn", "photo.jpg", 7)
    assert "".join(n.text for n in photo.caption) == "The street at dawn, from the roof."
    assert "".join(n.text for n in drawing.caption) == "A tent, drawn on the train."
    table = blocks[-1]
    assert [[c.align for c in row] for row in table.head] == [["left", "right", "center"]]
    assert len(table.body) == 2 and table.body[0][2].inlines[0].kind == "emphasis"
    assert from_data(json.loads(json.dumps(to_data(source)))) == source  # the build cache's round trip


def test_html_figures_pictures_and_spanning_tables(tmp_path):
    make_project(tmp_path)
    blocks = read(tmp_path / "sources" / "page.html").documents[0].blocks
    assert [b.kind for b in blocks] == ["paragraph", "image", "table", "paragraph"]
    image, table = blocks[1], blocks[2]
    assert Path(image.src).name == "photo.jpg"  # the <picture>'s best local source, not the network's
    assert image.alt == "The street from the page"
    assert isinstance(table, Table) and "".join(n.text for n in table.caption) == "Who came"
    assert [[(c.header, c.colspan, c.rowspan) for c in row] for row in table.head] == [
        [(True, 1, 2), (True, 2, 1)], [(True, 1, 1), (True, 1, 1)]]
    assert table.body[1][1].colspan == 2 and table.columns == 3


@pytest.mark.allow_warnings
def test_inspect_shows_images_and_tables(tmp_path):
    make_project(tmp_path)
    result = run("inspect", tmp_path / "sources" / "pictures.md", "--json")
    blocks = json.loads(result.output)["pieces"][0]["blocks"]
    assert blocks[1] == {"type": "image", "text": "A street at dawn / The street at dawn, from the roof.",
                         "src": str(tmp_path / "sources" / "img" / "photo.jpg"),
                         "alt": "A street at dawn", "caption": "The street at dawn, from the roof.", "title": "Dawn"}
    assert blocks[-1]["head"][0][1] == {"text": "Leaflets", "header": True, "align": "right"}
    outline = run("inspect", tmp_path / "sources" / "pictures.md").output
    assert "image      A street at dawn / The street at dawn" in outline
    assert "table      Town | Leaflets | Share / Lviv | 1200 | 40% / Odesa" in outline


# ---------------------------------------------------------------- every output
def test_epub_carries_each_picture_once_with_its_media_type(built):
    opf, base, files, _ = read_epub(built["epub"])
    items = {i.get("href"): i.get("media-type") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    pictures = {href: kind for href, kind in items.items() if href.startswith("images/") and "cover" not in href}
    assert sorted(pictures.values()) == ["image/jpeg", "image/png"]  # the photo, shown three times, stored once
    shown, tables = [], 0
    for name, data in files.items():
        if name.endswith(".xhtml") and b"<figure" in data:
            tree = etree.fromstring(data)
            for img in tree.xpath("//x:figure/x:img", namespaces=NS):
                src = img.get("src")
                assert src.startswith("../images/") and src[3:] in pictures
                shown.append((src, img.get("alt")))
            if b"Who came" in data:
                tables += 1
                assert tree.xpath("//x:table//x:thead//x:th[@colspan='2']/text()", namespaces=NS) == ["People"]
                assert tree.xpath("//x:table//x:td[@colspan='2']/text()", namespaces=NS) == ["none"]
                assert tree.xpath("//x:table/x:caption/text()", namespaces=NS) == ["Who came"]
    assert len(shown) == 4 and len({src for src, _ in shown}) == 2 and tables == 1
    captions = b"".join(files.values())
    assert b"<figcaption>The street at dawn, from the roof.</figcaption>" in captions
    photo = next(data for name, data in files.items() if name.endswith(".jpg") and "cover" not in name)
    assert "PhoneMaker" not in str(Image.open(io.BytesIO(photo)).getexif())  # metadata left behind
    assert_epubcheck_clean(built["epub"])


def test_pdf_pictures_are_downsampled_to_their_printed_size(built):
    images = pdf_images(built["pdf"])
    sizes = sorted(i["size"] for i in images)
    width_pt, _ = print_box(pipeline.load(built["pdf"].parent.parent / "project" / "anthology.toml").config.output,
                            None)
    most = math.ceil(width_pt / 72 * PRINT_DPI)
    photo = max(sizes)
    assert photo[0] <= most < PHOTO[0], sizes  # fitted to the text block at 300 dpi, not 2400 pixels
    assert abs(photo[0] / photo[1] - PHOTO[0] / PHOTO[1]) < 0.01
    assert sizes.count(photo) == 1  # shown three times, in two pieces laid out apart: stored once
    assert (600, 400) in sizes  # the drawing prints at its natural size: nothing to shrink
    text = "\n".join(page.extract_text() for page in PdfReader(built["pdf"]).pages)
    for words in ("The street at dawn, from the roof.", "A tent, drawn on the train.", "Odesa", "Who came",
                  "Night"):
        assert words in text


def test_html_output_embeds_pictures_in_colour(built):
    data = built["html"].read_bytes()
    tree = etree.HTML(data)
    sources = tree.xpath("//figure/img/@src") + tree.xpath("//figure/*[local-name()='svg']/*[local-name()='image']/@href")
    # The drawing once, the photo (shown three times) stored once (test_images_print.py: the others use it).
    assert len(sources) == 2 and all(s.startswith(("data:image/jpeg;base64,", "data:image/png;base64,"))
                                     for s in sources)
    assert data.count(b"data:image/jpeg;base64,") == 1
    photo = Image.open(io.BytesIO(base64.b64decode(next(s for s in sources if "jpeg" in s).split(",", 1)[1])))
    assert photo.mode == "RGB"  # the screen's colours, not print's
    assert tree.xpath("//table//th[@rowspan='2']/text()") == ["Place"]


@pytest.mark.parametrize("mode, bits, colour_space", [("grayscale", 8, "/DeviceGray"), ("bitmap", 1, "/DeviceGray")])
def test_print_images_grayscale_and_bitmap_but_epub_keeps_colour(tmp_path, mode, bits, colour_space):
    paths = build(make_project(tmp_path / "p", mode), tmp_path / "out", ("epub", "pdf"))
    images = pdf_images(paths["pdf"])
    assert images
    for image in images:
        assert (image["bits"], image["space"]) == (bits, colour_space)
        pixels = image["pixels"]
        if mode == "bitmap":
            assert pixels.mode == "1"
        else:
            assert pixels.mode in ("L", "LA") and len(pixels.convert("L").getcolors(256)) > 2  # real grays, not black and white
    with zipfile.ZipFile(paths["epub"]) as book:
        photo = next(n for n in book.namelist() if n.endswith(".jpg") and "cover" not in n)
        assert Image.open(io.BytesIO(book.read(photo))).mode == "RGB"


# ---------------------------------------------------------------- what never happens
@pytest.mark.allow_warnings
def test_a_remote_image_is_never_fetched(tmp_path):
    hits = []

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            hits.append(self.request.recv(1024))

    with socketserver.TCPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/photo.jpg"
        markdown = MARKDOWN + f"\n![A photo far away]({url})\n"
        html = HTML.replace("<p>Words after.</p>", f"<p>Words <img src='{url}' alt='Far away'> after.</p>")
        config = make_project(tmp_path / "p", markdown=markdown, html=html)
        project = pipeline.load(config)
        paths = pipeline.build(project, ("epub", "pdf", "html"), tmp_path / "out")
        server.shutdown()
    assert hits == []
    doc = project.anthology.pieces[0].document
    assert doc.blocks[-1].kind == "caption" and doc.blocks[-1].inlines[0].text == "A photo far away"
    page = project.anthology.pieces[1].document
    assert [b.kind for b in page.blocks][-2:] == ["paragraph", "caption"]
    assert any(n.code == "Z121" and "never fetches" in n.message for n in project.anthology.notices)
    for path in paths:
        assert b"127.0.0.1" not in path.read_bytes()


def test_a_missing_image_is_an_input_error_naming_source_and_line(tmp_path):
    config = make_project(tmp_path, markdown=MARKDOWN.replace("img/drawing.png", "img/nowhere.png"))
    result = run("build", config, "--out", tmp_path / "out")
    assert_clean_failure(result, 2, "pictures.md:10", "nowhere.png", "not found")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.epub"))


def test_an_image_outside_the_project_is_refused(tmp_path):
    Image.new("RGB", (10, 10)).save(tmp_path / "secret.png")
    config = make_project(tmp_path / "p", markdown=MARKDOWN.replace("img/drawing.png", "../../secret.png"))
    result = run("check", config)
    assert_clean_failure(result, 2, "pictures.md:10", "outside the project folder")


@pytest.mark.allow_warnings
def test_low_resolution_and_missing_descriptions_are_reported(tmp_path):
    markdown = MARKDOWN.replace("![A sketch of a tent](img/drawing.png)", "![](img/small.png)")
    config = make_project(tmp_path, markdown=markdown)
    Image.new("RGB", (300, 200), "white").save(tmp_path / "sources" / "img" / "small.png")
    notices = [n for n in pipeline.load(config).anthology.notices if n.code == "Z121"]
    messages = " ".join(n.message for n in notices)
    assert "line 10: image 'img/small.png' has no description" in messages
    assert "line 10: image 'small.png' prints at" in messages and "under 150" in messages
    assert "photo.jpg" not in messages  # 2400 pixels across an A6 page is plenty


def test_same_inputs_give_the_same_epub_and_html(tmp_path):
    config = make_project(tmp_path / "p")
    first = build(config, tmp_path / "a", ("epub", "html"))
    second = build(config, tmp_path / "b", ("epub", "html"))
    for fmt in ("epub", "html"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


def test_images_as_model_blocks_round_trip():
    image = ImageBlock("/p/x.png", "alt", caption=(), title="t", role="full-page", line=3)
    assert from_data(json.loads(json.dumps(to_data(image)))) == image


# ---------------------------------------------------------------- covers in print
def page_images(container) -> list[tuple[int, int]]:
    """Pixel sizes of the pictures a page (or a form XObject it places) draws."""
    return [(int(obj.Width), int(obj.Height)) for obj in drawn_images(container)]


def test_covers_are_the_first_and_last_printed_pages_and_the_booklets_outside(tmp_path):
    config = make_project(tmp_path / "p")
    text = config.read_text().replace('date = "2024-05-01"', 'date = "2024-05-01"\ncover = "front.jpg"\n'
                                                             'back_cover = "back.png"')
    config.write_text(text)
    Image.new("RGB", (3000, 4250), (30, 90, 60)).save(tmp_path / "p" / "front.jpg")
    Image.new("RGB", (1000, 1400), (90, 30, 60)).save(tmp_path / "p" / "back.png")
    paths = build(config, tmp_path / "out", ("pdf", "booklet"))
    with pikepdf.open(paths["pdf"]) as pdf:
        pages = list(pdf.pages)
        front, back = page_images(pages[0]), page_images(pages[-1])
        assert len(pages) % 2 == 0  # the back cover on a left-hand page
        width_pt = float(pages[0].mediabox[2])
    assert len(front) == 1 and front[0][0] <= math.ceil(width_pt / 72 * PRINT_DPI) < 3000  # downsampled
    assert back == [(1000, 1400)]
    reader = PdfReader(paths["pdf"])
    assert reader.pages[1].extract_text().strip() == ""  # the inside of the cover
    assert "Pictures Test" in reader.pages[2].extract_text()  # the title page, on a right-hand page
    with pikepdf.open(paths["booklet"]) as booklet:
        outside = page_images(booklet.pages[0])
    assert sorted(outside) == sorted(front + back)  # the first sheet's outer side: back and front cover


def test_a_file_that_is_no_image_is_an_input_error(tmp_path):
    config = make_project(tmp_path)
    (tmp_path / "sources" / "img" / "drawing.png").write_bytes(b"\x89PNG\r\n\x1a\n but then nothing")
    result = run("build", config, "--out", tmp_path / "out")
    assert_clean_failure(result, 2, "drawing.png", "cannot read this image")


SAFE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><circle cx="50" cy="50" r="40" '
            'fill="#a00"/><use href="#c"/></svg>')


@pytest.mark.allow_warnings
@pytest.mark.parametrize("svg, shown", [
    (SAFE_SVG, True),
    (SAFE_SVG.replace("<circle", "<script>alert(1)</script><circle"), False),
    (SAFE_SVG.replace('href="#c"', 'href="https://tracker.example/x.svg"'), False),
    (SAFE_SVG.replace("<circle", '<circle onload="alert(1)"'), False),
])
def test_svg_drawings_pass_only_without_scripts_or_outside_links(tmp_path, svg, shown):
    (tmp_path / "sources" / "d.svg").parent.mkdir(parents=True)
    (tmp_path / "sources" / "d.svg").write_text(svg, encoding="utf-8")
    markdown = "---\ntitle: D\n---\n\nText.\n\n> ![A red circle](d.svg)\n> A circle.\n"
    project = pipeline.load(make_project(tmp_path, markdown=markdown))
    blocks = project.anthology.pieces[0].document.blocks
    kinds = [b.kind for b in blocks[1].blocks]  # inside a quotation: nested blocks are judged too
    assert kinds == (["image"] if shown else ["caption"])
    warned = [n.message for n in project.anthology.notices if n.code == "Z121" and "drawing" in n.message]
    assert shown or (warned and "line 7:" in warned[0] and "which no book may run or fetch" in warned[0])
    assert shown or "A circle." in blocks[1].blocks[0].inlines[0].text


# ---------------------------------------------------------------- conversions
def encoded(image: Image.Image, fmt: str, **options) -> str:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return "data:image/x;base64," + __import__("base64").b64encode(out.getvalue()).decode()


def test_screen_pictures_are_upright_capped_and_in_types_every_reader_shows():
    from zinebuild.images import screen
    from zinebuild.pixels import SCREEN_SIDE

    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held on its side: turn the picture a quarter
    turned = screen(ImageBlock(encoded(Image.new("RGB", (200, 100), "red"), "JPEG", exif=exif), "a"))
    assert (turned.width, turned.height) == (100, 200)
    assert 0x0112 not in Image.open(io.BytesIO(turned.data)).getexif()
    huge = screen(ImageBlock(encoded(Image.new("RGB", (3000, 2000), "blue"), "PNG"), "b"))
    assert (huge.width, huge.height) == (SCREEN_SIDE, SCREEN_SIDE * 2 // 3)
    webp = screen(ImageBlock(encoded(Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "WEBP"), "c"))
    assert webp.media_type == "image/png"  # transparency kept, in a type EPUB 3.2 readers all show
    photo = screen(ImageBlock(encoded(Image.new("RGB", (40, 30), "green"), "WEBP"), "d"))
    assert photo.media_type == "image/jpeg"


def test_full_page_figures_and_wide_tables(tmp_path):
    markdown = MARKDOWN.replace("![A sketch of a tent]", "{.full-page}\n![A sketch of a tent]") + (
        "\n| a | b | c | d | e |\n|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 |\n")
    config = make_project(tmp_path, markdown=markdown)
    blocks = read(tmp_path / "sources" / "pictures.md").documents[0].blocks
    assert [b.role for b in blocks if isinstance(b, ImageBlock)] == [None, "full-page", None]
    html = build(config, tmp_path / "out", ("html",))["html"]
    tree = etree.HTML(html.read_bytes())
    assert len(tree.xpath("//figure[contains(@class, 'full-page')]")) == 1
    assert [t.get("class") for t in tree.xpath("//table")] == ["table", "table wide", "table"]


def test_a_long_table_repeats_its_header_on_every_page(tmp_path):
    rows = "".join(f"| Town {i} | {i * 10} | {i}% |\n" for i in range(120))
    markdown = "---\ntitle: Long\n---\n\n| Place | Leaflets | Share |\n|---|--:|--:|\n" + rows
    config = make_project(tmp_path, markdown=markdown)
    pdf = PdfReader(build(config, tmp_path / "out", ("pdf",))["pdf"])
    pages = [page.extract_text() for page in pdf.pages if "Town 1" in page.extract_text()
             or "Town 9" in page.extract_text()]
    assert len(pages) >= 3
    assert all("Place" in text and "Leaflets" in text for text in pages)


def test_epub_tables_scroll_rather_than_overflow(built):
    _, _, files, _ = read_epub(built["epub"])
    css = next(data for name, data in files.items() if name.endswith("epub.css")).decode()
    assert ".table-wrap { overflow-x: auto; max-width: 100%;" in css
    assert "figure.figure img { max-width: 100%; max-height: 90vh;" in css
    page = next(data for data in files.values() if b"Who came" in data)
    assert etree.fromstring(page).xpath("//x:div[@class='table-wrap']/x:table", namespaces=NS)


def test_each_picture_is_decoded_once_per_build_and_then_comes_from_the_cache(tmp_path, monkeypatch):
    from zinebuild import images, pixels

    decoded = []
    convert = pixels.convert
    monkeypatch.setattr(pixels, "convert", lambda data, wanted: decoded.append(data[:64]) or convert(data, wanted))
    monkeypatch.setattr(images, "_memo", {})
    config = make_project(tmp_path / "p")
    build(config, tmp_path / "out", ("epub", "pdf", "html"))
    # The photo (shown three times) and the drawing, each once; the cover drawn for print is
    # print's picture as drawn (test_images_print.py), and the .html file does not show it.
    assert len(decoded) == 2 and len(set(decoded)) == 2
    assert photo_bytes()[:64] in decoded and drawing_bytes()[:64] in decoded
    decoded.clear()
    images._memo.clear()  # a new build: nothing in memory, everything in the build cache
    build(config, tmp_path / "out", ("epub", "pdf", "html"))
    assert decoded == []


def test_svg_gif_and_webp_reach_a_valid_epub_and_the_pdf(tmp_path):
    frames = [Image.new("P", (60, 40), i) for i in (1, 2)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=200)
    webp = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 30)).save(webp, "WEBP")
    markdown = ("---\ntitle: Kinds\n---\n\nThree kinds.\n\n![A red circle](img/d.svg)\n\n"
                "![Two frames](img/a.gif)\n\n![A green field](img/f.webp)\n")
    config = write_project(tmp_path, CONFIG.format(mode="colour").replace(
        '[[pieces]]\nsource = "sources/page.html"\n', ""), {
        "sources/pictures.md": markdown, "sources/img/d.svg": SAFE_SVG.replace('<use href="#c"/>', ""),
        "sources/img/a.gif": gif.getvalue(), "sources/img/f.webp": webp.getvalue()})
    paths = build(config, tmp_path / "out", ("epub", "pdf"))
    opf, _, files, _ = read_epub(paths["epub"])
    kinds = sorted(i.get("media-type") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)
                   if i.get("href").startswith("images/") and "cover" not in i.get("href"))
    assert kinds == ["image/gif", "image/jpeg", "image/svg+xml"]  # the WebP photo as JPEG
    gif_name = next(n for n in files if n.endswith(".gif"))
    assert files[gif_name] == gif.getvalue()  # both frames kept
    assert_epubcheck_clean(paths["epub"])
    assert len(pdf_images(paths["pdf"])) == 2  # the drawing stays vector in the PDF
    with pikepdf.open(paths["pdf"]) as pdf:  # each picture a tagged figure with its description
        alts = {str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o}
    assert {"A red circle", "Two frames", "A green field"} <= alts


@pytest.mark.allow_warnings
def test_data_urls_pass_only_as_pictures(tmp_path):
    import base64

    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    (tmp_path / "d.md").write_text(
        f"One.\n\n![A dot](data:image/png;base64,{base64.b64encode(png.getvalue()).decode()})\n", encoding="utf-8")
    assert [b.kind for b in read(tmp_path / "d.md").documents[0].blocks] == ["paragraph", "image"]
    script = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>').decode()
    (tmp_path / "d.html").write_text(
        "<p>One.</p><p><img src='data:text/html;base64,PGI+eDwvYj4=' alt='A page'></p>"
        f"<p><img src='data:image/svg+xml;base64,{script}' alt='A trap'></p>", encoding="utf-8")
    page = read(tmp_path / "d.html")
    # The page is a caption when read; the drawing's scripts are found when it is first read,
    # as the book is assembled (through the confined fetcher).
    assert [b.kind for b in page.documents[0].blocks] == ["paragraph", "caption", "image"]
    config = write_project(tmp_path / "p", CONFIG.format(mode="colour").split("[[pieces]]")[0]
                           + '[[pieces]]\nsource = "d.html"\n', {"d.html": (tmp_path / "d.html").read_text()})
    assembled = pipeline.load(config).anthology
    assert [b.kind for b in assembled.pieces[0].document.blocks] == ["paragraph", "caption", "caption"]
    assert any(n.code == "Z121" and "drawing 'a data: URL' left out" in n.message for n in assembled.notices)
    assert [w[:4] for w in page.warnings] == ["Z121"]  # the page


def test_import_writes_pictures_and_tables_back_as_markdown(tmp_path):
    from dataclasses import replace

    from zinebuild.export import to_markdown

    def lineless(blocks):  # the line a picture is on moves; nothing else may
        return [replace(b, line=0) if isinstance(b, ImageBlock) else b for b in blocks]

    make_project(tmp_path)
    doc = read(tmp_path / "sources" / "pictures.md").documents[0]
    (tmp_path / "sources" / "again.md").write_text(to_markdown(doc), encoding="utf-8")
    assert lineless(read(tmp_path / "sources" / "again.md").documents[0].blocks) == lineless(doc.blocks)


def test_ace_finds_no_violation_in_pictures_and_tables(built, tmp_path):
    from .test_accessibility import ace_violations

    violations = ace_violations(built["epub"], tmp_path / "ace")
    assert [v for v in violations if v[0] in ("critical", "serious", "moderate")] == []
    assert [v for v in violations if re.search(r"image|img|alt|figure|table|th|td", v[1], re.I)] == []


def test_a_book_with_pictures_and_covers_splits_like_one_document(tmp_path):
    from zinebuild.settings import Settings
    from zinebuild.typeset import typeset

    from .test_typeset import assert_same_book

    config = make_project(tmp_path / "p", "grayscale")
    config.write_text(config.read_text().replace('date = "2024-05-01"', 'date = "2024-05-01"\ncover = "front.jpg"'))
    Image.new("RGB", (900, 1300), (30, 90, 60)).save(tmp_path / "p" / "front.jpg")
    project = pipeline.load(config)
    split = typeset(project.anthology, project.layout, Settings(jobs=2)).pdf
    whole = typeset(project.anthology, project.layout, Settings(split=False)).pdf
    assert_same_book(split, whole)


@pytest.mark.allow_warnings
def test_a_picture_in_a_list_item_keeps_its_words_and_is_reported(tmp_path):
    make_project(tmp_path)
    (tmp_path / "sources" / "list.md").write_text(
        "Steps:\n\n- Fold it\n\n  ![The folded sheet](img/drawing.png)\n- Staple it\n", encoding="utf-8")
    source = read(tmp_path / "sources" / "list.md")
    (listing,) = [b for b in source.documents[0].blocks if b.kind == "list"]
    assert "The folded sheet" in "".join(getattr(n, "text", "") for n in listing.items[0])
    assert source.warnings == ("Z120 line 5: a picture inside a list item is kept as its text only",)


def test_a_blurb_in_markdown_is_the_back_cover(tmp_path):
    config = make_project(tmp_path / "p")
    config.write_text(config.read_text().replace('date = "2024-05-01"', 'date = "2024-05-01"\nback_cover = "blurb.md"'))
    (tmp_path / "p" / "blurb.md").write_text("Twelve voices against *both* armies.\n\nPass it on.\n", encoding="utf-8")
    paths = build(config, tmp_path / "out", ("pdf", "epub"))
    pages = PdfReader(paths["pdf"]).pages
    assert len(pages) % 2 == 0
    assert " ".join(pages[-1].extract_text().split()) == "Twelve voices against both armies. Pass it on."
    assert all("Twelve voices" not in page.extract_text() for page in pages[:-1])
    _, _, files, _ = read_epub(paths["epub"])
    assert not any(b"Twelve voices" in data for data in files.values())  # the back of a printed copy only


def test_a_separate_cover_sheet_holds_back_spine_and_front(tmp_path):
    from zinebuild.writers.cover_sheet import spine_width

    config = make_project(tmp_path / "p")
    config.write_text(config.read_text().replace('date = "2024-05-01"', 'date = "2024-05-01"\ncover = "front.jpg"\n'
                                                 'back_cover = "back.png"') + 'cover = "separate"\npaper = "0.2mm"\n')
    Image.new("RGB", (1200, 1700), (30, 90, 60)).save(tmp_path / "p" / "front.jpg")
    Image.new("RGB", (1000, 1400), (90, 30, 60)).save(tmp_path / "p" / "back.png")
    paths = build(config, tmp_path / "out", ("pdf", "booklet"))
    with pikepdf.open(paths["pdf"]) as pdf:
        pages = len(pdf.pages)
        width, height = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
        assert page_images(pdf.pages[0]) == []  # the covers are not in the reading PDF
    assert "Pictures Test" in PdfReader(paths["pdf"]).pages[0].extract_text()
    sheet_path = paths["pdf"].with_name("pictures-test-cover.pdf")
    with pikepdf.open(sheet_path) as sheet:
        (page,) = sheet.pages
        spine = spine_width(pages, 0.2 * 72 / 25.4)
        assert spine == pytest.approx(-(-pages // 4) * 2 * 0.2 * 72 / 25.4, abs=0.01) and spine > 0
        assert float(page.mediabox[2]) == pytest.approx(2 * width + spine, abs=0.5)
        assert float(page.mediabox[3]) == pytest.approx(height, abs=0.5)
        assert len(page_images(page)) == 2


@pytest.mark.allow_warnings
def test_links_in_table_cells_and_captions_go_through_the_link_policy(tmp_path):
    page = HTML.replace("<td>Square</td>", "<td><a href='javascript:steal()'>Square</a></td>").replace(
        "Seen from the <em>page</em>.", "Seen from <a href='elsewhere.html'>the page</a>.")
    project = pipeline.load(make_project(tmp_path, html=page))
    blocks = project.anthology.pieces[1].document.blocks
    image, table = blocks[1], blocks[2]
    cell = table.body[0][0]
    assert [n.kind for n in cell.inlines] == ["text"] and cell.inlines[0].text == "Square"  # unlinked, kept
    assert not any(n.kind == "link" for n in image.caption)  # a relative link with nowhere to go
    assert "the page" in "".join(getattr(n, "text", "") for n in image.caption)


def test_a_jpeg_screen_form_is_the_size_its_decoder_makes_that_fits_the_screen():
    """A phone photo is decoded at half size (2016 pixels for 12 MP) and kept as it is: no
    resizing after, never more than SCREEN_SIDE; where the decoder's size would be too small
    (5000 pixels: 1250 at a quarter), it is resized to SCREEN_SIDE; a small picture stays whole."""
    from zinebuild.images import screen
    from zinebuild.pixels import SCREEN_SIDE

    found = {}
    for size in ((4032, 3024), (5000, 3000), (1600, 1200)):
        asset = screen(ImageBlock(encoded(Image.new("RGB", size, "olive"), "JPEG"), "a photo"))
        found[size] = (asset.format, asset.width, asset.height)
    assert found == {(4032, 3024): ("JPEG", 2016, 1512), (5000, 3000): ("JPEG", 2048, 1229),
                     (1600, 1200): ("JPEG", 1600, 1200)}
    assert all(max(w, h) <= SCREEN_SIDE for _, w, h in found.values())
