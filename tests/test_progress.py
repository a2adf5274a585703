"""Progress of a build: pieces done of total and the time left, on a terminal or when asked."""

from __future__ import annotations

import re

from click.testing import CliRunner

from zinebuild.cli import main
from zinebuild.progress import Estimate, ProgressLine, says


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_goes_by_the_share_of_work_done():
    clock = Clock()
    estimate = Estimate(clock)
    assert estimate.left("pdf", 0, 10) is None  # the stage begins: no pace yet
    clock.now += 6
    # Two long pieces of ten are a third of the work: twice as long again, not four times.
    assert estimate.left("pdf", 2, 10, share=1 / 3) == 12
    clock.now += 12
    assert estimate.left("pdf", 10, 10, share=1.0) == 0


def test_time_left_by_pieces_leaves_out_those_from_the_cache():
    clock = Clock()
    estimate = Estimate(clock)
    estimate.left("pdf", 6, 10)  # six came from the cache at once
    assert estimate.left("pdf", 6, 10) is None
    clock.now += 5
    assert estimate.left("pdf", 7, 10) == 15  # one of the four left took 5 s: three more to go
    estimate.left("booklet", 0, 1)  # a new stage starts its own pace
    clock.now += 1
    assert estimate.left("booklet", 0, 1) is None


def test_the_line_says_pieces_and_minutes():
    assert says("pdf", 7, 19, 75, "Title", width=10) == "pdf     [###.......] 7/19 pieces, about 1 min 15 s left: Title"
    assert says("epub", 1, 1, 0, "") == "epub    1/1"


def test_build_with_progress_shows_each_piece_and_the_time_left(small_project, tmp_path):
    result = CliRunner().invoke(main, ["build", str(small_project), "--out", str(tmp_path / "out"), "--progress",
                                       "--no-cache"])
    assert result.exit_code == 0, result.output
    counts = [(int(done), int(total)) for done, total in re.findall(r"^pdf +(\d+)/(\d+) pieces", result.stderr, re.M)]
    # The small book's four pieces, one by one (the first may come while the EPUB is written).
    assert counts == sorted(counts) and {done for done, _ in counts} >= {1, 2, 3, 4}, result.stderr
    assert {total for _, total in counts} == {4} and counts[-1] == (4, 4)
    assert re.search(r"^pdf +[123]/4 pieces, about \d+ s left: ", result.stderr, re.M), result.stderr
    assert "\r" not in result.stderr  # not a terminal: a line per step, nothing redrawn


def test_build_shows_no_progress_off_a_terminal_unless_asked(small_project, tmp_path):
    result = CliRunner().invoke(main, ["build", str(small_project), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "pieces" not in result.stderr and "/4" not in result.stderr
    assert ProgressLine.active is None


def test_the_time_left_moves_while_pieces_are_laid_out_before_any_is_drawn(small_project, tmp_path):
    """Workers lay out many pieces before they draw one (service.HOLD_PAGES): the share of the
    work done must grow with each layout, or the first estimate is of hours for a long book."""
    from zinebuild import pipeline
    from zinebuild.settings import Settings

    reports = []
    settings = Settings(jobs=1, cache_dir=None, progress=lambda *report: reports.append(report))
    pipeline.build(pipeline.load(small_project), ("pdf",), tmp_path / "out", settings=settings)
    pdf = [(done, share) for stage, done, total, label, *share in reports if stage == "pdf" and share]
    laid_out = [share[0] for done, share in pdf if done == 0]
    assert len(laid_out) == 4 and laid_out == sorted(laid_out) and 0 < laid_out[0] < laid_out[-1] < 1, pdf
    assert [done for done, _ in pdf] == [0, 0, 0, 0, 1, 2, 3, 4]
    assert abs(pdf[-1][1][0] - 1) < 1e-9
