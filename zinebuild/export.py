"""Turn a Document into Markdown with front matter, for people who want to edit a cleaned text.

The Markdown reader reads it back to the same Document: roles and captions are written
as attribute lines (``{.caption}``), notes as footnotes, and text is escaped just where
Markdown would read it as markup.
"""

from __future__ import annotations

import re

import yaml

from .model import (Block, Break, Caption, Code, Document, Emphasis, Heading, Image, Inline, LineBreak, Link,
                    ListBlock, NoteRef, Paragraph, Preformatted, Quote, Span, Strong, Table, Text)

_ESCAPE = re.compile(r"([\\`*_\[\]<>&])")
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])")
_MARKER = re.compile(r"^(\s*)[#>+=-]")


def to_markdown(doc: Document) -> str:
    meta = {"title": doc.title}
    for key, value in (("subtitle", doc.subtitle), ("authors", list(doc.authors) or None), ("lang", doc.lang),
                       ("source", doc.source_url), ("date", doc.date)):
        if value:
            meta[key] = value
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    body = "\n\n".join(_block(b) for b in doc.blocks)
    notes = "\n\n".join(_note(n.id, n.paragraphs) for n in doc.notes)
    return f"---\n{front}\n---\n\n{body}\n" + (f"\n{notes}\n" if notes else "")


def _note(note_id: str, paragraphs) -> str:
    first, *rest = paragraphs or ((),)
    text = f"[^{note_id}]: {_line_start(_inlines(first))}"
    return "\n\n".join([text] + ["    " + _line_start(_inlines(p)) for p in rest])


def _list(node, indent: str) -> list[str]:
    """A list's lines, the lists inside its items indented under them (four spaces per level)."""
    lines = []
    for index, (n, (item, inner)) in enumerate(zip(node.numbers(), node.entries)):
        marker = f"{n}." if node.ordered else "-"
        inside = indent + " " * max(4, len(marker) + 1)  # past the marker ("123. "), or Markdown reads a sibling
        if node.continues(index):  # more of the item above, after its inner list: a paragraph of it
            text = _inlines(item).replace("\\\n", "\\\n" + inside)
            lines += ["", f"{inside}{_line_start(text)}"] if item else []
        else:
            text = _inlines(item).replace("\\\n", "\\\n" + indent + " " * (len(marker) + 1))
            lines.append(f"{indent}{marker} {_line_start(text)}".rstrip())
        if inner is not None:
            lines += _list(inner, inside)
    return lines


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + _inlines(block.inlines)
    if isinstance(block, Paragraph):
        text = _line_start(_inlines(block.inlines))
        return f"{{.{block.role}}}\n{text}" if block.role else text
    if isinstance(block, Caption):
        return "{.caption}\n" + _line_start(_inlines(block.inlines))
    if isinstance(block, ListBlock):
        return "\n".join(_list(block.tree(), ""))
    if isinstance(block, Quote):
        inner = "\n\n".join(_block(b) for b in block.blocks)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if isinstance(block, Break):
        return "***"
    if isinstance(block, Preformatted):
        fence = "~~~~" if "```" in block.text else "```"
        return f"{fence}\n{block.text}\n{fence}"
    if isinstance(block, Image):
        title = ' "' + block.title.replace('"', "'") + '"' if block.title else ""
        text = f"![{_inlines((Text(block.alt),))}](<{block.src}>{title})"
        text = f"{{.{block.role}}}\n{text}" if block.role else text
        return text + ("\n" + _inlines(block.caption) if block.caption else "")
    if isinstance(block, Table):
        return _table(block)
    raise TypeError(f"no Markdown for {type(block).__name__}")


def _table(table: Table) -> str:
    """A pipe table (spans are written out as empty cells: Markdown has none)."""
    def row(cells) -> str:
        texts = []
        for cell in cells:
            texts += [_inlines(cell.inlines).replace("|", "\\|").replace("\\\n", " ")] + [""] * (cell.colspan - 1)
        return "| " + " | ".join(texts + [""] * (table.columns - len(texts))) + " |"
    head = table.head[0] if table.head else ()
    aligns = [c.align for c in (table.head or table.body or ((),))[0]] + [None] * table.columns
    rule = {"left": ":--", "right": "--:", "center": ":-:", None: "---"}
    lines = [row(head), "|" + "".join(rule[a] + "|" for a in aligns[:table.columns])]
    lines += [row(r) for r in (*table.head[1:], *table.body)]
    caption = ["", "{.caption}", _line_start(_inlines(table.caption))] if table.caption else []
    return "\n".join(lines + caption)


def _inlines(nodes: tuple[Inline, ...]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(_ESCAPE.sub(r"\\\1", node.text))
        elif isinstance(node, Emphasis):
            out.append(f"*{_inlines(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{_inlines(node.children)}**")
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, Link):
            out.append(f"[{_inlines(node.children)}](<{node.url}>)")
        elif isinstance(node, NoteRef):
            out.append(f"[^{node.id}]")
        elif isinstance(node, LineBreak):
            out.append("\\\n")
        elif isinstance(node, Span):  # Markdown has no mark for a language; the text stays
            out.append(_inlines(node.children))
    return "".join(out)


def _line_start(text: str) -> str:
    """Escape what would open a heading, quote or list at the start of each line."""
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _escape_line_start(line: str) -> str:
    numbered = _NUMBERED.match(line)
    if numbered:  # "1) Please …" would start an ordered list: escape the ")" or "."
        return f"{numbered[1]}\\{numbered[2]}{line[numbered.end():]}"
    marker = _MARKER.match(line)
    if marker:  # "# …", "> …", "- …": escape the marker itself
        return f"{marker[1]}\\{line[marker.end(1):]}"
    return line
