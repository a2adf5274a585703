"""Turn an Anthology into the reading PDF by the split render described in typeset/__init__.py."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from ..imagesrc import named_in
from ..model import Anthology
from ..render import Layout, book_html, piece_html, print_pieces
from ..settings import Settings
from . import cache as cache_module
from .fonts import Subsetter, layout_originals, shared_fonts, subset_font
from .join import Placed, join
from .skeleton import Skeleton, SkeletonError
from .weasy import NO_FURNITURE_CSS, SKELETON_CSS, Rendered, render
from .service import weight
from .workers import Job, Pending, start_service

LOGGER = logging.getLogger("zinebuild")
LAID_OUT_SHARE = 2 / 3  # of a piece's render: the rest is drawing it


@dataclass(frozen=True)
class Report:
    """What a render did, for the progress line and for tests."""

    pdf: bytes
    rendered: tuple[str, ...]  # ids of the pieces laid out afresh (not taken from the cache)
    split: bool


def typeset(anthology: Anthology, layout: Layout, settings: Settings) -> Report:
    """The reading PDF; see begin() to have the pieces laid out while doing something else."""
    if settings.service is not None or not settings.split:
        return begin(anthology, layout, settings).finish()
    with start_service(settings.jobs) as service:
        return begin(anthology, layout, replace(settings, service=service)).finish()


def begin(anthology: Anthology, layout: Layout, settings: Settings) -> Typesetting | OneDocument:
    """Send the pieces that are not in the cache to settings.service, and return at once."""
    from ..cover import with_print_cover

    anthology = with_print_cover(anthology, layout, settings)  # a cover drawn from cover.html, in print too
    if not settings.split or not print_pieces(anthology):
        return OneDocument(anthology, layout)
    return Typesetting(anthology, layout, settings)


@dataclass(frozen=True)
class OneDocument:
    """The book rendered as one WeasyPrint document (asked for, or nothing to split)."""

    anthology: Anthology
    layout: Layout

    def finish(self) -> Report:
        return Report(_whole(self.anthology, self.layout), (), False)


class Typesetting:
    """A split render under way: the pieces are being laid out; finish() makes the book."""

    def __init__(self, anthology: Anthology, layout: Layout, settings: Settings):
        self.anthology, self.layout, self.settings = anthology, layout, settings
        self.store = cache_module.RenderCache(settings.cache_dir)
        identifier = anthology.book.identifier
        pieces = print_pieces(anthology)
        self.htmls = {piece.id: piece_html(anthology, layout, piece, kind) for piece, kind in pieces}
        self.keys = {pid: cache_module.key(layout, "piece", NO_FURNITURE_CSS, identifier, html)
                     for pid, html in self.htmls.items()}
        self.found = {pid: self.store.get(self.keys[pid]) for pid in self.htmls}
        self.missing = [pid for pid, hit in self.found.items() if hit is None]
        self.done = len(self.htmls) - len(self.missing)
        titles = {piece.id: piece.document.title for piece, _ in pieces}
        jobs = [Job(titles[pid], self.htmls[pid], NO_FURNITURE_CSS, named_in(self.htmls[pid]))
                for pid in self.missing]
        self.work, self.worked = sum(map(weight, jobs)) or 1, 0
        self.answers = settings.service.pieces(jobs, layout, identifier, self._finished)

    def _finished(self, job: Job, drawn: bool) -> None:
        # The time left goes by the work done: a piece's layout is about two thirds of its cost,
        # and workers lay out many pieces before they draw any (service.HOLD_PAGES).
        self.done += drawn
        self.worked += weight(job) * (1 - LAID_OUT_SHARE if drawn else LAID_OUT_SHARE)
        self.settings.report("pdf", self.done, len(self.htmls), job.name, self.worked / self.work)

    def finish(self) -> Report:
        anthology, layout, settings, store = self.anthology, self.layout, self.settings, self.store
        htmls, found = self.htmls, self.found
        settings.report("pdf", self.done, len(htmls), "from the cache" if len(htmls) > len(self.missing) else "")
        skeleton = _skeleton(anthology, layout, htmls)  # while the pieces are laid out: it waits for none
        pages = {pid: tuple(frame.page for frame in hit.frames) for pid, hit in found.items() if hit is not None}
        pages.update(zip(self.missing, self.answers.page_names()))
        # The book is paginated while the workers still draw their pieces.
        furniture = None
        if None not in pages.values():
            furniture = _furniture(skeleton, anthology, layout, {pid: pages[pid] for pid in htmls}, store,
                                   settings.service)
        for pid, result in zip(self.missing, self.answers.rendered()):
            store.put(self.keys[pid], result)
            found[pid] = result
        if any("No anchor #" in warning for result in found.values() for warning in result.warnings):
            return _fall_back(anthology, layout, "a piece links into another piece")
        if furniture is None:
            return _fall_back(anthology, layout, "the layout's HTML has no element for a piece")
        if isinstance(furniture, _Stored):
            settings.report("pdf", len(htmls), len(htmls), "page numbers and running heads")
            furniture = furniture.result()
        from ..cover import settle_early

        settle_early()  # a cover drawn early and not taken (a design listing the pieces) is answered
        settings.service.rest()  # every page is in: a one-off build's service goes (workers.py)
        # One subset of each face for the whole book, the skeleton's folios and heads included.
        fonts = shared_fonts([found[pid].pdf for pid in htmls] + [furniture.pdf], layout_originals(layout),
                             _cached_subsetter(store, layout))
        _warn(warning for result in found.values() for warning in result.warnings)
        _warn(furniture.warnings)
        placed = _place(furniture, {pid: found[pid] for pid in htmls})
        if placed is None:
            return _fall_back(anthology, layout, "the layout's pages change width between left and right")
        marks = _marks_by_page(furniture)
        if any(_marks_on(marks, p.start, p.rendered.pages) != p.rendered.marks for p in placed):
            return _fall_back(anthology, layout, "the layout sets running heads or bookmarks inside its pieces")
        store.prune()
        return Report(join(furniture, placed, anthology.book.identifier, _bitmap(layout), fonts), tuple(self.missing),
                      True)


def _skeleton(anthology: Anthology, layout: Layout, htmls: dict[str, str]) -> Skeleton | None:
    """The skeleton without its pages (skeleton.py); None if the layout's HTML cannot be split."""
    try:
        return Skeleton(book_html(anthology, layout), htmls)
    except SkeletonError:
        return None


