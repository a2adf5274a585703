"""Turn image files into what each output carries: decoded once, converted, fitted, stored once.

- screen (EPUB and the .html file): colour, at most pixels.SCREEN_SIDE pixels across, in a type every
  reading system shows (JPEG, PNG, GIF, SVG; WebP becomes PNG or JPEG);
- print (the PDF and so the booklet): downsampled to its printed size at PRINT_DPI, in
  colour, grayscale or dithered 1-bit (``[output] images``).

Metadata (EXIF, with a phone's place and time) is left behind, the photo turned upright
first; the same bytes in give the same bytes out, named by their hash, so that an image
used twice is stored once. Results are kept in memory for the build and in the build cache.
The pixel work itself is pixels.py's.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .cache import BlobCache, digest
from .config import OutputConfig
from .errors import InputError, Problem
from .fetch import Confined
from .imagefiles import NAMES, NO_FILES, is_data, keep_digests_in, read_hashed, reading, source_digest
from .imagefiles import source_bytes  # noqa: F401 (where the readers' tests have always found it)
from . import pixels
from .model import Image as ImageBlock
from .pixels import PRINT_DPI, Asset

LOW_DPI = 150  # below this a picture looks soft or blocky on paper
# Share of the text block an image may fill; print.css says the same (max-height in vh,
# which WeasyPrint measures on the page area): room is left for a caption below a figure.
HEIGHT_SHARE = {None: 0.72, "full-page": 0.9}
# How a picture meets its box, as print.css sizes it: "in" shrinks it to fit, never enlarging
# it; "fill" makes it as large as the box allows (a full page); "cover" fills the box, edge to
# edge, cropping what overflows (a full-bleed picture, a cover).
FITS = {None: "in", "full-page": "fill", "full-bleed": "cover"}


_store = BlobCache(None)


def keep_in(folder: Path | None) -> None:
    """Keep converted images in this folder (the build cache) between builds."""
    global _store
    _store = BlobCache(folder)
    keep_digests_in(folder)  # and the source files' hashes, which name those images


SCREEN = ("screen", 0.0, 0.0, "in")


def screen(block: ImageBlock, output: OutputConfig | None = None, fetcher: Confined = NO_FILES) -> Asset:
    """As the EPUB and the .html file show it; with output, its print form is made from the same decoding."""
    also = [_print_want(output, block.role)] if output else []
    return converted(block.src, [SCREEN, *also], fetcher)[0]


def printed(block: ImageBlock, output: OutputConfig, fetcher: Confined = NO_FILES) -> Asset:
    """As the PDF prints it; its screen form is made from the same decoding (the EPUB wants it next)."""
    return converted(block.src, [_print_want(output, block.role), SCREEN], fetcher)[0]


def cover(path: str, output: OutputConfig, fetcher: Confined = NO_FILES) -> Asset:
    """A cover image for print: the whole trimmed page, at PRINT_DPI. (Its screen form, which
    only the .html file shows, is made when that asks for it: cover_src.)"""
    return converted(path, [_print_want(output, "full-bleed")], fetcher)[0]


def drawn_at_print_size(src: str, asset: Asset, output: OutputConfig) -> None:
    """A picture drawn for print at the page's size and PRINT_DPI (the cover drawn from
    cover.html, cover.py) is its own full-bleed print form in colour. Converted as any other,
    its 4 MP were decoded, resized by one pixel and encoded again: 0.3 s of the build process."""
    if output.images == "colour":
        _memo[(source_digest(src), *_print_want(output, "full-bleed"))] = asset


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
        return _decoding(sha, lambda: pixels.convert(data, forms)) if now == sha and not pixels.is_svg(data) else None
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
        for want, asset in zip(missing, _decoding(sha, lambda: pixels.convert(data, missing))):  # decoded once for all
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


def _decoding(sha: str, step):
    """step(), a file Pillow cannot read turned into an input error that names it."""
    try:
        return step()
    except (OSError, ValueError, SyntaxError) as error:  # Pillow's ways of saying "not an image I know"
        raise InputError(Problem(f"cannot read this image: {error}", file=NAMES.get(sha),
                                 hint="open it in an image editor and save it again as JPEG or PNG")) from None


def print_dpi(block: ImageBlock, output: OutputConfig, fetcher: Confined) -> float | None:
    """Pixels per inch of an image at its printed size (None for a drawing in SVG)."""
    size = _source_size(block.src, fetcher)
    if size is None:
        return None
    width_pt, _ = pixels.printed_size(size, *print_box(output, block.role), FITS[block.role])
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
        if pixels.is_svg(stream.read(4096)):
            return None
        stream.seek(0)
        return pixels.upright_size(_decoding(sha, lambda: Image.open(stream)))


_SIZES: dict[str, tuple[int, int] | None] = {}  # source hash -> upright size


def resolution_warnings(blocks: list[ImageBlock], output: OutputConfig, fetcher: Confined
                        ) -> list[tuple[ImageBlock, float]]:
    """The images that would print under LOW_DPI, with their resolution."""
    found = []
    for block in blocks:
        dpi = print_dpi(block, output, fetcher)
        if dpi is not None and dpi < LOW_DPI:
            found.append((block, dpi))
    return found
