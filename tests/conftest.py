"""Shared fixtures: small projects made on the fly, and the sample anthology built once."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from zinebuild import pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "anthology.toml"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request, caplog):
    """Like WeasyPrint's assert_no_logs: a test fails on warnings unless marked allow_warnings."""
    caplog.set_level(logging.WARNING, logger="zinebuild")
    yield
    if request.node.get_closest_marker("allow_warnings"):
        return
    unexpected = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not unexpected, f"unexpected warnings: {unexpected}"


def write_project(root: Path, config: str, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    config_path = root / "anthology.toml"
    config_path.write_text(textwrap.dedent(config), encoding="utf-8")
    return config_path


SMALL_CONFIG = """\
[book]
title = "Small Test Book"
editor = "Ed Itor"
language = "en"
date = "2024-05-01"

[front]
introduction = "intro.md"

[[parts]]
title = "First Part"
  [[parts.pieces]]
  source = "sources/one.md"
  [[parts.pieces]]
  source = "sources/two.txt"
  title = "The Second Piece"

[[parts]]
title = "Second Part"
  [[parts.pieces]]
  source = "sources/three.md"
  lang = "cs"

[output]
page_size = "A6"
"""

SMALL_FILES = {
    "intro.md": "---\ntitle: Introduction\n---\n\nWhy we made this book.\n",
    "sources/one.md": """\
        ---
        title: The First Piece
        author: Ann Author
        ---

        A paragraph with a note.[^a] And another note.[^b]

        ## A section

        - one item
        - two item

        > A quoted paragraph.

        [^a]: The first note, with a link: <https://example.org/a>.
        [^b]: The second note.
        """,
    "sources/two.txt": "Raw Title Line\n\nFirst paragraph of the raw text.\n\nSecond paragraph.\n",
    "sources/three.md": "# Třetí kus\n\nČeský text s poznámkou.[^1]\n\n[^1]: Poznámka pod čarou.\n",
}


@pytest.fixture
def small_project(tmp_path) -> Path:
    return write_project(tmp_path / "small", SMALL_CONFIG, SMALL_FILES)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> dict[str, Path]:
    """The sample anthology of sources/, built once for the whole session in every format."""
    out = tmp_path_factory.mktemp("sample-build")
    project = pipeline.load(SAMPLE)
    paths = pipeline.build(project, ("epub", "pdf", "booklet", "html"), out)
    return {p.suffix.lstrip(".") if not p.stem.endswith("-booklet") else "booklet": p for p in paths}


@pytest.fixture(scope="session")
def sample_project():
    return pipeline.load(SAMPLE)


@pytest.fixture
def small_build(small_project, tmp_path) -> dict[str, Path]:
    project = pipeline.load(small_project)
    paths = pipeline.build(project, ("epub", "pdf", "booklet", "html"), tmp_path / "out")
    return {p.suffix.lstrip(".") if not p.stem.endswith("-booklet") else "booklet": p for p in paths}