def _furniture(skeleton: Skeleton | None, anthology: Anthology, layout: Layout, pages: dict[str, tuple[str, ...]],
               store: cache_module.RenderCache, service) -> Rendered | _Stored | None:
    """The skeleton's render (see skeleton.py), from the cache or on its way; None if it cannot be made."""
    if skeleton is None:
        return None
    skeleton = skeleton.html(pages)
    identifier = anthology.book.identifier
    entry = cache_module.key(layout, "furniture", SKELETON_CSS, identifier, skeleton)
    furniture = store.get(entry)
    if furniture is not None:
        return furniture
    return _Stored(service.render(skeleton, layout, identifier, SKELETON_CSS, joined=True), store, entry)


class _Stored:
    """The skeleton's render on its way from the service, kept in the cache once it arrives."""

    def __init__(self, pending: Pending, store: cache_module.RenderCache, entry: str):
        self.pending, self.store, self.entry = pending, store, entry

    def result(self) -> Rendered:
        rendered = self.pending.result()
        self.store.put(self.entry, rendered)
        return rendered


def _place(furniture: Rendered, pieces: dict[str, Rendered]) -> list[Placed] | None:
    """Where each piece's first page lands; None if a piece's pages would not fit their places."""
    placed = []
    for pid, rendered in pieces.items():
        start = furniture.page_of(pid)
        if start is None or start + rendered.pages > furniture.pages:
            return None
        for index, frame in enumerate(rendered.frames):
            target = furniture.frames[start + index]
            if (abs(frame.width - target.width) > 0.01 or abs(frame.height - target.height) > 0.01):
                return None
        placed.append(Placed(start, rendered))
    spans = sorted((p.start, p.start + p.rendered.pages) for p in placed)
    if any(end > next_start for (_, end), (next_start, _) in pairwise(spans)):
        return None
    return placed


def _marks_by_page(furniture: Rendered) -> dict[int, list[str]]:
    """The skeleton's marks page by page, in their order: looked up for each piece's pages."""
    marks: dict[int, list[str]] = {}
    for index, what in furniture.marks:
        marks.setdefault(index, []).append(what)
    return marks


def _marks_on(marks: dict[int, list[str]], start: int, count: int) -> tuple[tuple[int, str], ...]:
    return tuple((index - start, what) for index in range(start, start + count) for what in marks.get(index, ()))


def _cached_subsetter(store: cache_module.RenderCache, layout: Layout) -> Subsetter:
    def subsetter(data: bytes, gids: frozenset[int]) -> bytes:
        entry = cache_module.key(layout, "font", hashlib.sha256(data).hexdigest(), ",".join(map(str, sorted(gids))))
        found = store.get_blob(entry, ".font")
        if found is None:
            found = subset_font(data, gids)
            store.put_blob(entry, ".font", found)
        return found

    return subsetter


def _whole(anthology: Anthology, layout: Layout) -> bytes:
    from ..images_pdf import in_pdf

    rendered = render(book_html(anthology, layout), layout, anthology.book.identifier)
    _warn(rendered.warnings)
    return in_pdf(rendered.pdf, _bitmap(layout))


def _bitmap(layout: Layout) -> bool:
    """Whether black-and-white pictures are stored in 1 bit: WeasyPrint widens them to 8."""
    return layout.output.images == "bitmap"


def _fall_back(anthology: Anthology, layout: Layout, why: str) -> Report:
    LOGGER.info("the PDF is rendered as one document (slower): %s", why)
    return Report(_whole(anthology, layout), (), False)


def _warn(messages) -> None:
    for message in dict.fromkeys(messages):
        if "HarfBuzz-Subset" in message:  # a note about the machine's libraries, not the book
            LOGGER.debug("weasyprint: %s", message)
        else:
            LOGGER.warning("Z301 layout: %s", message)
