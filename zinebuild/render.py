"""Turn an Anthology into HTML through a layout's Jinja2 templates, once, for every output.

A layout is a folder of templates and assets. A project's ``layouts/NAME/`` overrides
the built-in ``layouts/NAME/`` file by file, and every layout falls back on the
built-in ``default``: copy one file, change it, and the rest still comes from us.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jinja2

from .config import Config, EpubConfig, OutputConfig
from .cssinline import inline_stylesheet
from .dates import build_time
from .errors import BuildError, InputError, Problem
from .fetch import Confined
from .images import cover_src, src_for
from .model import Anthology, BookInfo, Piece, block_inlines, note_refs
from .outline import heading_tag, section_anchor, section_rank, title_level
from .slug import slugify

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the layouts inside the package; a source checkout has them beside it.
BUILTIN_LAYOUTS = next((p for p in (_PACKAGE / "layouts", _PACKAGE.parent / "layouts") if p.is_dir()),
                       _PACKAGE / "layouts")


@dataclass(frozen=True)
class Layout:
    name: str
    search_path: tuple[Path, ...]  # first wins
    output: OutputConfig
    project_root: Path
    epub: EpubConfig = EpubConfig()

    @classmethod
    def from_config(cls, config: Config) -> "Layout":
        name = config.output.layout
        dirs: list[Path] = []
        as_path = (config.root / name)
        if "/" in name or name.startswith("."):
            if not as_path.is_dir():
                raise InputError(Problem(f"no layout folder '{name}'", file=config.path, key="output.layout"))
            folder = as_path.resolve()
            # The fetcher serves every file under a layout folder: "/" or ".." would open the whole disk.
            builtin = {p.name for p in (BUILTIN_LAYOUTS / "default").iterdir() if p.is_file()}
            if config.root.is_relative_to(folder) or not any((folder / n).is_file() for n in builtin):
                raise InputError(Problem(f"'{name}' is not a layout folder", file=config.path, key="output.layout",
                                         hint="name a folder holding layout files (print.css, piece.html, …), "
                                              "not one that holds the project"))
            dirs.append(folder)
        else:
            for candidate in (config.root / "layouts" / name, BUILTIN_LAYOUTS / name):
                if candidate.is_dir():
                    dirs.append(candidate.resolve())
            if not dirs:
                known = sorted(p.name for p in BUILTIN_LAYOUTS.iterdir() if p.is_dir())
                raise InputError(Problem(f"no layout named '{name}'", file=config.path, key="output.layout",
                                         hint=f"built-in layouts: {', '.join(known)}; or put yours in "
                                              f"{config.root / 'layouts' / name}"))
        default = (BUILTIN_LAYOUTS / "default").resolve()
        if default not in dirs:
            dirs.append(default)
        return cls(name, tuple(dirs), config.output, config.root, config.epub)

    def __getstate__(self) -> dict:
        # Sent to the render service: without the Jinja environment, which is rebuilt on use.
        state = dict(self.__dict__)
        state.pop("env", None)
        return state

    @cached_property
    def env(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=_ConfinedLoader(self),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )
        return env

    def files(self) -> dict[str, Path]:
        """Every file the layout offers, by relative path: the first folder with it wins.

        Links leading out of the project and its layouts are left out: the split render
        finds its fonts here, and the cache hashes these files.
        """
        found: dict[str, Path] = {}
        confined = Confined(self)
        for folder in self.search_path:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and confined.inside(path):
                    found.setdefault(path.relative_to(folder).as_posix(), path)
        return found

    def asset(self, relative: str) -> Path:
        for folder in self.search_path:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        raise BuildError(Problem(f"the layout has no file '{relative}'", file=self.search_path[0]))

    def resolve(self, path: Path) -> Path | None:
        """A path inside one layout folder, or the same relative path in the next one."""
        for folder in self.search_path:
            try:
                relative = path.resolve().relative_to(folder)
            except ValueError:
                continue
            for other in self.search_path:
                if (other / relative).is_file():
                    return other / relative
        return None

    def render(self, template: str, **context) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as error:
            raise BuildError(Problem(f"template error: {error.message}", file=error.filename, line=error.lineno,
                                     hint="fix the template, or delete it to fall back on the built-in one")) from None
        except jinja2.UndefinedError as error:
            raise BuildError(Problem(f"template error: {error.message}", file=_template_file(self, template),
                                     hint="the templates can use: book, anthology, piece, part, target, …")) from None
        except jinja2.TemplateNotFound as error:
            raise BuildError(Problem(f"layout has no template '{error.name}'", file=self.search_path[0])) from None


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the layout folders, first wins; a template that is a link leading out is refused."""

    def __init__(self, layout: Layout):
        super().__init__([str(d) for d in layout.search_path])
        self.confined = Confined(layout)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not self.confined.inside(Path(filename)):
            raise InputError(Problem("the template leads outside the project and its layouts; it is not read",
                                     file=filename, hint="put the template itself, not a link, in the layout"))
        return source, filename, uptodate


