"""Turn image files into what each output carries: decoded once, converted, fitted, stored once.

- screen (EPUB and the .html file): colour, at most SCREEN_SIDE pixels across, in a type every
  reading system shows (JPEG, PNG, GIF, SVG; WebP becomes PNG or JPEG);
- print (the PDF and so the booklet): downsampled to its printed size at PRINT_DPI, in
  colour, grayscale or dithered 1-bit (``[output] images``).

Metadata (EXIF, with a phone's place and time) is left behind, the photo turned upright
first; the same bytes in give the same bytes out, named by their hash, so that an image
used twice is stored once. Results are kept in memory for the build and in the build cache.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .cache import BlobCache, digest
from .config import OutputConfig
from .errors import InputError, Problem
from .fetch import Confined
from .imagefiles import NAMES, NO_FILES, is_data, read_hashed, reading, source_digest
from .imagefiles import source_bytes  # noqa: F401 (where the readers' tests have always found it)
from .model import Image as ImageBlock

PRINT_DPI = 300
LOW_DPI = 150  # below this a picture looks soft or blocky on paper
SCREEN_SIDE = 2048  # pixels on the longer side at most: an iPad's screen, more than an e-reader's
CSS_PX = 0.75  # points per CSS pixel: an image's natural size is one CSS pixel per pixel
# Share of the text block an image may fill; print.css says the same (max-height in vh,
# which WeasyPrint measures on the page area): room is left for a caption below a figure.
HEIGHT_SHARE = {None: 0.72, "full-page": 0.9}
# How a picture meets its box, as print.css sizes it: "in" shrinks it to fit, never enlarging
# it; "fill" makes it as large as the box allows (a full page); "cover" fills the box, edge to
# edge, cropping what overflows (a full-bleed picture, a cover).
FITS = {None: "in", "full-page": "fill", "full-bleed": "cover"}
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


_store = BlobCache(None)


def keep_in(folder: Path | None) -> None:
    """Keep converted images in this folder (the build cache) between builds."""
    global _store
    _store = BlobCache(folder)


SCREEN = ("screen", 0.0, 0.0, "in")


def screen(block: ImageBlock, output: OutputConfig | None = None, fetcher: Confined = NO_FILES) -> Asset:
    """As the EPUB and the .html file show it; with output, its print form is made from the same decoding."""
    also = [_print_want(output, block.role)] if output else []
    return converted(block.src, [SCREEN, *also], fetcher)[0]


def printed(block: ImageBlock, output: OutputConfig, fetcher: Confined = NO_FILES) -> Asset:
    """As the PDF prints it; its screen form is made from the same decoding (the EPUB wants it next)."""
    return converted(block.src, [_print_want(output, block.role), SCREEN], fetcher)[0]


def cover(path: str, output: OutputConfig, fetcher: Confined = NO_FILES) -> Asset:
    """A cover image for print: the whole trimmed page, at PRINT_DPI."""
    return converted(path, [_print_want(output, "full-bleed"), SCREEN], fetcher)[0]


def prepare(blocks: list[ImageBlock], output: OutputConfig, fetcher: Confined, jobs: int) -> None:
    """Convert the pictures no earlier build converted, `jobs` at once, into this build's memo.

    A book of phone photos spent seconds decoding them one after the other while the layout
    workers waited for their pieces. Threads, not processes: Pillow lets go of Python's lock
    while it decodes, resizes and encodes, and a thread forks nothing. The outputs then find
    every form made (converted); a picture that fails here is left to them, which report it.
    """
    from concurrent.futures import ThreadPoolExecutor

    todo: dict[str, tuple[str, list]] = {}  # source hash -> (src, forms still to make)
    for block in blocks:
        wanted = [_print_want(output, block.role), SCREEN]
        sha = source_digest(block.src, fetcher)
        known = _known(sha, wanted)
        src, forms = todo.setdefault(sha, (block.src, []))
        forms += [want for want in wanted if want not in known and want not in forms]
    todo = {sha: job for sha, job in todo.items() if job[1]}
    if not todo:
        return
    with _reused_pixels(), ThreadPoolExecutor(max(1, min(jobs, len(todo)))) as pool:
        made = [(sha, forms, pool.submit(_made, sha, src, forms, fetcher)) for sha, (src, forms) in todo.items()]
        for sha, forms, future in made:  # kept in the book's order, whatever finished first
            assets = future.result()
            if assets is not None:
                for want, asset in zip(forms, assets):
                    _keep(sha, want, asset)


@contextmanager
def _reused_pixels():
    """Pillow keeps the blocks of pixels it frees for the next picture, and lets them go after.

    Each large block is otherwise a mapping of its own (memory.py), faulted in page by page:
    20 phone photos faulted 200,000 pages, a tenth of their conversion's time."""
    from PIL import Image

    Image.core.set_blocks_max(_POOLED_BLOCKS)
    try:
        yield
    finally:
        Image.core.set_blocks_max(0)  # the pool's blocks freed: given back to the machine


