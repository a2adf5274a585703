"""Turn an Anthology into an EPUB 3 (with NCX for old readers) through ebooklib.

ebooklib traps avoided here: our XHTML goes in as plain EpubItems, so ebooklib does
not rebuild <head>; every creator gets its own id; dcterms:modified is UTC; write
errors are raised; and the zip is repacked with fixed timestamps so that the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from ebooklib import epub

from ..fsutil import atomic_path
from ..model import Anthology
from ..render import Layout, epub_css, epub_units, output_stem

XHTML = "application/xhtml+xml"


def build(anthology: Anthology, layout: Layout, out_dir: Path) -> Path:
    target = out_dir / f"{output_stem(anthology.book, layout.output)}.epub"
    modified = build_time(anthology.book.date)
    book = _book(anthology, layout)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.epub"
        epub.write_epub(str(raw), book, {"mtime": modified, "epub3_pages": False, "raise_exceptions": True,
                                         "epub2_guide": True, "epub3_landmark": True, "landmark_title": "Landmarks"})
        with atomic_path(target) as tmp_target:
            tmp_target.write_bytes(_repack(raw.read_bytes(), modified))
    return target


def build_time(date: str | None) -> dt.datetime:
    """SOURCE_DATE_EPOCH, else the book's date, else today: never the clock's seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    if date:
        match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
        if match:
            return dt.datetime(int(match[1]), int(match[2] or 1), int(match[3] or 1), tzinfo=dt.timezone.utc)
    today = dt.datetime.now(dt.timezone.utc).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc)


def _book(anthology: Anthology, layout: Layout) -> epub.EpubBook:
    info = anthology.book
    book = epub.EpubBook()
    book.set_identifier(info.identifier)
    book.set_title(info.title)
    book.set_language(info.language)
    for i, name in enumerate(info.editors):
        book.add_author(name, role="edt", uid=f"editor-{i + 1}")
    for i, name in enumerate(info.authors):
        book.add_author(name, role="aut", uid=f"author-{i + 1}")
    for field in ("description", "rights", "date"):
        value = getattr(info, field)
        if value:
            book.add_metadata("DC", field, value)

    style = epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css",
                          content=epub_css(layout).encode("utf-8"))
    book.add_item(style)

    items = {}
    for unit in epub_units(anthology, layout):
        item = epub.EpubItem(uid=unit.id, file_name=unit.file_name, media_type=XHTML,
                             content=unit.xhtml.encode("utf-8"))
        book.add_item(item)
        items[unit.id] = (item, unit)

    nav = epub.EpubNav(title="Contents")
    nav.add_link(href="style/epub.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    def link(piece_id: str) -> epub.Link:
        _, unit = items[piece_id]
        return epub.Link(unit.file_name, unit.title, piece_id)

    toc: list = [link(p.id) for p in anthology.front]
    for part in anthology.parts:
        pieces = [link(p.id) for p in part.pieces]
        if part.title:
            toc.append((epub.Section(part.title, items[part.id][1].file_name), pieces))
        else:
            toc.extend(pieces)
    toc += [link(p.id) for p in anthology.back]
    book.toc = toc

    spine: list = [items["title"][0]]
    if anthology.contents:
        spine.append(nav)
    spine += [items[uid][0] for uid in items if uid != "title"]
    book.spine = spine

    first_piece = next(iter(anthology.pieces), None)
    book.guide = [{"type": "toc", "href": "nav.xhtml", "title": "Contents"}]
    if first_piece is not None:
        book.guide.append({"type": "text", "href": items[first_piece.id][1].file_name, "title": "Start"})
    return book


def _repack(data: bytes, when: dt.datetime) -> bytes:
    """Same entries, mimetype first and stored, every timestamp fixed."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name), compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()
