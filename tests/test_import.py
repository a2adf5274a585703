"""`zinebuild import`: cleaned text to Markdown, which reads back to the very same model."""

from __future__ import annotations

import dataclasses

import pytest

from zinebuild.export import to_markdown
from zinebuild.model import Caption, Document, LineBreak, Link, ListBlock, NoteRef, Paragraph, Text
from zinebuild.readers import read

from .conftest import ROOT
from .test_cli import assert_clean_failure, run

SEEDS = sorted((ROOT / "sources").glob("00*.txt"))


def same(a: Document, b: Document) -> bool:
    # A document made with no language gets the one its text shows when read back (``language``).
    lang = b.lang if a.lang is not None else None
    return dataclasses.replace(a, untitled=False) == dataclasses.replace(b, untitled=False, lang=lang)


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem[:3] for s in SEEDS])
def test_every_seed_article_round_trips(seed, tmp_path):
    for doc in read(seed).documents:
        path = tmp_path / f"{doc.slug}.md"
        path.write_text(to_markdown(doc), encoding="utf-8")
        (back,) = read(path).documents
        assert same(doc, back), doc.title


def test_markup_characters_in_text_survive(tmp_path):
    doc = Document(title="Odd *Text*", slug="odd-text", blocks=(
        Paragraph((Text("1) not a list, # not a heading, wh*res, [brackets] <tags> & _under_ `ticks`"),)),
        Paragraph((Text("- not a bullet"), LineBreak(), Text("> not a quote"))),
        Caption((Text("A caption. From social media"),)),
        Paragraph((Text("Why?"),), "question"),
        ListBlock(True, ((Text("first"),), (Text("second "), Link("https://e.org/a_(b)", (Text("link"),)))), 3),
        Paragraph((Text("A note"), NoteRef("1"))),
    ), notes=(dataclasses.replace(read_note(), id="1"),))
    path = tmp_path / "odd.md"
    path.write_text(to_markdown(doc), encoding="utf-8")
    (back,) = read(path).documents
    assert same(doc, back)


def read_note():
    from zinebuild.model import Note

    return Note("1", ((Text("A note with "), Link("https://e.org", (Text("https://e.org"),))), (Text("Second."),)))


def test_import_command_writes_and_never_overwrites(tmp_path):
    source = tmp_path / "piece.txt"
    source.write_text("A Title\n\nSome text of the piece, long enough to be a paragraph of its own here.\n")
    result = run("import", source)
    assert result.exit_code == 0, result.output
    target = tmp_path / "piece.md"
    assert target.read_text().startswith("---\ntitle: A Title\nlang: en\n---\n")  # the language its text shows
    assert_clean_failure(run("import", source), 2, "already exists", "--force")
    assert run("import", source, "--force").exit_code == 0
    assert_clean_failure(run("import", target, "-o", target), 2, "over the source itself")


def test_import_of_a_compilation_writes_one_file_per_article(tmp_path):
    source = tmp_path / "compilation.txt"
    source.write_bytes((ROOT / "sources" / "001_610ae073540cbeae.txt").read_bytes())
    result = run("import", source, "-o", tmp_path / "articles")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "articles").iterdir())
    assert len(files) == 9 and files[0].startswith("01-outputs-and-outcomes")
    assert source.read_bytes() == (ROOT / "sources" / "001_610ae073540cbeae.txt").read_bytes()
