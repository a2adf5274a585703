"""A right-to-left book: Arabic set in the shipped Noto Naskh Arabic, furniture mirrored for a
spine on the right, and a booklet that folds to open from the right.

The text is GTK's Arabic translation (tests/corpus/rtl/, origin and licence in SOURCES.md there).
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from lxml import etree
from lxml import html as lxml_html

from zinebuild import pipeline
from zinebuild.impose import Options, scheme_plan
from zinebuild.units import NAMED_SIZES

from .conftest import write_project
from .test_impose import half_texts
from .test_layouts import text_boxes

ARABIC = (Path(__file__).parent / "corpus" / "rtl" / "arabic-gtk-colours.md").read_text(encoding="utf-8")
BOOK_TITLE = "كتاب الألوان"
PIECE_TITLE = "اختيار اللون"
CONTENTS, SOURCES = "المحتويات", "المصادر"  # Arabic for "Contents" and "Sources"


def arabic_project(root: Path, files: dict, book: str = "", output: str = "", source: str = "colours.md") -> Path:
    """An Arabic book of one piece, set small (A7); book and output add lines to those tables."""
    return write_project(root, "\n".join([
        "[book]", f'title = "{BOOK_TITLE}"', 'editor = "GNOME"', 'language = "ar"', 'date = "2024-05-01"', book,
        "[[pieces]]", f'source = "{source}"',
        "[output]", 'page_size = "A7"', "font_size = 11", 'name = "colours"', output, ""]), files)



@pytest.fixture(scope="module")
def arabic_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("arabic")
    config = arabic_project(root, {"colours.md": ARABIC})
    project = pipeline.load(config)
    paths = pipeline.build(project, ("epub", "pdf", "booklet"), root / "out")
    return project, {("booklet" if p.stem.endswith("-booklet") else p.suffix[1:]): p for p in paths}


def test_arabic_is_set_in_the_shipped_face_without_a_warning(arabic_book):
    project, paths = arabic_book
    assert not [n for n in project.anthology.notices if n.code == "Z112"]
    with pikepdf.open(paths["pdf"]) as pdf:
        names = {str(font.BaseFont).split("+")[-1] for page in pdf.pages
                 for font in page.obj.Resources.get("/Font", {}).values()}
    assert "zb-Noto-Naskh-Arabic" in names, names  # WeasyPrint names it by its CSS family
    assert not any("DejaVu" in name for name in names)


def test_furniture_is_mirrored_for_a_spine_on_the_right(arabic_book):
    """Odd pages are left-hand pages: the wider, inner margin on their right, the piece's title
    as their head at the outer (left) edge; even pages the other way round, with the book's title."""
    _, paths = arabic_book
    pages = text_boxes(paths["pdf"])
    body = [(number, box) for number, box in enumerate(pages, start=1) if len(box[4]) > 200]
    odd = [(left, width - right) for number, (width, _, left, right, _) in body if number % 2]
    even = [(left, width - right) for number, (width, _, left, right, _) in body if not number % 2]
    assert odd and even
    assert all(inner > outer + 2 for outer, inner in odd), odd
    assert all(inner > outer + 2 for inner, outer in even), even
    pdf = pypdfium2.PdfDocument(paths["pdf"])
    heads = {}
    for number, page in enumerate(pdf, start=1):
        width, height = page.get_size()
        textpage = page.get_textpage()
        top = textpage.get_text_bounded(0, height * 0.93, width, height).strip()
        if top:
            left_half = textpage.get_text_bounded(0, height * 0.93, width / 2, height).strip()
            heads[number] = (top, bool(left_half))
    assert any(n % 2 for n in heads) and any(not n % 2 for n in heads), heads
    for number, (head, on_the_left) in heads.items():
        assert head == (PIECE_TITLE if number % 2 else BOOK_TITLE)
        assert on_the_left == bool(number % 2)  # the outer edge


def test_the_booklet_opens_from_the_right(arabic_book):
    """The first sheet's front, as printed: page 1 (the drawn cover, a picture without text) on its
    left half, the last page (the sources page) on its right, so that folded with the spine on the right
    the book opens at its cover; bound on the left the two would change places."""
    _, paths = arabic_book
    halves = half_texts(paths["booklet"].read_bytes())
    assert halves[0][0] == "" and halves[0][1].startswith(SOURCES), halves[0]
    assert any(BOOK_TITLE in half for sheet in halves for half in sheet)


