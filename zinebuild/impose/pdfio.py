"""Carry out an imposition Plan on PDF bytes: the only module that touches PDF pages."""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name

from .plan import Plan

_DUPLEX = {"short": Name.DuplexFlipShortEdge, "long": Name.DuplexFlipLongEdge, "simplex": Name.Simplex}


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's trimmed size; raises pikepdf.PasswordError for a PDF that needs a password."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [_size(page) for page in pdf.pages]


def _size(page: pikepdf.Page) -> tuple[float, float]:
    box = page.trimbox
    return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])


def apply(plan: Plan, data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as out:
        forms = {}
        for side in plan.sides:
            sheet = out.add_blank_page(page_size=(plan.sheet_width, plan.sheet_height))
            commands = []
            for slot in side.slots:
                if slot.page is None:
                    continue
                if slot.page not in forms:
                    src_page = source.pages[slot.page]
                    form = src_page.as_form_xobject()
                    # Bounded by the bleed box, not the trim: a layout's bleed reaches the sheet.
                    form.BBox = pikepdf.Array(float(v) for v in src_page.bleedbox)
                    forms[slot.page] = (out.copy_foreign(form), _size(src_page), src_page.trimbox)
                form, (w, h), box = forms[slot.page]
                # Named after the page, not at random: the same book gives the same bytes.
                name = sheet.add_resource(form, Name.XObject, Name(f"/Page{slot.page + 1}"))
                scale = slot.width / w
                x0, y0 = float(box[0]), float(box[1])
                if slot.rotation == 180:
                    matrix = (-scale, 0, 0, -scale, slot.x + slot.width + scale * x0, slot.y + slot.height + scale * y0)
                else:
                    matrix = (scale, 0, 0, scale, slot.x - scale * x0, slot.y - scale * y0)
                numbers = " ".join(f"{v:.4f}" for v in matrix)
                cx, cy, cw, ch = slot.cell or (slot.x, slot.y, slot.width, slot.height)
                # Clipped to its cell: no page paints over its neighbour across a fold or cut.
                commands.append(f"q {cx:.4f} {cy:.4f} {cw:.4f} {ch:.4f} re W n {numbers} cm {name} Do Q")
            if side.marks:
                lines = " ".join(f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l" for x0, y0, x1, y1 in side.marks)
                commands.append(f"q 0.25 w 0 G {lines} S Q")
            if commands:
                sheet.contents_add(pikepdf.Stream(out, "\n".join(commands).encode()), prepend=False)
        out.Root.ViewerPreferences = pikepdf.Dictionary(Duplex=_DUPLEX[plan.duplex], PrintScaling=Name("/None"))
        if "/Info" in source.trailer:
            out.docinfo = out.copy_foreign(source.docinfo)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True)
        return buffer.getvalue()
