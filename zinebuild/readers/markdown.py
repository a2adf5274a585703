"""Turn a Markdown file with optional front matter into one Document (markdown-it-py + footnotes)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..clean.decode import NotText, decode
from ..clean.normalise import normalise
from .. import frontmatter, links
from ..errors import Problem, SourceError
from ..model import (Block, Break, Caption, Code, Document, Emphasis, Heading, Inline, Inlines, ItemNumbers, Level,
                     LineBreak, Link, ListBlock, Note, NoteRef, Paragraph, Preformatted, Quote, Removal, Source, Strong, Text,
                     block_text, plain)
from ..slug import slugify
from . import figures, html, mdtable

# {.caption} and {.question} lines give a paragraph its kind or role (written by `zinebuild import`).
# markdown-it silently drops what is nested deeper than maxNesting (20 in "commonmark"): no limit
# here; depth.py flattens deep quotes, and readers.read names a source too deep to parse at all.
_PARSER = (MarkdownIt("commonmark", {"maxNesting": 1_000_000}).enable("table")  # pipe tables: figures.py
           .use(footnote_plugin).use(attrs_block_plugin))
mdtable.install(_PARSER)  # a row longer than its header keeps its cells: the table widens


def _keep_unreferenced_notes(state) -> None:
    """A note the text never cites is still the author's words: numbered after the cited ones,
    where footnote_tail would drop it without a word."""
    notes = state.env.get("footnotes")
    if not notes:
        return
    listed = notes.setdefault("list", {})
    for key, number in notes.get("refs", {}).items():
        if number == -1:
            notes["refs"][key] = new = len(listed)
            listed[new] = {"label": key[1:], "count": 0}


_PARSER.core.ruler.before("footnote_tail", "footnote_keep_unreferenced", _keep_unreferenced_notes)
# markdown-it leaves javascript:, file: and data: links as literal "[text](url)"; links.py
# judges every URL instead, so that the text is kept and the URL never shown.
_PARSER.validateLink = lambda url: True
_ROLES = {"question", "answer", "signature", "about", "note",
          "print-only", "ebook-only"}  # the last two: a paragraph for one kind of output only
# [[Page]], [[Page|shown text]], [[Page#Heading]] (Obsidian, wikis): links.py finds the piece.
_WIKILINK = re.compile(r"\[\[([^\[\]|#]*)(#[^\[\]|]*)?(?:\|([^\[\]]+))?\]\]")


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    text = normalise(text)
    fields, body, body_line = frontmatter.split(text, path)
    warnings: list[str] = list(fields.warnings)
    tokens = _PARSER.parse(body)
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + body_line - 1, token.map[1] + body_line - 1]
    converter = _Converter(warnings, text.split("\n"), path)
    blocks, notes, first_heading = converter.convert(tokens)
    # The first heading names a piece whose front matter does not; transforms.py absorbs it.
    title = fields.title or first_heading or path.stem.replace("_", " ")
    doc = Document(
        title=title, blocks=tuple(blocks), notes=tuple(notes), subtitle=fields.subtitle, authors=fields.authors,
        lang=fields.lang, slug=fields.slug or slugify(title), source_url=fields.source, date=fields.date,
        untitled=not (fields.title or first_heading), description=fields.description, subjects=fields.subjects,
        meta=fields.meta, urls=fields.urls,
        short_title=fields.short_title,
    )
    return Source(str(path), encoding, (doc,), tuple(converter.removed), tuple(warnings))


class _Converter:
    """Walks markdown-it's flat token stream into the nested block model."""

    def __init__(self, warnings: list[str], lines: list[str], path: Path):
        self.warnings = warnings
        self.path = path  # pictures are found beside it (figures.py)
        self.pictures: list = []  # images met in the inline content being converted
        self.removed: list[Removal] = []  # what raw HTML in the text leaves out (comments, scripts, …)
        self.lines = lines  # of the whole file, to say on which line a link is
        self.first_heading: str | None = None
        self.line: int | None = None  # of the block being converted (first and last)
        self.last_line: int | None = None

    def convert(self, tokens: list[Token]):
        body, _ = self._blocks(tokens, 0, stop=None)
        return body, self._notes(tokens), self.first_heading

    def _blocks(self, tokens: list[Token], pos: int, stop: str | None) -> tuple[list[Block], int]:
        blocks: list[Block] = []
        while pos < len(tokens):
            token = tokens[pos]
            kind = token.type
            if kind == stop or kind == "footnote_block_open":
                return blocks, pos if kind == "footnote_block_open" else pos + 1
            if token.map:
                self.line, self.last_line = token.map[0] + 1, token.map[1]
            if kind == "heading_open":
                inlines = self._inlines(tokens[pos + 1].children or [])
                level = int(token.tag[1])
                if self.first_heading is None and level == 1 and not blocks:
                    self.first_heading = plain(inlines)
                blocks.append(Heading(level, inlines, id=self._heading_id(token, plain(inlines))))
                pos += 3
            elif kind == "paragraph_open":
                inlines = self._inlines(tokens[pos + 1].children or [])
                css = str(token.attrs.get("class", ""))
                if self.pictures:
                    blocks += figures.markdown_figures(self.pictures, inlines, css or None, self.path,
                                                       self.line or 0, self.warnings)
                    self.pictures = []
                elif css == "caption":
                    if not figures.take_caption(blocks, Caption(inlines)):
                        blocks.append(Caption(inlines))
                else:
                    blocks.append(Paragraph(inlines, css if css in _ROLES else None))
                pos += 3
            elif kind == "blockquote_open":
                inner, pos = self._blocks(tokens, pos + 1, "blockquote_close")
                blocks.append(Quote(tuple(inner)))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                block, pos = self._list(tokens, pos)
                blocks.append(block)
            elif kind == "html_block":  # raw HTML: the HTML reader's allow-list decides what stays
                inner, removed = html.fragment(token.content, self.line or 1, self.path, self.warnings)
                blocks.extend(figures.lone_picture_caption(inner))
                self.removed.extend(removed)
                pos += 1
            elif kind == "table_open":
                table, pos = figures.markdown_table(tokens, pos, self._inlines)
                blocks.append(table)
            elif kind == "hr":
                blocks.append(Break())
                pos += 1
            elif kind in ("fence", "code_block"):
                blocks.append(Preformatted(token.content.rstrip("\n")))
                pos += 1
            else:
                pos += 1
        return blocks, pos

    def _line_of(self, text: str) -> int | None:
        """The line of the block being converted on which text is written (markdown-it knows only the block)."""
        if self.line is None:
            return None
        for number in range(self.line, (self.last_line or self.line) + 1):
            if text and text in self.lines[number - 1]:
                return number
        return self.line

    def _inline_html(self, tag: str, out: list[Inline]) -> None:
        """A tag inside a paragraph: the text around it stays, the tag goes (a <br> breaks the line);
        a comment (Hugo's <!--more-->, notes to self) is reported, never printed."""
        if tag.startswith(("<!--", "<?")):
            self.removed.append(Removal(self._line_of(tag) or 0, tag.strip("<!-?>").strip(),
                                        "comment" if tag.startswith("<!--") else "processing instruction"))
        elif re.match(r"<br\b", tag, re.I):
            out.append(LineBreak())

    def _heading_id(self, token: Token, text: str) -> str:
        return str(token.attrs.get("id") or "") or links.heading_id(text)

    def _list(self, tokens: list[Token], pos: int) -> tuple[ListBlock, int]:
        """The list opening at tokens[pos], with the lists inside its items and the numbers its
        author wrote (9, 11, 12 stay so, where markdown-it would count 9, 10, 11)."""
        ordered = tokens[pos].type == "ordered_list_open"
        close = tokens[pos].type.replace("open", "close")
        start = int(tokens[pos].attrGet("start") or 1)
        items: list[Inlines] = []
        levels: list[Level] = []
        numbers = ItemNumbers(start)
        pos += 1
        while tokens[pos].type != close:
            token = tokens[pos]
            if token.type != "list_item_open":
                pos += 1
                continue
            # info is the number as written: digits only (markdown-it's rule), made an int here.
            own = numbers.own(int(token.info) if ordered and token.info.isdigit() else None)
            inner, pos = self._blocks(tokens, pos + 1, "list_item_close")
            for part, (text, inside) in enumerate(self._item(inner)):
                items.append(text)  # the item, then what continues it after a list inside it
                levels.append(Level(0, ordered, start, value=own if part == 0 else None, continues=part > 0))
                if inside is not None:  # a list inside, one level deeper
                    items += inside.items
                    levels += [replace(level, depth=level.depth + 1) for level in
                               inside.levels or (Level(0, inside.ordered, inside.start),) * len(inside.items)]
        flat = all(level.depth == 0 and level.value is None and not level.continues for level in levels)
        return ListBlock(ordered, tuple(items), start, () if flat else tuple(levels)), pos + 1

    def _item(self, inner: list[Block]) -> list[tuple[Inlines, ListBlock | None]]:
        """A list item's text (its paragraphs, a line apart) and the list inside it; what comes
        after that list (text, or another list) continues the item in a part of its own."""
        figures.report_flattened(inner, "a list item", self.warnings)
        parts: list[tuple[list[Inline], list[ListBlock]]] = [([], [])]
        for block in inner:
            if parts[-1][1]:  # after a list: text, or a second list, is more of the item
                parts.append(([], []))
            text, inside = parts[-1]
            if isinstance(block, ListBlock):
                inside.append(block)
                continue
            if text:
                text.append(LineBreak())
            text.extend(getattr(block, "inlines", ()) or (Text(block_text(block)),))
        return [(tuple(text), inside[0] if inside else None) for text, inside in parts]

    def _notes(self, tokens: list[Token]) -> list[Note]:
        notes, pos = [], 0
        while pos < len(tokens):
            token = tokens[pos]
            if token.type == "footnote_open":
                label = str(token.meta.get("label", token.meta.get("id")))
                inner, pos = self._blocks(tokens, pos + 1, "footnote_close")
                figures.report_flattened(inner, "a note", self.warnings)
                paragraphs = tuple(getattr(b, "inlines", None) or (Text(block_text(b)),) for b in inner)
                notes.append(Note(label, paragraphs))
            else:
                pos += 1
        return notes

    def _inlines(self, tokens: list[Token]) -> tuple[Inline, ...]:
        out, _ = self._inline_run(tokens, 0, None)
        return tuple(node for part in out for node in (_wikilinks(part, self._line_of) if isinstance(part, Text)
                                                        else (part,)))

    def _inline_run(self, tokens: list[Token], pos: int, stop: str | None):
        out: list[Inline] = []
        while pos < len(tokens):
            token = tokens[pos]
            kind = token.type
            if kind == stop:
                return out, pos + 1
            if kind == "text":
                _append_text(out, token.content)
            elif kind == "softbreak":
                _append_text(out, " ")
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "code_inline":
                out.append(Code(token.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                children, pos = self._inline_run(tokens, pos + 1, kind.replace("open", "close"))
                if kind == "em_open":
                    out.append(Emphasis(tuple(children)))
                elif kind == "strong_open":
                    out.append(Strong(tuple(children)))
                else:  # every href becomes a Link here; links.py decides once what each may become
                    href = str(token.attrGet("href") or "")
                    out.append(Link(href, tuple(children), line=self._line_of(href)))
                continue
            elif kind == "html_inline" and (picture := figures.inline_img(token.content)) is not None:
                tokens = [*tokens[:pos], picture, *tokens[pos + 1:]]  # an <img> is read as ![]() is
                continue
            elif kind == "html_inline":
                self._inline_html(token.content, out)
            elif kind == "footnote_ref":
                out.append(NoteRef(str(token.meta.get("label", token.meta.get("id")))))
            elif kind == "image":  # a figure after its paragraph (figures.py)
                lines_before = sum(t.type in ("softbreak", "hardbreak") for t in tokens[:pos])
                self.pictures.append((token, lines_before, bool(plain(out).strip())))
            pos += 1
        return out, pos


def _wikilinks(text: Text, line_of) -> tuple[Inline, ...]:
    """Text with its [[wikilinks]] as links to be resolved (shown as their label, or page and heading)."""
    out: list[Inline] = []
    done = 0
    for match in _WIKILINK.finditer(text.text):
        target, fragment, label = match[1].strip(), (match[2] or "")[1:].strip(), match[3]
        if not (target or fragment):
            continue
        if match.start() > done:
            out.append(Text(text.text[done:match.start()]))
        shown = label or " § ".join(part for part in (target, fragment) if part)
        out.append(Link(f"{links.WIKI}{target}#{fragment}" if fragment else f"{links.WIKI}{target}",
                        (Text(shown.strip()),), line=line_of(match[0])))
        done = match.end()
    if not out:
        return (text,)
    if done < len(text.text):
        out.append(Text(text.text[done:]))
    return tuple(out)


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))
