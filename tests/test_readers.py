"""Readers: Markdown with front matter and footnotes; raw text decoding."""

from __future__ import annotations

import pytest
from PIL import Image

from zinebuild.errors import SourceError
from zinebuild.model import Emphasis, Heading, Link, ListBlock, NoteRef, Paragraph, Quote, Text, plain
from zinebuild.readers import read


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_markdown_front_matter_blocks_and_notes(tmp_path):
    path = write(tmp_path, "a.md", """---
title: A Title
subtitle: Its Subtitle
authors: [One, Two]
lang: uk
source: https://example.org/a
date: 2022-03-18
---

Some *emphasis*, a [link](https://example.org) and a note.[^n]

## Section

1. first
2. second

> quoted

---

[^n]: The note, with **strong** text.
""")
    (doc,) = read(path).documents
    assert (doc.title, doc.subtitle, doc.authors, doc.lang) == ("A Title", "Its Subtitle", ("One", "Two"), "uk")
    assert doc.source_url == "https://example.org/a" and doc.date == "2022-03-18"
    para = doc.blocks[0]
    assert isinstance(para, Paragraph)
    assert Emphasis((Text("emphasis"),)) in para.inlines
    assert Link("https://example.org", (Text("link"),)) in para.inlines
    assert para.inlines[-1] == NoteRef("n")
    assert doc.blocks[1] == Heading(2, (Text("Section"),))
    assert isinstance(doc.blocks[2], ListBlock) and doc.blocks[2].ordered
    assert isinstance(doc.blocks[3], Quote)
    assert doc.blocks[4].kind == "break"
    (note,) = doc.notes
    assert note.id == "n" and plain(note.paragraphs[0]) == "The note, with strong text."


def test_markdown_title_from_first_heading(tmp_path):
    (doc,) = read(write(tmp_path, "b.md", "# Heading Title\n\nBody.\n")).documents
    assert doc.title == "Heading Title"
    assert doc.blocks == (Paragraph((Text("Body."),)),)


def test_markdown_unsafe_markup_is_dropped(tmp_path):
    path = write(tmp_path, "c.md", '<script>alert(1)</script>\n\n[click](javascript:alert(1)) <b onclick="x">b</b>\n')
    (doc,) = read(path).documents
    text = plain(doc.blocks[-1].inlines) if doc.blocks else ""
    assert not any(isinstance(n, Link) for b in doc.blocks for n in getattr(b, "inlines", ()))
    assert "click" in text


def test_markdown_bad_front_matter(tmp_path):
    source = read(write(tmp_path, "d.md", "---\ntitel: x\n---\n\nText\n"))
    assert any("did you mean 'title'" in w for w in source.warnings)
    with pytest.raises(SourceError, match="not valid YAML") as caught:
        read(write(tmp_path, "e.md", "---\ntitle: [unclosed\n---\n\nText\n"))
    assert caught.value.problems[0].line is not None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8_r", "cp1252"])
def test_text_decodes_legacy_encodings(tmp_path, encoding):
    if encoding in ("cp1251", "koi8_r"):
        body = "Заголовок статьи\n\nЭто первый абзац текста на русском языке, достаточно длинный для распознавания кодировки.\n"
    else:
        body = "Title of the Piece\n\nCafé society’s naïve façade — déjà vu, “quoted” and reçu.\n"
    source = read(write(tmp_path, "t.txt", body.encode(encoding)))
    (doc,) = source.documents
    assert doc.title == body.split("\n")[0]
    assert plain(doc.blocks[0].inlines) == body.split("\n")[2]


def test_text_repairs_mojibake_and_normalises(tmp_path):
    body = "Title\r\n\r\nIt\u00e2\u20ac\u2122s\u00a0here\u200b.\r\n"
    (doc,) = read(write(tmp_path, "m.txt", body)).documents
    assert plain(doc.blocks[0].inlines) == "It’s here."


def test_unreadable_source(tmp_path):
    with pytest.raises(SourceError, match="cannot open"):
        read(tmp_path / "missing.txt")


HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="cs"><head><title>Site name | The Article</title>
<meta name="author" content="Jana Nováková"><link rel="canonical" href="https://example.org/article">
<script>steal()</script><style>body{}</style></head>
<body onload="steal()">
<nav><a href="/">Home</a> / <a href="/cs">Česky</a></nav>
<header>SUBSCRIBE TO US!</header>
<article>
  <h1>The Article</h1>
  <p>First paragraph with <em>emphasis</em>, a <a href="https://example.org/x" onclick="steal()">safe link</a>
     and a <a href="javascript:steal()">bad link</a>.</p>
  <iframe src="https://evil.example/"></iframe>
  <form action="https://evil.example/"><input name="q"><button>Go</button></form>
  <h2>A Section</h2>
  <ul><li>one</li><li>two <strong>bold</strong></li></ul>
  <blockquote><p>Quoted words.</p></blockquote>
  <figure><img src="x.jpg" alt=""><figcaption>A photo. From social media</figcaption></figure>
  <p onmouseover="steal()">Last<br>line.</p>
