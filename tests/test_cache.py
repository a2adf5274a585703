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
    real_clean = readers.clean
    monkeypatch.setattr(readers, "clean", lambda p, data: cleaned.append(p) or real_clean(p, data))
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


def test_a_source_edited_while_it_is_read_is_kept_under_the_bytes_cleaned(tmp_path, monkeypatch):
    # The edit lands between hashing and cleaning: the moment a second read would pick it up.
    path = tmp_path / "piece.txt"
    path.write_text("A Title\n\nThe old paragraph.\n", encoding="utf-8")
    real_clean = readers.clean

    def edited_meanwhile(p, data):
        path.write_text("A Title\n\nThe new paragraph.\n", encoding="utf-8")
        return real_clean(p, data)

    monkeypatch.setattr(readers, "clean", edited_meanwhile)
    first = readers.cached(BlobCache(tmp_path / "cache"))(path)
    assert "old paragraph" in json.dumps(to_data(first))
    monkeypatch.setattr(readers, "clean", real_clean)
    # The cache now serves each version of the file its own text.
    assert "new paragraph" in json.dumps(to_data(readers.cached(BlobCache(tmp_path / "cache"))(path)))
    path.write_text("A Title\n\nThe old paragraph.\n", encoding="utf-8")
    assert "old paragraph" in json.dumps(to_data(readers.cached(BlobCache(tmp_path / "cache"))(path)))


def test_two_valid_entries_swapped_read_as_missing(tmp_path):
    cache = BlobCache(tmp_path)
    cache.put_blob("one", ".bin", b"the first")
    cache.put_blob("two", ".bin", b"the second")
    one, two = (tmp_path / "one.bin").read_bytes(), (tmp_path / "two.bin").read_bytes()
    (tmp_path / "one.bin").write_bytes(two)
    (tmp_path / "two.bin").write_bytes(one)
    assert cache.get_blob("one", ".bin") is None and cache.get_blob("two", ".bin") is None


def test_swapped_sources_in_the_cache_do_not_swap_the_book(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("First\n\nThe first text.\n", encoding="utf-8")
    second.write_text("Second\n\nThe second text.\n", encoding="utf-8")
    folder = tmp_path / "cache"
    read = readers.cached(BlobCache(folder))
    read(first), read(second)
    entries = sorted(folder.iterdir())
    assert len(entries) == 2
    a, b = (p.read_bytes() for p in entries)
    entries[0].write_bytes(b)
    entries[1].write_bytes(a)
    read = readers.cached(BlobCache(folder))
    assert "The first text." in json.dumps(to_data(read(first)))
    assert "The second text." in json.dumps(to_data(read(second)))


WORDS = ("hyphenation", "anthology", "typography", "extraordinary", "unconstitutional", "responsibility",
         "internationalisation", "photographers", "a", "zines")


def test_a_hyphenation_dictionary_parsed_once_comes_from_the_cache_as_pyphen_parses_it(tmp_path, monkeypatch):
    import pyphen

    from zinebuild.typeset import hyphenation

    monkeypatch.setattr(hyphenation, "_store", BlobCache(None))
    hyphenation.keep_in(tmp_path)
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.load("en_US")
    assert len(list(tmp_path.glob(f"*{hyphenation.SUFFIX}"))) == 1
    parsed = pyphen.Pyphen(lang="en_US")

    monkeypatch.setattr(pyphen, "hdcache", {})  # a new process: pyphen holds nothing

    def parse(*_):
        raise AssertionError("parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", parse)
    hyphenation.load("en_US")
    cached = pyphen.Pyphen(lang="en_US")
    assert cached.hd.maxlen == parsed.hd.maxlen and cached.hd.patterns == parsed.hd.patterns
    assert [cached.inserted(word) for word in WORDS] == [parsed.inserted(word) for word in WORDS]
    assert cached.inserted("hyphenation") == "hy-phen-ation"


def test_a_dictionary_that_changes_letters_is_not_kept(tmp_path, monkeypatch):
    import pyphen

    from zinebuild.typeset import hyphenation

    monkeypatch.setattr(hyphenation, "_store", BlobCache(None))
    hyphenation.keep_in(tmp_path)
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.load("hu_HU")  # "ssz" hyphenates as "sz-sz": its values carry the change
    assert pyphen.LANGUAGES["hu_HU"] in pyphen.hdcache
    assert not list(tmp_path.glob(f"*{hyphenation.SUFFIX}"))
    assert pyphen.Pyphen(lang="hu_HU").inserted("asszonnyal") == "asz-szony-nyal"