_POOLED_BLOCKS = 8  # a decoded, a resized and a converted picture for each of a few threads


def _made(sha: str, src: str, forms: list, fetcher: Confined) -> list[Asset] | None:
    """The forms of one picture, in a thread of prepare(); None if it cannot be made here: a
    drawing is drawn by WeasyPrint and PDFium (svgprint.py), which are not for threads."""
    try:
        now, data = read_hashed(src, fetcher)
        return _decoding(sha, lambda: _convert(data, forms)) if now == sha and not _is_svg(data) else None
    except InputError:
        return None


def _print_want(output: OutputConfig, role: str | None) -> tuple[str, float, float, str]:
    return (output.images, *print_box(output, role), FITS[role])


def print_box(output: OutputConfig, role: str | None) -> tuple[float, float]:
    """The largest size, in points, an image may print at: the text block, less room for a caption
    (a full-bleed picture: the whole page)."""
    from .render import page_margins

    width, height = output.page_size.width, output.page_size.height
    if role == "full-bleed":
        return round(width, 2), round(height, 2)
    margins = page_margins(width, height)
    text_width = width - margins["inner"] - margins["outer"]
    text_height = height - margins["top"] - margins["bottom"]
    return round(text_width, 2), round(text_height * HEIGHT_SHARE[role], 2)


def converted(src: str, wanted: list[tuple[str, float, float, str]], fetcher: Confined) -> list[Asset]:
    sha = source_digest(src, fetcher)
    found = _known(sha, wanted)
    if len(_memo) > _MEMO_MOST:  # a long-lived process (a preview server) must not grow without end
        _memo.clear()
    if len(found) < len(wanted):  # only now are the bytes read: a rebuild finds every form stored
        now, data = read_hashed(src, fetcher)
        if now != sha:  # changed since it was hashed: what was read is what is converted
            sha, found = now, _known(now, wanted)
        missing = [want for want in wanted if want not in found]
        for want, asset in zip(missing, _decoding(sha, lambda: _convert(data, missing))):  # decoded once for all
            found[want] = _keep(sha, want, asset)
    return [found[want] for want in wanted]


def _keep(sha: str, want: tuple, asset: Asset) -> Asset:
    """asset in this build's memo and in the build cache."""
    _memo[(sha, *want)] = asset
    _store.put_blob(_entry(sha, want), ".image",
                    f"{asset.format} {asset.width} {asset.height} {asset.dpi}\n".encode() + asset.data)
    return asset


def _known(sha: str, wanted: list[tuple]) -> dict[tuple, Asset]:
    """The forms of the picture with this hash converted already, in this build or an earlier one."""
    found: dict[tuple, Asset] = {}
    for want in wanted:
        key = (sha, *want)
        if key not in _memo:
            stored = _store.get_blob(_entry(sha, want), ".image")
            if stored is not None:
                head, _, body = stored.partition(b"\n")
                fmt, width, height, dpi = head.decode().split()
                _memo[key] = Asset(body, fmt, int(width), int(height), float(dpi))
        if key in _memo:
            found[want] = _memo[key]
    return found


def _entry(sha: str, want: tuple) -> str:
    # WeasyPrint draws drawings for grayscale and bitmap print.
    return digest("image", *_makers(), sha, *map(str, want))


