"""Turn one HTML document into PDF bytes with WeasyPrint, and say where each page's content sits.

The only module of the split render that calls WeasyPrint. Its warnings are collected, not
printed: a worker process hands them back to the parent, which reports them once (Z301).
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import BuildError, Problem
from ..render import Layout
from . import patches

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels; PDF speaks points


_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
                 "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle", "left-top")
_NONE = " ".join(f"@{box} {{ content: none !important; }}" for box in _MARGIN_BOXES)
# A piece laid out alone carries no page furniture: folios and running heads depend on where
# it lands in the book, so they come from the furniture render (see typeset/__init__.py).
NO_FURNITURE_CSS = "\n".join(f"@page{selector} {{ {_NONE} }}"
                             for selector in ("", " :left", " :right", " :first", " :blank"))
# The furniture render keeps each piece's head (its strings, anchor and bookmark) but draws nothing.
SKELETON_CSS = ".zb-skeleton, .zb-skeleton * { visibility: hidden !important; }"


@dataclass(frozen=True)
class Frame:
    """Where a page's content box sits, in PDF points from the page's top-left corner, and the
    name of the page ("" for an unnamed one; a full-bleed picture's page is "bleed")."""

    x: float
    y: float
    width: float
    height: float
    page: str = ""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    frames: tuple[Frame, ...]  # one per page
    anchors: tuple[tuple[str, int], ...]  # (id, page index) of every element id, first page it is on
    warnings: tuple[str, ...]
    # (page index, what) for what reaches beyond the page: running strings set, bookmarks made
    marks: tuple[tuple[int, str], ...] = ()

    @property
    def pages(self) -> int:
        return len(self.frames)

    def page_of(self, anchor: str) -> int | None:
        return self._pages_of.get(anchor)

    @cached_property
    def _pages_of(self) -> dict[str, int]:  # built once: the book asks it for every piece
        return dict(self.anchors)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(html: str, layout: Layout, identifier: str, extra_css: str = "", joined: bool = False) -> Rendered:
    """Lay out and draw one document; raise BuildError naming the layout if WeasyPrint fails.
    joined: see draw()."""
    return draw(lay_out(html, layout, extra_css), identifier, joined)


def lay_out(html: str, layout: Layout, extra_css: str = ""):
    """A WeasyPrint Document: the pages laid out, not yet drawn; it carries its own warnings."""
    from weasyprint import HTML  # the parent imports it once before forking its workers

    patches.apply()

    from .. import linebreaks

    with _collected() as messages:
        base_url = layout.search_path[0].as_uri() + "/"
        state = _process_state(layout)
        html, sheets = _take_stylesheets(html, base_url, state)
        if extra_css:
            sheets.append(_sheet(state, extra_css, lambda css: css(string=extra_css, font_config=state.fonts)))

        def laid_out(mends=None):  # laid out again with line mends (linebreaks.py)
            source = HTML(string=html, base_url=base_url, url_fetcher=state.fetcher)
            if mends:
                linebreaks.apply(source.etree_element, mends)
                source.wrapper_element = type(source.wrapper_element).from_html_root(source.etree_element)
            with patches.without_margin_boxes() if extra_css == NO_FURNITURE_CSS else nullcontext():
                laid = _failing_as_build_error(layout, lambda: source.render(stylesheets=sheets, font_config=state.fonts))
            return laid, source.etree_element

        document = linebreaks.refine(*laid_out(), laid_out)
    document.zinebuild_layout = layout
    # What parsing the stylesheets said, for every document: the parse is shared, the warnings are not lost.
    document.zinebuild_warnings = list(dict.fromkeys(state.warnings + messages))
    return document


_WARM_UP_HTML = ('<html lang="en"><body style="hyphens: auto"><p>Warming up: <i>ﬁrst</i> <b>words</b> '
                 'laid out and drawn.</p></body></html>')


def warm_up() -> None:
    """Import WeasyPrint, lay out and draw a line: the C declarations cffi parses on their first
    use and Pango's first calls cost a worker about 0.3 s; paid here, once, in the process that
    forks the workers, they inherit them."""
    from weasyprint import HTML

    patches.apply()
    with _collected():
        HTML(string=_WARM_UP_HTML).write_pdf()


def prepare(jobs, layout: Layout) -> None:
    """Parse the layout's stylesheets, load its fonts, make their stand-ins and load the
    hyphenation dictionaries of the jobs' languages (Job.html), in the process whose forked
    workers then share them."""
    import pyphen

    from . import hyphenation

    if not jobs:
        return
    state = _process_state(layout)
    with _collected():
        _take_stylesheets(jobs[0].html, layout.search_path[0].as_uri() + "/", state)
    state.stand_ins().make_all()  # the pieces' fonts, which the join replaces (fonts.StandIns)
    languages = {lang for job in jobs for lang in _LANG.findall(job.html)}
    for lang in filter(None, map(pyphen.language_fallback, languages)):
        hyphenation.load(lang)  # into pyphen's own cache, for WeasyPrint's calls


_LANG = re.compile(r'\blang="([^"]+)"')


@dataclass
class _State:
    """A layout's stylesheets and fonts, parsed and loaded once per process (and inherited by
    the processes it forks) rather than once per document: with a document per piece, that
    was half the cost of a short piece."""

    owner: int  # the process that made it: only it may let it go (its fonts' folder goes too)
    layout: Layout
    fetcher: object
    fonts: object
    parsed: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    _stand_ins: object = None

    def stand_ins(self):
        """The layout's font programs and their stand-ins (fonts.StandIns), read once per state."""
        if self._stand_ins is None:
            from .fonts import StandIns, layout_originals

            self._stand_ins = StandIns(layout_originals(self.layout))
        return self._stand_ins


_STATE: dict[Layout, _State] = {}
# The <link rel="stylesheet"> and <style> elements base.html writes, in document order.
_SHEETS = re.compile(r'<link rel="stylesheet" type="text/css" href="([^"]+)"\s*/?>|<style>(.*?)</style>', re.S)
_ANY_SHEET = re.compile(r"<link\b[^>]*\bstylesheet\b|<style\b", re.I)


def release() -> None:
    """Drop the stylesheets and fonts this process loaded (their temporary folders go with them);
    a forked worker leaves its parent's alone."""
    for key in [key for key, state in _STATE.items() if state.owner == os.getpid()]:
        del _STATE[key]
    # WeasyPrint's objects hold cycles; a worker leaves by os._exit, before the collector
    # would run, and the fonts' temporary folder would stay behind.
    gc.collect()


# Before the interpreter tears down the modules that FontConfiguration.__del__ needs.
atexit.register(release)


def _process_state(layout: Layout) -> _State:
    if layout not in _STATE:
        from weasyprint.text.fonts import FontConfiguration

        from ..fetch import ConfinedFetcher

        # A layout's files edited since (Layout.files_digest differs): its older state is let go.
        for older in [key for key, state in _STATE.items() if state.owner == os.getpid()
                      and (key.search_path, key.project_root) == (layout.search_path, layout.project_root)]:
            del _STATE[older]
        _STATE[layout] = _State(os.getpid(), layout, ConfinedFetcher(layout), FontConfiguration())
    return _STATE[layout]


def _sheet(state: _State, key: str, make):
    """A stylesheet parsed once per state; what parsing it said is kept with the state."""
    if key not in state.parsed:
        from weasyprint import CSS

        with _collected() as messages:
            state.parsed[key] = make(CSS)
        state.warnings.extend(messages)
    return state.parsed[key]


def _take_stylesheets(html: str, base_url: str, state: _State) -> tuple[str, list]:
    """The HTML without its stylesheets, and the stylesheets parsed (or from this process's cache).

    They go to WeasyPrint as user stylesheets, in the same order: with every sheet of the
    same origin, and only the user agent's below, the cascade is the one the document had.
    """
    from urllib.parse import urljoin

    rest = _SHEETS.sub("", html)
    if _ANY_SHEET.search(rest):  # a stylesheet of another shape: all or none move, or the cascade changes
        return html, []
    fetcher, fonts = state.fetcher, state.fonts
    sheets = []
    for match in _SHEETS.finditer(html):
        if match[1] is not None:
            make = lambda css, href=match[1]: css(url=urljoin(base_url, href), url_fetcher=fetcher, font_config=fonts)
        else:
            make = lambda css, text=match[2]: css(string=text, base_url=base_url, url_fetcher=fetcher,
                                                  font_config=fonts)
        sheets.append(_sheet(state, match[0], make))
    return rest, sheets


def draw(document, identifier: str, joined: bool = False) -> Rendered:
    """The laid-out document as PDF bytes, with where each page's content sits. joined: a piece
    or the skeleton, whose layout fonts the join replaces (their programs are stand-ins)."""
    layout = document.zinebuild_layout
    stand_ins = _process_state(layout).stand_ins() if joined else None
    with _collected() as messages, patches.fonts_left_to_the_join(stand_ins):
        # A piece or the skeleton gets no identifier: pydyf would serialize (and compress) every
        # object twice to hash them for one, and the join writes the book's own (join.py).
        options = {} if joined else {"pdf_identifier": identifier.encode()}
        data = _failing_as_build_error(layout, lambda: document.write_pdf(
            pdf_tags=True, custom_metadata=True, **options))
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    warnings = tuple(dict.fromkeys(document.zinebuild_warnings + messages))
    return Rendered(data, tuple(_frame(page) for page in document.pages), tuple(anchors.items()), warnings,
                    _marks(document))


def _marks(document) -> tuple[tuple[int, str], ...]:
    """Where strings for running heads are set and bookmarks made, page by page.

    The split render reproduces those of a piece's head only (the skeleton keeps nothing
    else): comparing a piece's marks with the skeleton's tells whether a layout sets them
    deeper inside its pieces, as one with section titles in its running heads would.
    """
    from weasyprint.formatting_structure.boxes import MarginBox, PageBox

    marks = []
    for index, page in enumerate(document.pages):
        marks += [(index, f"bookmark {level} {label}") for level, label, *_ in page.bookmarks]
        for box in page._page_box.descendants():
            if isinstance(box, (PageBox, MarginBox)):
                continue
            strings = box.style["string_set"]
            if strings != "none":
                marks += [(index, f"string {name}") for name, _ in strings]
    return tuple(marks)


@contextmanager
def _collected():
    collector = _Collect()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        weasy_logger.removeHandler(collector)


def _failing_as_build_error(layout: Layout, step):
    try:
        return step()
    except Exception as error:  # WeasyPrint raises many kinds; name the stage and the cause
        raise BuildError(Problem(f"rendering the PDF failed: {type(error).__name__}: {error}",
                                 file=layout.search_path[0], hint="run with --debug for the full trace")) from error


def _frame(page) -> Frame:
    # The page box is WeasyPrint's own (private) object; its margins place the content box.
    box = page._page_box
    return Frame(round(box.margin_left * PX_TO_PT, 3), round(box.margin_top * PX_TO_PT, 3),
                 round(box.width * PX_TO_PT, 3), round(box.height * PX_TO_PT, 3), box.page_type.name)


def page_names(document) -> tuple[str, ...]:
    """The name of each laid-out page (Frame.page), told before the pages are drawn: the
    skeleton gives a piece's pages their names (skeleton.py)."""
    return tuple(page._page_box.page_type.name for page in document.pages)
