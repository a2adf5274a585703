"""What the render service does while a build reads its sources: the covers are drawn from the
[book] table alone, and taken only where the design with the pieces is the same."""

from __future__ import annotations

import io
import zipfile

import pikepdf
from PIL import Image

from zinebuild import cover
from zinebuild.images import PRINT_DPI
from zinebuild.settings import CACHE_FOLDER
from zinebuild.typeset import weasy

from .conftest import SMALL_CONFIG, SMALL_FILES, write_project
from .test_cli import run
from .test_images import drawn_images

# A cover design that names how many pieces the book holds: it cannot be drawn before they are read.
COUNTING_COVER = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"/><title>{{ book.title }}</title>
<style>@page { size: {{ cover_size }}; margin: 0; background: #f3efe6; } body { margin: 1in; }</style></head>
<body><h1>{{ book.title }}</h1><p>{{ anthology.pieces | length }} pieces</p></body></html>
"""


def _late_draws(monkeypatch) -> list[str]:
    """The covers this process draws itself, after the sources are read (cover._drawn)."""
    late = []
    drawn = cover._drawn

    def counted(source, *args):
        late.append(source)
        return drawn(source, *args)

    monkeypatch.setattr(cover, "_drawn", counted)
    return late


def _covers(out):
    with zipfile.ZipFile(next(out.glob("*.epub"))) as book:
        epub = Image.open(io.BytesIO(book.read("EPUB/images/cover.jpg")))
    with pikepdf.open(next(p for p in out.glob("*.pdf") if not p.stem.endswith("-booklet"))) as pdf:
        printed = [int(image.Width) for image in drawn_images(pdf.pages[0])]
        width_pt = float(pdf.pages[0].mediabox[2])
    return epub.size, printed, round(width_pt / 72 * PRINT_DPI)


def _asked_of_the_service(monkeypatch) -> list:
    """The render service's limits and rasters, in the order the build asks for them."""
    from zinebuild.typeset.workers import RenderService

    asked = []
    limit, raster = RenderService.limit, RenderService.raster

    def limited(self, workers):
        asked.append(("limit", workers))
        return limit(self, workers)

    def rastered(self, *args):
        asked.append("raster")
        return raster(self, *args)

    monkeypatch.setattr(RenderService, "limit", limited)
    monkeypatch.setattr(RenderService, "raster", rastered)
    return asked


def test_the_covers_are_drawn_while_the_sources_are_read(tmp_path, monkeypatch):
    late = _late_draws(monkeypatch)
    # The render service (forked by the build) notes what it prepares: a piece, or the bare shell.
    notes = tmp_path / "prepared.txt"
    prepare = weasy.prepare

    def noted(jobs, layout):
        with notes.open("a") as file:
            file.write("piece\n" if "class=\"piece" in jobs[0].html else "shell\n")
        prepare(jobs, layout)

    monkeypatch.setattr(weasy, "prepare", noted)
    asked = _asked_of_the_service(monkeypatch)
    config = write_project(tmp_path / "p", SMALL_CONFIG, SMALL_FILES)
    out = tmp_path / "out"
    result = run("build", config, "--out", out, "--jobs", 2)
    assert result.exit_code == 0, result.output
    assert late == []  # both were drawn by the render service before the pieces were read
    # One at a time, beside the reading, which has a core of its own; then no limit.
    assert asked[:4] == [("limit", 1), "raster", "raster", ("limit", None)]
    # Its stylesheets and fonts were ready before the first piece: asked for with the shell.
    assert notes.read_text().split() == ["shell", "piece"]
    # The hyphenation dictionaries the service parsed (one per language of the pieces) are kept.
    assert list((out / CACHE_FOLDER).glob("*.hyph"))
    epub_size, printed, print_width = _covers(out)
    assert epub_size == (cover.COVER_WIDTH, 2560)
    assert len(printed) == 1 and abs(printed[0] - print_width) <= 2
    assert not cover._EARLY  # taken, none left waiting


def test_a_cover_design_listing_the_pieces_is_drawn_with_them(tmp_path, monkeypatch):
    late = _late_draws(monkeypatch)
    config = write_project(tmp_path / "p", SMALL_CONFIG.replace("[output]", '[output]\nlayout = "counting"'),
                           {**SMALL_FILES, "layouts/counting/cover.html": COUNTING_COVER})
    assert "layout = \"counting\"" in config.read_text()
    out = tmp_path / "out"
    result = run("build", config, "--out", out)
    assert result.exit_code == 0, result.output
    # The early drawings said "0 pieces": both covers were drawn again, with the pieces.
    assert len(late) == 2 and all("0 pieces" not in source and " pieces" in source for source in late)
    epub_size, printed, _ = _covers(out)
    assert epub_size[0] == cover.COVER_WIDTH and len(printed) == 1
    assert not cover._EARLY
