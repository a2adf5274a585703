"""Typography measured in real outputs: hyphenation, running heads, list numbers, Sources, captions."""

from __future__ import annotations

import re
import zipfile

import pypdfium2
import pytest

from zinebuild import pipeline

from .conftest import write_project
from .typography_report import AUTO_HYPHEN, measure, short_endings


def test_sample_hyphenation_and_heads_meet_the_limits(sample_build):
    figures = measure(sample_build["pdf"])
    assert figures.lines > 3000
    assert figures.ratio < 0.06, figures.report()
    assert figures.shortest >= 3, figures.report()
    assert not figures.multi_line_heads, figures.report()
    assert figures.heads > 80
    assert not figures.runs, figures.report()  # never three hyphenated lines in a row
    assert not figures.nearly_empty and not short_endings(sample_build["pdf"]), figures.report()


LONG_TITLE = ("A Very Long Title Of Seventeen Words That Would Otherwise Wrap Into Two Lines "
              "At The Top Of Every Page")
PARAGRAPHS = "\n\n".join("Words enough to fill a page of this small book, and then some more of them. " * 8
                         for _ in range(8))


ONE_PIECE = '[[pieces]]\nsource = "one.md"\n'


def small_book(tmp_path, output: str = 'page_size = "A6"', files: dict | None = None, pieces: str = ONE_PIECE,
               editor: str = "The Zinebuild Collective"):
    config = f"""\
        [book]
        title = "Small Book"
        editor = "{editor}"
        language = "en"
        date = "2024-05-01"

        {pieces}

        [output]
        {output}
        """
    project = write_project(tmp_path / "book", config, files or {"one.md": f"# One\n\n{PARAGRAPHS}\n"})
    return pipeline.load(project)


def head_lines(path) -> dict[int, list[str]]:
    """Per page (from 1), the text lines in the top 7% of the page: the running head."""
    found = {}
    for number, page in enumerate(pypdfium2.PdfDocument(path), start=1):
        _, height = page.get_size()
        textpage = page.get_textpage()
        rows = {}
        for i in range(textpage.count_rects()):
            left, low, right, high = textpage.get_rect(i)
            if low > height * 0.93:
                rows.setdefault(round(low), []).append(textpage.get_text_bounded(left, low, right, high))
        found[number] = [" ".join(row).strip() for _, row in sorted(rows.items(), reverse=True)]
    return found


def build(project, tmp_path, formats=("pdf",)):
    return pipeline.build(project, formats, tmp_path / "out")


def test_a_long_title_gives_a_one_line_head_cut_at_a_word(tmp_path):
    pieces = f'[[pieces]]\nsource = "one.md"\ntitle = "{LONG_TITLE}"\n'
    (path,) = build(small_book(tmp_path, pieces=pieces), tmp_path)
    heads = [lines for lines in head_lines(path).values() if lines]
    right_heads = [lines for lines in heads if lines[0] != "Small Book"]
    assert right_heads and all(len(lines) == 1 for lines in heads)
    head = right_heads[0][0]
    assert head.endswith("…") and LONG_TITLE.startswith(head[:-1].rstrip())
    assert LONG_TITLE.split()[len(head[:-1].split()) - 1] == head[:-1].split()[-1]  # a whole word


@pytest.mark.parametrize("where", ["config", "front matter"])
def test_short_title_is_the_running_head(tmp_path, where):
    if where == "config":
        pieces = f'[[pieces]]\nsource = "one.md"\ntitle = "{LONG_TITLE}"\nshort_title = "Short Head"\n'
        project = small_book(tmp_path, pieces=pieces)
    else:
        files = {"one.md": f"---\ntitle: {LONG_TITLE}\nshort_title: Short Head\n---\n\n{PARAGRAPHS}\n"}
        project = small_book(tmp_path, files=files)
    (path,) = build(project, tmp_path)
    heads = {line for lines in head_lines(path).values() for line in lines}
    assert "Short Head" in heads and not any(LONG_TITLE[:20] in h for h in heads)


LIST_SOURCE = """\
# Lists

1. first
2. second

A paragraph between the items.

3. third
4. fourth
"""


