"""Turn anthology.toml into frozen dataclasses, validated once, every problem reported together.

Paths in the config are relative to the config file's folder. Nothing outside this
module reads raw TOML.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import coverfile, dates, langtags
from .errors import ConfigError, Problem
from .model import BookInfo
from .units import PageSize, parse_length, parse_page_size
from .transforms import UNCARRIABLE

FORMATS = ("epub", "pdf", "booklet", "html")
SCHEMES = ("saddle", "minizine", "minizine-16", "2up-side", "quarter")  # the keys of impose.SCHEMES (checked by a test)
SHEETS = ("A4", "letter", "A3", "tabloid")


@dataclass(frozen=True)
class PieceConfig:
    source: Path
    """The source file (absolute)."""
    title: str | None = None
    """Overrides the title found in the source."""
    authors: tuple[str, ...] = ()
    """Overrides the byline found in the source."""
    lang: str | None = None
    """BCP 47 language of this piece, when it differs from the book's."""
    article: str | None = None
    """Title or slug of one article inside a multi-article source; None takes them all."""
    skip: tuple[str, ...] = ()
    """Headings of sections to leave out."""
    short_title: str | None = None
    """The running head, when the title is too long for one line."""
    key: str = ""
    """Where this entry stands in the config (``pieces[2]``), for messages."""


@dataclass(frozen=True)
class PartConfig:
    title: str | None
    """The part's title; None for pieces listed outside any part."""
    pieces: tuple[PieceConfig, ...]


@dataclass(frozen=True)
class MatterConfig:
    introduction: Path | None = None
    """A Markdown file printed before the pieces."""
    colophon: Path | None = None
    """A Markdown file printed at the end."""
    contents: bool = True
    """Whether the book has a contents page."""
    half_title: bool = False
    """A page with only the title before the title page (printed books)."""
    sources: bool = True
    """A sources page at the end: each piece's author and where it came from."""


@dataclass(frozen=True)
class OutputConfig:
    formats: tuple[str, ...] = FORMATS
    """What `zinebuild build` writes when no --format is given."""
    page_size: PageSize = field(default_factory=lambda: parse_page_size("A5"))
    """Trimmed page of the reading PDF and of the booklet."""
    sheet: PageSize = field(default_factory=lambda: parse_page_size("A4"))
    """Paper the booklet is printed on (used in landscape)."""
    imposition: str = "saddle"
    """Imposition scheme of the booklet."""
    font_size: float = 10.5
    """Base font size in points; when not given, it suits the page (default_font_size)."""
    layout: str = "default"
    """A layout name (built-in or under the project's layouts/) or a folder path."""
    name: str | None = None
    """File name stem of the outputs; derived from the title when absent."""
    opening: str = "any"
    """Where pieces start in the PDF: "any" new page, or "right" (a recto, as in bound books)."""
    notes: str = "footnotes"
    """Notes in the PDF: "footnotes" at the foot of the page, or "endnotes" after each piece."""
    signature: int = 0
    """Saddle: sheets per signature, each folded on its own; 0 folds the whole book as one."""
    creep: float = 0.1 * 72 / 25.4
    """Saddle: how far each sheet's pages move toward the fold, per sheet from the outside (points)."""
    marks: bool = False
    """Fold and crop marks on the booklet's sheets."""
    binding: str = "left"
    """The booklet's spine: "left", or "right" (the default for a book in a right-to-left language)."""
    images: str = "colour"
    """Pictures in print (PDF, booklet): "colour", "grayscale", or "bitmap" (dithered black and white)."""
    cover: str = "inside"
    """Where the printed covers go: "inside" the PDF and booklet, or a "separate" sheet for card."""
    paper: float = 0.1 * 72 / 25.4
    """Thickness of one sheet of paper (points), for the spine of a separate cover sheet."""
    font: str = "Libertine"
    """The book face: a shipped one ("Libertine", "Noto Serif") or a folder of font files."""
    missing_glyphs: str = "error"
    """A script no font has: "error" stops the build naming the piece, "allow" prints empty boxes."""
    captions: str = "mark"
    """Captions whose photos are not in the book: "mark" prints them as [Photo: …], "omit" leaves them out."""
    css: tuple[Path, ...] = ()
    """The project's own stylesheets, applied after the layout's in the PDF and the .html output."""


