"""PDF sources read from their layout: zinebuild's own PDF of the sample and LibreOffice's PDFs of
real texts read back into their originals' outline and words; scans and locked PDFs are input errors."""

from __future__ import annotations

import collections
import io
import re
import sys
from pathlib import Path

import PIL.Image
import pikepdf
import pypdfium2 as pdfium
import pytest

from zinebuild.fetch import Confined
from zinebuild.images import source_bytes
from zinebuild.model import Caption, Heading, Image, Preformatted, Quote, Table, block_text, plain, shift_headings
from zinebuild.readers import read

from .formats import CORPUS, all_blocks, check_golden, outline, referenced, source_words, words
from .test_cli import assert_clean_failure, run

sys.path.insert(0, str(CORPUS))
import make_documents  # noqa: E402

# The sample's pictures, read as a build reads them: files inside the repository only.
REPO_FILES = Confined.project(Path(__file__).resolve().parents[1])

PDFS = CORPUS / "pdf"


def headings(doc):
    """Levels as the book shows them: a source whose top headings are level 2 has them at level 1."""
    return [(b.level, plain(b.inlines)) for b in shift_headings(doc.blocks) if isinstance(b, Heading)]


def subsequence(wanted, got) -> bool:
    found = iter(got)
    return all(item in found for item in wanted)


def text_words(doc):
    return words("\n".join([block_text(b) for b in doc.blocks] + [plain(p) for n in doc.notes for p in n.paragraphs]))


def test_zinebuild_pdf_reads_back_into_its_pieces(sample_build, sample_project):
    source = read(sample_build["pdf"])
    by_title = {doc.title: doc for doc in source.documents}
    pieces = [p.document for p in sample_project.anthology.pieces]
    # The outline splits the book into exactly its pieces (parts, contents and title page reported).
    assert [d.title for d in source.documents if d.title in by_title] == ["Introduction"] + [p.title for p in pieces] \
        + ["Colophon", "Sources"] or [d.title for d in source.documents][1:1 + len(pieces)] == [p.title for p in pieces]
    lost = added = total = extra_headings = 0
    for original in pieces:
        if any(b.kind == "table" for b in original.blocks):
            continue  # tables are not read from a PDF (their cells come back as lines of text): see README
        back = by_title[original.title]
        # Every heading, in order; a line set alone in italics (an epigraph) may read as one more.
        assert subsequence(headings(original), headings(back)), original.title
        extra_headings += len(headings(back)) - len(headings(original))
        assert [plain(n.paragraphs[0])[:60] for n in back.notes] == [plain(n.paragraphs[0])[:60] for n in original.notes]
        expected, got = text_words(original), text_words(back)
        byline = words(" ".join([original.subtitle or "", *original.authors]))
        lost += sum((expected - got).values())
        added += sum((got - expected - byline).values())
        total += sum(expected.values())
    # Line-end hyphens, running heads and note calls judged right to within one word in a thousand.
    assert total > 40000 and lost < total / 1000 and added < total / 1000, (lost, added, total)
    assert extra_headings <= 5
    reasons = [r.reason for r in source.removed]
    assert reasons.count("running head") > 40 and reasons.count("page number") > 40
    assert "a part's title page" in reasons


def figures(path) -> list[str]:
    """The descriptions (/Alt) of the Figures of a tagged PDF's structure tree, in order."""
    found = []
    with pikepdf.open(path) as pdf:
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary):
                continue
            if element.get("/S") == "/Figure":
                found.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            stack.extend(reversed(list(kids)) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else [])
    return found


def first_words(blocks, keep) -> list[str]:
    return [" ".join(block_text(b).split()[:6]) for b in all_blocks(blocks) if keep(b)]


def test_pictures_captions_and_questions_read_back_from_zinebuild_pdf(sample_build, sample_project):
    """What the layout shows by its look comes back as the block it was: each picture (the PDF's own
    image, with the description its tagged Figure carries) and its caption, captions in smaller
    italics, the '[Photo: …]' a caption without its photo is printed as, questions in italics."""
    source = read(sample_build["pdf"])
    by_title = {doc.title: doc for doc in source.documents}
    images = [b for d in source.documents for b in all_blocks(d.blocks) if isinstance(b, Image)]
    # The drawn cover is the PDF's first Figure; no piece's picture, it is not read into one.
    cover, *pictures = figures(sample_build["pdf"])
    assert cover.startswith("Cover: ") and [b.alt for b in images] == pictures and len(images) == 2
    assert not [w for w in source.warnings if "description" in w]
    questions = asked = 0
    for piece in sample_project.anthology.pieces:
        original, back = piece.document, by_title[piece.document.title]
        assert [(b.alt, plain(b.caption)) for b in all_blocks(back.blocks) if isinstance(b, Image)] == [
            (b.alt, plain(b.caption)) for b in all_blocks(original.blocks) if isinstance(b, Image)]
        assert first_words(back.blocks, lambda b: isinstance(b, Caption)) == first_words(
            original.blocks, lambda b: isinstance(b, Caption)) or any(isinstance(b, Table) for b in original.blocks)
        wanted = first_words(original.blocks, lambda b: getattr(b, "role", None) == "question")
        got = first_words(back.blocks, lambda b: getattr(b, "role", None) == "question")
        assert subsequence(got, wanted), original.title  # never a question the text does not ask
        questions, asked = questions + len(wanted), asked + len(got)
    # Two numbered questions ("10) Thank you …") ask nothing in their words; one set as a list item.
    assert questions >= 30 and asked >= questions - 3, (asked, questions)


