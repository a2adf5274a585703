"""The split, parallel, cached PDF render against the book rendered as one WeasyPrint document.

The one-document render is the reference: the split render must give the same pages, the
same text on each (folios, running heads and contents numbers included), the same look,
the same outline, working links, and a tagged PDF whose structure points at its own pages.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pytest

from zinebuild import pipeline
from zinebuild.settings import Settings
from zinebuild.typeset import typeset
from zinebuild.typeset.fonts import layout_originals

from .conftest import SAMPLE, SMALL_CONFIG, SMALL_FILES, write_project

LONG_PARAGRAPH = " ".join(f"Sentence {i} of a piece long enough to fill several small pages." for i in range(90))


def page_texts(data: bytes) -> list[str]:
    # The ellipsis glyph is one glyph for "…" and for "...": which text a PDF maps it back to
    # depends on which spelling that font subset met first, not on the page.
    return [page.extract_text().replace("...", "…") for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def outline(data: bytes) -> list[tuple[int, str, int]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def looks(data: bytes, scale: float = 0.4) -> list[bytes]:
    pdf = pypdfium2.PdfDocument(data)
    return [pdf[i].render(scale=scale, grayscale=True).to_pil().tobytes() for i in range(len(pdf))]


def assert_same_book(split: bytes, whole: bytes) -> None:
    split_texts, whole_texts = page_texts(split), page_texts(whole)
    assert len(split_texts) == len(whole_texts)
    for number, (ours, reference) in enumerate(zip(split_texts, whole_texts), start=1):
        assert ours == reference, f"page {number} differs"
    assert outline(split) == outline(whole)
    for number, (ours, reference) in enumerate(zip(looks(split), looks(whole)), start=1):
        # Pixel for pixel at 29 dpi, up to anti-aliasing: a piece moved to the wrong margin
        # or a running head on the wrong side changes thousands of pixels.
        differing = sum(abs(a - b) > 60 for a, b in zip(ours, reference))
        assert differing < 40, f"page {number} looks different ({differing} pixels)"


def assert_links_resolve(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        count = 0
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if "/Dest" in annotation:
                    target = dests[str(annotation.Dest)]
                    assert target[0].objgen in pages, f"link to {annotation.Dest} points outside the book"
                    count += 1
        return count


def assert_tags_point_at_own_pages(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen for page in pdf.pages}
        root = pdf.Root.StructTreeRoot
        stack = list(root.K)
        elements = 0
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary):
                continue
            if "/Pg" in element:
                assert element.Pg.objgen in pages
            elements += 1
            kids = element.get("/K", [])
            stack += list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        assert elements > 100
        keys = list(root.ParentTree.Nums)[::2]
        assert keys == list(range(len(keys))) and int(root.ParentTreeNextKey) == len(keys)
        for page in pdf.pages:
            assert int(page.obj.StructParents) in keys


@pytest.fixture(scope="module")
def sample_renders():
    project = pipeline.load(SAMPLE)
    split = typeset(project.anthology, project.layout, Settings(jobs=2))
    whole = typeset(project.anthology, project.layout, Settings(split=False))
    return split, whole


def test_sample_split_render_matches_one_document(sample_renders):
    split, whole = sample_renders
    assert split.split and not whole.split
    assert_same_book(split.pdf, whole.pdf)


def test_the_book_identifier_is_the_first_half_of_the_pdf_id(sample_renders):
    # The pieces and the skeleton are drawn without one (pydyf would serialize them twice for
    # it); the join gives the book's, as the one-document render does.
    identifier = pipeline.load(SAMPLE).anthology.book.identifier
    for render in sample_renders:
        with pikepdf.open(io.BytesIO(render.pdf)) as pdf:
            first, second = (bytes(half) for half in pdf.trailer.ID)
        assert first == identifier.encode() and second != first


def test_sample_split_render_links_and_tags(sample_renders):
    split, _ = sample_renders
    assert assert_links_resolve(split.pdf) >= 16  # the contents page at least
    assert_tags_point_at_own_pages(split.pdf)


@pytest.fixture
def right_opening_project(tmp_path) -> Path:
    """Pieces open on right-hand pages (blank pages between), notes at each piece's end."""
    files = dict(SMALL_FILES)
    files["sources/two.txt"] = "Raw Title Line\n\n" + "\n\n".join([LONG_PARAGRAPH] * 3) + "\n"
    config = SMALL_CONFIG.replace('page_size = "A6"', 'page_size = "A6"\nopening = "right"\nnotes = "endnotes"')
    return write_project(tmp_path / "right", config, files)


