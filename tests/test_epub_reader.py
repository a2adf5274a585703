"""EPUB sources: zinebuild's own EPUB reads back into the same pieces; LibreOffice's EPUBs read
like their originals; each spine document is an article to choose; bad EPUBs are input errors."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from zinebuild import pipeline
from zinebuild.fetch import Confined
from zinebuild.images import source_bytes
from zinebuild.model import Heading, Image, Table, block_text, plain, shift_headings
from zinebuild.readers import read

from .conftest import SAMPLE, write_project
from .formats import CORPUS, all_blocks, assert_reads_like, check_golden, outline, source_words, words
from .test_cli import assert_clean_failure, run

sys.path.insert(0, str(CORPUS))
import make_documents  # noqa: E402

# The sample's pictures, read as a build reads them: files inside the repository only.
REPO_FILES = Confined.project(Path(__file__).resolve().parents[1])

EPUBS = CORPUS / "epub"
SOURCES = SAMPLE.parent


def piece_words(doc):
    return words("\n".join([block_text(b) for b in doc.blocks] + [plain(p) for n in doc.notes for p in n.paragraphs]))


def test_zinebuild_epub_reads_back_into_the_same_pieces(sample_build, sample_project):
    source = read(sample_build["epub"])
    by_title = {doc.title: doc for doc in source.documents}
    pieces = sample_project.anthology.pieces
    assert [d.title for d in source.documents if d.title in {p.document.title for p in pieces}] == [
        p.document.title for p in pieces]
    for piece in pieces:
        original, back = piece.document, by_title[piece.document.title]
        assert (back.authors, back.subtitle) == (original.authors, original.subtitle), original.title
        # Levels as the book shows them: a source whose top headings are level 2 has them at level 1.
        assert [(b.level, plain(b.inlines)) for b in back.blocks if isinstance(b, Heading)] == [
            (b.level, plain(b.inlines)) for b in shift_headings(original.blocks) if isinstance(b, Heading)]
        assert [b.kind for b in back.blocks] == [b.kind for b in original.blocks], original.title
        assert len(back.notes) == len(original.notes)
        assert piece_words(back) == piece_words(original), original.title
    # Cover, title page, contents and part pages are no articles, and are reported.
    reasons = " ".join(r.reason for r in source.removed)
    assert "cover page" in reasons and "titlepage" in reasons and "part's page" in reasons
    assert "The First Weeks, 2022" in [r.text for r in source.removed]


def test_pictures_and_tables_read_back_from_the_epub(sample_build, sample_project):
    """Each picture is the package's own file (read from inside the EPUB), with its description and
    caption; each table keeps its header cells and caption."""
    source = read(sample_build["epub"])
    with zipfile.ZipFile(sample_build["epub"]) as z:
        packed = {z.read(n) for n in z.namelist() if n.endswith((".png", ".jpg")) and "cover" not in n}
    back = [b for d in source.documents for b in all_blocks(d.blocks)]
    originals = [b for p in sample_project.anthology.pieces for b in all_blocks(p.document.blocks)]
    images = [b for b in back if isinstance(b, Image)]
    assert images and {source_bytes(b.src, REPO_FILES) for b in images} == packed
    assert [(b.alt, plain(b.caption)) for b in images] == [
        (b.alt, plain(b.caption)) for b in originals if isinstance(b, Image)]
    tables = [b for b in back if isinstance(b, Table)]

    def cells(table):
        return [[(plain(c.inlines), c.header) for c in row] for row in table.head + table.body]

    assert tables and [(cells(b), plain(b.caption)) for b in tables] == [
        (cells(b), plain(b.caption)) for b in originals if isinstance(b, Table)]
    assert all(c.header for b in tables for row in b.head for c in row) and all(b.head for b in tables)


def test_a_picture_outside_the_epub_is_never_read(tmp_path):
    """A src leading out of the package (or to a file it lacks) is its description only, never a file of the disk."""
    (tmp_path / "secret.png").write_bytes((SOURCES / "images" / "fold.png").read_bytes())
    page = ("<html xmlns='http://www.w3.org/1999/xhtml'><body><h1>Out</h1><p>Words before.</p>"
            "<p><img src='../../secret.png' alt='A secret drawing'/></p><p><img src='in.png' alt='Kept'/></p>"
            "<p>Words after.</p></body></html>")
    path = tmp_path / "sub" / "out.epub"
    path.parent.mkdir()
    path.write_bytes(epub_with({"META-INF/container.xml": CONTAINER, "p.opf": OPF, "a.xhtml": page,
                                "in.png": (SOURCES / "images" / "fold.png").read_bytes()}))
    source = read(path)
    (doc,) = source.documents
    (image,) = [b for b in doc.blocks if isinstance(b, Image)]
    assert source_bytes(image.src, REPO_FILES) == (SOURCES / "images" / "fold.png").read_bytes() and image.alt == "Kept"
    assert "A secret drawing" in [block_text(b) for b in doc.blocks]
    assert any("'../../secret.png' left out" in w for w in source.warnings)


@pytest.mark.parametrize("original,title,name", make_documents.ORIGINALS, ids=[o[2] for o in make_documents.ORIGINALS])
def test_libreoffice_epub_reads_like_its_original(original, title, name):
    """LibreOffice 7.4 exports headings and lists as paragraphs styled by class (its EPUB has no
    h2 or ul): the words, title, authors and notes are what there is to check."""
    first = make_documents.pick(original, title)
    # LibreOffice's EPUB export leaves out a table's header rows (see passing.epub).
    heads = words(" ".join(plain(c.inlines) for t in all_blocks(first.blocks) if isinstance(t, Table)
                           for row in t.head for c in row))
    assert_reads_like(read(EPUBS / f"{name}.epub"), first, structure=False, less=heads)


def test_libreoffice_epub_pictures_and_table():
    """LibreOffice's EPUB of a text with a table and two pictures: the pictures are the files of the
    package (the originals, byte for byte), the table's rows are the original's (LibreOffice's EPUB
    export leaves out the header row, and gives each picture its file name as description)."""
    path = EPUBS / "passing.epub"
    source = read(path)
    (doc,) = source.documents
    first = make_documents.pick(*make_documents.PICTURED[:2])
    images = [b for b in doc.blocks if isinstance(b, Image)]
    with zipfile.ZipFile(path) as z:
        packed = [z.read(n) for n in sorted(z.namelist()) if n.startswith("OEBPS/images/")]
    assert [source_bytes(b.src, REPO_FILES) for b in images] == packed == [
        source_bytes(b.src, REPO_FILES) for b in first.blocks if isinstance(b, Image)]
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    (original,) = [b for b in first.blocks if isinstance(b, Table)]
    assert [[plain(c.inlines) for c in row] for row in table.body] == [
        [plain(c.inlines) for c in row] for row in original.body]
    assert not printed_words(path) - source_words(source)


def printed_words(epub):
    """The words an EPUB's pages show (not their pictures' descriptions), note numbers aside."""
    from lxml import html as lxml_html

    with zipfile.ZipFile(epub) as z:
        pages = [lxml_html.fromstring(z.read(n)) for n in z.namelist()
                 if n.endswith(".xhtml") and not n.endswith(("nav.xhtml", "toc.xhtml"))]
    for page in pages:  # note numbers are the book's, not the text's
        for number in page.xpath("//a[@class='noteref' or @class='note-backlink']"):
            number.drop_tree()
    return words(" ".join(" ".join(p.find("body").itertext()) for p in pages))


@pytest.mark.parametrize("path", sorted(EPUBS.glob("*.epub")), ids=lambda p: p.name)
def test_epub_outline_matches_golden(path, update_golden):
    check_golden(path, outline(read(path)), update_golden)


def test_notes_in_a_notes_file_are_linked(small_project, tmp_path):
    config = small_project.read_text() + '\n[epub]\nnotes = "book"\n'
    small_project.write_text(config)
    (epub,) = [p for p in pipeline.build(pipeline.load(small_project), ("epub",), tmp_path / "out")]
    source = read(epub)
    originals = [p.document for p in pipeline.load(small_project).anthology.pieces if p.document.notes]
    assert originals
    for original in originals:
        (back,) = [d for d in source.documents if d.title == original.title]
        assert [plain(n.paragraphs[0]) for n in back.notes] == [plain(n.paragraphs[0]) for n in original.notes]
    assert not any(d.title == "Notes" for d in source.documents)


def test_article_chooses_one_spine_document(tmp_path):
    epub = (EPUBS / "manual.epub").read_bytes()
    config = write_project(tmp_path / "p", """\
        [book]
        title = "One"
        language = "en"
        [[pieces]]
        source = "sample.epub"
        article = "forcibly-mobilised-and-then-killed-by-drone-the"
        """, {"sample.epub": (EPUBS / "mobilised.epub").read_bytes(), "manual.epub": epub})
    (piece,) = pipeline.load(config).anthology.pieces
    assert piece.document.title.startswith("Forcibly mobilised")


def epub_with(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


def test_epub_without_a_package_is_an_input_error(tmp_path):
    path = tmp_path / "bad.epub"
    path.write_bytes(epub_with({"META-INF/container.xml": "<container xmlns='urn:oasis:names:tc:opendocument:xmlns:container'/>"}))
    assert_clean_failure(run("inspect", path), 2, "damaged EPUB")
    path.write_bytes(epub_with({}))
    assert_clean_failure(run("inspect", path), 2, "META-INF/container.xml", "is missing")


CONTAINER = ("<container xmlns='urn:oasis:names:tc:opendocument:xmlns:container'><rootfiles>"
             "<rootfile full-path='p.opf'/></rootfiles></container>")
OPF = ("<package xmlns='http://www.idpf.org/2007/opf'><metadata xmlns:dc='http://purl.org/dc/elements/1.1/'>"
       "<dc:title>T</dc:title></metadata><manifest><item id='a' href='a.xhtml' "
       "media-type='application/xhtml+xml'/></manifest><spine><itemref idref='a'/></spine></package>")


def test_entities_in_an_epub_are_not_expanded(tmp_path):
    page = ("<?xml version='1.0'?><!DOCTYPE html [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
            "<html xmlns='http://www.w3.org/1999/xhtml'><body><p>Before &x; after, a text of its own.</p></body></html>")
    path = tmp_path / "entity.epub"
    path.write_bytes(epub_with({"META-INF/container.xml": CONTAINER, "p.opf": OPF, "a.xhtml": page}))
    source = read(path)
    text = " ".join(block_text(b) for d in source.documents for b in d.blocks)
    assert "root:" not in text and "Before" in text


def test_epub_words_are_all_kept_or_reported(sample_build):
    source = read(sample_build["epub"])
    assert not printed_words(sample_build["epub"]) - source_words(source)
