"""One title: a first heading that repeats the piece's title is absorbed, whatever the reader."""

from __future__ import annotations

import pytest

from zinebuild import pipeline
from zinebuild.model import Heading, plain
from zinebuild.readers import read

from .conftest import write_project

CASES = {
    "same.md": ("---\ntitle: Hello, World\n---\n\n# hello world!\n\nBody.\n", "Hello, World", []),
    "differs.md": ("---\ntitle: Hello\n---\n\n# Another Heading\n\nBody.\n", "Hello", ["Another Heading"]),
    "same.html": ("<html><head><meta property='og:title' content='The  Piece: Part 1'></head><body><article>"
                  "<h1>the piece — part 1</h1><p>Body.</p></article></body></html>", "The Piece: Part 1", []),
    "differs.html": ("<html><head><title>Page</title></head><body><main><h2>Introduction</h2>"
                     "<p>Body.</p></main></body></html>", "Page", ["Introduction"]),
    "site.html": ("<html><head><title>Questions | My Site</title></head><body><div><h1>My Site</h1><a href='/'>"
                  "Home</a></div><div><h2>Questions</h2>" + "<p>Body.</p>" * 5 + "</div></body></html>",
                  "Questions", []),
    "hugo.md": ("+++\ntitle = \"Über Uns\"\n+++\n\n## ÜBER   UNS\n\nBody.\n", "Über Uns", []),
}


@pytest.mark.parametrize("name", CASES)
def test_a_first_heading_repeating_the_title_is_absorbed(tmp_path, name):
    text, title, headings = CASES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (doc,) = read(path).documents
    assert doc.title == title
    assert [plain(b.inlines) for b in doc.blocks if isinstance(b, Heading)] == headings
    assert plain(doc.blocks[-1].inlines) == "Body." and plain(doc.blocks[len(headings)].inlines) == "Body."


def test_a_title_from_the_config_absorbs_the_heading_it_repeats(tmp_path):
    config = write_project(tmp_path / "p", """\
        [book]
        title = "T"
        language = "en"
        [[pieces]]
        source = "a.md"
        title = "The Real Title"
        [[pieces]]
        source = "b.txt"
        title = "Plain Text Piece"
        """, {"a.md": "---\ntitle: Old\n---\n\n# The real title\n\nBody.\n",
              "b.txt": "Plain text piece\n\nThe body of the plain text, long enough to be a paragraph.\n"})
    pieces = pipeline.load(config).anthology.pieces
    for piece in pieces:
        blocks = piece.document.blocks
        assert not any(isinstance(b, Heading) and plain(b.inlines).lower() == piece.document.title.lower()
                       for b in blocks), piece.source
        assert blocks