def test_right_openings_and_endnotes_match_one_document(right_opening_project, tmp_path):
    project = pipeline.load(right_opening_project)
    split = typeset(project.anthology, project.layout, Settings(jobs=2, cache_dir=tmp_path / "cache"))
    whole = typeset(project.anthology, project.layout, Settings(split=False))
    assert split.split
    assert_same_book(split.pdf, whole.pdf)
    assert assert_links_resolve(split.pdf) >= 4 + 2  # contents entries, and note references to endnotes


def test_full_bleed_pictures_inside_pieces_are_split_and_match_one_document(tmp_path, caplog):
    """A full-bleed picture's page has no margins (its own named page): the skeleton gives the
    piece's page there the same name, so the book is still laid out piece by piece, the bleed
    pages landing on either side, with no folio drawn over them, as in one document."""
    from PIL import Image

    caplog.set_level("INFO", logger="zinebuild")
    files = dict(SMALL_FILES)
    bleed = "\n\n{.full-bleed}\n![A green field](green.png)\nThe field, edge to edge.\n\n"
    files["sources/one.md"] = files["sources/one.md"].replace("> A quoted paragraph.", bleed + LONG_PARAGRAPH + bleed
                                                              + "> A quoted paragraph.")
    root = write_project(tmp_path / "bleed", SMALL_CONFIG, files)
    green = root.parent / "sources" / "green.png"
    Image.new("RGB", (300, 450), (20, 160, 60)).save(green)
    project = pipeline.load(root)
    split = typeset(project.anthology, project.layout, Settings(jobs=2, cache_dir=tmp_path / "cache"))
    whole = typeset(project.anthology, project.layout, Settings(split=False))
    assert split.split and "rendered as one document" not in caplog.text
    with pikepdf.open(io.BytesIO(split.pdf)) as pdf:
        bleeds = [i for i, page in enumerate(pdf.pages) if "edge to edge" in page_texts(split.pdf)[i]]
    assert len(bleeds) == 2 and {i % 2 for i in bleeds} == {0, 1}  # one on each side
    assert_same_book(split.pdf, whole.pdf)


def test_one_worker_and_two_give_the_same_bytes(small_project):
    project = pipeline.load(small_project)
    one = typeset(project.anthology, project.layout, Settings(jobs=1))
    two = typeset(project.anthology, project.layout, Settings(jobs=2))
    assert one.pdf == two.pdf


def test_editing_one_piece_lays_out_only_that_piece(small_project, tmp_path):
    cache = tmp_path / "cache"
    first = pipeline.load(small_project)
    cold = typeset(first.anthology, first.layout, Settings(jobs=2, cache_dir=cache))
    assert len(cold.rendered) == 4  # the introduction and three pieces
    again = typeset(first.anthology, first.layout, Settings(jobs=2, cache_dir=cache))
    assert again.rendered == () and again.pdf == cold.pdf

    source = small_project.parent / "sources" / "three.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Český text", "Upravený český text"),
                      encoding="utf-8")
    edited = pipeline.load(small_project)
    warm = typeset(edited.anthology, edited.layout, Settings(jobs=2, cache_dir=cache))
    (three,) = [p.id for p in edited.anthology.pieces if p.source.endswith("three.md")]
    assert warm.rendered == (three,)
    assert "Upravený" in "".join(page_texts(warm.pdf))
    fresh = typeset(edited.anthology, edited.layout, Settings(jobs=1))
    assert warm.pdf == fresh.pdf