@lru_cache(maxsize=1)
def _makers() -> tuple[str, str]:
    """A new Pillow may encode the same pixels otherwise: its version is part of what made them.
    Once per process: each look-up of a version searched the installed packages again."""
    from importlib import metadata

    return f"pillow {metadata.version('pillow')}", f"weasyprint {metadata.version('weasyprint')}"


# This build's conversions, by (source hash, mode, box): an image used twice is converted once.
_memo: dict[tuple, Asset] = {}
_MEMO_MOST = 512


def _convert(data: bytes, wanted: list[tuple[str, float, float, str]]) -> list[Asset]:
    if _is_svg(data):
        return [_drawing(data, want) for want in wanted]
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    source_format = image.format or ""
    upright = _upright_size(image)
    plans = []  # (mode, pixels wanted, dpi in print)
    for mode, box_width, box_height, fit in wanted:
        if mode == "screen":
            plans.append((mode, _screen_size(upright, source_format), 0.0))
        else:
            width_pt, height_pt = _printed_size(upright, box_width, box_height, fit)
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
    width_pt, height_pt = _printed_size((width, height), box_width, box_height, fit)
    return _encoded(_in_mode(rasterised(data, width_pt, height_pt, PRINT_DPI), mode), False, PRINT_DPI)


def _decoding(sha: str, step):
    """step(), a file Pillow cannot read turned into an input error that names it."""
    try:
        return step()
    except (OSError, ValueError, SyntaxError) as error:  # Pillow's ways of saying "not an image I know"
        raise InputError(Problem(f"cannot read this image: {error}", file=NAMES.get(sha),
                                 hint="open it in an image editor and save it again as JPEG or PNG")) from None


def _is_svg(data: bytes) -> bool:
    return re.search(rb"<svg[\s>]", data[:4096]) is not None


def _upright_size(image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else image.size


def _printed_size(size: tuple[int, int], box_width: float, box_height: float, fit: str = "in") -> tuple[float, float]:
    """Its natural size (a CSS pixel per pixel) fitted to the box as print.css lays it out (FITS)."""
    width, height = size[0] * CSS_PX, size[1] * CSS_PX
    scales = (box_width / width, box_height / height)
    scale = max(scales) if fit == "cover" else min(scales) if fit == "fill" else min(1.0, *scales)
    return width * scale, height * scale


def print_dpi(block: ImageBlock, output: OutputConfig, fetcher: Confined) -> float | None:
    """Pixels per inch of an image at its printed size (None for a drawing in SVG)."""
    size = _source_size(block.src, fetcher)
    if size is None:
        return None
    width_pt, _ = _printed_size(size, *print_box(output, block.role), FITS[block.role])
    return size[0] / (width_pt / 72)


def _source_size(src: str, fetcher: Confined) -> tuple[int, int] | None:
    """The picture's upright size in pixels (None for SVG), from its header, once per version."""
    sha = source_digest(src, fetcher)
    if sha not in _SIZES:
        if len(_SIZES) > _MEMO_MOST:
            _SIZES.clear()
        _SIZES[sha] = reading(src, lambda: _header_size(src, sha, fetcher))
    return _SIZES[sha]


def _header_size(src: str, sha: str, fetcher: Confined) -> tuple[int, int] | None:
    # Pillow reads a file's header only (and a JPEG's EXIF, for the orientation): not 4 MB.
    # A file changed since source_digest hashed it has a new identity: a new hash, a new size next time.
    from PIL import Image

    with io.BytesIO(fetcher.read(src)) if is_data(src) else fetcher.path(Path(src)).open("rb") as stream:
        if _is_svg(stream.read(4096)):
            return None
        stream.seek(0)
        return _upright_size(_decoding(sha, lambda: Image.open(stream)))


_SIZES: dict[str, tuple[int, int] | None] = {}  # source hash -> upright size


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


def resolution_warnings(blocks: list[ImageBlock], output: OutputConfig, fetcher: Confined
                        ) -> list[tuple[ImageBlock, float]]:
    """The images that would print under LOW_DPI, with their resolution."""
    found = []
    for block in blocks:
        dpi = print_dpi(block, output, fetcher)
        if dpi is not None and dpi < LOW_DPI:
            found.append((block, dpi))
    return found
