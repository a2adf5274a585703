"""The line rules WeasyPrint lacks, kept by zinebuild/linebreaks.py and measured in the PDF:
no more than two hyphenated lines in a row, no piece ending on a page of 1-3 lines that
could go back on the page before."""

from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint import HTML

from zinebuild import pipeline
from zinebuild.render import piece_html, print_pieces

from .test_typography import small_book
from .typography_report import _lines, measure, short_endings

CORPUS = Path(__file__).parent / "corpus" / "text"


def prose(name: str, paragraphs: int) -> str:
    """The first running paragraphs of a corpus text (see corpus/text/SOURCES.md), unwrapped."""
    chunks = [" ".join(chunk.split()) for chunk in (CORPUS / name).read_text(encoding="utf-8").split("\n\n")]
    return "\n\n".join([c for c in chunks if len(c) > 200][:paragraphs]) + "\n"


def without_mends(project, tmp_path) -> Path:
    """The book's pieces laid out by WeasyPrint alone, as they were before linebreaks.py."""
    layout = project.layout
    path = tmp_path / "plain.pdf"
    piece, kind = print_pieces(project.anthology)[0]
    HTML(string=piece_html(project.anthology, layout, piece, kind),
         base_url=layout.search_path[0].as_uri() + "/").write_pdf(path)
    return path


# Eager hyphenation on a narrow page makes runs of hyphenated lines common.
EAGER = "p { hyphenate-limit-zone: 0; hyphenate-limit-chars: 5 2 2 }\n"


@pytest.mark.parametrize(("name", "page"), [("licence-gpl-3.txt", "A7"), ("licence-apache-2.0.txt", "A7")])
def test_never_three_hyphenated_lines_in_a_row(tmp_path, name, page):
    files = {"one.md": "# A Licence\n\n" + prose(name, 20), "layouts/default/custom.css": EAGER}
    project = small_book(tmp_path, f'page_size = "{page}"', files=files)
    before = measure(without_mends(project, tmp_path))
    assert before.runs, before.report()  # the text does call for the rule
    (path,) = pipeline.build(project, ("pdf",), tmp_path / "out")
    after = measure(path)
    assert not after.runs, after.report()
    assert after.hyphenated >= before.hyphenated * 0.7  # the rule ends runs; hyphenation stays


def last_page_lines(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    page = pdf[len(pdf) - 1]
    _, height = page.get_size()
    return len([t for t in _lines(page.get_textpage(), height * 0.935, height * 0.075) if t])


@pytest.mark.parametrize(("page", "paragraphs"), [("A7", 5), ("A6", 19)])
def test_a_short_ending_goes_back_on_the_page_before(tmp_path, page, paragraphs):
    """GPL-2's prose, cut where WeasyPrint alone leaves two lines on the piece's last page."""
    files = {"one.md": "# A Licence\n\n" + prose("licence-gpl-2.txt", paragraphs)}
    project = small_book(tmp_path, f'page_size = "{page}"', files=files)
    assert 1 <= last_page_lines(without_mends(project, tmp_path)) <= 3  # the text does call for the rule
    (path,) = pipeline.build(project, ("pdf",), tmp_path / "out")
    assert not short_endings(path)
    assert not measure(path).runs