def test_the_contents_and_sources_pages_are_titled_in_arabic(arabic_book):
    """The EPUB's nav (its title, heading and last entry), its sources page, the reading PDF's
    contents and sources pages and its outline carry the Arabic words, not the English ones."""
    from .test_epub import NS, assert_epubcheck_clean, read_epub

    _, paths = arabic_book
    opf, base, files, _ = read_epub(paths["epub"])
    nav = etree.fromstring(files[f"{base}/nav.xhtml"])
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    assert toc.xpath("string(x:h1)", namespaces=NS) == CONTENTS
    assert nav.xpath("string(//x:head/x:title)", namespaces=NS) == CONTENTS
    assert nav.xpath("//x:body/@dir", namespaces=NS) == ["rtl"]  # the list set from the right
    assert toc.xpath("string((.//x:a)[last()])", namespaces=NS) == SOURCES
    landmark = nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='toc']", namespaces=NS)[0]
    assert landmark.text == CONTENTS
    sources = files[f"{base}/text/sources.xhtml"]
    assert etree.fromstring(sources).xpath("string(//x:section[@id='sources']/x:h1)", namespaces=NS) == SOURCES
    assert b"Contents" not in files[f"{base}/nav.xhtml"] and b">Sources<" not in sources
    assert_epubcheck_clean(paths["epub"])

    pages = [" ".join(page.get_textpage().get_text_range().split()) for page in pypdfium2.PdfDocument(paths["pdf"])]
    contents = next(i for i, text in enumerate(pages) if text.startswith(CONTENTS))
    assert PIECE_TITLE in pages[contents] and SOURCES in pages[contents]  # the sources page's entry
    assert pages[-1].startswith(SOURCES) and "صنع باستخدام zinebuild في" in pages[-1]  # "Made with zinebuild on"
    title_page = next(text for text in pages if text.startswith(BOOK_TITLE))
    assert "تحرير" in title_page and "GNOME" in title_page  # "edited by" (the text layer puts GNOME first)
    assert not any(english in text for text in pages for english in ("Contents", "Sources", "edited", "Made with"))
    # The sources page's entries stand at the right, under its title, as the lines of a right-to-left page do.
    last = pypdfium2.PdfDocument(paths["pdf"])[len(pages) - 1].get_textpage()
    title_right, entry_right = (max(last.get_charbox(i)[2] for i in range(start, start + count))
                                for start, count in (last.search(SOURCES).get_next(), last.search(PIECE_TITLE).get_next()))
    assert abs(title_right - entry_right) < 3, (title_right, entry_right)
    with pikepdf.open(paths["pdf"]) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == [CONTENTS, PIECE_TITLE, SOURCES]


def test_labels_follow_the_book_language(tmp_path):
    """Hebrew, Persian and Arabic with a region get their own words on the contents page, in the
    nav, on the sources page, over a piece's notes and in the title page's "edited by"; a
    language without its words gets the English ones; a piece's notes are headed in the
    piece's language."""
    from zinebuild.render import book_html, epub_units

    hebrew = ("תוכן העניינים", "מקורות", "הערות", "בעריכת E1, E2", "נוצר באמצעות zinebuild ב־2024-05-01.")
    english = ("Contents", "Sources", "Notes", "edited by E1, E2", "Made with zinebuild on 2024-05-01.")
    words = {"he-IL": hebrew, "iw": hebrew,
             "fa-IR": ("فهرست مطالب", "منابع", "یادداشت\u200cها", "به کوشش E1، E2",
                       "ساخته\u200cشده با zinebuild در 2024-05-01."),
             "ar-EG": (CONTENTS, SOURCES, "الهوامش", "تحرير E1، E2", "صنع باستخدام zinebuild في 2024-05-01."),
             "en": english, "sw": english}
    for language, (contents, sources, notes, byline, made_with) in words.items():
        config = write_project(tmp_path / language, f"""\
            [book]
            title = "T"
            editors = ["E1", "E2"]
            language = "{language}"
            date = "2024-05-01"

            [[pieces]]
            source = "one.md"

            [[pieces]]
            source = "two.md"
            lang = "en"
            """, {"one.md": "---\ntitle: One\n---\n\nText.[^1]\n\n[^1]: A note.\n",
                  "two.md": "---\ntitle: Two\n---\n\nMore text.[^1]\n\n[^1]: Another note.\n"})
        project = pipeline.load(config)
        page = lxml_html.document_fromstring(book_html(project.anthology, project.layout))
        assert page.xpath("string(//*[@class='toc-title'])") == contents, language
        assert page.xpath("string(//*[@class='toc-list']/li[last()])") == sources, language
        assert page.xpath("string(//*[@id='sources']/h1)") == sources, language
        assert page.xpath("string(//*[@class='book-byline'])") == byline, language
        assert page.xpath("string(//*[@class='made-with'])") == made_with, language
        units = epub_units(project.anthology, project.layout)
        assert units[-1].title == sources, language
        one, two = (lxml_html.fromstring(unit.xhtml.encode()) for unit in units if unit.kind == "piece")
        assert one.xpath("string(//*[@class='notes-title'])") == notes, language
        assert two.xpath("string(//*[@class='notes-title'])") == "Notes", language  # an English piece


