"""The build cache: what it keeps must come back exactly, and a damaged entry must not."""

from __future__ import annotations

import json

import pytest

from zinebuild import readers
from zinebuild.cache import BlobCache
from zinebuild.model import from_data, to_data

from .conftest import ROOT

SEEDS = sorted((ROOT / "sources").glob("00*.txt")) + [ROOT / "sources" / "introduction.md"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_a_cleaned_source_survives_the_cache_format(path):
    source = readers.read(path)
    assert from_data(json.loads(json.dumps(to_data(source)))) == source


def test_a_source_is_cleaned_once_until_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "piece.txt"
    path.write_text("A Title\n\nFirst paragraph of the text.\n", encoding="utf-8")
    cleaned = []
    real_read = readers.read
    monkeypatch.setattr(readers, "read", lambda p: cleaned.append(p) or real_read(p))
    read = readers.cached(BlobCache(tmp_path / "cache"))
    first = read(path)
    assert read(path) == first and len(cleaned) == 1
    path.write_text("A Title\n\nFirst paragraph of the edited text.\n", encoding="utf-8")
    assert "edited" in json.dumps(to_data(read(path))) and len(cleaned) == 2


def test_damaged_entries_read_as_missing(tmp_path):
    cache = BlobCache(tmp_path)
    cache.put_blob("key", ".bin", b"the bytes")
    assert cache.get_blob("key", ".bin") == b"the bytes"
    path = tmp_path / "key.bin"
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.get_blob("key", ".bin") is None


def test_an_unwritable_cache_costs_speed_not_the_build(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    cache = BlobCache(blocked / "cache")
    cache.put_blob("key", ".bin", b"data")  # no exception
    assert cache.get_blob("key", ".bin") is None
