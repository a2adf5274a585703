"""anthology.toml: parsed once into frozen dataclasses; every problem reported together."""

from __future__ import annotations

import dataclasses

import pytest

from zinebuild import config
from zinebuild.errors import ConfigError
from zinebuild.units import MM

from .conftest import SMALL_CONFIG, SMALL_FILES, write_project


def test_small_config_parses(small_project):
    cfg = config.load(small_project)
    assert cfg.book.title == "Small Test Book"
    assert cfg.book.editors == ("Ed Itor",)
    assert [p.title for p in cfg.parts] == ["First Part", "Second Part"]
    assert [p.source.name for p in cfg.pieces] == ["one.md", "two.txt", "three.md"]
    assert cfg.pieces[1].title == "The Second Piece"
    assert cfg.pieces[2].lang == "cs"
    assert cfg.output.page_size.width == pytest.approx(105 * MM)
    assert cfg.output.sheet.name == "A4"
    assert cfg.matter.introduction.name == "intro.md"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.book.title = "changed"  # type: ignore[misc]


def test_identifier_is_stable_and_derived_from_title(small_project):
    first, second = config.load(small_project), config.load(small_project)
    assert first.book.identifier == second.book.identifier
    assert first.book.identifier.startswith("urn:uuid:")


def test_top_level_pieces_without_parts(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\n[[pieces]]\nsource = "a.txt"\n', {"a.txt": "A\n\nb\n"})
    cfg = config.load(path)
    assert len(cfg.parts) == 1 and cfg.parts[0].title is None
    assert cfg.output.formats == ("epub", "pdf", "booklet", "html")


@pytest.mark.parametrize("size, width_mm", [("A5", 148), ("a6", 105), ("half-letter", 139.7),
                                            ("quarter-letter", 107.95), ("148mm x 210mm", 148), ("5in x 8in", 127)])
def test_page_sizes(tmp_path, size, width_mm):
    path = write_project(tmp_path, f'[book]\ntitle = "T"\n[[pieces]]\nsource = "a.txt"\n[output]\npage_size = "{size}"\n',
                         {"a.txt": "A\n\nb\n"})
    assert config.load(path).output.page_size.width == pytest.approx(width_mm * MM, rel=1e-3)


def test_every_problem_is_reported_with_file_key_and_line(tmp_path):
    bad = """\
        [book]
        title = "T"
        colour = "red"
        language = "english please"

        [[pieces]]
        source = "sources/missing.txt"

        [[pieces]]
        source = "a.txt"
        lang = 5

        [output]
        page_size = "A9000"
        imposition = "origami"
        font_size = "huge"
        """
    path = write_project(tmp_path, bad, {"a.txt": "A\n\nb\n"})
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {"book.colour", "book.language", "pieces[0].source", "pieces[1].lang",
                             "output.page_size", "output.imposition", "output.font_size"}
    assert problems["book.colour"].line == 3
    assert problems["book.language"].line == 4
    assert problems["pieces[0].source"].line == 7
    assert problems["pieces[1].lang"].line == 11
    assert problems["output.imposition"].line == 15
    assert "missing.txt" in problems["pieces[0].source"].message
    message = str(caught.value)
    assert message.startswith("7 problems:")
    assert f"{path}:3: book.colour: unknown key" in message
    assert caught.value.exit_code == 2


def test_nested_part_pieces_are_located(tmp_path):
    text = SMALL_CONFIG.replace('source = "sources/three.md"', 'source = "sources/nope.md"')
    path = write_project(tmp_path, text, SMALL_FILES)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    (problem,) = caught.value.problems
    assert problem.key == "parts[1].pieces[0].source"
    assert problem.line == text.splitlines().index('  source = "sources/nope.md"') + 1


def test_invalid_toml_names_the_line(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T\n', {})
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.problems[0].line == 2
    assert "not valid TOML" in str(caught.value)


def test_missing_book_and_pieces(tmp_path):
    path = write_project(tmp_path, "[output]\n", {})
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    keys = {p.key for p in caught.value.problems}
    assert keys == {"book", "pieces"}


def test_pieces_and_parts_together_is_an_error(tmp_path):
    text = SMALL_CONFIG + '\n[[pieces]]\nsource = "intro.md"\n'
    path = write_project(tmp_path, text, SMALL_FILES)
    with pytest.raises(ConfigError, match="either"):
        config.load(path)


def test_unreadable_kind_of_source(tmp_path):
    path = write_project(tmp_path, '[book]\ntitle = "T"\n[[pieces]]\nsource = "a.rtf"\n', {"a.rtf": b"{\\rtf1}"})
    with pytest.raises(ConfigError, match="cannot read '.rtf' files"):
        config.load(path)