def test_a_changed_layout_file_invalidates_the_cache(small_project, tmp_path):
    cache = tmp_path / "cache"
    project = pipeline.load(small_project)
    typeset(project.anthology, project.layout, Settings(jobs=1, cache_dir=cache))
    layouts = small_project.parent / "layouts" / "default"
    layouts.mkdir(parents=True)
    (layouts / "print.css").write_text((Path(pipeline.__file__).parent.parent / "layouts" / "default" /
                                        "print.css").read_text() + "\np { letter-spacing: 0.01em; }\n")
    changed = pipeline.load(small_project)
    report = typeset(changed.anthology, changed.layout, Settings(jobs=1, cache_dir=cache))
    assert len(report.rendered) == 4


def test_a_torn_cache_entry_is_laid_out_again(small_project, tmp_path):
    cache = tmp_path / "cache"
    project = pipeline.load(small_project)
    first = typeset(project.anthology, project.layout, Settings(jobs=1, cache_dir=cache))
    for entry in cache.glob("*.pdf"):
        entry.write_bytes(entry.read_bytes()[:-100])
    again = typeset(project.anthology, project.layout, Settings(jobs=1, cache_dir=cache))
    assert len(again.rendered) == 4 and again.pdf == first.pdf


def test_progress_names_each_stage_and_piece(small_project, tmp_path):
    events = []
    settings = Settings(jobs=2, cache_dir=tmp_path / "cache", progress=lambda *event: events.append(event))
    pipeline.build(pipeline.load(small_project), ("epub", "pdf", "booklet", "html"), tmp_path / "out",
                   settings=settings)
    assert [stage for stage, done, total, *_ in events if done == total == 1] == ["epub", "html", "pdf", "booklet"]
    laid_out = {label for stage, _, total, label, *_ in events if stage == "pdf" and total == 4}
    assert {"The First Piece", "The Second Piece", "Třetí kus", "Introduction"} <= laid_out


def test_running_heads_set_inside_pieces_fall_back_to_one_document(small_project, tmp_path, caplog):
    """Section titles in the running heads: the skeleton cannot know them, so the book is one document."""
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "print.css").write_text((Path(pipeline.__file__).parent.parent / "layouts" / "default" /
                                       "print.css").read_text() + "\n.section-title { string-set: piece-head content(); }\n")
    project = pipeline.load(small_project)
    with caplog.at_level("INFO", logger="zinebuild"):
        report = typeset(project.anthology, project.layout, Settings(jobs=2, cache_dir=tmp_path / "cache"))
    assert not report.split
    assert "running heads or bookmarks inside its pieces" in caplog.text
    assert page_texts(report.pdf) == page_texts(typeset(project.anthology, project.layout, Settings(split=False)).pdf)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_piece_that_fails_to_render_is_named(small_project, monkeypatch, jobs):
    from zinebuild.errors import BuildError
    from zinebuild.typeset import weasy

    real = weasy.lay_out

    def failing(html, layout, extra_css=""):
        if "Second Piece" in html:
            raise ValueError("a broken piece")
        return real(html, layout, extra_css)

    monkeypatch.setattr(weasy, "lay_out", failing)  # before the service forks: it inherits this
    project = pipeline.load(small_project)
    with pytest.raises(BuildError, match="The Second Piece.*a broken piece"):
        typeset(project.anthology, project.layout, Settings(jobs=jobs))


def test_a_worker_that_dies_stops_the_build_with_a_message(small_project, monkeypatch):
    import os

    from zinebuild.errors import BuildError
    from zinebuild.typeset import weasy

    monkeypatch.setattr(weasy, "lay_out", lambda *args: os._exit(3))
    project = pipeline.load(small_project)
    with pytest.raises(BuildError, match="stopped unexpectedly"):
        typeset(project.anthology, project.layout, Settings(jobs=2))