def test_an_arabic_pieces_subtitle_byline_and_footnote_start_at_the_right(tmp_path):
    """The lines around an Arabic piece's text (its subtitle, its author, a footnote) stand at the
    right edge of the text, where its title and its paragraphs start, not at the left."""
    subtitle, author, note = "عن الألوان", "فريق جنوم", "ملاحظة قصيرة."
    text = ARABIC.replace("lang: ar\n", f"lang: ar\nsubtitle: {subtitle}\nauthor: {author}\n")
    text = text.replace("لاختيار ذلك اللون.", "لاختيار ذلك اللون.[^1]", 1) + f"\n[^1]: {note}\n"
    config = arabic_project(tmp_path, {"colours.md": text})
    (path,) = pipeline.build(pipeline.load(config), ("pdf",), tmp_path / "out")
    page = next(p for p in pypdfium2.PdfDocument(path) if subtitle in p.get_textpage().get_text_range())  # not the contents
    found = page.get_textpage()

    def right_edge(words: str) -> float:
        start, count = found.search(words).get_next()
        return max(found.get_charbox(i)[2] for i in range(start, start + count))

    title = right_edge(PIECE_TITLE)
    for words in (subtitle, author):
        assert abs(right_edge(words) - title) < 3, (words, right_edge(words), title)
    assert 0 < title - right_edge(note) < 12  # after its number ("1. "), at the right


def test_an_arabic_tables_cells_and_caption_start_at_the_right(tmp_path):
    """A table in a right-to-left piece: each cell's words at the cell's right, as its
    paragraphs are, in print and in the EPUB's stylesheet (text-align: start, not left)."""
    table = "\n\n| قلم | ورقة |\n| --- | --- |\n| أحمر | نعم |\n\nجدول: ألوان قليلة\n"
    config = arabic_project(tmp_path, {"colours.md": ARABIC + table})
    paths = pipeline.build(pipeline.load(config), ("pdf", "epub"), tmp_path / "out")
    pdf = next(p for p in paths if p.suffix == ".pdf")
    page = next(p for p in pypdfium2.PdfDocument(pdf) if "أحمر" in p.get_textpage().get_text_range())
    found = page.get_textpage()

    def edges(words: str) -> tuple[float, float]:
        start, count = found.search(words).get_next()
        boxes = [found.get_charbox(i) for i in range(start, start + count)]
        return min(b[0] for b in boxes), max(b[2] for b in boxes)

    # Two columns from the right: "قلم" (pen) then "ورقة" (paper), words the text has nowhere
    # else; under each, its cell ("red", "yes"), starting at the same right edge.
    for head, cell in (("قلم", "أحمر"), ("ورقة", "نعم")):
        assert abs(edges(head)[1] - edges(cell)[1]) < 1, (head, edges(head), cell, edges(cell))
    assert edges("قلم")[0] > edges("ورقة")[1]  # the first column on the right
    with __import__("zipfile").ZipFile(next(p for p in paths if p.suffix == ".epub")) as book:
        css = book.read(next(n for n in book.namelist() if n.endswith(".css"))).decode()
    assert re.search(r"table\.table th, table\.table td \{[^}]*text-align: start", css)