@dataclass(frozen=True)
class EpubConfig:
    notes: str = "piece"
    """Where the EPUB's notes go: "piece" (after each piece) or "book" (one notes file at the end)."""
    embed_fonts: bool = False
    """Embed the layout's fonts; reading systems mostly let readers choose their own."""
    cover: bool = True
    """Draw a cover from the title (cover.html) when [book] cover is not given: the EPUB's and print's."""
    toc_depth: int = 1
    """How far the contents go below each piece: 0 lists pieces only, 1 their sections, 2 subsections."""


@dataclass(frozen=True)
class CleanConfig:
    typography: bool = True
    """Curly quotes, dashes and ellipses in each piece's language (never in code or URLs)."""


@dataclass(frozen=True)
class Config:
    path: Path
    """The config file."""
    root: Path
    """Its folder: paths in the config are relative to it."""
    book: BookInfo
    parts: tuple[PartConfig, ...]
    matter: MatterConfig
    output: OutputConfig
    epub: EpubConfig = EpubConfig()
    clean: CleanConfig = CleanConfig()

    @property
    def pieces(self) -> tuple[PieceConfig, ...]:
        return tuple(p for part in self.parts for p in part.pieces)

    def inputs(self) -> frozenset[Path]:
        """Every file the config names (itself, sources, matter, covers, stylesheets), resolved:
        what no output may overwrite."""
        named = [self.path, *(p.source for p in self.pieces), self.matter.introduction, self.matter.colophon,
                 self.book.cover, self.book.back_cover, *self.output.css]
        return frozenset(Path(path).resolve() for path in named if path)


# ---------------------------------------------------------------- loading
def load(path: Path | str, amend: Callable[[dict], dict] | None = None) -> Config:
    """The config in path; amend, if given, changes the raw TOML before it is validated
    (a batch's template config gets each book's source this way)."""
    path = Path(path)
    if path.is_dir():
        path = path / "anthology.toml"
    if not path.is_file():
        raise ConfigError(Problem("no such config file", file=path,
                                  hint="run `zinebuild init DIR` to make one, or name the file"))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(Problem(f"cannot read: {error}", file=path)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _toml_error_line(str(error))
        raise ConfigError(Problem(f"not valid TOML: {error}", file=path, line=line,
                                  hint="check quotes, brackets and '=' on that line")) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively; no config needs such depth.
        raise ConfigError(Problem("arrays or tables nested too deeply to read", file=path,
                                  hint="an anthology.toml needs no more than a few levels of brackets")) from None
    return _Validator(path, text).config(amend(raw) if amend else raw)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match[1]) if match else None


