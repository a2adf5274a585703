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