</article>
<aside>Related: other articles</aside><footer>© site</footer>
</body></html>"""


def test_html_keeps_the_article_and_nothing_that_runs(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "x.jpg")
    source = read(write(tmp_path, "page.html", HOSTILE_PAGE))
    (doc,) = source.documents
    assert (doc.title, doc.authors, doc.lang, doc.source_url) == (
        "The Article", ("Jana Nováková",), "cs", "https://example.org/article")
    assert [b.kind for b in doc.blocks] == ["paragraph", "heading", "list", "quote", "image", "paragraph"]
    assert plain(doc.blocks[4].caption) == "A photo. From social media"
    first = doc.blocks[0].inlines
    assert Link("https://example.org/x", (Text("safe link"),)) in first
    assert "bad link" in plain(first) and not any(getattr(n, "url", "").startswith("javascript") for n in first)
    everything = repr(doc)
    for hostile in ("steal", "evil.example", "SUBSCRIBE", "Related", "Home", "Go"):
        assert hostile not in everything, hostile
    assert plain(doc.blocks[-1].inlines) == "Last\nline."


def test_html_without_article_element_takes_the_densest_block(tmp_path):
    page = ("<html><body><div class='menu'><p>Menu</p></div><div id='c'><h1>T</h1>"
            + "<p>Body text that matters, and it goes on.</p>" * 5 + "</div></body></html>")
    (doc,) = read(write(tmp_path, "p.htm", page)).documents
    assert doc.title == "T" and len(doc.blocks) == 5 and "Menu" not in repr(doc)


# The smallest PNG: one white pixel.
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
                        "0000000a4944415478da63f80f00010101001b4a8b5c0000000049454e44ae426082")


def test_raw_html_in_markdown_goes_through_the_html_allow_list(tmp_path):
    path = write(tmp_path, "raw.md", "---\ntitle: Post\n---\n\nIntro text.\n\n<!--more-->\n\n"
                 '<p align="center"><a href="https://e.org"><img src="x.png" alt="Logo"></a></p>\n\n'
                 "<script>steal()</script>\n\nA <b onclick=\"x\">bold</b> word<br>next <!-- to self --> end.\n")
    (tmp_path / "x.png").write_bytes(PNG_1PX)
    source = read(path)
    (doc,) = source.documents
    # The picture is read as Markdown's ![Logo](x.png) is (test_images_print.py); the link around it holds
    # no words.
    assert [getattr(b, "alt", None) or plain(b.inlines) for b in doc.blocks] == [
        "Intro text.", "Logo", "A bold word\nnext  end."]
    assert doc.blocks[1].src == str(tmp_path / "x.png")
    assert [(r.line, r.reason, r.text) for r in source.removed] == [
        (7, "comment", "more"), (11, "page furniture <script>", "steal()"), (13, "comment", "to self")]
    assert "steal" not in repr(doc) and "onclick" not in repr(doc)


def test_markdown_note_the_text_never_cites_is_kept(tmp_path):
    """markdown-it drops a footnote definition nobody cites; its words are the author's all the same."""
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nCited.[^a]\n\n[^a]: The cited note.\n\n[^x]: A note nobody cites.\n", encoding="utf-8")
    source = read(path)
    (doc,) = source.documents
    assert [note.id for note in doc.notes] == ["a", "x"]
    assert plain(doc.note("x").paragraphs[0]) == "A note nobody cites."
    assert source.unaccounted == ()


def test_inspect_reports_words_a_reader_lost(tmp_path, monkeypatch):
    """A pipe-table row with more cells than its header: markdown-it drops the extra one (GFM).
    With the rule that keeps it undone (readers/mdtable.py, tested in test_markdown_lists.py), the
    words are lost, and `inspect` says so as the build does (Z109), with the line."""
    from zinebuild.readers import mdtable

    from .test_cli import run

    monkeypatch.setattr(mdtable, "_cells", lambda line: [])
    path = tmp_path / "table.md"
    path.write_text("# T\n\n| a | b |\n|---|---|\n| one | two | extra |\n", encoding="utf-8")
    result = run("inspect", path)
    assert result.exit_code == 0, result.output
    assert "Z109 line 5: words neither in the book nor in the removal report: extra" in result.output


def test_a_reference_links_label_is_no_lost_word(tmp_path):
    """[text][label] shows its text; the label is syntax, as a link's destination is (Node.js's
    documentation raised a false Z109 for hundreds of them)."""
    path = tmp_path / "refs.md"
    path.write_text("# T\n\nSee [the docs][ref-label], [more][] and [^n] [x] [y].\n\n[^n]: Note.\n\n"
                    "[ref-label]: https://e.org\n[more]: https://e.org/more\n", encoding="utf-8")
    source = read(path)
    assert [link.url for link in source.documents[0].blocks[0].inlines if isinstance(link, Link)] == [
        "https://e.org", "https://e.org/more"]
    assert source.unaccounted == ()


def test_a_reader_is_imported_only_when_a_source_of_its_kind_is_read(tmp_path):
    """A build of plain text never imports the Word, PDF, OpenDocument or Markdown readers'
    libraries (they were a third of a rebuild's start); reading one kind imports its own."""
    import subprocess
    import sys

    text, markdown = tmp_path / "plain.txt", tmp_path / "extra.md"
    text.write_text("A Title\n\nA paragraph of plain text, long enough to be one.\n", encoding="utf-8")
    markdown.write_text("# A heading\n\nA paragraph of Markdown.\n", encoding="utf-8")
    code = ("import sys; import zinebuild.pipeline, zinebuild.cli; from zinebuild.readers import read; "
            "libraries = ('mammoth', 'pypdfium2', 'odf', 'markdown_it'); read(sys.argv[1]); "
            "print([m for m in libraries if m in sys.modules]); read(sys.argv[2]); "
            "print([m for m in libraries if m in sys.modules])")
    found = subprocess.run([sys.executable, "-c", code, str(text), str(markdown)],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert found == ["[]", "['markdown_it']"], found
