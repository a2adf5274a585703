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


# ---------------------------------------------------------------- more schemes
from zinebuild import config as config_module  # noqa: E402
from zinebuild.impose import SCHEMES, Options, minizine, twoup  # noqa: E402


def test_config_knows_every_scheme():
    assert set(config_module.SCHEMES) == set(SCHEMES)


@pytest.mark.parametrize("n, sheets", [(8, 2), (9, 3), (20, 5), (24, 6)])
def test_saddle_signatures_fold_into_order(n, sheets):
    plan = saddle.plan(n, A5, A4, Options(signature=2))
    assert plan.sheets == sheets
    reading = []
    sides = list(plan.sides)
    # Each signature of (up to) 2 sheets is folded on its own, then the signatures are stacked.
    while sides:
        group = sides[:4]
        group_sheets = len(group) // 2
        sides = sides[4:]
        first, last = [], []
        for s in range(group_sheets):
            front, back = group[2 * s], group[2 * s + 1]
            first += [front.slots[1].page, back.slots[0].page]
            last = [back.slots[1].page, front.slots[0].page] + last
        reading += first + last
    assert [p for p in reading if p is not None] == list(range(n))
    assert reading[-1] == n - 1


def test_saddle_creep_moves_inner_sheets_toward_the_fold():
    creep = 0.1 * MM
    plan = saddle.plan(16, NAMED_SIZES["a6"], A4, Options(creep=creep))
    half = plan.sheet_width / 2
    for index, side in enumerate(plan.sides):
        depth = index // 2
        left, right = side.slots
        assert left.x + left.width == pytest.approx(half + depth * creep)
        assert right.x == pytest.approx(half - depth * creep)


def test_marks_are_planned_and_drawn():
    plan = saddle.plan(4, NAMED_SIZES["a6"], A4, Options(marks=True))
    assert len(plan.sides[0].marks) == 2 + 16  # two fold marks, eight crop marks per page
    data, _ = impose(numbered_pdf(4), "saddle", A4, Options(marks=True))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = b"".join(c.read_bytes() for c in pdf.pages[0].Contents) if isinstance(
            pdf.pages[0].Contents, pikepdf.Array) else pdf.pages[0].Contents.read_bytes()
    assert b" l" in content and b" S Q" in content


def test_two_up_side_by_side_in_order():
    plan = twoup.plan(5, A5, A4)
    shown = [" ".join("-" if s.page is None else str(s.page + 1) for s in side.slots) for side in plan.sides]
    assert shown == ["1 2", "3 4", "5 -"] and plan.duplex == "simplex"


def test_minizine_panels_hand_worked():
    plan = minizine.plan(8, NAMED_SIZES["a6"], A4)
    (side,) = plan.sides
    panel_w = plan.sheet_width / 4
    bottom = sorted((s for s in side.slots if s.rotation == 0), key=lambda s: s.x)
    top = sorted((s for s in side.slots if s.rotation == 180), key=lambda s: s.x)
    assert [s.page + 1 for s in bottom] == [6, 7, 8, 1]
    assert [s.page + 1 for s in top] == [5, 4, 3, 2]
    assert all(s.width <= panel_w + 1e-6 and s.y >= plan.sheet_height / 2 for s in top)
    assert plan.duplex == "simplex"


def test_minizine_folds_into_order():
    """Folded lengthwise, each top panel lies behind the bottom one below it; the booklet then
    reads: front cover (bottom right), its back, back along the top row, then the bottom row."""
    for n in range(1, 17):
        plan = minizine.plan(n, NAMED_SIZES["a6"], A4)
        reading = []
        for side in plan.sides:
            bottom = [s.page for s in sorted((s for s in side.slots if s.rotation == 0), key=lambda s: s.x)]
            top = [s.page for s in sorted((s for s in side.slots if s.rotation == 180), key=lambda s: s.x)]
            reading += [bottom[3], top[3], top[2], top[1], top[0], bottom[0], bottom[1], bottom[2]]
        assert [p for p in reading if p is not None] == list(range(n))


