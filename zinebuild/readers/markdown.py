"""Turn a Markdown file with optional front matter into one Document (markdown-it-py + footnotes)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..clean.decode import NotText, decode
from ..clean.normalise import normalise
from ..errors import Problem, SourceError
from ..model import (Block, Break, Caption, Code, Document, Emphasis, Heading, Inline, LineBreak, Link,
                     ListBlock, Note, NoteRef, Paragraph, Preformatted, Quote, Source, Strong, Text, block_text)
from ..slug import slugify

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
_FIELDS = {"title", "subtitle", "author", "authors", "lang", "language", "source", "url", "date", "slug"}
# {.caption} and {.question} lines give a paragraph its kind or role (written by `zinebuild import`).
# markdown-it silently drops what is nested deeper than maxNesting (20 in "commonmark"): no limit
# here; depth.py flattens deep quotes, and readers.read names a source too deep to parse at all.
_PARSER = (MarkdownIt("commonmark", {"maxNesting": 1_000_000}).use(footnote_plugin).use(attrs_block_plugin)
           .disable("html_block").disable("html_inline"))
_ROLES = {"question", "answer", "signature", "about", "note",
          "print-only", "ebook-only"}  # the last two: a paragraph for one kind of output only


def read(path: Path, data: bytes) -> Source:
    try:
        text, encoding = decode(data)
    except NotText as error:
        raise SourceError(Problem(str(error), file=path)) from None
    text = normalise(text)
    meta, body, body_line = _front_matter(text, path)
    warnings: list[str] = []
    blocks, notes, first_heading = _Converter(warnings).convert(_PARSER.parse(body))
    title = str(meta.get("title") or first_heading or path.stem.replace("_", " "))
    if not meta.get("title") and first_heading and blocks and isinstance(blocks[0], Heading):
        blocks = blocks[1:]  # the heading became the title
    authors = meta.get("authors", meta.get("author", ()))
    if isinstance(authors, str):
        authors = (authors,)
    doc = Document(
        title=title, blocks=tuple(blocks), notes=tuple(notes),
        subtitle=_text_or_none(meta.get("subtitle")), authors=tuple(str(a) for a in authors),
        lang=_text_or_none(meta.get("lang", meta.get("language"))),
        slug=str(meta.get("slug") or slugify(title)),
        source_url=_text_or_none(meta.get("source", meta.get("url"))),
        date=_text_or_none(meta.get("date")),
    )
    return Source(str(path), encoding, (doc,), (), tuple(warnings))


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


def _front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    try:
        meta = yaml.safe_load(match[1]) or {}
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        raise SourceError(Problem(f"front matter is not valid YAML: {error}", file=path,
                                  line=None if line is None else line + 2,
                                  hint="write it as 'key: value' lines between two '---' lines")) from None
    if not isinstance(meta, dict):
        raise SourceError(Problem("front matter must be 'key: value' lines", file=path, line=2))
    unknown = sorted(set(meta) - _FIELDS)
    if unknown:
        raise SourceError(Problem(f"unknown front matter field(s): {', '.join(unknown)}", file=path, line=2,
                                  hint=f"known fields: {', '.join(sorted(_FIELDS))}"))
    return meta, text[match.end():], text[:match.end()].count("\n") + 1


class _Converter:
    """Walks markdown-it's flat token stream into the nested block model."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings
        self.first_heading: str | None = None

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
            if kind == "heading_open":
                inlines = self._inlines(tokens[pos + 1].children or [])
                level = int(token.tag[1])
                if self.first_heading is None and level == 1 and not blocks:
                    self.first_heading = tokens[pos + 1].content
                blocks.append(Heading(level, inlines))
                pos += 3
            elif kind == "paragraph_open":
                inlines = self._inlines(tokens[pos + 1].children or [])
                css = str(token.attrs.get("class", ""))
                if css == "caption":
                    blocks.append(Caption(inlines))
                else:
                    blocks.append(Paragraph(inlines, css if css in _ROLES else None))
                pos += 3
            elif kind == "blockquote_open":
                inner, pos = self._blocks(tokens, pos + 1, "blockquote_close")
                blocks.append(Quote(tuple(inner)))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                close = kind.replace("open", "close")
                start = int(token.attrGet("start") or 1)
                items, pos = self._list_items(tokens, pos + 1, close)
                blocks.append(ListBlock(kind.startswith("ordered"), tuple(items), start))
            elif kind == "hr":
                blocks.append(Break())
                pos += 1
            elif kind in ("fence", "code_block"):
                blocks.append(Preformatted(token.content.rstrip("\n")))
                pos += 1
            else:
                pos += 1
        return blocks, pos

    def _list_items(self, tokens: list[Token], pos: int, close: str):
        items = []
        while tokens[pos].type != close:
            if tokens[pos].type == "list_item_open":
                inner, pos = self._blocks(tokens, pos + 1, "list_item_close")
                inlines: list[Inline] = []
                for block in inner:
                    if inlines:
                        inlines.append(LineBreak())
                    inlines.extend(getattr(block, "inlines", ()) or (Text(block_text(block)),))
                items.append(tuple(inlines))
            else:
                pos += 1
        return items, pos + 1

    def _notes(self, tokens: list[Token]) -> list[Note]:
        notes, pos = [], 0
        while pos < len(tokens):
            token = tokens[pos]
            if token.type == "footnote_open":
                label = str(token.meta.get("label", token.meta.get("id")))
                inner, pos = self._blocks(tokens, pos + 1, "footnote_close")
                paragraphs = tuple(getattr(b, "inlines", None) or (Text(block_text(b)),) for b in inner)
                notes.append(Note(label, paragraphs))
            else:
                pos += 1
        return notes

    def _inlines(self, tokens: list[Token]) -> tuple[Inline, ...]:
        out, _ = self._inline_run(tokens, 0, None)
        return tuple(out)

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
                elif _SAFE_URL.match(str(token.attrGet("href") or "")):
                    out.append(Link(str(token.attrGet("href")), tuple(children)))
                else:
                    out.extend(children)  # javascript: and other unsafe links become plain text
                continue
            elif kind == "footnote_ref":
                out.append(NoteRef(str(token.meta.get("label", token.meta.get("id")))))
            elif kind == "image":
                alt = token.content or "image"
                self.warnings.append(f"image '{token.attrGet('src')}' left out (images are not supported yet); "
                                     f"its description '{alt}' is kept as text")
                _append_text(out, alt)
            pos += 1
        return out, pos


_SAFE_URL = re.compile(r"^(https?:|mailto:|#)", re.I)


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))