def test_an_arabic_epub_with_notes_reads_back_without_its_notes_heading(tmp_path):
    """The notes' heading a zinebuild EPUB prints in Arabic ("الهوامش") is known for one when the
    EPUB is read back, as "Notes" is: the piece's blocks are its own, its note kept."""
    from zinebuild.readers import read

    config = arabic_project(tmp_path, {"one.md": "---\ntitle: واحد\n---\n\nهذا نص قصير عن الحبر والورق.[^1]\n\n"
                                                 "[^1]: ملاحظة قصيرة.\n"}, source="one.md")
    (epub,) = pipeline.build(pipeline.load(config), ("epub",), tmp_path / "out")
    piece = next(doc for doc in read(epub).documents if doc.title == "واحد")
    assert [block.kind for block in piece.blocks] == ["paragraph"]
    assert len(piece.notes) == 1


FRONT, BACK = (0, 150, 0), (150, 0, 90)  # the covers' colours: far from any gray of antialiased text


def test_the_covers_inside_stay_blank_in_a_right_to_left_book(tmp_path):
    """The front cover is page 1, a recto (a left-hand page when bound on the right); its inside,
    page 2, is blank and the title page is the next recto, page 3; the back cover is the last
    page, a verso, so the booklet's first sheet holds both covers on its outside, the front on
    the left half (folded with the spine on the right, the book opens at it)."""
    from PIL import Image

    from .test_images import page_images
    from .test_images_print import box_of, rendered_pages

    config = arabic_project(tmp_path, {"colours.md": ARABIC}, book='cover = "front.png"\nback_cover = "back.png"')
    Image.new("RGB", (350, 500), FRONT).save(tmp_path / "front.png")
    Image.new("RGB", (300, 420), BACK).save(tmp_path / "back.png")
    pipeline.build(pipeline.load(config), ("pdf", "booklet"), tmp_path / "out")
    pdf_path, booklet_path = tmp_path / "out" / "colours.pdf", tmp_path / "out" / "colours-booklet.pdf"
    pages = [" ".join(page.get_textpage().get_text_range().split()) for page in pypdfium2.PdfDocument(pdf_path)]
    with pikepdf.open(pdf_path) as pdf:
        pictures = [page_images(page) for page in pdf.pages]
    assert pictures[0] == [(350, 500)] and pages[0] == ""  # the front cover
    assert pictures[1] == [] and pages[1] == ""  # its inside, blank
    assert pages[2].startswith(BOOK_TITLE)  # the title page, the next recto
    assert pictures[-1] == [(300, 420)] and pages[-1] == ""  # the back cover...
    assert len(pages) % 2 == 0  # ...on a verso
    assert not any(pictures[1:-1])
    outside = rendered_pages(booklet_path, 0.3)[0]
    middle = outside.width // 2  # each half without the pixels at the fold, which the two covers share
    left, right = (outside.crop((0, 0, middle - 2, outside.height)),
                   outside.crop((middle + 2, 0, outside.width, outside.height)))
    assert box_of(left, FRONT) and not box_of(left, BACK)
    assert box_of(right, BACK) and not box_of(right, FRONT)


BLURB = "كتاب صغير عن الحبر."  # "A small book about ink."


@pytest.mark.parametrize("where", ["inside", "separate"])
def test_an_arabic_blurb_on_the_back_cover_is_set_from_the_right(tmp_path, where):
    """A blurb's short line starts at the right of the back cover, inside the book or on the cover
    sheet; the sheet for card holds the front cover on the left, the back on the right (the mirror
    of a left-bound book's: wrapped around pages bound on the right, the front is on top)."""
    from PIL import Image

    config = arabic_project(tmp_path, {"colours.md": ARABIC, "blurb.md": BLURB + "\n"},
                            book='cover = "front.png"\nback_cover = "blurb.md"', output=f'cover = "{where}"')
    Image.new("RGB", (350, 500), FRONT).save(tmp_path / "front.png")
    pipeline.build(pipeline.load(config), ("pdf", "booklet"), tmp_path / "out")
    pdf = pypdfium2.PdfDocument(tmp_path / "out" / ("colours.pdf" if where == "inside" else "colours-cover.pdf"))
    page = pdf[len(pdf) - 1]
    width, _ = page.get_size()
    text = page.get_textpage()
    boxes = [text.get_charbox(i) for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]
    assert " ".join(text.get_text_range().split()) == BLURB
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    page_width = NAMED_SIZES["a7"][0]
    back = 0.0  # where the back cover starts: the page, or the sheet's right-hand panel
    if where == "separate":
        from .test_images_print import box_of, rendered_pages

        sheet = rendered_pages(tmp_path / "out" / "colours-cover.pdf", 1.0)[0]
        front = box_of(sheet, FRONT)
        assert front and front[0] <= 1 and abs(front[2] - page_width) < 2  # the front cover on the left
        back = width - page_width
        assert back > front[2]  # the spine between them
    # The short line stands at the right of the back cover, well away from its left.
    assert right - back > page_width * 0.75 and left - back > page_width * 0.3, (left, right, back)


