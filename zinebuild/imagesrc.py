"""Turn Image blocks into what each output's markup points at: a file of the EPUB, a data: URL.

The templates call these (render.py puts them in the context); the pixels are images.py's.
"""

from __future__ import annotations

import html as html_text
import re

from markupsafe import Markup

from .config import OutputConfig
from .fetch import Confined
from .images import SCREEN, Asset, converted, cover, printed, screen
from .model import Image as ImageBlock

EPUB_FOLDER = "images"


def src_for(target: str, output: OutputConfig, fetcher: Confined):
    """What an <img src> is for a target: "epub" a file in the book, "screen" and "print" data: URLs."""
    if target == "epub":
        return lambda block: f"../{EPUB_FOLDER}/{screen(block, output, fetcher).name}"
    if target == "screen":
        return lambda block: _url(screen(block, output, fetcher))
    return lambda block: _url(printed(block, output, fetcher))


def cover_src(output: OutputConfig, fetcher: Confined, for_screen: bool = False):
    """What a printed cover's <img src> is: for the .html file (for_screen) in colour, not print's."""
    if for_screen:
        return lambda path: _url(converted(path, [SCREEN], fetcher)[0])
    return lambda path: _url(cover(path, output, fetcher))


def _url(asset: Asset) -> Markup:
    """The asset's data: URL, marked safe for the templates: its media type is one of ours and
    base64 has nothing to escape, and escaping scanned each photo's megabyte at every use."""
    return Markup(asset.data_url())


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
        return {"id": picture_id, "first": first, "src": _url(asset) if first else "",
                "width": asset.width, "height": asset.height}


def screen_assets(blocks, output: OutputConfig, fetcher: Confined) -> list[Asset]:
    """Each distinct picture of the book once, as the EPUB carries it."""
    return list({asset.name: asset for asset in (screen(block, output, fetcher) for block in blocks)}.values())


# An <img>'s data: URL of a kilobyte or more, as the templates write it (base64 has no quote).
_LONG_DATA_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")(data:[^"]{1024,})(")')
_ASIDE = "zinebuild-picture:"


def pictures_aside(html: str) -> tuple[str, list[str]]:
    """html with each long data: URL of an <img> replaced by a short mark, and the URLs in order.

    WeasyPrint's HTML parser checks every character of a document: the 12 MB of base64 of 20
    photos cost a layout worker 2.4 s. Put back on the parsed tree (put_back), the URLs are
    what WeasyPrint would have parsed, so the same pictures reach the PDF, named the same.
    """
    urls: list[str] = []

    def aside(match: re.Match) -> str:
        urls.append(html_text.unescape(match.group(2)))
        return f"{match.group(1)}{_ASIDE}{len(urls) - 1}{match.group(3)}"

    return _LONG_DATA_SRC.sub(aside, html), urls


def put_back(root, urls: list[str]) -> None:
    """Each <img> of a parsed tree (lxml, ElementTree) marked by pictures_aside given its URL again."""
    if not urls:
        return
    for element in root.iter("img"):
        src = element.get("src") or ""
        if src.startswith(_ASIDE) and src[len(_ASIDE):].isdigit() and int(src[len(_ASIDE):]) < len(urls):
            element.set("src", urls[int(src[len(_ASIDE):])])
