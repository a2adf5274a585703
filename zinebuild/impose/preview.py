"""Turn an imposition plan and its PDF into a contact sheet: every sheet side, fold lines, page numbers."""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image, ImageDraw

from .plan import Plan

THUMB_WIDTH = 420  # pixels per sheet side
GAP = 24


def contact_sheet(plan: Plan, imposed: bytes) -> bytes:
    """A PNG: sheet sides in rows (front and back together), folds dashed red, page numbers in blue."""
    pdf = pypdfium2.PdfDocument(imposed)
    scale = THUMB_WIDTH / plan.sheet_width
    thumb_h = int(plan.sheet_height * scale)
    per_row = 1 if plan.duplex == "simplex" else 2
    rows = -(-len(plan.sides) // per_row)
    image = Image.new("RGB", (per_row * (THUMB_WIDTH + GAP) + GAP, rows * (thumb_h + 2 * GAP) + GAP), "#d9d9d9")
    draw = ImageDraw.Draw(image)
    for index, side in enumerate(plan.sides):
        row, column = divmod(index, per_row)
        left, top = GAP + column * (THUMB_WIDTH + GAP), GAP + row * (thumb_h + 2 * GAP) + GAP
        thumb = pdf[index].render(scale=scale).to_pil().convert("RGB").resize((THUMB_WIDTH, thumb_h))
        image.paste(thumb, (left, top))
        label = f"sheet {index // per_row + 1} {'front' if column == 0 else 'back'}" if per_row == 2 \
            else f"sheet {index + 1}"
        draw.text((left, top - GAP + 6), label, fill="black")

        def to_image(x: float, y: float) -> tuple[float, float]:
            return left + x * scale, top + (plan.sheet_height - y) * scale

        for x0, y0, x1, y1 in plan.folds:
            _dashed(draw, to_image(x0, y0), to_image(x1, y1))
        for slot in side.slots:
            cx, cy = to_image(slot.x + slot.width / 2, slot.y + slot.height / 2)
            text = "blank" if slot.page is None else str(slot.page + 1) + (" ↓" if slot.rotation == 180 else "")
            draw.rectangle((cx - 22, cy - 10, cx + 22, cy + 10), fill="white", outline="#1f4e9c")
            draw.text((cx - 18, cy - 6), text, fill="#1f4e9c")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _dashed(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], dash: float = 6) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    steps = int(length // dash)
    for i in range(0, steps, 2):
        a, b = i / max(steps, 1), min(1, (i + 1) / max(steps, 1))
        draw.line((x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                  fill="#c62828", width=2)