def test_minizine_sheet_shows_the_top_row_upside_down():
    data, _ = impose(numbered_pdf(8), "minizine", A4)
    page = pypdfium2.PdfDocument(data)[0]
    width, height = page.get_size()
    text = page.get_textpage()
    panel = width / 4
    bottom = [text.get_text_bounded(i * panel, 0, (i + 1) * panel, height / 2).strip() for i in range(4)]
    top = [text.get_text_bounded(i * panel, height / 2, (i + 1) * panel, height).strip() for i in range(4)]
    assert bottom == ["PAGE06", "PAGE07", "PAGE08", "PAGE01"]
    assert [t[::-1] if t.endswith("EGAP") else t for t in top] == ["PAGE05", "PAGE04", "PAGE03", "PAGE02"]
    # Upside down: the top row's ink sits near the fold, not near the sheet's top edge.
    image = page.render(scale=0.5).to_pil().convert("L")
    w, h = image.size
    upper_quarter = image.crop((0, 0, w, h // 4)).getextrema()[0]
    near_fold = image.crop((0, h // 4, w, h // 2)).getextrema()[0]
    assert near_fold < 128 and upper_quarter > 128


def test_quarter_sheets_fold_into_order():
    """Fold the head down behind, then the left half behind. Front to back, the right column
    stacks as: front bottom-right, the back behind it (bottom-left of the back, which is flipped
    on the long edge), then the folded-down top half: back top-left, front top-right; the left
    column folds in behind, reversed."""
    from zinebuild.impose import quarter

    for n in range(1, 25):
        plan = quarter.plan(n, NAMED_SIZES["a6"], A4)
        assert plan.duplex == "long" and plan.sheets == -(-n // 8)
        reading = []
        for s in range(plan.sheets):
            front, back = plan.sides[2 * s], plan.sides[2 * s + 1]
            f_tl, f_tr, f_bl, f_br = (slot.page for slot in front.slots)
            b_tl, b_tr, b_bl, b_br = (slot.page for slot in back.slots)
            right_column = [f_br, b_bl, b_tl, f_tr]
            left_column = [f_bl, b_br, b_tr, f_tl]
            reading += right_column + left_column[::-1]
        assert [p for p in reading if p is not None] == list(range(n))
        if n > 1:
            assert reading[-1] == n - 1


def test_quarter_geometry_a6_on_a4():
    from zinebuild.impose import quarter

    plan = quarter.plan(8, NAMED_SIZES["a6"], A4)
    assert (plan.sheet_width, plan.sheet_height) == pytest.approx((210 * MM, 297 * MM))
    top_left, top_right, bottom_left, bottom_right = plan.sides[0].slots
    assert top_left.rotation == top_right.rotation == 180 and bottom_left.rotation == 0
    assert bottom_left.x + bottom_left.width == pytest.approx(bottom_right.x)  # meeting at the spine
    assert top_left.width == pytest.approx(105 * MM)


def coloured_pdf(colours: list[str], bleed: str = "3mm", size: str = "A6") -> bytes:
    pages = "".join(f'<div class="p" style="page: c{i}">{i + 1}</div>' for i in range(len(colours)))
    rules = "".join(f"@page c{i} {{ background: {c}; }}" for i, c in enumerate(colours))
    css = f"@page {{ size: {size}; margin: 10mm; bleed: {bleed}; }} {rules} .p + .p {{ break-before: page; }}"
    return HTML(string=f"<style>{css}</style>{pages}").write_pdf()


def test_bleed_stays_on_its_own_side_of_the_fold():
    # Page 4 (red) and page 1 (blue) meet at the fold on the first sheet side.
    data, plan = impose(coloured_pdf(["blue", "white", "white", "red"]), "saddle", A4)
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=2).to_pil().convert("RGB")
    fold = image.width / 2
    mm = 2 * MM  # pixels per millimetre at scale 2
    red, blue = image.getpixel((int(fold - 1.5 * mm), image.height // 2)), image.getpixel((int(fold + 1.5 * mm), image.height // 2))
    assert red[0] > 200 and red[2] < 80, red  # the left page keeps its colour up to the fold
    assert blue[2] > 200 and blue[0] < 80, blue
    # Outside the trim, on the outer edges, the bleed is kept where the sheet has room.
    slot = plan.sides[0].slots[0]
    outer = image.getpixel((int((slot.x - 1.5 * MM) * 2), image.height // 2))
    assert outer[0] > 200 and outer[2] < 80, outer


def faces_of(side, rows: int, cols: int, sheet_w: float, sheet_h: float):
    """A plan's side as a grid of (page, upside_down), top row first, as printed."""
    grid = [[(None, False)] * cols for _ in range(rows)]
    for slot in side.slots:
        c = int((slot.x + slot.width / 2) / (sheet_w / cols))
        r = rows - 1 - int((slot.y + slot.height / 2) / (sheet_h / rows))
        grid[r][c] = (slot.page, slot.rotation == 180)
    return grid


def folded_saddle(plan, spine: str = "left"):
    """The plan's sheets stacked as they come out (the first outside), folded with the spine on
    the given side, read as a reader meets the pages."""
    from .folding import fold, reading_order, sheet_from_sides

    stack = []
    for s in range(plan.sheets):
        front = faces_of(plan.sides[2 * s], 1, 2, plan.sheet_width, plan.sheet_height)
        back = faces_of(plan.sides[2 * s + 1], 1, 2, plan.sheet_width, plan.sheet_height)
        stack += sheet_from_sides(front, back, "sideways")
    return reading_order(fold(stack, spine))


def test_fold_simulator_agrees_with_the_quarter_traced_by_hand():
    from zinebuild.impose import quarter

    from .folding import fold, reading_order, sheet_from_sides

    plan = quarter.plan(8, NAMED_SIZES["a6"], A4)
    front = faces_of(plan.sides[0], 2, 2, plan.sheet_width, plan.sheet_height)
    back = faces_of(plan.sides[1], 2, 2, plan.sheet_width, plan.sheet_height)
    stack = fold(fold(sheet_from_sides(front, back, "sideways"), "top"), "left")
    faces = reading_order(stack)
    assert [p for p, _ in faces] == list(range(8))
    assert not any(upside for _, upside in faces)  # every page reads the right way up


@pytest.mark.parametrize("n", [1, 5, 16, 17, 30])
def test_minizine_16_folds_into_order_the_right_way_up(n):
    from functools import reduce

    from zinebuild.impose import minizine16

    from .folding import fold, reading_order, sheet_from_sides

    plan = minizine16.plan(n, NAMED_SIZES["a7"], A4)
    assert plan.duplex == "short" and plan.sheets == -(-n // 16)
    reading = []
    for s in range(plan.sheets):
        front = faces_of(plan.sides[2 * s], 2, 4, plan.sheet_width, plan.sheet_height)
        back = faces_of(plan.sides[2 * s + 1], 2, 4, plan.sheet_width, plan.sheet_height)
        # The landscape sheet turns on its short edge: sideways, as seen.
        faces = reading_order(reduce(fold, ("left", "top", "left"), sheet_from_sides(front, back, "sideways")))
        assert not any(upside for page, upside in faces if page is not None)
        reading += [page for page, _ in faces]
    assert [p for p in reading if p is not None] == list(range(n))
    if n > 1:
        assert reading[-1] == n - 1


@pytest.mark.parametrize("n", [4, 7, 12, 30])
def test_fold_simulator_agrees_with_the_saddle_booklet(n):
    faces = folded_saddle(saddle.plan(n, A5, A4))
    assert [p for p, _ in faces if p is not None] == list(range(n))
    assert not any(upside for _, upside in faces)
