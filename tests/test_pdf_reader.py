"""PDF sources read from their layout: zinebuild's own PDF of the sample and LibreOffice's PDFs of
real texts read back into their originals' outline and words; scans and locked PDFs are input errors."""

from __future__ import annotations

import collections
import re
import sys

import pikepdf
import pypdfium2 as pdfium
import pytest

from zinebuild.model import Heading, block_text, plain, shift_headings
from zinebuild.readers import read

from .formats import CORPUS, check_golden, outline, referenced, source_words, words
from .test_cli import assert_clean_failure, run

sys.path.insert(0, str(CORPUS))
import make_documents  # noqa: E402

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
        if any(b.kind in ("table", "image") for b in original.blocks):
            continue  # tables and pictures are not read from a PDF yet: see README
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


@pytest.mark.parametrize("original,title,name", make_documents.ORIGINALS, ids=[o[2] for o in make_documents.ORIGINALS])
def test_libreoffice_pdf_reads_like_its_original(original, title, name):
    source = read(PDFS / f"{name}.pdf")
    (doc,) = source.documents
    first = make_documents.pick(original, title)
    assert (doc.title, doc.authors) == (first.title, tuple(first.authors) and (", ".join(first.authors),))
    # LibreOffice sets its lowest headings in 7-point bold, too close to the text to stand apart.
    assert headings(doc) == [h for h in headings(first) if h[0] < 5]
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
