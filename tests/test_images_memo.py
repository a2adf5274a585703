"""Pictures read once per version of the file (the digest memo, its invalidation, confinement kept),
converted on every core, and parsed by WeasyPrint without their base64."""

from __future__ import annotations

import io
import os
import zipfile

import pikepdf
import pytest
from PIL import Image

from zinebuild import imagefiles, images, pipeline
from zinebuild.errors import InputError
from zinebuild.settings import CACHE_FOLDER, Settings

from .test_images import drawn_images as drawn, make_project

RED, GREEN = (220, 20, 20), (20, 160, 60)


def flat_png(colour) -> bytes:
    """A PNG whose size depends on its pixel count only (stored, not deflated): any colour, same bytes long."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(out, "PNG", compress_level=0)
    return out.getvalue()


def forget() -> None:
    """As a new build process starts: nothing converted or hashed in memory."""
    images._memo.clear()
    imagefiles.DIGESTS.clear()
    images._SIZES.clear()


def epub_colours(epub) -> set[tuple[int, int, int]]:
    """The colour at the middle of each PNG picture the EPUB carries."""
    colours = set()
    with zipfile.ZipFile(epub) as book:
        for name in book.namelist():
            if name.endswith(".png"):
                image = Image.open(io.BytesIO(book.read(name))).convert("RGB")
                colours.add(image.getpixel((image.width // 2, image.height // 2)))
    return colours


def test_a_picture_rewritten_with_the_same_size_and_time_is_converted_again(tmp_path):
    forget()
    config = make_project(tmp_path / "p")
    drawing = tmp_path / "p" / "sources" / "img" / "drawing.png"
    drawing.write_bytes(flat_png(RED))
    (epub,) = pipeline.build(pipeline.load(config), ("epub",), tmp_path / "out")
    assert RED in epub_colours(epub) and GREEN not in epub_colours(epub)
    before = drawing.stat()
    with drawing.open("r+b") as file:  # rewritten in place, as an editor saving over it might
        file.write(flat_png(GREEN))
    os.utime(drawing, ns=(before.st_atime_ns, before.st_mtime_ns))  # and its time put back
    after = drawing.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    # The same process (as `zinebuild serve` rebuilds) and the same build cache.
    (epub,) = pipeline.build(pipeline.load(config), ("epub",), tmp_path / "out")
    assert GREEN in epub_colours(epub) and RED not in epub_colours(epub)


def test_an_unchanged_rebuild_reads_no_picture_again(tmp_path, monkeypatch):
    forget()
    config = make_project(tmp_path / "p")
    pipeline.build(pipeline.load(config), ("epub", "html"), tmp_path / "out")
    reads = []
    read = imagefiles.source_bytes
    monkeypatch.setattr(imagefiles, "source_bytes", lambda *args: reads.append(args[0]) or read(*args))
    paths = pipeline.build(pipeline.load(config), ("epub", "html"), tmp_path / "out")
    assert len(paths) == 2 and reads == []  # every form from the memo, every hash from the digest memo
    forget()  # a new build process: every form from the build cache, none converted again
    monkeypatch.setattr(images, "_convert", lambda *args: pytest.fail("a picture was converted again"))
    assert len(pipeline.build(pipeline.load(config), ("epub", "html"), tmp_path / "out")) == 2


def test_a_picture_swapped_for_a_link_to_the_same_bytes_is_refused_though_its_hash_is_known(tmp_path):
    forget()
    config = make_project(tmp_path / "p")
    pipeline.build(pipeline.load(config), ("epub",), tmp_path / "out")
    photo = tmp_path / "p" / "sources" / "img" / "photo.jpg"
    assert any(key[0] == str(photo.resolve()) for key in imagefiles.DIGESTS if isinstance(key, tuple))
    copy = tmp_path / "copy.jpg"  # the very same bytes, outside the project
    copy.write_bytes(photo.read_bytes())
    project = pipeline.load(config)
    photo.unlink()
    photo.symlink_to(copy)
    with pytest.raises(InputError, match="outside the project folder"):
        pipeline.build(project, ("epub",), tmp_path / "out-again")
    assert not any((tmp_path / "out-again").glob("*.epub"))


def test_pictures_converted_on_every_core_give_the_same_books_as_one_at_a_time(tmp_path):
    config = make_project(tmp_path / "p")
    books = {}
    for jobs in (1, 2):
        forget()
        out = tmp_path / f"out-{jobs}"
        paths = pipeline.build(pipeline.load(config), ("epub", "html", "pdf"), out,
                               settings=Settings(jobs=jobs, cache_dir=out / CACHE_FOLDER))
        books[jobs] = {path.suffix: path.read_bytes() for path in paths}
    assert books[1] == books[2] and set(books[1]) == {".epub", ".html", ".pdf"}


def test_a_piece_is_parsed_without_its_pictures_base64_and_draws_the_same_pdf(tmp_path, monkeypatch):
    from zinebuild import imagesrc
    from zinebuild.render import piece_html, print_pieces
    from zinebuild.typeset.weasy import NO_FURNITURE_CSS, render

    project = pipeline.load(make_project(tmp_path / "p"))
    piece, kind = next((p, k) for p, k in print_pieces(project.anthology) if p.document.title == "Pictures")
    html = piece_html(project.anthology, project.layout, piece, kind)
    aside, urls = imagesrc.pictures_aside(html)
    assert len(urls) == 3 and all(url.startswith("data:image/") and url in html for url in urls)
    assert len(aside) < len(html) - sum(map(len, urls)) + 100  # what the parser reads: the words, not the pixels
    quick = render(html, project.layout, "id", NO_FURNITURE_CSS).pdf
    monkeypatch.setattr(imagesrc, "pictures_aside", lambda text: (text, []))  # WeasyPrint parses the URLs itself
    assert render(html, project.layout, "id", NO_FURNITURE_CSS).pdf == quick
    with pikepdf.open(io.BytesIO(quick)) as pdf:  # and the photos are in it, at their print size
        assert len([o for page in pdf.pages for o in drawn(page)]) == 3
