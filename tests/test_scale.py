"""What keeps a build linear in its size: pieces shared out as workers free up, bounded memory
in a worker, near duplicates found without comparing every pair; and what is done once for
all workers (stylesheets parsed) still says what it found."""

from __future__ import annotations

import multiprocessing
import os
import random
from dataclasses import replace

import pytest

from zinebuild import pipeline
from zinebuild.copies import _DUPLICATE_SHARE, _shingles, groups
from zinebuild.model import Paragraph, Text
from zinebuild.render import piece_html, print_pieces
from zinebuild.typeset import service
from zinebuild.typeset.service import Job, claims, lay_out_then_draw, longest_first
from zinebuild.typeset.weasy import NO_FURNITURE_CSS
from zinebuild.typeset.workers import RenderService

from .conftest import ROOT


def test_the_longest_piece_is_claimed_first_and_pictures_do_not_count_as_length():
    picture = '<img src="data:image/png;base64,' + "A" * 50_000 + '"/>'
    jobs = [Job("short, with a picture", "<p>few words</p>" + picture, ""),
            Job("long", "<p>" + "words " * 2000 + "</p>", ""),
            Job("middle", "<p>" + "words " * 200 + "</p>", "")]
    assert longest_first(jobs) == [1, 2, 0]


def test_workers_claim_each_piece_once_whoever_asks():
    counter = multiprocessing.get_context("fork").Value("l", 0)
    first, second = claims([4, 2, 0, 1, 3], counter), claims([4, 2, 0, 1, 3], counter)
    taken = [first(), first(), second(), first(), second(), second(), first()]
    assert taken == [4, 2, 0, 1, 3, None, None]  # one shared order: a worker done early takes the rest


class _Document:
    def __init__(self, pages: int):
        self.pages = [None] * pages


def test_a_worker_draws_before_it_holds_too_many_pages(monkeypatch):
    events = []
    monkeypatch.setattr(service, "HOLD_PAGES", 10)
    monkeypatch.setattr(service.weasy, "lay_out", lambda html, layout, css: _Document(int(html)))
    monkeypatch.setattr(service.weasy, "draw", lambda document, identifier: len(document.pages))
    monkeypatch.setattr(service.weasy, "page_names", lambda document: ("",) * len(document.pages))
    monkeypatch.setattr(service.weasy, "release", lambda: None)
    jobs = [Job(str(i), str(pages), "") for i, pages in enumerate([6, 6, 6, 1])]
    order = iter(range(4))
    lay_out_then_draw(0, jobs, lambda: next(order, None), None, "id", events.append)
    kinds = [(kind, index) for kind, _, index, _ in events]
    # 12 pages held after the second piece: the first is drawn before the third is laid out.
    assert kinds == [("pages", 0), ("pages", 1), ("done", 0), ("pages", 2), ("done", 1), ("pages", 3),
                     ("done", 2), ("done", 3)]


def _pairwise(shingles: list[set[int]]) -> list[tuple[int, int, float]]:
    """The definition: every pair, sharing at least _DUPLICATE_SHARE of the smaller's shingles."""
    found = []
    for i in range(len(shingles)):
        for j in range(i + 1, len(shingles)):
            if shingles[i] and shingles[j]:
                share = len(shingles[i] & shingles[j]) / min(len(shingles[i]), len(shingles[j]))
                if share >= _DUPLICATE_SHARE:
                    found.append((i, j, share))
    return found


def test_groups_of_near_duplicates_are_those_every_pair_would_make(small_project):
    project = pipeline.load(small_project)
    base = project.anthology.pieces[0]
    words = " ".join(f"word{n}" for n in range(400)).split()
    chance = random.Random(5)
    pieces = []
    for n in range(40):  # copies, halves, overlaps and strangers, in a shuffled order
        start = chance.choice([0, 0, 100, 200, 390])
        text = " ".join(words[start:start + chance.choice([20, 60, 120, 200])])
        if n % 7 == 0:
            text = f"unrelated text number {n} " * 3
        document = replace(base.document, title=f"Piece {n}", blocks=(Paragraph((Text(text),)),))
        pieces.append(replace(base, document=document))
    pairs = _pairwise([_shingles(p.document) for p in pieces])
    # The definition's groups: pieces joined by any pair, each with its pairs' least and greatest share.
    group_of = {i: {i} for i in range(len(pieces))}
    for i, j, _ in pairs:
        if group_of[i] is not group_of[j]:
            joined = group_of[i] | group_of[j]
            for k in joined:
                group_of[k] = joined
    expected = []
    for members in {id(g): g for g in group_of.values() if len(g) > 1}.values():
        shares = [share for i, j, share in pairs if i in members]
        expected.append((sorted(members), min(shares), max(shares)))
    found = groups(pieces)
    assert len(pairs) > 20 and len(expected) > 1
    assert [g for g, _, _ in found] == sorted(g for g, _, _ in expected)
    for (_, low, high), (_, want_low, want_high) in zip(found, sorted(expected)):
        assert abs(low - want_low) < 1e-9 and abs(high - want_high) < 1e-9