# Each scheme as paper is folded for a spine on the left, and in the mirror for one on the right.
FOLDS = {"saddle": ((1, 2), ("left",)), "quarter": ((2, 2), ("top", "left")),
         "minizine-16": ((2, 4), ("left", "top", "left"))}
MIRROR = {"left": "right", "right": "left", "top": "top"}


@pytest.mark.parametrize("scheme", sorted(FOLDS))
@pytest.mark.parametrize("n", [4, 13, 30])
def test_a_right_bound_booklet_folds_into_reading_order(scheme, n):
    """Paper folded as the mirror image of the left-bound booklet (the spine on the right), read
    as a reader of Arabic turns the leaves: every page in order, none upside down."""
    from functools import reduce

    from .folding import fold, reading_order, sheet_from_sides
    from .test_impose import faces_of

    page, sheet = NAMED_SIZES["a7" if scheme == "minizine-16" else "a6"], NAMED_SIZES["a4"]
    plan = scheme_plan(scheme, n, page, sheet, Options(binding="right"))
    (rows, cols), folds = FOLDS[scheme]
    reading = []
    for s in range(plan.sheets):
        front = faces_of(plan.sides[2 * s], rows, cols, plan.sheet_width, plan.sheet_height)
        back = faces_of(plan.sides[2 * s + 1], rows, cols, plan.sheet_width, plan.sheet_height)
        layers = sheet_from_sides(front, back, "sideways")
        if scheme == "saddle":  # nested sheets fold together
            reading.append(layers)
            continue
        faces = reading_order(reduce(fold, [MIRROR[f] for f in folds], layers))
        assert not any(upside for p, upside in faces if p is not None)
        reading += [p for p, _ in faces]
    if scheme == "saddle":
        faces = reading_order(fold([layer for layers in reading for layer in layers], "right"))
        assert not any(upside for _, upside in faces)
        reading = [p for p, _ in faces]
    assert [p for p in reading if p is not None] == list(range(n))
    left = scheme_plan(scheme, n, page, sheet)  # the same pages, each side in the mirror
    assert [sorted(s.page or -1 for s in side.slots) for side in left.sides] == \
        [sorted(s.page or -1 for s in side.slots) for side in plan.sides]


def test_impose_binds_any_pdf_on_the_right_when_asked(tmp_path):
    from .test_cli import run
    from .test_impose import numbered_pdf

    source = tmp_path / "any.pdf"
    source.write_bytes(numbered_pdf(8))
    result = run("impose", source, tmp_path / "out.pdf", "--binding", "right")
    assert result.exit_code == 0, result.output
    assert half_texts((tmp_path / "out.pdf").read_bytes())[0] == ("PAGE01", "PAGE08")


def test_a_hebrew_piece_under_a_face_without_hebrew_uses_the_shipped_one(tmp_path):
    from .test_fonts import pdf_fonts, project

    config = project(tmp_path, 'font = "Noto Serif"', text="---\ntitle: שלום\nlang: he\n---\n\nזהו משפט קצר, ועוד אחד.\n")
    loaded = pipeline.load(config)
    assert not [n for n in loaded.anthology.notices if n.code == "Z112"]
    (path,) = pipeline.build(loaded, ("pdf",), tmp_path / "out")
    names = pdf_fonts(path)
    assert "zb-Noto-Serif-Hebrew" in names and not any("DejaVu" in name for name in names), names


def test_binding_follows_the_book_language_unless_the_config_says(tmp_path):
    from zinebuild import config

    def binding(language: str, extra: str = "") -> str:
        path = write_project(tmp_path / language / str(len(extra)), f"""\
            [book]
            title = "T"
            editor = "E"
            language = "{language}"
            date = "2024-05-01"

            [[pieces]]
            source = "one.md"

            [output]
            {extra}
            """, {"one.md": "Text.\n"})
        return config.load(path).output.binding

    assert (binding("ar"), binding("he-IL"), binding("en")) == ("right", "right", "left")
    assert binding("ar", 'binding = "left"') == "left" and binding("en", 'binding = "right"') == "right"