def test_a_list_that_continues_is_numbered_right_in_every_output(tmp_path):
    project = small_book(tmp_path, files={"one.md": LIST_SOURCE})
    paths = {p.suffix: p for p in build(project, tmp_path, ("pdf", "epub", "html"))}
    text = " ".join("".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(paths[".pdf"])).split())
    # WeasyPrint draws the markers after the text: 1. 2. 3. 4., not 1. 2. 1. 2.
    markers = text[text.index("fourth"):text.index("Sources", text.index("fourth"))]
    assert re.findall(r"(\d+)\. ", markers) == ["1", "2", "3", "4"]
    with zipfile.ZipFile(paths[".epub"]) as epub:
        xhtml = next(text for text in (epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
                     if "third" in text)
    assert re.search(r'<ol start="3"[^>]*>\s*<li>third', xhtml)
    assert re.search(r'<ol start="3"[^>]*>\s*<li>third', paths[".html"].read_text())


def test_sources_page_is_for_readers(tmp_path):
    files = {"002_89a23be9b7ebce13.txt": "“Stop The Weapons!”\n\nFirst paragraph of the raw text.\n\nMore.\n",
             "two.md": "---\ntitle: Two\nauthor: KRAS\nsource: https://example.org/two\n---\n\nText.\n"}
    pieces = ('[[pieces]]\nsource = "002_89a23be9b7ebce13.txt"\nauthor = "KRAS"\n'
              '[[pieces]]\nsource = "two.md"\n')
    (path,) = build(small_book(tmp_path, files=files, pieces=pieces), tmp_path)
    pages = [" ".join(p.get_textpage().get_text_range().split()) for p in pypdfium2.PdfDocument(path)]
    sources = next(t for t in pages if t.startswith("Sources"))
    assert "“Stop The Weapons!” KRAS." in sources and "Two, KRAS. https://example.org/two" in sources
    assert "89a23be9b7ebce13" not in sources and ".txt" not in sources and ".md" not in sources
    assert not re.search(r"[.!?,][”’]?[.,]", sources)


CAPTION_SOURCE = "# With a photo\n\nThe text before.\n\n{.caption}\nPolice at the station, March 2022.\n\nThe text after.\n"


@pytest.mark.allow_warnings
@pytest.mark.parametrize("captions", ["mark", "omit"])
def test_captions_without_photos_are_reported_and_marked_or_left_out(tmp_path, caplog, captions):
    import logging

    caplog.set_level(logging.INFO, logger="zinebuild")
    project = small_book(tmp_path, f'captions = "{captions}"', files={"one.md": CAPTION_SOURCE})
    (path,) = build(project, tmp_path)
    text = " ".join("".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(path)).split())
    notices = [n for n in project.anthology.notices if n.code == "Z111"]
    assert len(notices) == 1 and "1 photo caption" in notices[0].message
    if captions == "mark":
        assert "[Photo: Police at the station, March 2022.]" in text
    else:
        assert "Police at the station" not in text and "left out" in notices[0].message
    assert "The text before." in text and "The text after." in text


def test_titles_and_bylines_never_hyphenate_on_a_small_page(tmp_path):
    editor = "The Antimilitarist Internationalist Counterinformation Collective"
    project = small_book(tmp_path, 'page_size = "A7"\nfont_size = 12', editor=editor)
    (path,) = build(project, tmp_path)
    # The title page: the first with text (the drawn cover before it is a picture).
    first = next(text for page in pypdfium2.PdfDocument(path) if (text := page.get_textpage().get_text_range()).strip())
    assert AUTO_HYPHEN not in first and "Counterinformation" in first


@pytest.mark.parametrize(("page_size", "points"), [("A5", 10.5), ("A6", 9.5), ("A7", 8.5)])
def test_small_pages_get_smaller_type_unless_told(tmp_path, page_size, points):
    import pypdfium2.raw as pdfium_c

    (path,) = build(small_book(tmp_path, f'page_size = "{page_size}"'), tmp_path)
    page = next(p for p in pypdfium2.PdfDocument(path) if "Words enough" in p.get_textpage().get_text_range())
    textpage = page.get_textpage()
    index = textpage.get_text_range().index("Words enough")
    # WeasyPrint sets type in CSS pixels under a 0.75 matrix; pdfium reports the size before it.
    assert pdfium_c.FPDFText_GetFontSize(textpage.raw, index) * 0.75 == pytest.approx(points, abs=0.05)


