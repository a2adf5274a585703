"""A book from many real Markdown and HTML documents, as people have them: epubcheck 0/0, working links.

The documents are tests/corpus/web/ (see SOURCES.md): Debian's documentation pages and
Python-Markdown's docs with their MkDocs front matter, copied as shipped. Their links point
at each other, at sections of each other, at pages not in the book and at the web.
"""

from __future__ import annotations

import re
import shutil

import pytest

from zinebuild import pipeline
from zinebuild.model import Link

from .linkcheck import epub_link_problems, html_link_problems, no_file_urls, pdf_link_problems
from .test_epub import assert_epubcheck_clean
from .test_html_sources import WEB

DOCUMENTS = sorted([*WEB.rglob("*.html"), *WEB.rglob("*.md")], key=lambda p: p.relative_to(WEB).as_posix())
DOCUMENTS = [p for p in DOCUMENTS if p.name != "SOURCES.md"]


def stand_in_pictures(folder) -> None:
    """The pages were saved without their own pictures, and a picture a source names must be
    there (else the build stops, naming it): a small stand-in for each local one missing."""
    from PIL import Image

    for document in [*folder.rglob("*.html"), *folder.rglob("*.md")]:
        text = document.read_text(encoding="utf-8", errors="replace")
        for src in re.findall(r"""(?:<img[^>]*\ssrc=["']|!\[[^\]]*\]\()([^"')\s]+)""", text):
            target = document.parent / src
            if not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) and not target.exists() \
                    and target.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif"):
                target.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (700, 400), "gray").save(target, Image.registered_extensions()[target.suffix.lower()])


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("real-book")
    shutil.copytree(WEB, root / "web")  # pictures must be inside the project folder
    stand_in_pictures(root / "web")
    pieces = "".join(f'[[pieces]]\nsource = "web/{p.relative_to(WEB).as_posix()}"\n' for p in DOCUMENTS)
    config = root / "anthology.toml"
    config.write_text('[book]\ntitle = "Real Documents"\nlanguage = "en"\ndate = "2026-01-01"\n'
                      f'{pieces}[output]\npage_size = "A5"\nfont_size = 9\n', encoding="utf-8")
    project = pipeline.load(config)
    paths = pipeline.build(project, ("epub", "html", "pdf"), root / "out")
    return project, {p.suffix.lstrip("."): p for p in paths}


def internal_links(project) -> int:
    def count(nodes):
        return sum(1 + count(n.children) if isinstance(n, Link) and n.piece else count(getattr(n, "children", ()))
                   for n in nodes)
    return sum(count(getattr(b, "inlines", ())) for p in project.anthology.pieces for b in p.document.blocks)


@pytest.mark.allow_warnings  # pages link to pages that are not in the book: Z107, by design
def test_a_book_of_real_documents_passes_epubcheck_with_working_links(real_book):
    project, out = real_book
    assert len(project.anthology.pieces) == len(DOCUMENTS) >= 30
    assert internal_links(project) >= 20  # the documents' links to each other stayed links
    assert_epubcheck_clean(out["epub"])
    assert epub_link_problems(out["epub"]) == []
    assert html_link_problems(out["html"]) == []
    problems, internal = pdf_link_problems(out["pdf"])
    assert problems == [] and internal >= 20
    assert no_file_urls(*out.values()) == []


@pytest.mark.allow_warnings
def test_one_title_per_piece(real_book):
    project, _ = real_book
    from zinebuild.transforms import _same_text
    from zinebuild.model import Heading, plain

    for piece in project.anthology.pieces:
        first = piece.document.blocks[0] if piece.document.blocks else None
        if isinstance(first, Heading):
            assert _same_text(plain(first.inlines)) != _same_text(piece.document.title), piece.source


def test_pieces_of_real_documents_rarely_end_on_a_nearly_empty_page(real_book):
    """linebreaks.py pulls short endings back where tightening allows: of this book's four pieces
    that WeasyPrint alone ends on a page of 1-3 lines, only FAQ (one page of code and gaps plus
    three lines) stays."""
    from .typography_report import short_endings

    _, paths = real_book
    assert [title for title, _, _ in short_endings(paths["pdf"])] in ([], ["FAQ"])