def test_stylesheet_warnings_survive_being_parsed_once_for_all_workers(small_project):
    """The service parses the stylesheets before it forks; what parsing said still comes back
    with every piece (it is each piece's warning, kept in the cache with it)."""
    layout = small_project.parent / "layouts" / "default"
    layout.mkdir(parents=True)
    (layout / "print.css").write_text((ROOT / "layouts" / "default" / "print.css").read_text()
                                      + "\np { color: no-such-colour; }\n")
    project = pipeline.load(small_project)
    jobs = [Job(piece.id, piece_html(project.anthology, project.layout, piece, kind), NO_FURNITURE_CSS)
            for piece, kind in print_pieces(project.anthology)]
    with RenderService(2) as render_service:
        rendered = render_service.pieces(jobs, project.layout, "id").rendered()
    assert len(rendered) == len(jobs) == 4
    assert all(any("no-such-colour" in warning for warning in piece.warnings) for piece in rendered)


def test_a_one_off_build_lets_the_language_model_go_and_serve_keeps_it(small_project):
    from zinebuild import langmodel

    pipeline.load(small_project)  # serve's way: the next edit needs the model again
    assert langmodel.loaded(), "the small project's pieces have no language of their own: the model was loaded"
    pipeline.load(small_project, once=True)  # `zinebuild build`: its 60 MiB go before the pages are laid out
    assert not langmodel.loaded()


TEXTS = ["The quick brown fox jumps over the lazy dog while the cat sleeps.",
         "Le renard brun saute par-dessus le chien paresseux pendant que le chat dort.",
         "Быстрая коричневая лиса прыгает через ленивую собаку, пока кошка спит."]


@pytest.fixture
def installation(tmp_path, monkeypatch):
    """The installation's folder for the unpacked model (langmodel.installed), empty at first:
    `make` fills the real one, which would answer before any build's cache."""
    from zinebuild import langmodel
    from zinebuild.cache import BlobCache

    folder = tmp_path / "installation"
    monkeypatch.setattr(langmodel, "installed", lambda read_only=True: BlobCache(folder, read_only))
    langmodel.release()
    yield folder
    langmodel.release()


def test_the_unpacked_language_model_kept_in_the_cache_answers_as_py3langid_does(tmp_path, installation):
    """Unpacking py3langid's model takes longer than a rebuild after an edit: the build's cache
    keeps it unpacked. Read back, it is the same model, and a damaged copy is read anew."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from zinebuild import langmodel
    from zinebuild.cache import BlobCache

    own = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    store = BlobCache(tmp_path / "cache")
    try:
        langmodel.identifier(store)  # unpacked from py3langid's file, and kept
        (kept,) = store.folder.glob("*.langid")
        langmodel.release()
        cached = langmodel.identifier(store)
        assert [cached.classify(t) for t in TEXTS] == [own.classify(t) for t in TEXTS]
        assert [cached.rank(t)[:5] for t in TEXTS] == [own.rank(t)[:5] for t in TEXTS]
        assert (cached.nb_ptc == own.nb_ptc).all() and list(cached.tk_nextmove) == list(own.tk_nextmove)
        kept.write_bytes(kept.read_bytes()[:-1000])  # torn: read as missing, unpacked again
        langmodel.release()
        assert [langmodel.identifier(store).classify(t) for t in TEXTS] == [own.classify(t) for t in TEXTS]
    finally:
        langmodel.release()


def test_the_model_unpacked_for_the_installation_serves_every_build_and_is_only_read(tmp_path, installation):
    """`make` unpacks the model once (python -m zinebuild.langmodel): a first build in a new
    folder then neither unpacks it nor keeps a copy of 68 MB in its cache, and touches nothing
    of the installation's."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from zinebuild import langmodel
    from zinebuild.cache import BlobCache

    installation.mkdir()
    (installation / "an-older-model.langid").write_bytes(b"left by an older py3langid")
    path = langmodel.install()
    assert [p.name for p in installation.iterdir()] == [path.name]
    assert langmodel.install() == path  # a second run keeps it
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    store = BlobCache(tmp_path / "cache")
    own = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    assert [langmodel.identifier(store).classify(t) for t in TEXTS] == [own.classify(t) for t in TEXTS]
    assert not store.folder.exists() and path.stat().st_mtime_ns == stamp - 10**9


def test_unpacking_the_language_model_names_where_it_failed(monkeypatch, installation):
    """The model is unpacked into an unnamed temporary file: a full disk or a file-size limit
    there is reported with the folder, not as a bare 'File too large'."""
    import errno

    from zinebuild import langmodel
    from zinebuild.cache import BlobCache

    def full(source, target, length=0):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(langmodel.shutil, "copyfileobj", full)
    try:
        langmodel._load(BlobCache(None))
    except OSError as error:
        assert error.errno == errno.EFBIG and "unpacking the language model" in error.filename
    else:
        raise AssertionError("the model loaded though it could not be unpacked")
