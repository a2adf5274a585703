"""Imposition: the pure saddle plan against hand-worked tables, then real sheets."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2
import pytest
from weasyprint import HTML

from zinebuild.impose import impose, saddle
from zinebuild.units import MM, NAMED_SIZES

A4 = NAMED_SIZES["a4"]
A5 = NAMED_SIZES["a5"]


# Pages numbered from 1 here, as a person folding the sheets would; "-" is a blank.
@pytest.mark.parametrize("n, expected", [
    (4, ["4 1", "2 3"]),
    (8, ["8 1", "2 7", "6 3", "4 5"]),
    # 5 pages: 3 blanks go before the back cover, which stays on the outside.
    (5, ["5 1", "2 -", "- 3", "4 -"]),
    (6, ["6 1", "2 -", "- 3", "4 5"]),
    (12, ["12 1", "2 11", "10 3", "4 9", "8 5", "6 7"]),
    (1, ["- 1", "- -"]),
])
def test_saddle_sides_hand_worked(n, expected):
    sides = saddle.sheet_sides(saddle.page_order(n))
    shown = [" ".join("-" if p is None else str(p + 1) for p in side) for side in sides]
    assert shown == expected


@pytest.mark.parametrize("n", range(1, 41))
def test_folding_the_stack_reads_in_order(n):
    """Stack the sheets (first sheet outside), fold: reading order must be 1..n, blanks before the last."""
    plan = saddle.plan(n, A5, A4)
    assert plan.sheets == -(-n // 4)
    # A folded sheet gives, in reading order: front-right, back-left, back-right, front-left.
    # Nested sheets: outer sheet's first half, inner sheets..., outer sheet's second half.
    halves_first, halves_last = [], []
    for s in range(plan.sheets):
        front, back = plan.sides[2 * s], plan.sides[2 * s + 1]
        halves_first.append([front.slots[1].page, back.slots[0].page])
        halves_last.insert(0, [back.slots[1].page, front.slots[0].page])
    reading = [p for pair in halves_first + halves_last for p in pair]
    assert [p for p in reading if p is not None] == list(range(n))
    if n > 1:
        assert reading[-1] == n - 1  # the back cover stays last


def test_saddle_geometry_a5_on_a4():
    plan = saddle.plan(8, A5, A4)
    assert (plan.sheet_width, plan.sheet_height) == pytest.approx((297 * MM, 210 * MM))
    left, right = plan.sides[0].slots
    assert left.x + left.width == pytest.approx(plan.sheet_width / 2)  # pages meet at the fold
    assert right.x == pytest.approx(plan.sheet_width / 2)
    assert left.width == pytest.approx(148 * MM) and left.height == pytest.approx(210 * MM)
    assert plan.duplex == "short"


def test_pages_too_big_for_half_a_sheet_are_scaled_down():
    plan = saddle.plan(4, A5, NAMED_SIZES["letter"])
    slot = plan.sides[0].slots[0]
    assert slot.width <= plan.sheet_width / 2 + 1e-6
    assert slot.height / slot.width == pytest.approx(A5[1] / A5[0])


def test_smaller_pages_sit_at_the_fold_unscaled():
    plan = saddle.plan(4, NAMED_SIZES["a6"], A4)
    left, right = plan.sides[0].slots
    assert left.width == pytest.approx(105 * MM)
    assert left.x + left.width == pytest.approx(plan.sheet_width / 2)
    assert right.x == pytest.approx(plan.sheet_width / 2)


def numbered_pdf(n: int) -> bytes:
    pages = "".join(f'<div class="p">PAGE{i + 1:02d}</div>' for i in range(n))
    css = "@page { size: A5; margin: 20mm } .p { break-after: page; font-size: 30pt }"
    return HTML(string=f"<style>{css}</style>{pages}").write_pdf()


def half_texts(data: bytes) -> list[tuple[str, str]]:
    """The text of the left and right half of every sheet side, read off the imposed PDF."""
    out = []
    pdf = pypdfium2.PdfDocument(data)
    for page in pdf:
        width, height = page.get_size()
        text = page.get_textpage()
        out.append((text.get_text_bounded(0, 0, width / 2, height).strip(),
                    text.get_text_bounded(width / 2, 0, width, height).strip()))
    return out


def test_imposed_pdf_places_the_right_pages():
    data, plan = impose(numbered_pdf(6), "saddle", A4)
    halves = half_texts(data)
    assert halves == [("PAGE06", "PAGE01"), ("PAGE02", ""), ("", "PAGE03"), ("PAGE04", "PAGE05")]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 4
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 842, 595]
        assert pdf.Root.ViewerPreferences.Duplex == pikepdf.Name.DuplexFlipShortEdge
        # Pages are placed as form XObjects: vector, not rasterised.
        xobjects = pdf.pages[0].Resources.XObject
        assert all(xobjects[k].Subtype == pikepdf.Name.Form for k in xobjects.keys())


def test_imposed_sheet_raster_shows_page_at_the_fold():
    data, _ = impose(numbered_pdf(4), "saddle", A4)
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=0.5).to_pil().convert("L")
    width, height = image.size
    # Ink on both halves (page 4 left, page 1 right), none in the outer margins' far corners.
    left = image.crop((0, 0, width // 2, height))
    right = image.crop((width // 2, 0, width, height))
    assert left.getextrema()[0] < 128 and right.getextrema()[0] < 128
    assert image.getpixel((2, 2)) > 250
