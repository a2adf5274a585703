"""Turn an Anthology into HTML through a layout's Jinja2 templates, once, for every output.

The layout (zinebuild/layout.py) is a stack of folders; config values reach its
stylesheets as custom properties (``--zb-page-width``, ``--zb-margin-inner``, …), set
before any stylesheet, so that a layout's or a user's CSS can use them or override them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from .config import OutputConfig
from .cssinline import inline_stylesheet
from .dates import build_time
from .fetch import Confined
from .imagesrc import SharedPictures, cover_src, src_for, with_data_urls
from .labels import labels
from .layout import BUILTIN_LAYOUTS, Layout  # noqa: F401  (where the rest of zinebuild finds them)
from .model import Anthology, BookInfo, Piece, block_inlines, note_refs
from .outline import heading_tag, section_anchor, section_rank, title_level
from .slug import slugify


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


# Languages written right to left (their primary subtags): their pieces get dir="rtl".
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"})


def direction(lang: str | None) -> str:
    """"rtl" for a language written right to left, else "ltr"."""
    return "rtl" if (lang or "").split("-")[0].lower() in RTL_LANGUAGES else "ltr"


HEAD_SIZE = 8.5  # points: the running heads' size in print.css
HEAD_EM = 0.5  # a generous average width of an italic letter, in ems: a head cut by it fits


def running_head(title: str, short_title: str | None, out: OutputConfig) -> str:
    """The piece's short title, or its title cut at a word boundary to fit one line."""
    if short_title:
        return short_title
    margins = page_margins(out.page_size.width, out.page_size.height)
    room = int((out.page_size.width - margins["inner"] - margins["outer"]) / (HEAD_SIZE * HEAD_EM))
    title = " ".join(title.split())
    if len(title) <= room:
        return title
    cut = title[:room - 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return f"{cut}…"


def is_bare_url(link) -> bool:
    """Whether a link's text is an address (https://…, www.…) rather than words."""
    text = "".join(getattr(child, "text", "") for child in link.children).strip()
    return bool(text) and " " not in text and ("://" in text or text.startswith(("www.", "mailto:")))


def punctuate(text: str, mark: str) -> str:
    """The mark to put after text, unless it already ends in punctuation ("weapons!, KRAS.")."""
    bare = text.rstrip().rstrip("\"'”’»)]")  # “It’s Capitalism stupid!”, Dreyfus: the quote ends in "!"
    return "" if bare.endswith((".", "!", "?", "…", ",", ";", ":")) else mark


def config_properties(layout: Layout) -> dict[str, str]:
    """The config's page and type as CSS custom properties, for the stylesheets to use."""
    out = layout.output
    margins = page_margins(out.page_size.width, out.page_size.height)
    return {"page-width": f"{round(out.page_size.width, 3)}pt", "page-height": f"{round(out.page_size.height, 3)}pt",
            **{f"margin-{side}": f"{value}pt" for side, value in margins.items()},
            "font-size": f"{out.font_size}pt",
            # The book face, then the shipped faces for the scripts it may lack (Arabic, Hebrew).
            "font-family": ", ".join(f'"{face.family}"' for face in (layout.face, *layout.script_faces))}


def _context(anthology: Anthology, layout: Layout, target: str) -> dict:
    out = layout.output
    return {
        "margins": page_margins(out.page_size.width, out.page_size.height),
        "properties": config_properties(layout),
        "running_head": lambda title, short=None: running_head(title, short, out),
        "opening": out.opening, "print_notes": out.notes, "captions": out.captions,
        "build_date": build_time(anthology.book.date).date().isoformat(),
        "file_name": lambda path: Path(path).name, "punctuate": punctuate, "is_bare_url": is_bare_url, "direction": direction,
        "anthology": anthology, "book": anthology.book, "target": target,
        "page_width": round(out.page_size.width, 3), "page_height": round(out.page_size.height, 3),
        "font_size": out.font_size, "notes": NoteIds(), "unreferenced_notes": unreferenced_notes,
        "lang": anthology.book.language, "notes_file": "", "font_faces": "",
        # The book's own words in its language; a piece's notes heading in the piece's (labels.py).
        "labels": labels(anthology.book.language), "labels_for": labels,
        "title_level": lambda piece: title_level(anthology, piece),
        "heading_tag": heading_tag, "section_anchor": section_anchor, "section_rank": section_rank,
        "hidden_roles": HIDDEN_ROLES, "dpub_role": DPUB_ROLES.get,
        # Where a link inside the book leads (links.py made it "#id" in the piece it names).
        "internal_href": (lambda piece_id, url: f"{unit_file(piece_id)}{url}") if target == "epub"
        else (lambda piece_id, url: url),
        # images.py, reading through the one confined fetcher: a file in the EPUB, a picture's name in print
        "image_src": src_for(target, out, Confined(layout)),
        "print_cover_src": cover_src(out, Confined(layout)),
        "covers_inside": out.cover == "inside",  # else on a sheet of their own (writers/cover_sheet.py)
        "shared_picture": lambda block: None,  # a picture shown again, in the .html file (imagesrc.SharedPictures)
    }


def unit_file(unit_id: str) -> str:
    """The EPUB file of one unit (piece, part, matter), beside the others in text/."""
    return f"{unit_id}.xhtml"


def _print_sheets(layout: Layout, inline_assets: bool = False) -> dict:
    """The print stylesheets as <link> URLs, or inlined in one <style> (a self-contained file),
    and the @font-face rules of the chosen book face."""
    sheets = layout.print_stylesheets()
    faces = font_faces(layout)
    if inline_assets:
        return {"stylesheets": [], "font_faces": _embedded_faces(layout),
                "inline_css": "\n".join(_inline_css(layout, sheet) for sheet in sheets)}
    return {"stylesheets": [sheet.as_uri() for sheet in sheets], "inline_css": "", "font_faces": faces}


def font_faces(layout: Layout) -> str:
    """The @font-face rules of the chosen book face ([output] font), by file URL."""
    return "\n".join(f'@font-face {{ font-family: "{face.family}"; src: url({path.as_uri()}); '
                     f"font-style: {style}; font-weight: {weight}; }}"
                     for face in (layout.face, *layout.script_faces) for style, weight, path in face.files)


def book_html(anthology: Anthology, layout: Layout, inline_assets: bool = False) -> str:
    """The whole book as one HTML document, styled by print.css (the PDF and the .html output)."""
    context = _context(anthology, layout, "print")
    context.update(_print_sheets(layout, inline_assets))
    if inline_assets:  # a screen's file: colour, not print's
        from .media import book_images

        fetcher = Confined(layout)
        context.update(image_src=src_for("screen", layout.output, fetcher),
                       print_cover_src=cover_src(layout.output, fetcher, True),
                       shared_picture=SharedPictures(book_images(anthology), layout.output, fetcher))
        return with_data_urls(layout.render("book.html", title=anthology.book.title, **context))
    return layout.render("book.html", title=anthology.book.title, **context)


def print_pieces(anthology: Anthology) -> list[tuple[Piece, str]]:
    """Every piece of the printed book with its kind ("matter" or "piece"), in reading order."""
    return ([(piece, "matter") for piece in anthology.front] + [(piece, "piece") for piece in anthology.pieces]
            + [(piece, "matter") for piece in anthology.back])


def shell_html(anthology: Anthology, layout: Layout) -> str:
    """The print document's shell, without content: it links every piece's stylesheets
    (typeset.weasy.prepare parses them before any piece is ready)."""
    context = _context(anthology, layout, "print")
    context.update(_print_sheets(layout))
    return layout.render("base.html", title=anthology.book.title, **context)


def piece_html(anthology: Anthology, layout: Layout, piece: Piece, kind: str) -> str:
    """One piece as a document of its own, styled exactly as in book_html (unit.html)."""
    context = _context(anthology, layout, "print")
    context.update(_print_sheets(layout), piece=piece, kind=kind)
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
        units.append(unit("notes", "notes", context["labels"].notes))
    if anthology.sources:
        units.append(unit("sources", "sources", context["labels"].sources))
    return units


def cover_html(anthology: Anthology, layout: Layout, size: str = "5in 8in") -> str:
    """The generated cover's design, a one-page HTML document (layouts/*/cover.html) of this
    page size (CSS: the EPUB's cover is a paperback's shape, print's the book's page), set in
    the book's face ([output] font)."""
    context = _context(anthology, layout, "cover")
    context.update(font_faces=font_faces(layout))
    return layout.render("cover.html", cover_size=size, **context)


def cover_sheet_html(anthology: Anthology, layout: Layout, spine: float) -> str:
    """The covers side by side on one sheet, with the spine between (layouts/*/cover_sheet.html)."""
    context = _context(anthology, layout, "print")
    width = round(2 * layout.output.page_size.width + spine, 3)
    return layout.render("cover_sheet.html", sheet_width=width, spine=spine, **context)


def epub_css(layout: Layout) -> str:
    """The EPUB's one stylesheet: every layer's epub.css, parent first, then the user's stylesheets
    (custom.css, [output] css) as in print, each with what it refers to embedded: the EPUB holds
    no file a stylesheet could name."""
    confined = Confined(layout)
    own = [confined.required(sheet).decode("utf-8") for sheet in layout.stylesheets("epub.css")]
    return "\n".join(own + [inline_stylesheet(confined, sheet) for sheet in layout.user_stylesheets()])


def _inline_css(layout: Layout, css_path: Path) -> str:
    """The stylesheet with its imports, fonts and images embedded as data: URLs (a self-contained file)."""
    return inline_stylesheet(Confined(layout), css_path)


def _embedded_faces(layout: Layout) -> str:
    """The book face's @font-face rules with the fonts embedded (the self-contained .html); a
    browser sets Arabic and Hebrew in its own fonts, so the script faces are not carried."""
    confined = Confined(layout)
    mime = {".otf": "font/otf", ".ttf": "font/ttf"}
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("data:{mime.get(path.suffix.lower(), "font/otf")};'
        f'base64,{base64.b64encode(confined.required(path)).decode()}"); font-style: {style}; font-weight: {weight}; }}'
        for face in (layout.face,) for style, weight, path in face.files)


def output_stem(book: BookInfo, output: OutputConfig) -> str:
    return output.name or slugify(book.title)
