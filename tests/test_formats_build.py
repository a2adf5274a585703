"""A book made of one piece from each new source format: `build` accepts them all, the EPUB passes
epubcheck with every note linked, and the PDF carries each piece's words."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader

from zinebuild import pipeline

from .conftest import write_project
from .formats import CORPUS
from .test_epub import assert_epubcheck_clean

SOURCES = {
    "secondary-fn.muse": CORPUS / "muse" / "secondary-fn.muse",
    "report.docx": CORPUS / "office" / "report.docx",
    "mobilised.odt": CORPUS / "office" / "mobilised.odt",
    "mobilised.epub": CORPUS / "epub" / "mobilised.epub",
    "mobilised.pdf": CORPUS / "pdf" / "mobilised.pdf",
    "lists.muse": CORPUS / "muse" / "lists.muse",  # lists inside list items
    "passing.odt": CORPUS / "office" / "passing.odt",  # a table and two pictures inside the document
}


@pytest.mark.allow_warnings  # a Muse note with no reference says so
def test_build_accepts_every_format(tmp_path):
    pieces = "".join(f'[[pieces]]\nsource = "{name}"\n' for name in SOURCES)
    config = write_project(tmp_path / "p", f"""\
        [book]
        title = "Every Format"
        language = "en"
        {pieces}
        [output]
        formats = ["epub", "pdf"]
        """.replace("        [[", "[[").replace("        source", "source"),
        {name: path.read_bytes() for name, path in SOURCES.items()})
    project = pipeline.load(config)
    assert [p.document.title[:24] for p in project.anthology.pieces] == [
        "Secondary footnotes", "Report from a discussion", "Forcibly mobilised and t",
        "Forcibly mobilised and t", "Forcibly mobilised and t", "list", "Passing It On"]
    paths = pipeline.build(project, ("epub", "pdf"), tmp_path / "out")
    epub = next(p for p in paths if p.suffix == ".epub")
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as z:
        xhtml = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
        pictures = [n for n in z.namelist() if n.endswith((".png", ".jpg")) and "cover" not in n]
        page = etree.fromstring(next(z.read(n) for n in z.namelist() if n.endswith(".xhtml") and b">list<" in z.read(n)))
    # The Muse lists nest as the text nests them: a numbered list in a bullet's item, Roman in that.
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert page.xpath("count(//x:ul/x:li/x:ol/x:li/x:ol[@type='i']/x:li)", namespaces=ns) == 2
    assert page.xpath("count(//x:ul/x:li/x:ol[@type='a']/x:li/x:ol[@type='I']/x:li)", namespaces=ns) == 1
    # The OpenDocument's pictures are in the book, its table has its header cells.
    assert len(pictures) == 2 and xhtml.count("<th") >= 3
    # The Muse text's notes, and six from each of the odt, epub and pdf copies of one article.
    assert xhtml.count('epub:type="noteref"') >= 10 + 3 * 6
    text = " ".join(page.extract_text() for page in PdfReader(next(p for p in paths if p.suffix == ".pdf")).pages)
    assert "Vladyslav" in text and "Solidrones" in text and "Secondary footnote" in text