def _template_file(layout: Layout, template: str) -> str:
    try:
        return layout.env.get_template(template).filename or template
    except jinja2.TemplateError:
        return template


class NoteIds:
    """Numbers notes per piece and gives every reference its own id (for back links)."""

    def __init__(self):
        self._refs: dict[tuple[str, str], list[str]] = {}

    # Anchors are made from the note's number, never its label (untrusted text), and joined with
    # "--", which no piece id holds (slug.safe_id), as outline.section_anchor does: they collide
    # with nothing else in the book.
    def number(self, piece: Piece, note_id: str) -> int:
        return piece.document.note_number(note_id)

    def anchor(self, piece: Piece, note_id: str) -> str:
        """The id of the note itself."""
        return f"{piece.id}--note-{self.number(piece, note_id)}"

    def ref_id(self, piece: Piece, note_id: str) -> str:
        refs = self._refs.setdefault((piece.id, note_id), [])
        ref = self.first_ref(piece, note_id) + (f"-{len(refs) + 1}" if refs else "")
        refs.append(ref)
        return ref

    def first_ref(self, piece: Piece, note_id: str) -> str:
        return f"{piece.id}--ref-{self.number(piece, note_id)}"


def unreferenced_notes(piece: Piece) -> dict:
    """Notes no reference points at, by id: they still belong in the book, at the piece's end."""
    referenced = set()
    for block in piece.document.blocks:
        for run in block_inlines(block):  # tables and captions hold references too, quotes nest blocks
            referenced.update(note_refs(run))
    return {n.id: n for n in piece.document.notes if n.id not in referenced}


def page_margins(width: float, height: float) -> dict[str, float]:
    """Margins in points that suit the page: proportional, wider at the fold than outside."""
    return {"top": round(0.08 * height, 2), "bottom": round(0.09 * height, 2),
            "inner": round(0.115 * width, 2), "outer": round(0.095 * width, 2)}


def _context(anthology: Anthology, layout: Layout, target: str) -> dict:
    out = layout.output
    return {
        "margins": page_margins(out.page_size.width, out.page_size.height),
        "opening": out.opening, "print_notes": out.notes,
        "build_date": build_time(anthology.book.date).date().isoformat(),
        "file_name": lambda path: Path(path).name,
        "anthology": anthology, "book": anthology.book, "target": target,
        "page_width": round(out.page_size.width, 3), "page_height": round(out.page_size.height, 3),
        "font_size": out.font_size, "notes": NoteIds(), "unreferenced_notes": unreferenced_notes,
        "lang": anthology.book.language, "notes_file": "",
        "title_level": lambda piece: title_level(anthology, piece),
        "heading_tag": heading_tag, "section_anchor": section_anchor, "section_rank": section_rank,
        "hidden_roles": HIDDEN_ROLES, "dpub_role": DPUB_ROLES.get,
        # Where a link inside the book leads (links.py made it "#id" in the piece it names).
        "internal_href": (lambda piece_id, url: f"{unit_file(piece_id)}{url}") if target == "epub"
        else (lambda piece_id, url: url),
        "image_src": src_for(target, out),  # images.py: a file in the EPUB, a data: URL in print
        "print_cover_src": cover_src(out),
        "covers_inside": out.cover == "inside",  # else on a sheet of their own (writers/cover_sheet.py)
    }


def unit_file(unit_id: str) -> str:
    """The EPUB file of one unit (piece, part, matter), beside the others in text/."""
    return f"{unit_id}.xhtml"


def book_html(anthology: Anthology, layout: Layout, inline_assets: bool = False) -> str:
    """The whole book as one HTML document, styled by print.css (the PDF and the .html output)."""
    context = _context(anthology, layout, "print")
    if inline_assets:
        context.update(stylesheets=[], inline_css=_inline_css(layout, "print.css"),
                       image_src=src_for("screen", layout.output), print_cover_src=cover_src(layout.output, True))  # a screen's file: colour, not print's
    else:
        context.update(stylesheets=["print.css"], inline_css="")
    return layout.render("book.html", title=anthology.book.title, **context)


