"""Pictures read once per version of the file (the digest memo, its invalidation, confinement kept),
converted on every core, and named in print's HTML, their bytes sent with it."""

from __future__ import annotations

import io
import os
import zipfile

import pikepdf
import pytest
from PIL import Image

from zinebuild import imagefiles, images, pipeline, pixels
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
    monkeypatch.setattr(pixels, "convert", lambda *args: pytest.fail("a picture was converted again"))
    assert len(pipeline.build(pipeline.load(config), ("epub", "html"), tmp_path / "out")) == 2


def counting_hashes(monkeypatch) -> list[str]:
    """The files imagefiles hashes from here on, by name."""
    hashed = []
    file_digest = imagefiles.hashlib.file_digest
    monkeypatch.setattr(imagefiles.hashlib, "file_digest",
                        lambda file, name: hashed.append(file.name) or file_digest(file, name))
    return hashed


def test_a_new_build_process_takes_the_pictures_hashes_from_the_build_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(imagefiles, "SETTLED", -1.0)  # the files' times count as long past
    forget()
    config, cache = make_project(tmp_path / "p"), tmp_path / "out" / CACHE_FOLDER  # as the command line loads it
    drawing = tmp_path / "p" / "sources" / "img" / "drawing.png"
    drawing.write_bytes(flat_png(RED))
    pipeline.build(pipeline.load(config, cache_dir=cache), ("epub",), tmp_path / "out")
    hashed = counting_hashes(monkeypatch)
    forget()
    (epub,) = pipeline.build(pipeline.load(config, cache_dir=cache), ("epub",), tmp_path / "out")
    assert hashed == [] and RED in epub_colours(epub)
    # Rewritten in place with the same size and its time put back: its change time is new.
    before = drawing.stat()
    with drawing.open("r+b") as file:
        file.write(flat_png(GREEN))
    os.utime(drawing, ns=(before.st_atime_ns, before.st_mtime_ns))
    forget()
    (epub,) = pipeline.build(pipeline.load(config, cache_dir=cache), ("epub",), tmp_path / "out")
    assert hashed == [str(drawing.resolve())]
    assert GREEN in epub_colours(epub) and RED not in epub_colours(epub)


def test_a_picture_written_a_moment_ago_is_hashed_again_by_the_next_build(tmp_path, monkeypatch):
    """Its times may not yet tell it from a version written in the same tick of a coarse clock."""
    forget()
    config, cache = make_project(tmp_path / "p"), tmp_path / "out" / CACHE_FOLDER  # as the command line loads it
    pipeline.build(pipeline.load(config, cache_dir=cache), ("epub",), tmp_path / "out")  # the project written just now
    hashed = counting_hashes(monkeypatch)
    forget()
    pipeline.build(pipeline.load(config, cache_dir=cache), ("epub",), tmp_path / "out")
    photo = tmp_path / "p" / "sources" / "img" / "photo.jpg"
    assert str(photo.resolve()) in hashed
    assert len(hashed) == len(set(hashed))  # each once in the build all the same (the memo)
    assert not list((tmp_path / "out" / CACHE_FOLDER).rglob("*.sha256"))


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


def test_print_names_its_pictures_and_their_bytes_go_with_the_document(tmp_path):
    """A piece's print HTML names its pictures (not megabytes of base64); the bytes go with the
    request to the worker, which draws the same PDF as this process does, photos at print size."""
    from zinebuild import imagesrc
    from zinebuild.render import piece_html, print_pieces
    from zinebuild.typeset.weasy import NO_FURNITURE_CSS, render
    from zinebuild.typeset.workers import RenderService

    imagesrc.forget_named()
    with RenderService(2) as service:  # forked before the pictures exist: it knows only what is sent
        project = pipeline.load(make_project(tmp_path / "p"))
        piece, kind = next((p, k) for p, k in print_pieces(project.anthology) if p.document.title == "Pictures")
        html = piece_html(project.anthology, project.layout, piece, kind)
        pictures = imagesrc.named_in(html)
        # Three pictures shown, two of them the same file: two named, each once in what is sent.
        assert html.count(f'src="{imagesrc.PICTURE_SCHEME}') == 3 and len(pictures) == 2 and "base64" not in html
        assert all(f'src="{imagesrc.PICTURE_SCHEME}{name}"' in html for name in pictures)
        here = render(html, project.layout, "id", NO_FURNITURE_CSS).pdf
        there = service.render(html, project.layout, "id", NO_FURNITURE_CSS).result().pdf
    assert there == here
    with pikepdf.open(io.BytesIO(there)) as pdf:
        assert len([o for page in pdf.pages for o in drawn(page)]) == 3


@pytest.mark.parametrize("url", ["zinebuild-picture:0123456789abcdef0123.jpg",  # no such picture
                                 "zinebuild-picture:../../../etc/passwd", "zinebuild-picture:/etc/hostname"])
def test_a_picture_name_never_reads_a_file(tmp_path, url):
    from zinebuild.fetch import ConfinedFetcher, Refused

    project = pipeline.load(make_project(tmp_path / "p"))
    with pytest.raises(Refused, match="no such picture"):  # refused as a name, never looked up as a path
        ConfinedFetcher(project.layout).fetch(url)

def test_the_html_file_inlines_the_pictures_its_markup_names_and_never_a_name_in_text(tmp_path):
    """A source's text naming a picture stays text: only the attributes the templates write
    become data: URLs (a text's quotes are escaped, so it cannot write one)."""
    from markupsafe import escape

    from zinebuild import imagesrc
    from zinebuild.fetch import Confined
    from zinebuild.media import book_images

    project = pipeline.load(make_project(tmp_path / "p"))
    block = book_images(project.anthology)[0]
    src = imagesrc.src_for("screen", project.layout.output, Confined(project.layout))(block)
    text = escape(f'<img src="{src}"> and {src}')  # what a piece's words would be, escaped by the template
    page = imagesrc.with_data_urls(f'<p>{text}</p><figure><img src="{src}" alt="x"/></figure>')
    assert page.count("data:image/") == 1 and f'<figure><img src="data:image/' in page
    assert f"<p>{text}</p>" in page  # the words as they were


def test_pictures_are_converted_with_pillow_keeping_freed_pixels_and_let_go_after(tmp_path, monkeypatch):
    """A freed picture's pixels serve the next one while the book's pictures are converted (no
    fresh pages to fault in for each photo); afterwards Pillow keeps none of them."""
    from zinebuild.fetch import Confined
    from zinebuild.media import book_images

    forget()
    monkeypatch.setattr(images, "_store", images.BlobCache(None))  # nothing kept by an earlier test's build
    project = pipeline.load(make_project(tmp_path / "p"))
    pooled, real = [], pixels.convert
    monkeypatch.setattr(pixels, "convert", lambda data, wanted: pooled.append(Image.core.get_blocks_max())
                        or real(data, wanted))
    images.prepare(book_images(project.anthology), project.layout.output, Confined(project.layout), 2)
    assert pooled and all(blocks > 0 for blocks in pooled)
    assert Image.core.get_blocks_max() == 0
