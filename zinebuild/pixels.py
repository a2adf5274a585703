"""Turn one picture's bytes into the forms the outputs want: decoded once, upright, resized, in
print's mode (colour, grayscale, 1-bit), encoded without metadata.

Pure pixel work, with no memory of earlier pictures: images.py decides which forms a picture
needs, keeps what is made, and names the picture in errors.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
from dataclasses import dataclass
from functools import cached_property

PRINT_DPI = 300
SCREEN_SIDE = 2048  # pixels on the longer side at most: an iPad's screen, more than an e-reader's
CSS_PX = 0.75  # points per CSS pixel: an image's natural size is one CSS pixel per pixel
_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "GIF": ("image/gif", ".gif"),
          "SVG": ("image/svg+xml", ".svg")}
_PHOTO_FORMATS = {"JPEG", "MPO", "WEBP"}


@dataclass(frozen=True)
class Asset:
    data: bytes
    format: str  # JPEG, PNG, GIF or SVG
    width: int = 0  # pixels; 0 for SVG
    height: int = 0
    dpi: float = 0.0  # print: pixels per inch at the printed size; 0 for SVG and screen

    @property
    def media_type(self) -> str:
        return _TYPES[self.format][0]

    @cached_property  # asked for by every output, of megabytes of data
    def name(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:20] + _TYPES[self.format][1]

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode()}"


def convert(data: bytes, wanted: list[tuple[str, float, float, str]]) -> list[Asset]:
    if is_svg(data):
        return [_drawing(data, want) for want in wanted]
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    source_format = image.format or ""
    upright = upright_size(image)
    plans = []  # (mode, pixels wanted, dpi in print)
    for mode, box_width, box_height, fit in wanted:
        if mode == "screen":
            plans.append((mode, _screen_size(upright, source_format), 0.0))
        else:
            width_pt, height_pt = printed_size(upright, box_width, box_height, fit)
            plans.append((mode, (max(1, math.ceil(width_pt / 72 * PRINT_DPI)),
                                 max(1, math.ceil(height_pt / 72 * PRINT_DPI))), round(upright[0] / (width_pt / 72), 1)))
    largest = max((target for _, target, _ in plans), key=lambda t: t[0] * t[1])
    image.draft(None, largest if upright == image.size else largest[::-1])  # JPEG: decode at a fraction, fast
    ImageOps.exif_transpose(image, in_place=True)  # not a copy of an upright photo's 12 MB
    out = []
    for mode, target, dpi in plans:
        if mode == "screen" and source_format == "GIF" and max(upright) <= SCREEN_SIDE:
            out.append(Asset(data, "GIF", *upright))  # kept whole: it may move
            continue
        one = _in_mode(_resized(image, target), mode)
        out.append(_encoded(one, source_format in _PHOTO_FORMATS and mode != "bitmap", dpi))
    return out


def _in_mode(image, mode: str):
    """The picture as print wants it: "colour" as it is, "grayscale", or "bitmap" (1-bit)."""
    from PIL import Image

    if mode == "grayscale":
        return image.convert("LA" if _has_alpha(image) else "L")
    if mode == "bitmap":
        # Dithered at the printed resolution, on white: a copier keeps black dots, not grays.
        return _on_white(image).convert("L").convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    return image


def _drawing(data: bytes, want: tuple[str, float, float, str]) -> Asset:
    """An SVG drawing: kept as it is (the reading system or WeasyPrint draws it at any size),
    except for grayscale and bitmap print, drawn at its printed size (svgprint.py)."""
    mode, box_width, box_height, fit = want
    if mode in ("screen", "colour"):
        return Asset(data, "SVG")
    from .svgprint import natural_size, rasterised

    width, height = natural_size(data)
    width_pt, height_pt = printed_size((width, height), box_width, box_height, fit)
    return _encoded(_in_mode(rasterised(data, width_pt, height_pt, PRINT_DPI), mode), False, PRINT_DPI)


def is_svg(data: bytes) -> bool:
    return re.search(rb"<svg[\s>]", data[:4096]) is not None


def upright_size(image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else image.size


def printed_size(size: tuple[int, int], box_width: float, box_height: float, fit: str = "in") -> tuple[float, float]:
    """Its natural size (a CSS pixel per pixel) fitted to the box as print.css lays it out (FITS)."""
    width, height = size[0] * CSS_PX, size[1] * CSS_PX
    scales = (box_width / width, box_height / height)
    scale = max(scales) if fit == "cover" else min(scales) if fit == "fill" else min(1.0, *scales)
    return width * scale, height * scale


def _screen_size(upright: tuple[int, int], source_format: str) -> tuple[int, int]:
    """At most SCREEN_SIDE on the longer side. A JPEG: its size at the largest scale its decoder
    makes itself (1, 1/2, 1/4, 1/8; Pillow's draft) that fits, when that keeps three quarters of
    SCREEN_SIDE or more: decoded at that size, it needs no resizing after (60 ms of a 12 MP
    phone photo's 240); smaller, it would look soft on a tablet, and is resized as any picture."""
    fitted = _fit_side(upright, SCREEN_SIDE)
    if source_format in ("JPEG", "MPO"):
        for scale in (1, 2, 4, 8):
            size = (-(-upright[0] // scale), -(-upright[1] // scale))  # as libjpeg rounds
            if max(size) <= SCREEN_SIDE:
                return size if scale == 1 or max(size) >= SCREEN_SIDE * 3 // 4 else fitted
    return fitted


def _fit_side(size: tuple[int, int], most: int) -> tuple[int, int]:
    scale = min(1.0, most / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _resized(image, target: tuple[int, int]):
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    if target[0] < image.width and target[1] < image.height:
        from PIL import Image

        # Bicubic, which Pillow widens with the reduction (no aliasing): 33 ms for a 12 MP photo
        # decoded at half size, where Lanczos took 58, on the critical path before pieces are laid out.
        image = image.resize(target, Image.Resampling.BICUBIC, reducing_gap=3.0)
    return image


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _on_white(image):
    from PIL import Image

    if not _has_alpha(image):
        return image
    image = image.convert("RGBA")
    background = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(background, image).convert("RGB")


def _encoded(image, photo: bool, dpi: float = 0.0) -> Asset:
    """JPEG for photos without transparency, PNG for everything else; no metadata either way."""
    out = io.BytesIO()
    if photo and image.mode in ("RGB", "L"):
        image.save(out, "JPEG", quality=88)
        fmt = "JPEG"
    else:
        image.save(out, "PNG", optimize=image.mode == "1")
        fmt = "PNG"
    return Asset(out.getvalue(), fmt, image.width, image.height, dpi)