def print_pieces(anthology: Anthology) -> list[tuple[Piece, str]]:
    """Every piece of the printed book with its kind ("matter" or "piece"), in reading order."""
    return ([(piece, "matter") for piece in anthology.front] + [(piece, "piece") for piece in anthology.pieces]
            + [(piece, "matter") for piece in anthology.back])


def piece_html(anthology: Anthology, layout: Layout, piece: Piece, kind: str) -> str:
    """One piece as a document of its own, styled exactly as in book_html (unit.html)."""
    context = _context(anthology, layout, "print")
    context.update(stylesheets=["print.css"], inline_css="", piece=piece, kind=kind)
    return layout.render("unit.html", title=piece.document.title, **context)


@dataclass(frozen=True)
class EpubUnit:
    """One XHTML file of the EPUB."""

    id: str
    file_name: str
    title: str
    kind: str  # "title", "matter", "part", "piece"
    xhtml: str


COVER_IMAGE = "images/cover.jpg"

# Paragraphs written for one kind of output ({.print-only} / {.ebook-only} in Markdown):
# front and back matter may speak of footnotes at the foot of the page, or of stapling.
HIDDEN_ROLES = {"print": frozenset({"ebook-only"}), "epub": frozenset({"print-only"}),
                "cover": frozenset()}

# The DPUB-ARIA role matching each epub:type we write, for assistive technology that reads
# roles, not epub:type (Ace: epub-type-has-matching-role). Types without a role have none.
DPUB_ROLES = {name: f"doc-{name}" for name in (
    "abstract", "acknowledgments", "afterword", "appendix", "bibliography", "chapter", "colophon",
    "conclusion", "credits", "dedication", "endnotes", "epigraph", "epilogue", "errata", "foreword",
    "glossary", "index", "introduction", "part", "preface", "prologue")}


def epub_units(anthology: Anthology, layout: Layout, cover: bool = False) -> list[EpubUnit]:
    """The EPUB's XHTML files in reading order: cover, title, matter, parts and pieces, notes."""
    context = _context(anthology, layout, "epub")
    book_notes = layout.epub.notes == "book" and any(p.document.notes for p in anthology.pieces)
    context.update(stylesheets=["../style/epub.css"], inline_css="",
                   notes_file="notes.xhtml" if book_notes else "")
    book = anthology.book

    def unit(uid: str, kind: str, title: str, **extra) -> EpubUnit:
        xhtml = layout.render("epub_page.html", **{**context, "title": title, "kind": kind, **extra})
        return EpubUnit(uid, f"text/{unit_file(uid)}", title, kind, xhtml)

    units = [unit("cover", "cover", book.title, cover_src=f"../{COVER_IMAGE}")] if cover else []
    units.append(unit("title", "title", book.title))
    for piece in anthology.front:
        units.append(unit(piece.id, "matter", piece.document.title, piece=piece,
                          lang=piece.document.lang or book.language))
    for part in anthology.parts:
        if part.title:
            units.append(unit(part.id, "part", part.title, part=part))
        for piece in part.pieces:
            units.append(unit(piece.id, "piece", piece.document.title, piece=piece,
                              lang=piece.document.lang or book.language))
    for piece in anthology.back:
        units.append(unit(piece.id, "matter", piece.document.title, piece=piece,
                          lang=piece.document.lang or book.language))
    if book_notes:
        units.append(unit("notes", "notes", "Notes"))
    if anthology.sources:
        units.append(unit("sources", "sources", "Sources"))
    return units


def cover_html(anthology: Anthology, layout: Layout) -> str:
    """The generated cover's design, a one-page HTML document (layouts/*/cover.html)."""
    return layout.render("cover.html", **_context(anthology, layout, "cover"))


def cover_sheet_html(anthology: Anthology, layout: Layout, spine: float) -> str:
    """The covers side by side on one sheet, with the spine between (layouts/*/cover_sheet.html)."""
    context = _context(anthology, layout, "print")
    width = round(2 * layout.output.page_size.width + spine, 3)
    return layout.render("cover_sheet.html", sheet_width=width, spine=spine, **context)


def epub_css(layout: Layout) -> str:
    return Confined(layout).required(layout.asset("epub.css")).decode("utf-8")


def _inline_css(layout: Layout, name: str) -> str:
    """The stylesheet with its imports, fonts and images embedded as data: URLs (a self-contained file)."""
    return inline_stylesheet(Confined(layout), layout.asset(name))


def output_stem(book: BookInfo, output: OutputConfig) -> str:
    return output.name or slugify(book.title)