class _Validator:
    """Walks the raw TOML, collecting every problem before failing once."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.root = path.parent.resolve()
        self.lines = _KeyLines(text)
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.path, key=key,
                                     line=self.lines.find(key), hint=hint))

    # -- generic checks
    def table(self, raw: dict, name: str, allowed: set[str]) -> dict:
        for key in raw:
            if key not in allowed:
                close = ", ".join(sorted(allowed))
                self.problem(f"{name}.{key}" if name else key, "unknown key",
                             hint=f"allowed here: {close}")
        return raw

    def string(self, raw: dict, name: str, key: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(f"{name}.{key}", "is required")
            return None
        if isinstance(value, (dt.date, dt.datetime)) and key == "date":
            return value.isoformat()
        if not isinstance(value, str):
            self.problem(f"{name}.{key}", f"must be text, not {_kind(value)}")
            return None
        if required and not value.strip():
            self.problem(f"{name}.{key}", "must not be empty")
            return None
        return value.strip()

    def names(self, raw: dict, name: str, key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value if v.strip())
        self.problem(f"{name}.{key}", "must be a name or a list of names")
        return ()

    def carriable(self, value, key: str) -> None:
        """No control character ("\\u001b" escapes) anywhere: no output can carry one."""
        if isinstance(value, str) and (found := UNCARRIABLE.search(value)):
            self.problem(key, f"holds the control character U+{ord(found[0]):04X}, which no output can carry",
                         hint="remove the \\u escape from the text")
        elif isinstance(value, dict):
            for name, item in value.items():
                self.carriable(name, key)
                self.carriable(item, f"{key}.{name}" if key else name)
        elif isinstance(value, list):
            for item in value:
                self.carriable(item, key)

    def lang(self, raw: dict, name: str, key: str) -> str | None:
        value = self.string(raw, name, key)
        if value is not None and not langtags.is_valid(value):
            self.problem(f"{name}.{key}", f"'{value}' is not a BCP 47 language tag", hint=langtags.HINT)
            return None
        return value

    def date(self, raw: dict, name: str, key: str) -> str | None:
        value = self.string(raw, name, key)
        if value is not None:
            try:
                dates.parse(value)
            except ValueError as error:
                self.problem(f"{name}.{key}", str(error), hint="write it as YYYY, YYYY-MM or YYYY-MM-DD")
                return None
        return value

    def inside(self, path: Path, name: str, key: str, value: str) -> bool:
        """Whether path (resolved: symlinks followed) stays in the project folder."""
        if path.is_relative_to(self.root):
            return True
        self.problem(f"{name}.{key}", f"'{value}' is outside the project folder",
                     hint=f"copy the file into {self.root} and name it from there")
        return False

    def cover(self, raw: dict, key: str = "cover") -> Path | None:
        path = self.file(raw, "book", key)
        if path is None or not self.inside(path, "book", key, raw[key]):
            return None
        if key == "back_cover" and path.suffix.lower() == ".md":
            return path  # a blurb: read like the introduction (assemble)
        problem = coverfile.problem(path)
        if problem:
            self.problem(f"book.{key}", problem, hint=coverfile.HINT)
            return None
        return path

    def output_name(self, raw: dict) -> str | None:
        value = self.string(raw, "output", "name")
        if value is None:
            return None
        # The outputs are written as OUT/NAME.epub …: a name must not lead anywhere else.
        if (not value or value in (".", "..") or value.startswith(".") or len(value) > 120
                or any(c in value for c in '/\\:') or any(ord(c) < 32 or ord(c) == 127 for c in value)):
            self.problem("output.name", f"{value!r} is not a plain file name",
                         hint="write a name without '/', '\\', ':' or a leading '.', like \"my-zine\"; "
                              "choose the folder with --out")
            return None
        return value

    def file(self, raw: dict, name: str, key: str, required: bool = False) -> Path | None:
        value = self.string(raw, name, key, required)
        if value is None:
            return None
        try:
            path = (self.root / value).resolve()
        except (ValueError, OSError):  # a NUL byte, a name too long: no file can have it
            path = self.root / "\ufffd"
        if not path.is_file():
            self.problem(f"{name}.{key}", f"no such file {value!r}",
                         hint=f"paths are relative to {self.root}")
            return None
        return path

    # -- tables
    def config(self, raw: dict) -> Config:
        self.table(raw, "", {"book", "pieces", "parts", "front", "back", "output", "epub", "clean"})
        self.carriable(raw, "")
        book = self.book(raw.get("book"))
        parts = self.parts(raw)
        matter = self.matter(raw.get("front", {}), raw.get("back", {}))
        output = self.output(raw.get("output", {}), book.language)
        epub = self.epub(raw.get("epub", {}))
        clean = self.clean(raw.get("clean", {}))
        if self.problems:
            raise ConfigError(self.problems)
        return Config(self.path.resolve(), self.root, book, parts, matter, output, epub, clean)

    def clean(self, raw) -> CleanConfig:
        if not isinstance(raw, dict):
            self.problem("clean", "must be a table: [clean]")
            return CleanConfig()
        self.table(raw, "clean", {"typography"})
        typography = raw.get("typography", True)
        if not isinstance(typography, bool):
            self.problem("clean.typography", "must be true or false")
            typography = True
        return CleanConfig(typography)

    def epub(self, raw) -> EpubConfig:
        if not isinstance(raw, dict):
            self.problem("epub", "must be a table: [epub]")
            return EpubConfig()
        self.table(raw, "epub", {"notes", "embed_fonts", "cover", "toc_depth"})
        notes = raw.get("notes", "piece")
        if notes not in ("piece", "book"):
            self.problem("epub.notes", f"must be \"piece\" or \"book\", not {notes!r}")
            notes = "piece"
        flags = {}
        for key in ("embed_fonts", "cover"):
            value = raw.get(key, getattr(EpubConfig, key))
            if not isinstance(value, bool):
                self.problem(f"epub.{key}", "must be true or false")
                value = getattr(EpubConfig, key)
            flags[key] = value
        depth = raw.get("toc_depth", EpubConfig.toc_depth)
        if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= 4:
            self.problem("epub.toc_depth", f"must be a whole number from 0 to 4, not {depth!r}")
            depth = EpubConfig.toc_depth
        return EpubConfig(notes, **flags, toc_depth=depth)

    def book(self, raw) -> BookInfo:
        if not isinstance(raw, dict):
            self.problem("book", "a [book] table with at least a title is required",
                         hint='add:\n[book]\ntitle = "My Zine"\nlanguage = "en"')
            raw = {}
        self.table(raw, "book", {"title", "subtitle", "editor", "editors", "author", "authors",
                                 "language", "date", "description", "rights", "identifier", "cover",
                                 "series", "series_index", "back_cover"})
        title = self.string(raw, "book", "title", required=bool(raw)) or "Untitled"
        editors = self.names(raw, "book", "editor") + self.names(raw, "book", "editors")
        authors = self.names(raw, "book", "author") + self.names(raw, "book", "authors")
        language = self.lang(raw, "book", "language") or "en"
        cover = self.cover(raw)
        back_cover = self.cover(raw, "back_cover")  # printed last: a picture, or a blurb in .md
        identifier = self.string(raw, "book", "identifier")
        if not identifier:
            # Stable across builds: the same title always gives the same identifier.
            identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'zinebuild:' + title)}"
        return BookInfo(
            title=title, language=language, identifier=identifier,
            subtitle=self.string(raw, "book", "subtitle"), editors=editors, authors=authors,
            date=self.date(raw, "book", "date"), description=self.string(raw, "book", "description"),
            rights=self.string(raw, "book", "rights"), cover=str(cover) if cover else None,
            series=self.string(raw, "book", "series"), series_index=self.series_index(raw),
            back_cover=str(back_cover) if back_cover else None,
        )

    def series_index(self, raw: dict) -> int | None:
        value = raw.get("series_index")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            self.problem("book.series_index", "must be a whole number from 1")
            return None
        return value

    def parts(self, raw: dict) -> tuple[PartConfig, ...]:
        pieces, parts = raw.get("pieces"), raw.get("parts")
        if pieces is not None and parts is not None:
            self.problem("parts", "use either [[pieces]] or [[parts]], not both",
                         hint="put the loose pieces into a part of their own")
        if pieces is None and parts is None:
            self.problem("pieces", "the book has no pieces",
                         hint='add one:\n[[pieces]]\nsource = "sources/text.txt"')
            return ()
        if parts is not None:
            if not _is_tables(parts) or not parts:
                self.problem("parts", "must be a non-empty array of tables: [[parts]]",
                             hint='add one:\n[[parts]]\ntitle = "…"\n  [[parts.pieces]]\n  source = "sources/text.txt"')
                return ()
            result = []
            for i, part in enumerate(parts):
                name = f"parts[{i}]"
                self.table(part, name, {"title", "pieces"})
                items = part.get("pieces")
                if not _is_tables(items) or not items:
                    self.problem(f"{name}.pieces", "a part needs its pieces: [[parts.pieces]]")
                    items = []
                result.append(PartConfig(self.string(part, name, "title"),
                                         tuple(self.piece(p, f"{name}.pieces[{j}]") for j, p in enumerate(items))))
            return tuple(result)
        if not _is_tables(pieces) or not pieces:
            self.problem("pieces", "must be a non-empty array of tables: [[pieces]]",
                         hint='add one:\n[[pieces]]\nsource = "sources/text.txt"')
            return ()
        return (PartConfig(None, tuple(self.piece(p, f"pieces[{i}]") for i, p in enumerate(pieces))),)

    def piece(self, raw: dict, name: str) -> PieceConfig:
        self.table(raw, name, {"source", "title", "author", "authors", "lang", "article", "skip",
                                 "short_title"})
        source = self.file(raw, name, "source", required=True)
        if source is not None:
            from .readers import READERS  # late: readers import heavy libraries

            if source.suffix.lower() not in READERS:
                kinds = ", ".join(sorted(READERS))
                self.problem(f"{name}.source", f"cannot read '{source.suffix}' files",
                             hint=f"zinebuild reads {kinds}")
        skip = raw.get("skip", [])
        if isinstance(skip, str):
            skip = [skip]
        if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
            self.problem(f"{name}.skip", "must be a list of section headings")
            skip = []
        return PieceConfig(
            source=source or Path("?"), title=self.string(raw, name, "title"),
            short_title=self.string(raw, name, "short_title"),
            authors=self.names(raw, name, "author") + self.names(raw, name, "authors"),
            lang=self.lang(raw, name, "lang"), article=self.string(raw, name, "article"),
            skip=tuple(skip), key=name,
        )

    def matter(self, front: dict, back: dict) -> MatterConfig:
        for name, table in (("front", front), ("back", back)):
            if not isinstance(table, dict):
                self.problem(name, f"must be a table: [{name}]")
        front = front if isinstance(front, dict) else {}
        back = back if isinstance(back, dict) else {}
        self.table(front, "front", {"introduction", "contents", "half_title"})
        self.table(back, "back", {"colophon", "sources"})
        flags = {}
        for table, name, key, default in ((front, "front", "contents", True), (front, "front", "half_title", False),
                                          (back, "back", "sources", True)):
            value = table.get(key, default)
            if not isinstance(value, bool):
                self.problem(f"{name}.{key}", "must be true or false")
                value = default
            flags[key] = value
        return MatterConfig(self.file(front, "front", "introduction"),
                            self.file(back, "back", "colophon"), **flags)

    def output(self, raw, language: str = "en") -> OutputConfig:
        if not isinstance(raw, dict):
            self.problem("output", "must be a table: [output]")
            raw = {}
        self.table(raw, "output", {"formats", "page_size", "sheet", "imposition",
                                   "font_size", "layout", "name", "opening", "notes", "signature",
                                   "creep", "marks", "images", "cover", "paper", "css", "captions", "font",
                                   "missing_glyphs", "binding"})
        defaults = OutputConfig()
        formats = raw.get("formats", list(defaults.formats))
        if isinstance(formats, str):
            formats = [formats]
        if not isinstance(formats, list) or not all(f in FORMATS for f in formats) or not formats:
            self.problem("output.formats", f"must be a list drawn from {', '.join(FORMATS)}")
            formats = list(defaults.formats)
        page_size, sheet = defaults.page_size, defaults.sheet
        try:
            page_size = parse_page_size(raw.get("page_size", "A5"))
        except ValueError as error:
            self.problem("output.page_size", str(error))
        try:
            sheet = parse_page_size(raw.get("sheet", "A4"))
        except ValueError as error:
            self.problem("output.sheet", str(error))
        scheme = raw.get("imposition", "saddle")
        if scheme not in SCHEMES:
            self.problem("output.imposition", f"unknown scheme '{scheme}'",
                         hint=f"available: {', '.join(SCHEMES)}")
            scheme = "saddle"
        font_size = raw.get("font_size", default_font_size(page_size.width))
        try:
            font_size = float(font_size) if isinstance(font_size, (int, float)) else parse_length(font_size)
            if not 5 <= font_size <= 30:
                raise ValueError(f"{font_size:g}pt is not a sensible text size (5pt to 30pt)")
        except ValueError as error:
            self.problem("output.font_size", str(error))
            font_size = defaults.font_size
        layout = self.string(raw, "output", "layout") or "default"
        choices = {}
        for key, allowed in (("opening", ("any", "right")), ("notes", ("footnotes", "endnotes")),
                             ("images", ("colour", "grayscale", "bitmap")), ("cover", ("inside", "separate")),
                                ("captions", ("mark", "omit")), ("missing_glyphs", ("error", "allow")),
                                ("binding", _bindings(language))):
            value = raw.get(key, allowed[0])
            if value not in allowed:
                self.problem(f"output.{key}", f"must be {' or '.join(repr(a) for a in allowed)}, not {value!r}")
                value = allowed[0]
            choices[key] = value
        signature = raw.get("signature", 0)
        if not isinstance(signature, int) or isinstance(signature, bool) or signature < 0:
            self.problem("output.signature", "must be a whole number of sheets (0 for one signature)")
            signature = 0
        creep = defaults.creep
        if raw.get("creep") in (0, "0"):
            creep = 0.0
        elif "creep" in raw:
            try:
                creep = parse_length(raw["creep"])
            except ValueError as error:
                self.problem("output.creep", str(error))
        paper = defaults.paper
        if "paper" in raw:
            try:
                paper = parse_length(raw["paper"])
            except ValueError as error:
                self.problem("output.paper", str(error))
        marks = raw.get("marks", False)
        if not isinstance(marks, bool):
            self.problem("output.marks", "must be true or false")
            marks = False
        return OutputConfig(tuple(dict.fromkeys(formats)), page_size, sheet, scheme,
                            float(font_size), layout, self.output_name(raw), **choices,
                            signature=signature, creep=creep, marks=marks, paper=paper, css=self.stylesheets(raw),
                            font=self.font(raw))

    def font(self, raw: dict) -> str:
        from . import faces

        value = self.string(raw, "output", "font") or faces.DEFAULT
        if faces.shipped(value):
            return faces.shipped(value)
        folder = self.root / value
        try:
            if not folder.is_dir():
                raise ValueError(f"no shipped face and no folder '{value}'")
            faces.folder_face(folder)
        except ValueError as error:
            self.problem("output.font", str(error), hint=f"shipped faces: {', '.join(faces.SHIPPED)}; or a folder "
                                                         "of .otf/.ttf files (regular, italic, bold, bold italic)")
            return faces.DEFAULT
        return value

    def stylesheets(self, raw: dict) -> tuple[Path, ...]:
        value = raw.get("css", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem("output.css", "must be a list of stylesheet files, e.g. [\"my.css\"]")
            return ()
        found = [self.file({"css": v}, "output", "css") for v in value]
        for path in filter(None, found):
            if path.suffix.lower() != ".css" or not path.is_relative_to(self.root):
                self.problem("output.css", f"'{path.name}' must be a .css file inside {self.root}")
                return ()
        return tuple(filter(None, found))


def default_font_size(page_width: float) -> float:
    """Type that suits the page: 10.5pt from A5 up, 9.5pt on A6 and B6, 8.5pt on A7."""
    millimetres = page_width * 25.4 / 72
    return 10.5 if millimetres >= 130 else 9.5 if millimetres >= 100 else 8.5


def _is_tables(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _kind(value) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


class _KeyLines:
    """Finds the line of a key path like ``parts[1].pieces[0].source`` in TOML text.

    A cheap scan of table headers and ``key =`` lines: enough to point at the
    line in error messages, without a position-aware TOML parser.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")

    def __init__(self, text: str):
        self.index: dict[str, int] = {}
        counts: dict[str, int] = {}
        current = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                names = [n.strip().strip('"') for n in header[2].split(".")]
                if header[1] == "[[":
                    parent = self._concrete(names[:-1], counts)
                    array = f"{parent}.{names[-1]}" if parent else names[-1]
                    counts[array] = counts.get(array, -1) + 1
                    current = f"{array}[{counts[array]}]"
                    # A new array element restarts the numbering of arrays nested in it.
                    for key in [k for k in counts if k.startswith(current + ".")]:
                        del counts[key]
                else:
                    current = self._concrete(names, counts)
                self.index.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if key:
                name = key[1].strip('"')
                self.index.setdefault(f"{current}.{name}" if current else name, number)

    @staticmethod
    def _concrete(names: list[str], counts: dict[str, int]) -> str:
        path = ""
        for name in names:
            path = f"{path}.{name}" if path else name
            if path in counts:
                path = f"{path}[{counts[path]}]"
        return path

    def find(self, key: str) -> int | None:
        while key:
            if key in self.index:
                return self.index[key]
            key = key.rpartition(".")[0]
        return None


def _bindings(language: str) -> tuple[str, str]:
    """The booklet's spine sides, the book language's own first: right for right-to-left."""
    from .render import direction  # late: render builds on this module

    return ("right", "left") if direction(language) == "rtl" else ("left", "right")