def test_pieces_share_one_subset_of_each_font(sample_renders):
    split, whole = sample_renders
    with pikepdf.open(io.BytesIO(split.pdf)) as pdf:
        files = {descriptor[key].objgen for descriptor in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                                                           and o.get("/Type") == "/FontDescriptor")
                 for key in ("/FontFile3", "/FontFile2") if key in descriptor}
    # One per face for the eighteen pieces and the skeleton (folios, heads, contents):
    # not one per piece and face (31 files before the pieces shared them).
    assert len(files) <= 5
    assert len(split.pdf) < 1.5 * len(whole.pdf)


def test_one_font_one_name_one_embedded_program(sample_renders):
    """The skeleton's fonts (folios, heads) and the pieces' carry the same subset name: they
    must be the same program, or a RIP caching fonts by name draws the wrong glyphs."""
    split, _ = sample_renders
    programs: dict[str, set] = {}
    with pikepdf.open(io.BytesIO(split.pdf)) as pdf:
        for font in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
                     and o.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2")):
            descriptor = font.FontDescriptor
            program = next(descriptor[k] for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in descriptor)
            programs.setdefault(str(font.BaseFont), set()).add((descriptor.objgen, program.objgen))
    assert any("Libertine" in name for name in programs)
    assert all(len(found) == 1 for found in programs.values()), programs


def test_a_link_from_one_piece_into_another_falls_back_to_one_document(tmp_path, caplog):
    files = dict(SMALL_FILES)
    files["sources/three.md"] = ("# Třetí kus\n\nČeský text, see [the first piece](one.md).\n")
    project = pipeline.load(write_project(tmp_path / "linked", SMALL_CONFIG, files))
    with caplog.at_level("INFO", logger="zinebuild"):
        report = typeset(project.anthology, project.layout, Settings(jobs=2))
    assert not report.split and "a piece links into another piece" in caplog.text
    assert_links_resolve(report.pdf)
    third = next(i for i, text in enumerate(page_texts(report.pdf)) if text.startswith("Třetí kus"))
    with pikepdf.open(io.BytesIO(report.pdf)) as pdf:
        links = [str(a.get("/Dest", "")) for a in pdf.pages[third].obj.get("/Annots", [])]
    assert "piece-the-first-piece" in links  # the link across pieces survived (piece ids are piece-…)


def _embedded_programs(data: bytes) -> dict[str, int]:
    """PostScript name -> glyphs in the embedded program, for each font of the PDF."""
    from fontTools.ttLib import TTFont

    found = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for descriptor in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                           and o.get("/Type") == "/FontDescriptor"):
            key = next(k for k in ("/FontFile3", "/FontFile2") if k in descriptor)
            font = TTFont(io.BytesIO(descriptor[key].read_bytes()))
            found[font["name"].getDebugName(6)] = font["maxp"].numGlyphs
    return found


def test_a_piece_leaves_the_layouts_fonts_to_the_join(small_project):
    """A piece's PDF embeds a stand-in (the .notdef glyph and the names) for each font the
    join replaces by the book's shared subset; a font from outside the layout (a system
    fallback, here for a snowman) keeps its own subset, as the join keeps it."""
    from zinebuild.render import piece_html, print_pieces
    from zinebuild.typeset import weasy

    project = pipeline.load(small_project)
    anthology, layout = project.anthology, project.layout
    piece, kind = print_pieces(anthology)[0]
    head, _, tail = piece_html(anthology, layout, piece, kind).rpartition("</section>")
    html = f"{head}<p>A snowman: \u2603.</p></section>{tail}"
    identifier = anthology.book.identifier
    joined = _embedded_programs(weasy.render(html, layout, identifier, weasy.NO_FURNITURE_CSS, joined=True).pdf)
    alone = _embedded_programs(weasy.render(html, layout, identifier, weasy.NO_FURNITURE_CSS).pdf)
    ours = {name for name in alone if name in layout_originals(layout)}
    assert ours and set(joined) == set(alone)
    for name, glyphs in alone.items():
        assert glyphs > 1
        assert joined[name] == (1 if name in ours else glyphs), name
    assert any("DejaVu" in name for name in set(alone) - ours)