def test_libreoffice_pdf_pictures_and_quotations():
    """LibreOffice's PDFs: each embedded picture is an Image where the text has it, the PDF's
    image at its pixel size; quotations set in from both sides and preformatted text in a fixed-pitch font
    come back as such (the Text::Amuse manual)."""
    first = make_documents.pick(*make_documents.PICTURED[:2])
    source = read(PDFS / "passing.pdf")
    (doc,) = source.documents
    # Each picture after the paragraph it follows in the text, its caption (a plain paragraph here) after it.
    placed = [(block_text(doc.blocks[i - 1]), block_text(doc.blocks[i + 1]))
              for i, b in enumerate(doc.blocks) if isinstance(b, Image)]
    assert placed == [(block_text(first.blocks[i - 1]), plain(b.caption))
                      for i, b in enumerate(first.blocks) if isinstance(b, Image)]
    sizes = [PIL.Image.open(io.BytesIO(source_bytes(b.src, REPO_FILES))).size for b in doc.blocks if isinstance(b, Image)]
    with pikepdf.open(PDFS / "passing.pdf") as pdf:  # the PDF's own pictures (LibreOffice resampled the photo)
        assert len(sizes) == 2 and set(sizes) == {(int(x.Width), int(x.Height)) for page in pdf.pages
                                                  for x in page.get_images().values()}
    assert sum("has no description" in w for w in source.warnings) == 2  # LibreOffice tags no Figure by default
    manual = make_documents.pick(*make_documents.ORIGINALS[2][:2])
    (back,) = read(PDFS / "manual.pdf").documents

    def verbatim(doc):
        return [" ".join(b.text.split()) for b in doc.blocks if isinstance(b, Preformatted)]

    # Every example of the manual, one for one, in order, its words as written.
    assert verbatim(back) == verbatim(manual) and len(verbatim(back)) == 41
    quotes = first_words(back.blocks, lambda b: isinstance(b, Quote))
    assert len(quotes) >= 5 and subsequence([q for q in quotes if q in first_words(
        manual.blocks, lambda b: isinstance(b, Quote))], quotes)


