"""Turn an Anthology into an EPUB 3 (with NCX for old readers) through ebooklib.

ebooklib traps avoided here: our XHTML goes in as plain EpubItems, so ebooklib does
not rebuild <head>; every creator gets its own id; dcterms:modified is UTC; write
errors are raised; and the zip is repacked with fixed timestamps so that the same
inputs give the same bytes.
"""

from __future__ import annotations

import io
from datetime import datetime
import zipfile
from pathlib import Path

from ebooklib import epub

from ..dates import build_time
from ..fetch import Confined
from ..imagesrc import EPUB_FOLDER, screen_assets
from ..labels import labels
from ..media import book_images
from ..fsutil import write_bytes
from ..model import Anthology
from ..outline import sections
from ..render import COVER_IMAGE, Layout, direction, epub_css, epub_units, output_stem
from ..settings import Settings
from ..typeset.cache import RenderCache
from . import epub_meta
from .epub_finish import finish

XHTML = "application/xhtml+xml"


def build(anthology: Anthology, layout: Layout, out_dir: Path, settings: Settings) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.epub"
    book = _book(anthology, layout, RenderCache(settings.cache_dir), settings.service)
    modified = epub_meta.modified(build_time(anthology.book.date),
                                  (item.content for item in book.get_items()))
    raw = io.BytesIO()  # in memory: nothing is written outside the output folder
    # Level 0: ebooklib's zip is only read back by _repack, which compresses what is worth it;
    # deflating its photos first took a second of every build of a book of phone photos.
    epub.write_epub(raw, book, {"mtime": modified, "epub3_pages": False, "raise_exceptions": True,
                                "epub2_guide": True, "epub3_landmark": True, "landmark_title": "Landmarks",
                                "compresslevel": 0})
    return write_bytes(target, _repack(raw.getvalue(), modified, anthology.book.language))


