"""Pictures in print as a reader sees them: full-page and full-bleed boxes, raw <img> in Markdown, covers."""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image

from zinebuild.model import Image as ImageBlock
from zinebuild.readers import read
from zinebuild.render import page_margins

from .test_images import build, make_project

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
    near = [all(abs(c - want) < 40 for c, want in zip(pixel, colour)) for pixel in page.get_flattened_data()]
    width = page.width
    spots = [(i % width, i // width) for i, hit in enumerate(near) if hit]
    if not spots:
        return None
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


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


def test_full_page_fills_the_text_block_and_full_bleed_the_whole_page(tmp_path):
    config = make_project(tmp_path, markdown=FULL)
    (tmp_path / "sources" / "img" / "red.png").write_bytes(png((120, 80), RED))  # far smaller than the page
    (tmp_path / "sources" / "img" / "green.png").write_bytes(png((300, 500), GREEN))
    blocks = read(tmp_path / "sources" / "pictures.md").documents[0].blocks
    assert [b.role for b in blocks if isinstance(b, ImageBlock)] == ["full-page", "full-bleed"]
    pages = rendered_pages(build(config, tmp_path / "out", ("pdf",))["pdf"])
    width, height = pages[0].size
    margins = page_margins(width, height)
    red = [(i, box_of(page, RED)) for i, page in enumerate(pages) if box_of(page, RED)]
    green = [(i, box_of(page, GREEN)) for i, page in enumerate(pages) if box_of(page, GREEN)]
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

<img src="img/photo.jpg" alt="A street at dawn" title="Dawn">
The street, as raw HTML.

Text with <img src="img/drawing.png" alt="A tent"> inside it.

<figure class="full-page"><img src="img/drawing.png" alt="The tent again"><figcaption>Drawn twice.</figcaption></figure>
"""


def test_raw_img_in_markdown_is_a_picture_like_markdown_images(tmp_path):
    config = make_project(tmp_path, markdown=RAW)
    source = read(tmp_path / "sources" / "pictures.md")
    pictures = [b for b in source.documents[0].blocks if isinstance(b, ImageBlock)]
    assert [(p.alt, p.line, p.role, bool(p.caption)) for p in pictures] == [
        ("A street at dawn", 7, None, True), ("A tent", 10, None, False), ("The tent again", 12, "full-page", True)]
    assert pictures[0].src == str((tmp_path / "sources" / "img" / "photo.jpg").resolve())
    from lxml import etree

    html = etree.HTML(build(config, tmp_path / "out", ("html",))["html"].read_bytes())
    shown = [img.get("alt") for img in html.xpath("//figure/img")]
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