def test_english_without_a_region_hyphenates_as_american(tmp_path):
    """"democracy": en-GB patterns break it demo-cracy, en-US ones democ-racy."""
    text = "# Words\n\n" + " ".join(["The democracy we want, said the democracy people,"] * 40) + "\n"
    project = small_book(tmp_path, 'page_size = "A7"', files={
        "one.md": text, "layouts/default/custom.css": "p { hyphenate-limit-zone: 0 }\n"})
    (path,) = build(project, tmp_path)
    ends = [line.rstrip() for page in pypdfium2.PdfDocument(path)
            for line in page.get_textpage().get_text_range().splitlines()]
    assert any(line.endswith("democ" + AUTO_HYPHEN) for line in ends)
    assert not any(line.endswith("demo" + AUTO_HYPHEN) for line in ends)


def test_a_right_to_left_book_turns_its_pages_to_the_left(tmp_path):
    files = {"one.md": "---\ntitle: שלום\n---\n\nזהו משפט קצר.\n"}
    project = write_project(tmp_path / "he", """\
        [book]
        title = "ספר"
        editor = "Ed"
        language = "he"
        date = "2024-05-01"

        [[pieces]]
        source = "one.md"
        """, files)
    (epub,) = pipeline.build(pipeline.load(project), ("epub",), tmp_path / "out")
    with zipfile.ZipFile(epub) as book:
        opf = next(book.read(n).decode() for n in book.namelist() if n.endswith(".opf"))
    assert 'page-progression-direction="rtl"' in opf


URL_TEXT = """# Links

Please see the page where all of it is written down for more: <https://archive.example.org/Zm9yY2libHltb2JpbGlzZWRhbmR0aGVua2lsbGVkYnlkcm9uZXRoZW11cmRlcm91c2xvZ2lj> and more words after it.

The story is told in [an unusually comprehensive and extraordinarily detailed retrospective](https://example.org/x) by the people who were there.
"""


def test_an_address_fills_its_line_and_a_link_of_words_breaks_as_words(tmp_path):
    project = small_book(tmp_path, 'page_size = "A7"', files={"one.md": URL_TEXT})
    (path,) = build(project, tmp_path)
    pdf = pypdfium2.PdfDocument(path)
    page = next(p for p in pdf if "Please see" in p.get_textpage().get_text_range())
    width, _ = page.get_size()
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    assert max(b[2] for b in boxes if b[2] > b[0]) < width * 0.92  # nothing runs into the margin
    lines = [line.strip() for line in textpage.get_text_range().splitlines()]
    # The address (one long run without a break) starts on the line of the words before it,
    # and is broken where the line ends: that line is not left loose, nor the margin crossed.
    assert any("more:" in line and "https" in line for line in lines), lines
    text = " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in pdf)
    # Words of a link break between words (or hyphenate), never anywhere inside a word.
    for word in ("unusually", "comprehensive", "extraordinarily", "retrospective"):
        assert word in text.replace(AUTO_HYPHEN + " ", "").replace("\ufffe ", ""), word


def test_a7_heads_stay_whole_and_margins_suit_the_page(tmp_path):
    """At A7 (74 × 105 mm): a section head that fits stays on one line, no head or title is
    hyphenated, the text block sits in margins proportioned to the page (11.5% of the width
    at the fold, 9.5% outside), in 8.5pt type (test_small_pages_get_smaller_type_unless_told)."""
    from .test_layouts import margins_mm

    head = "Administrative consequences of mobilisation"
    title = "Forcibly mobilised and then killed by drone: the murderous logic of war in practice"
    pieces = f'[[pieces]]\nsource = "one.md"\ntitle = "{title}"\n'
    files = {"one.md": f"# One\n\n## {head}\n\n{PARAGRAPHS}\n"}
    (path,) = build(small_book(tmp_path, 'page_size = "A7"', files=files, pieces=pieces), tmp_path)
    pdf = pypdfium2.PdfDocument(path)
    opening = next(p for p in pdf if head in " ".join(p.get_textpage().get_text_range().split()))
    lines = [line.strip() for line in opening.get_textpage().get_text_range().splitlines()]
    assert head in lines  # one line
    title_lines = lines[:lines.index(head)]
    assert " ".join(title_lines).startswith("Forcibly") and not any(line.endswith(AUTO_HYPHEN) for line in title_lines)
    found = margins_mm(path)  # (left, right) in whole mm; a justified line's last letter may fall short
    assert {left for left, _ in found} == {7, 9} and all(7 <= right <= 9 for _, right in found), found
