"""Imposition warnings: creep from the stack, signatures for a thick saddle, a page shrunk onto a small scheme."""

from __future__ import annotations

import pytest

from zinebuild.impose import Options, impose, saddle
from zinebuild.units import MM, NAMED_SIZES

from .test_impose import numbered_pdf

A4 = NAMED_SIZES["a4"]
A5 = NAMED_SIZES["a5"]


def shifts(plan) -> list[float]:
    half = plan.sheet_width / 2
    return [side.slots[0].x + side.slots[0].width - half for side in plan.sides]


def test_creep_grows_with_the_stack_past_the_old_half_millimetre():
    plan = saddle.plan(124, A5, A4, Options(creep=0.1 * MM))
    found = shifts(plan)
    # the innermost (31st) sheet lies inside 30 others: 3 mm, where the old cap stopped at 0.5 mm
    assert found[-1] == pytest.approx(30 * 0.1 * MM) and max(found) == found[-1]
    assert found[:4] == pytest.approx([0, 0, 0.1 * MM, 0.1 * MM])
    # the right-hand page moves as far the other way, and both stay clipped to their half
    inner = plan.sides[-1].slots[1]
    assert plan.sheet_width / 2 - inner.x == pytest.approx(3 * MM)
    assert inner.cell == (plan.sheet_width / 2, 0, plan.sheet_width / 2, plan.sheet_height)
    assert not plan.warnings


def test_creep_past_the_inner_margin_is_a_warning():
    plan = saddle.plan(64, A5, A4, Options(creep=1 * MM, margin=5 * MM))
    assert len(plan.warnings) == 1 and "15.0 mm toward the fold" in plan.warnings[0]
    assert not saddle.plan(64, A5, A4, Options(creep=0.1 * MM, margin=5 * MM)).warnings


def test_a_thick_saddle_suggests_signatures():
    plan = saddle.plan(124, A5, A4, Options())
    assert plan.sheets == 31 and "signature = 11" in plan.advice[0]
    assert not saddle.plan(48, A5, A4, Options()).advice  # 12 sheets: one stapled stack
    assert not saddle.plan(124, A5, A4, Options(signature=8)).advice


def test_a_large_page_on_a_small_scheme_is_a_warning_with_the_scale():
    _, plan = impose(numbered_pdf(8), "minizine", A4)
    assert plan.scale == pytest.approx(0.5, abs=0.01)
    assert "148 × 210 mm are printed at 50%" in plan.warnings[0] and "74 × 105 mm" in plan.warnings[0]
    _, fitting = impose(numbered_pdf(8), "saddle", A4)
    assert fitting.scale == pytest.approx(1.0, abs=0.01) and not fitting.warnings


def ink_from_fold(data: bytes) -> list[tuple[float, float]]:
    """Per sheet side of an imposed PDF: how far from the fold the start of the text of its left
    and of its right page lies (points), measured on the sheet as printed. Every point of a page
    moves with it, so one edge of its text tells where the whole page went."""
    import pypdfium2

    found = []
    for page in pypdfium2.PdfDocument(data):
        width, _ = page.get_size()
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        left = [b for b in boxes if b[2] < width / 2 and b[2] > b[0]]
        right = [b for b in boxes if b[0] > width / 2 and b[2] > b[0]]
        found.append((width / 2 - min(b[0] for b in left) if left else None,
                      min(b[0] for b in right) - width / 2 if right else None))
    return found


@pytest.mark.parametrize("signature", [0, 4])
def test_folded_booklet_has_a_straight_fore_edge_text_line(signature):
    """Unfold the real booklet: sheet k of a stack lies inside k others, so once folded its
    fold sits k paper thicknesses further in and its fore-edge sticks out as far. Its pages
    must move toward the fold by as much, so that the text's distance from the book's spine
    (k × thickness + its distance from the sheet's own fold) is the same on every sheet."""
    thickness = 0.25 * MM
    data, plan = impose(numbered_pdf(40), "saddle", A4, Options(creep=thickness, signature=signature))
    reach = ink_from_fold(data)
    per_group = signature or plan.sheets
    from_spine: dict[str, list[float]] = {"left": [], "right": []}  # fore-edge side, fold side
    for index, sides in enumerate(reach):
        depth = (index // 2) % per_group  # sheets outside this one in its own fold
        for half, distance in zip(from_spine, sides):
            if distance is not None:
                from_spine[half].append(depth * thickness + distance)
    assert len(from_spine["left"]) + len(from_spine["right"]) == 40
    for found in from_spine.values():
        assert max(found) - min(found) < 0.05, found
    # Without compensation the inner sheets' text runs out toward the trimmed fore-edge.
    flat = ink_from_fold(impose(numbered_pdf(40), "saddle", A4, Options(creep=0.0, signature=signature))[0])
    innermost = 2 * (per_group - 1)  # the front of the first fold's innermost sheet
    assert flat[innermost][0] == pytest.approx(flat[0][0], abs=0.05)
    assert reach[innermost][0] == pytest.approx(reach[0][0] - (per_group - 1) * thickness, abs=0.05)


def test_a_booklet_build_warns_when_creep_reaches_the_text(tmp_path, caplog):
    """[output] creep is the paper's thickness; the built booklet's innermost sheet moves by it
    times the sheets outside, and past the page's inner margin the build says text is lost."""
    from zinebuild.writers import booklet
    from zinebuild.settings import Settings

    from .test_typography import PARAGRAPHS, small_book

    files = {"one.md": f"# One\n\n{PARAGRAPHS}\n\n{PARAGRAPHS}\n\n{PARAGRAPHS}\n"}

    # A6 pages (12 mm inside) sit against the fold of A4 sheets, their spare room outside.
    project = small_book(tmp_path, 'page_size = "A6"\ncreep = "7mm"', files)
    _, plan = booklet.imposed(project.anthology, project.layout, Settings(jobs=1))
    depth = plan.sheets - 1
    assert depth >= 2 and len(plan.warnings) == 1, plan.warnings
    assert f"{depth * 7:.1f} mm toward the fold, past their 12.1 mm inner margin" in plan.warnings[0]
    project = small_book(tmp_path / "thin", 'page_size = "A6"\ncreep = "0.1mm"', files)
    assert not booklet.imposed(project.anthology, project.layout, Settings(jobs=1))[1].warnings
