"""What keeps a build's memory low: freed blocks given back to the system, the language model
used in place in its file. Each case runs in a Python process of its own, whose memory is
what it measures (the test process holds whatever earlier tests left)."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import ROOT

_PSS = textwrap.dedent("""
    def pss():  # KiB of this process's proportional set size
        with open("/proc/self/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
""")

# A large block freed once raises glibc's threshold for mapping blocks of their own (to its
# size, up to 32 MiB); the next large block then comes from the heap, and a small block
# allocated above it keeps it there once freed (the cover drawn, then an image resized).
_FREED_BLOCK_KEPT = _PSS + textwrap.dedent("""
    first = b"x" * (24 << 20)  # written: pages in use, not merely reserved
    del first
    before = pss()
    block = b"x" * (16 << 20)
    above = b"x" * (100 << 10)
    del block
    print(pss() - before)
""")


def _kept_kib(setup: str) -> int:
    code = setup + "\n" + _FREED_BLOCK_KEPT
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator, /proc")
def test_a_build_gives_back_a_large_block_it_freed():
    without = _kept_kib("")
    if without < 12 << 10:
        pytest.skip(f"this C library gives the block back by itself (kept {without} KiB)")
    # start_service is the first thing a build does: the setting is in place before the service forks
    started = ("from zinebuild.typeset.workers import start_service\n"
               "start_service(1).close()")
    assert _kept_kib(started) < 4 << 10, "the freed 16 MiB stayed in the build's memory"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_the_language_model_is_read_in_place_a_few_pages_of_it(tmp_path):
    """Unpacked (cold cache) or read back (warm), the 68 MB model is not copied into the process
    that uses it: its arrays are views of a mapped file, whose pages it lets go of once it has
    checked the file and after each answer. Copied, as it was, it took 110 MiB."""
    code = _PSS + textwrap.dedent(f"""
        from pathlib import Path
        from zinebuild import langmodel
        from zinebuild.cache import BlobCache
        import numpy, py3langid.langid  # imported before measuring: their code is not the model
        langmodel.installed = lambda read_only=True: BlobCache(None)  # as without `make`'s copy
        for _ in range(2):  # unpacked into the cache, then read back from it
            before = pss()
            model = langmodel.identifier(BlobCache(Path({str(tmp_path)!r})))
            loaded = pss() - before
            answer = model.classify("The quick brown fox jumps over the lazy dog while the cat sleeps.")
            print(answer[0], loaded, pss() - before, model.nb_ptc.base is not None, type(model.tk_nextmove).__name__)
            del model
            langmodel.release()
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = done.stdout.split("\n")[:2]
    assert len(list(tmp_path.glob("*.langid"))) == 1
    for line in lines:
        language, loaded, used, view, nextmove = line.split()
        assert language == "en"
        assert view == "True" and nextmove == "memoryview", "the model's arrays are copies, not views of its file"
        assert int(loaded) < 16 << 10, f"loading the model took {int(loaded) >> 10} MiB"
        # One sentence reads tens of MiB of pages (a file system maps a page's neighbours with it).
        assert int(used) < 16 << 10, f"the model kept {int(used) >> 10} MiB after one sentence"


def test_a_one_off_build_stops_its_render_service_once_the_pages_are_in(small_project, tmp_path):
    """The service's WeasyPrint (50 MiB) is gone while the book is joined and imposed; asked
    again (a separate cover sheet), it starts anew; serve's service stays for the next build."""
    from pypdf import PdfReader

    from zinebuild import pipeline
    from zinebuild.settings import Settings
    from zinebuild.typeset.workers import RenderService

    project = pipeline.load(small_project)
    for rests in (True, False):
        with RenderService(2, rests=rests) as service:
            first = service.process
            out = tmp_path / f"rests-{rests}"
            (pdf,) = pipeline.build(project, ("pdf",), out, settings=Settings(jobs=2, cache_dir=out / "cache",
                                                                              service=service))
            assert len(PdfReader(pdf).pages) >= 2
            assert first.is_alive() is not rests
            again = service.render("<p>A cover sheet, later.</p>", project.layout, "id").result()
            assert "cover sheet, later" in PdfReader(io.BytesIO(again.pdf)).pages[0].extract_text()
            assert service.process.is_alive() and (service.process is first) is not rests


def test_a_render_service_does_not_rest_while_an_answer_is_awaited(small_project):
    from zinebuild import pipeline
    from zinebuild.typeset.workers import RenderService

    layout = pipeline.load(small_project).layout
    with RenderService(2, rests=True) as service:
        pending = service.render("<p>Still wanted.</p>", layout, "id")
        service.rest()
        assert not service.resting and service.process.is_alive()
        assert pending.result().pages == 1
        service.rest()
        assert service.resting and not service.process.is_alive()


def _noting_renders(monkeypatch, notes: Path, together: int, wait: float) -> None:
    """Each render a worker does notes its start and end in `notes` (the service forks after
    this), and waits for `together` renders to have started, `wait` seconds at most."""
    from zinebuild.typeset import service as service_module

    render_one = service_module._render_one

    def noted(ticket, *args):
        with notes.open("a") as file:
            file.write(f"start {ticket}\n")
        deadline = time.monotonic() + wait
        while notes.read_text().count("start") < together and time.monotonic() < deadline:
            time.sleep(0.02)
        with notes.open("a") as file:
            file.write(f"end {ticket}\n")
        render_one(ticket, *args)

    monkeypatch.setattr(service_module, "_render_one", noted)


def _most_at_once(notes: Path) -> int:
    running = most = 0
    for line in notes.read_text().splitlines():
        running += 1 if line.startswith("start") else -1
        most = max(most, running)
    return most


@pytest.mark.parametrize("limit", [1, 2])
def test_the_render_service_runs_no_more_workers_than_it_may(small_project, tmp_path, monkeypatch, limit):
    # Each worker holds its pages: while the build cleans its sources on a core of its own,
    # two covers drawn beside it at once only added memory (pipeline.ahead asks for one fewer).
    from zinebuild import pipeline
    from zinebuild.typeset.workers import RenderService

    notes = tmp_path / "notes.txt"
    _noting_renders(monkeypatch, notes, together=limit + 1, wait=0.5)  # the time for one more to start, were it let
    layout = pipeline.load(small_project).layout
    with RenderService(2) as service:
        service.limit(limit)
        pending = [service.render(f"<p>Page {n}.</p>", layout, "id") for n in range(4)]
        assert [answer.result().pages for answer in pending] == [1] * 4
    assert _most_at_once(notes) <= limit
    assert notes.read_text().count("end") == 4


def test_without_a_limit_a_render_starts_at_once(small_project, tmp_path, monkeypatch):
    # The skeleton, asked for while both workers of pieces still draw, shares the cores with them
    # and ends with them, not after them; and the limit a build asked for while reading is lifted.
    from zinebuild import pipeline
    from zinebuild.typeset.workers import RenderService

    notes = tmp_path / "notes.txt"
    _noting_renders(monkeypatch, notes, together=3, wait=10)
    layout = pipeline.load(small_project).layout
    with RenderService(2) as service:
        service.limit(1)
        service.limit(None)
        pending = [service.render(f"<p>Page {n}.</p>", layout, "id") for n in range(3)]
        assert [answer.result().pages for answer in pending] == [1] * 3
    assert _most_at_once(notes) == 3
