"""Turn Image blocks into what each output's markup points at: a file of the EPUB, a picture's
name in print and in the .html file.

The templates call these (render.py puts them in the context); the pixels are images.py's.

The templates name pictures (``zinebuild-picture:NAME``) rather than inline them. Print's
bytes stay in this process (named), go with each document to the process that lays it out,
and WeasyPrint's fetcher (fetch.py) finds them there; the .html file has each name replaced
by its data: URL once the whole page is written (with_data_urls). Inlined as base64 from the
start, 20 phone photos made every document megabytes longer, copied at each template macro
that wrapped them, hashed for the cache, sent through two pipes and decoded again: about
2.5 s of CPU a build.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from .config import OutputConfig
from .fetch import Confined
from .images import SCREEN, converted, cover, printed, screen
from .pixels import Asset
from .model import Image as ImageBlock

EPUB_FOLDER = "images"


def src_for(target: str, output: OutputConfig, fetcher: Confined):
    """What an <img src> is for a target: "epub" a file in the book; "screen" (the .html file)
    and "print" (and "cover") a picture's name, of its form for that target."""
    if target == "epub":
        return lambda block: f"../{EPUB_FOLDER}/{screen(block, output, fetcher).name}"
    if target == "screen":
        return lambda block: _named_url(screen(block, output, fetcher))
    return lambda block: _named_url(printed(block, output, fetcher))


def cover_src(output: OutputConfig, fetcher: Confined, for_screen: bool = False):
    """What a printed cover's <img src> is: for the .html file (for_screen) in colour, not print's."""
    if for_screen:
        return lambda path: _named_url(converted(path, [SCREEN], fetcher)[0])
    return lambda path: _named_url(cover(path, output, fetcher))


PICTURE_SCHEME = "zinebuild-picture:"
# The names are images.py's: a hash of the bytes and the type's suffix.
_NAME = r"([0-9a-f]{20}\.(?:jpg|png|gif|svg))"
_NAMED = re.compile(re.escape(PICTURE_SCHEME) + _NAME)
# As the templates write one as an attribute's value; text from a source cannot: its quotes are
# escaped. Literal first, so that the scan of a page with fonts inline is a fast search.
_NAMED_VALUE = re.compile('="' + re.escape(PICTURE_SCHEME) + _NAME + '"')
# The pictures this process has named, or was sent with the documents it lays out, by name.
# A build begins by forgetting the last one's (forget_named): a preview server builds again and again.
_named: dict[str, Asset] = {}


def _named_url(asset: Asset) -> Markup:
    _named[asset.name] = asset
    return Markup(PICTURE_SCHEME + asset.name)  # a hash and a suffix: nothing to escape


def named_in(html: str) -> dict[str, Asset]:
    """The pictures html names, to go with it to the process that lays it out."""
    return {name: _named[name] for name in dict.fromkeys(_NAMED.findall(html)) if name in _named}


def keep_named(pictures: dict[str, Asset]) -> None:
    """In a process that lays out documents: the pictures sent with them."""
    _named.update(pictures)


def forget_named() -> None:
    _named.clear()


def named_picture(url: str) -> Asset | None:
    """The picture a URL names (PICTURE_SCHEME), None if it names none this process knows."""
    match = _NAMED.fullmatch(url)
    return _named.get(match[1]) if match else None


def with_data_urls(html: str) -> str:
    """The .html file: each picture its markup names given as its data: URL, in one pass over
    the page (base64 has nothing to escape, and the media type is one of ours)."""
    def inline(match: re.Match) -> str:
        asset = _named.get(match[1])
        return f'="{asset.data_url()}"' if asset else match[0]

    return _NAMED_VALUE.sub(inline, html)


class SharedPictures:
    """For the single .html file: a picture shown more than once is stored once, in the first
    <svg> that shows it (an <image> with an id); each later one is an <svg> with a <use> of it.
    An <img> cannot point at another's data: URL, and a sidecar file would break the single file.
    Called on each picture in reading order, as the template writes them."""

    def __init__(self, blocks, output: OutputConfig, fetcher: Confined):
        self.output, self.fetcher = output, fetcher
        names = [screen(block, output, fetcher).name for block in blocks]
        self.repeated = {name for name in names if names.count(name) > 1}
        self.ids: dict[str, str] = {}

    def __call__(self, block: ImageBlock) -> dict | None:
        """None for a picture shown once (an <img> as anywhere else); else what its <svg> needs."""
        asset = screen(block, self.output, self.fetcher)
        if asset.name not in self.repeated or asset.format == "SVG":  # a drawing has no pixel size
            return None
        first = asset.name not in self.ids
        picture_id = self.ids.setdefault(asset.name, f"zb-picture-{len(self.ids) + 1}")
        return {"id": picture_id, "first": first, "src": _named_url(asset) if first else "",
                "width": asset.width, "height": asset.height}


def screen_assets(blocks, output: OutputConfig, fetcher: Confined) -> list[Asset]:
    """Each distinct picture of the book once, as the EPUB carries it."""
    return list({asset.name: asset for asset in (screen(block, output, fetcher) for block in blocks)}.values())