def _book(anthology: Anthology, layout: Layout, cache: RenderCache, service) -> epub.EpubBook:
    book = epub.EpubBook()
    book.set_identifier(anthology.book.identifier)
    if direction(anthology.book.language) == "rtl":
        book.set_direction("rtl")  # the spine's page-progression-direction: pages turn to the left
    cover = _cover(anthology, layout, cache, service)
    if cover is not None:
        data, media_type = cover
        image = epub.EpubItem(uid="cover-image", file_name=COVER_IMAGE, media_type=media_type, content=data)
        image.properties = ["cover-image"]
        book.add_item(image)
        # Kindle and older readers find the cover through this EPUB 2 meta.
        book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    pictures = screen_assets(book_images(anthology), layout.output, Confined(layout))
    for asset in pictures:  # each once, however often the text shows it
        book.add_item(epub.EpubItem(uid=f"image-{asset.name.split('.')[0]}", file_name=f"{EPUB_FOLDER}/{asset.name}",
                                    media_type=asset.media_type, content=asset.data))
    epub_meta.describe(book, anthology, cover is not None or bool(pictures))

    css = epub_css(layout)
    if layout.epub.embed_fonts:
        css = _embed_fonts(book, layout) + css
    book.add_item(epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css",
                                content=css.encode("utf-8")))

    items = {}
    for unit in epub_units(anthology, layout, cover=cover is not None):
        item = epub.EpubItem(uid=unit.id, file_name=unit.file_name, media_type=XHTML,
                             content=unit.xhtml.encode("utf-8"))
        book.add_item(item)
        items[unit.id] = (item, unit)

    # The contents page in the book's language and direction (its <title> and heading, labels.py).
    rtl = direction(anthology.book.language) == "rtl"
    nav = epub.EpubNav(title=labels(anthology.book.language).contents, direction="rtl" if rtl else None)
    nav.add_link(href="style/epub.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    def link(piece) -> epub.Link | tuple:
        """A piece in the contents, with its sections down to [epub] toc_depth below it."""
        _, unit = items[piece.id]
        tree: list = []  # (Section or Link, children) at each level, as deep as the headings go
        for section in sections(piece, layout.epub.toc_depth):
            entry = (epub.Link(f"{unit.file_name}#{section.anchor}", section.title, section.anchor), [])
            level = tree
            for _ in range(section.level - 1):
                if not level:
                    break
                level = level[-1][1]
            level.append(entry)
        if not tree:
            return epub.Link(unit.file_name, unit.title, piece.id)
        return (epub.Section(unit.title, unit.file_name), _flatten(tree))

    toc: list = [link(p) for p in anthology.front]
    for part in anthology.parts:
        pieces = [link(p) for p in part.pieces]
        if part.title:
            toc.append((epub.Section(part.title, items[part.id][1].file_name), pieces))
        else:
            toc.extend(pieces)
    toc += [link(p) for p in anthology.back]
    toc += [epub.Link(items[uid][1].file_name, items[uid][1].title, uid) for uid in ("notes", "sources") if uid in items]
    book.toc = toc

    opening = [items[uid][0] for uid in ("cover", "title") if uid in items]
    spine: list = opening + ([nav] if anthology.contents else [])
    spine += [item for uid, (item, _) in items.items() if uid not in ("cover", "title")]
    book.spine = spine

    # "Start" is where reading begins: the first file after the title page and contents,
    # an introduction or a part's title page included.
    body = next((unit for _, unit in items.values() if unit.kind not in ("cover", "title")), None)
    book.guide = []
    if "cover" in items:
        book.guide.append({"type": "cover", "href": items["cover"][1].file_name, "title": "Cover"})
    book.guide.append({"type": "toc", "href": "nav.xhtml", "title": nav.title})
    if body is not None:
        book.guide.append({"type": "text", "href": body.file_name, "title": "Start"})
    return book


def _flatten(tree: list) -> list:
    """ebooklib's contents: a Link where nothing is below, (Section, children) where something is."""
    return [node if not children else (epub.Section(node.title, node.href), _flatten(children))
            for node, children in tree]


# Pictures are compressed already: deflating a phone's photos again took a second a rebuild
# for a few bytes. The mimetype is stored as OCF requires.
_ALREADY_COMPRESSED = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _stored(name: str) -> bool:
    return name == "mimetype" or name.lower().endswith(_ALREADY_COMPRESSED)


def _repack(data: bytes, when: datetime, language: str) -> bytes:
    """Same entries (the package files mended), mimetype first and stored, every timestamp fixed."""
    # A zip stamps years 1980 to 2107 only; the book's own date is in its metadata whatever it is.
    stamp = (min(max(when.year, 1980), 2107), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if _stored(name) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, finish(name, src.read(name), language),
                         compresslevel=None if _stored(name) else 9)
    return out.getvalue()


def _cover(anthology: Anthology, layout: Layout, cache: RenderCache, service) -> tuple[bytes, str] | None:
    """The configured cover image, else one drawn from the layout's cover.html (unless turned off)."""
    if anthology.book.cover:
        path = Path(anthology.book.cover)
        data = Confined(layout).required(path)
        if path.suffix.lower() == ".png":
            return _as_jpeg(data), "image/jpeg"
        return data, "image/jpeg"
    if not layout.epub.cover:
        return None
    from ..cover import cover_jpeg  # late: only builds with a generated cover pay for it

    return cover_jpeg(anthology, layout, cache, service), "image/jpeg"


def _as_jpeg(data: bytes) -> bytes:
    # One file name and type for every cover keeps the cover page template simple.
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _embed_fonts(book: epub.EpubBook, layout: Layout) -> str:
    """Add the layout's fonts to the EPUB; return the @font-face rules that use them."""
    rules = []
    confined = Confined(layout)
    family = layout.face.family
    for index, (style, weight, path) in enumerate(layout.face.files):
        name = f"font-{index}{path.suffix.lower()}"  # the user's file names never reach the EPUB
        book.add_item(epub.EpubItem(uid=f"font-{index}", file_name=f"fonts/{name}",
                                    media_type="font/otf" if path.suffix.lower() == ".otf" else "font/ttf",
                                    content=confined.required(path)))
        rules.append(f'@font-face {{ font-family: "{family}"; src: url(../fonts/{name}); '
                     f"font-style: {style}; font-weight: {weight}; }}")
    rules.append(f'body {{ font-family: "{family}", serif; }}')
    return "\n".join(rules) + "\n"
