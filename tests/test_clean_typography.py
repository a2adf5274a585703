"""Typographic normalisation: quotes, dashes and ellipses by language, never in code or URLs."""

from __future__ import annotations

from zinebuild import config as config_module
from zinebuild import typography
from zinebuild.assemble import assemble
from zinebuild.model import Code, Document, Link, Paragraph, Preformatted, Text, block_text, plain

from .conftest import write_project


def _doc(*blocks) -> Document:
    return Document(title='The "Title"', blocks=tuple(blocks))


def _para(text: str) -> Paragraph:
    return Paragraph((Text(text),))


def test_quotes_dashes_and_ellipses_follow_the_language():
    doc = _doc(_para('She said "don\'t go" - and left...'))
    cases = {"en": 'She said “don’t go” – and left…', "de": 'She said „don’t go“ – and left…',
             "fr": 'She said «don’t go» – and left…', "ru": 'She said «don’t go» — and left…'}
    for lang, expected in cases.items():
        new, counts = typography.normalise(doc, lang)
        assert block_text(new.blocks[0]) == expected, lang
        assert counts == {"quote": 5, "dash": 1, "ellipsis": 1}  # three in the text, two in the title
    assert typography.normalise(doc, "en")[0].title == "The “Title”"


def test_code_preformatted_and_links_are_left_alone():
    code = 'print("a - b...")'
    doc = _doc(Paragraph((Text('Run "'), Code(code), Text('" or see '),
                          Link("https://e.org/a...b", (Text('https://e.org/a...b'),)))),
               Preformatted('x = "y" - 1...'), _para('Visit www.example.org/\'quoted\'... "now"...'))
    new, _ = typography.normalise(doc, "en")
    nodes = new.blocks[0].inlines
    assert nodes[0].text == "Run “" and nodes[1] == Code(code) and nodes[2].text == "” or see "
    assert nodes[3] == doc.blocks[0].inlines[3]
    assert new.blocks[1] == doc.blocks[1]
    assert block_text(new.blocks[2]) == "Visit www.example.org/'quoted'... “now”…"


def test_gnu_quotes_become_single_quotes():
    new, _ = typography.normalise(_doc(_para("type `show w' for details")), "en")
    assert plain(new.blocks[0].inlines) == "type ‘show w’ for details"


PROJECT = """\
[book]
title = "Quotes"
language = "en"
{clean}
[[pieces]]
source = "a.txt"
"""


def test_a_build_curls_quotes_unless_the_config_says_not_to(tmp_path):
    text = ('A Title\n\nShe said "go on" - and they went on... talking for a long while about it.\n\n'
            'And a second paragraph follows the first one, so that the title has text under it.\n')
    for clean, expected in (("", "She said “go on” – and they went on…"),
                            ("[clean]\ntypography = false\n", 'She said "go on" - and they went on...')):
        path = write_project(tmp_path / str(len(clean)), PROJECT.format(clean=clean), {"a.txt": text})
        anthology = assemble(config_module.load(path))
        assert expected in block_text(anthology.pieces[0].document.blocks[0])


def test_the_sample_has_one_kind_of_quote_and_no_spaced_hyphens():
    from .conftest import SAMPLE
    anthology = assemble(config_module.load(SAMPLE))
    texts = [block_text(b) for p in anthology.pieces for b in p.document.blocks if not isinstance(b, Preformatted)]
    assert not [t for t in texts if '"' in t]
    assert not [t for t in texts if " - " in t]


def test_inspect_says_what_typography_would_change():
    from click.testing import CliRunner

    from zinebuild.cli import main

    from .corpus_outline import CORPUS
    result = CliRunner().invoke(main, ["inspect", str(CORPUS / "fortune-de-zitate.txt")])
    assert result.exit_code == 0, result.output
    assert "typography [de] fortune-de-zitate: 10 quotes curled, 1 dashes, 4 ellipses" in result.output