@pytest.mark.parametrize("original,title,name", make_documents.ORIGINALS, ids=[o[2] for o in make_documents.ORIGINALS])
def test_libreoffice_pdf_reads_like_its_original(original, title, name):
    source = read(PDFS / f"{name}.pdf")
    (doc,) = source.documents
    first = make_documents.pick(original, title)
    assert (doc.title, doc.authors) == (first.title, tuple(first.authors) and (", ".join(first.authors),))
    # LibreOffice sets its lowest headings in 7-point bold, too close to the text to stand apart;
    # a table's bold header row reads as a heading (tables are not read from a PDF).
    heads = {" ".join(plain(c.inlines) for c in row) for t in all_blocks(first.blocks) if isinstance(t, Table)
             for row in t.head}
    assert [h for h in headings(doc) if h[1] not in heads] == [h for h in headings(first) if h[0] < 5]
    used = list(dict.fromkeys(referenced(first)))
    assert [" ".join(" ".join(plain(p) for p in n.paragraphs).split()[:5]) for n in doc.notes] == [
        " ".join(" ".join(plain(p) for p in first.note(n).paragraphs).split()[:5]) for n in used]
    expected = words("\n".join([first.title, *first.authors] + [block_text(b) for b in first.blocks]
                               + [plain(p) for n in used for p in first.note(n).paragraphs]))
    got = source_words(source)
    # A long address broken across lines may come back as two words; list numbers are the list's.
    assert sum((expected - got).values()) <= max(2, sum(expected.values()) // 200)
    assert sum((got - expected).values()) <= max(2, sum(expected.values()) // 200)


def test_two_column_pdf_reads_in_column_order():
    """WeasyPrint set the article in two columns: blocks, headings and words come back in order."""
    original, title, _ = make_documents.ORIGINALS[0]
    first = make_documents.pick(original, title)
    source = read(PDFS / "report-2col.pdf")
    (doc,) = source.documents
    assert [b.kind for b in doc.blocks] == [b.kind for b in first.blocks]
    assert [block_text(b).split()[:6] for b in doc.blocks] == [block_text(b).split()[:6] for b in first.blocks]
    assert source_words(source) == words("\n".join([first.title, *first.authors] + [block_text(b) for b in first.blocks]))


def document_words(doc):
    return words("\n".join([doc.title, *doc.authors] + [block_text(b) for b in doc.blocks]
                           + [plain(p) for n in doc.notes for p in n.paragraphs]))


@pytest.mark.parametrize("name", ["copyright-format", "copyright-format-2col"])
def test_weasyprint_pdf_of_a_debian_manual_reads_like_its_html(name):
    """Debian's copyright-format specification set by WeasyPrint from its own HTML (DocBook's, not
    ours): in one column with running heads and folios, and in two columns with wrapped code. Its
    outline lists its sections, which start mid-page: one article, each section a heading."""
    first = read(PDFS / "copyright-format-1.0.html").documents[0]
    source = read(PDFS / f"{name}.pdf")
    (doc,) = source.documents
    assert doc.title == first.title
    assert subsequence(headings(first), headings(doc)) and len(headings(first)) == 31
    assert len(headings(doc)) - len(headings(first)) <= 12  # bold labels: "Abstract", "Example 1. …", table heads

    def verbatim(d):
        return [" ".join(b.text.split()) for b in d.blocks if isinstance(b, Preformatted)]

    # Every example word for word (two in a row read as one); in two columns WeasyPrint wraps some
    # lines short of the column's edge, and those stay broken.
    same = sum(v in verbatim(first) for v in verbatim(doc))
    assert same == len(verbatim(doc)) == 17 if name == "copyright-format" else same >= 14
    expected, got = document_words(first), document_words(doc)
    total = sum(expected.values())
    # The tables come back as lines of text (a cell's broken "BSD-3-" + "Clause"), code wraps at a hyphen.
    assert sum((expected - got).values()) < total / 200 and sum((got - expected).values()) < total / 200
    assert {r.reason for r in source.removed} <= {"running head", "page number"}


def test_weasyprint_footnotes_in_two_columns():
    """WeasyPrint's own footnotes (float: footnote) under two columns: linked to their calls, in order."""
    original, title, _ = make_documents.ORIGINALS[1]
    first = make_documents.pick(original, title)
    source = read(PDFS / "mobilised-2col.pdf")
    (doc,) = source.documents
    used = list(dict.fromkeys(referenced(first)))
    assert referenced(doc) == [n.id for n in doc.notes] and len(doc.notes) == len(used) == 6
    assert [" ".join(plain(p) for p in n.paragraphs).split() for n in doc.notes] == [
        " ".join(plain(p) for p in first.note(n).paragraphs).split() for n in used]
    assert document_words(doc) == words("\n".join([first.title, *first.authors] + [block_text(b) for b in first.blocks]
                                                  + [plain(p) for n in used for p in first.note(n).paragraphs]))
    assert {r.reason for r in source.removed} == {"page number"}


@pytest.mark.parametrize("path", sorted(PDFS.glob("*.pdf")), ids=lambda p: p.name)
def test_pdf_outline_matches_golden(path, update_golden):
    check_golden(path, outline(read(path)), update_golden)


def letters(text: str) -> collections.Counter:
    return collections.Counter(c for c in text.lower() if c.isalpha())


def test_every_letter_of_the_pdf_is_kept_or_reported(sample_build):
    """Word accounting on letters: the page text breaks words at line ends and glues running heads
    and note numbers to them, so words cannot be compared; every letter can."""
    pdf = pdfium.PdfDocument(str(sample_build["pdf"]))
    printed = letters(" ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    pdf.close()
    source = read(sample_build["pdf"])
    kept = letters(" ".join([" ".join([d.title, *d.authors] + [block_text(b) for b in d.blocks]
                                      + [plain(p) for n in d.notes for p in n.paragraphs]) for d in source.documents]
                            + [r.text for r in source.removed]))
    assert not printed - kept, printed - kept


def pdf_without_text(tmp_path):
    path = tmp_path / "scan.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(420, 595))
        pdf.save(path)
    return path


def test_a_pdf_without_text_layer_is_an_input_error(tmp_path):
    assert_clean_failure(run("inspect", pdf_without_text(tmp_path)), 2, "no text layer", "OCR")


def test_an_encrypted_pdf_is_an_input_error(tmp_path):
    path = tmp_path / "locked.pdf"
    with pikepdf.open(PDFS / "report.pdf") as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    assert_clean_failure(run("inspect", path), 2, "encrypted", "password")


def test_a_pdf_of_too_many_pages_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.pdf"
    with pikepdf.new() as pdf:
        for _ in range(2001):
            pdf.add_blank_page(page_size=(100, 100))
        pdf.save(path)
    assert_clean_failure(run("inspect", path), 2, "2001 pages", "at most 2000")


def test_a_damaged_or_mislabelled_pdf_is_an_input_error(tmp_path):
    cut = tmp_path / "cut.pdf"
    cut.write_bytes((PDFS / "report.pdf").read_bytes()[:3000])
    result = run("inspect", cut)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    page = tmp_path / "page.pdf"
    page.write_text("<html><body>not a pdf</body></html>")
    assert_clean_failure(run("inspect", page), 2, "not a PDF")


def test_inspect_and_import_accept_pdf(tmp_path):
    assert run("inspect", PDFS / "mobilised.pdf").exit_code == 0
    md = tmp_path / "mobilised.md"
    assert run("import", PDFS / "mobilised.pdf", "-o", md).exit_code == 0
    (back,) = read(md).documents
    assert back.title.startswith("Forcibly mobilised") and len(back.notes) == 6
