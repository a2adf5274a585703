"""Turn a source's input text and what its reader made of it into the words it lost, by line.

The invariant every reader keeps: each word of the input is in the document (title, subtitle,
authors, metadata, blocks, notes, captions, link targets) or in the removal report. The check
is a multiset count, in reading order, so it is linear in the size of the text; it forgives what
cleaning legitimately does to a word's letters: case, and a word rejoined across a hyphen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from .model import (Block, Caption, Code, Document, Emphasis, Heading, Inline, Link, ListBlock, NoteRef,
                    Paragraph, Preformatted, Quote, Removal, Source, Span, Strong, Text)

# A word, for this count: a run of letters and digits (punctuation and markup are not words).
WORD = re.compile(r"[^\W_]+")
# Characters that are no part of a word's letters (soft hyphen, zero-width marks).
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", re.S)
_NOT_TEXT = ("script", "style", "template", "noscript")
_ATTRIBUTES = re.compile(r"^\s*\{\s*(?:[.#][\w-]+\s*)+\}\s*$")
# Markdown syntax that is no word a reader sees: a link reference definition ("[php]: http://…"),
# a code fence's info string ("```python"), an entity's name ("&nbsp;"), a link's destination or
# reference label ("[text][label]"), an HTML tag (but for a picture's alt text: words a reader
# without the picture reads).
_MARKDOWN_SYNTAX = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*\S.*$"
                              r"|(?<=^)(?P<fence>\s*(?:`{3,}|~{3,}))[^`\n]*$"
                              r"|&(?:#\d+|#x[0-9a-f]+|\w+);"
                              r"|(?<=\])\(\s*<?[^\s()>]*>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
                              r"|(?<=\])\[(?!\^)[^\[\]]*\]"
                              r"|</?[a-z][a-z0-9-]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _without_markdown_syntax(line: str) -> str:
    def replacement(match: re.Match) -> str:
        if match["fence"]:
            return match["fence"]
        alt = _ALT.search(match[0]) if match[0].startswith("<") else None
        return f" {alt[1] or alt[2] or ''} " if alt else " "

    return _MARKDOWN_SYNTAX.sub(replacement, line)
# Muse's syntax: a directive's name ("#title"), block and inline tags.
_MUSE_SYNTAX = re.compile(r"^#[A-Za-z]\w*|</?(?:example|verse|quote|center|right|comment|biblio|play|literal|em|"
                          r"strong|code|verbatim|br|sup|sub|del|sc|sf|u|i|b)\s*/?>", re.I)
REASON = "unaccounted"


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text.translate(_INVISIBLE))]


def input_lines(path: Path | str, text: str) -> list[str]:
    """The lines of words a reader is given: the text itself, less what is syntax and not words
    (Markdown front matter is metadata read elsewhere; HTML tags, scripts and styles; Muse's tags
    and directives' names)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".md", ".markdown"):
        match = _FRONT_MATTER.match(text)
        if match:
            text = "\n" * match.group(0).count("\n") + text[match.end():]
        # "{.caption}" alone on a line names the kind of the block under it: syntax, not words.
        return [_without_markdown_syntax(_ATTRIBUTES.sub("", line)) for line in text.split("\n")]
    if suffix == ".muse":
        return [_MUSE_SYNTAX.sub(" ", line) for line in text.split("\n")]
    if suffix in (".html", ".htm") and text.strip():
        return _html_lines(text)
    return text.split("\n")


def _html_lines(text: str) -> list[str]:
    try:
        tree = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    except (etree.ParserError, ValueError):
        return text.split("\n")
    for element in tree.xpath("|".join(f"//{tag}" for tag in _NOT_TEXT)):
        element.drop_tree()
    lines: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        line = (element.sourceline or 1) - 1
        while len(lines) <= line:
            lines.append("")
        if element.text:
            lines[line] += " " + element.text
        if element.tail:
            lines[line] += " " + element.tail
        # A picture's alt text is what a reader without the picture reads; a title attribute is a
        # tooltip (a link's "2.3. Module Path" repeating its own words), never the page's text.
        if element.get("alt"):
            lines[line] += " " + element.get("alt")
    return lines


def kept_words(source: Source) -> Counter:
    """Every word the reader kept or reported removing."""
    found: Counter = Counter()
    for doc in source.documents:
        found.update(words(" ".join(_document_text(doc))))
    for removal in source.removed:
        found.update(words(removal.text))
    return found


def _document_text(doc: Document) -> Iterable[str]:
    yield from (doc.title, doc.subtitle or "", *doc.authors, doc.source_url or "", doc.date or "",
                doc.lang or "", doc.slug)
    for block in doc.blocks:
        yield from _block_text(block)
    for note in doc.notes:
        yield note.id
        for paragraph in note.paragraphs:
            yield from _inline_text(paragraph)


def _list_text(node) -> Iterable[str]:
    for index, (number, (item, inner)) in enumerate(zip(node.numbers(), node.entries)):
        # "3." or "c." before an item is the list's numbering, not a lost word (more of an item has none)
        if node.ordered and not node.continues(index):
            yield str(number) if node.numbering == "1" else _counted(number, node.numbering)
        yield from _inline_text(item)
        if inner is not None:  # a list inside the item (AmuseWiki's nesting) numbers its own
            yield from _list_text(inner)
    if node.repeated:  # "1." written on every item is the author's, though the list counts 1, 2, 3
        yield from (str(value) for value in node.values if value is not None)


def _counted(number: int, numbering: str) -> str:
    """A list's number as its marker shows it: a, b, … (a list counted in letters) or i, ii, … (in Roman)."""
    if numbering in ("a", "A"):
        text = ""
        while number > 0:
            number, rest = divmod(number - 1, 26)
            text = chr(ord("a") + rest) + text
    else:
        text = ""
        for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                               (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            count, number = divmod(number, value)
            text += letters * count
    return text.upper() if numbering.isupper() else text


def _block_text(block: Block) -> Iterable[str]:
    if isinstance(block, (Heading, Paragraph, Caption)):
        yield from _inline_text(block.inlines)
    elif isinstance(block, ListBlock):
        yield from _list_text(block.tree())
    elif isinstance(block, Quote):
        for inner in block.blocks:
            yield from _block_text(inner)
    elif isinstance(block, Preformatted):
        yield block.text
    else:  # blocks other readers add (pictures, tables): every text they hold, and their kind
        yield from _any_text(block)


def _any_text(value) -> Iterable[str]:
    """Every string inside a model node: a picture's source, description and caption, a table's cells."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _any_text(item)
    elif is_dataclass(value):
        for name in fields(value):
            yield from _any_text(getattr(value, name.name))


def _inline_text(inlines: tuple[Inline, ...]) -> Iterable[str]:
    for node in inlines:
        if isinstance(node, (Text, Code)):
            yield node.text
        elif isinstance(node, Link):
            yield node.url
            yield from _inline_text(node.children)
        elif isinstance(node, (Emphasis, Strong, Span)):
            yield from _inline_text(node.children)
        elif isinstance(node, NoteRef):
            yield node.id


def unaccounted(lines: list[str], source: Source) -> tuple[Removal, ...]:
    """The input words found neither in the document nor in the removal report, grouped by line."""
    tokens: list[tuple[int, str]] = []
    broken: set[int] = set()  # tokens that end a line with a hyphen: the word may go on below
    for number, line in enumerate(lines, start=1):
        found = words(line)
        tokens += [(number, word) for word in found]
        if found and line.rstrip().endswith(("-", "\u00ad", "\u2010")):
            broken.add(len(tokens) - 1)
    # A word broken at a line's end was kept as two halves ("Puf- fer") or rejoined ("Puffer").
    # Where the book has both forms the count cannot tell which; it tries halves first, then
    # joins, and keeps the reading that leaves fewer words unaccounted.
    missing = min((_match(tokens, broken, kept_words(source), prefer_join) for prefer_join in (False, True)),
                  key=lambda found: len(found[0]))
    by_line: dict[int, list[str]] = {}
    for i in _not_rejoined(tokens, *missing):
        by_line.setdefault(tokens[i][0], []).append(tokens[i][1])
    return tuple(Removal(number, " ".join(found), REASON) for number, found in sorted(by_line.items()))


def _match(tokens: list[tuple[int, str]], broken: set[int], kept: Counter,
           prefer_join: bool) -> tuple[list[int], Counter]:
    """The indexes of tokens not in kept, in reading order, and what of kept is left over."""
    missing: list[int] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][1]
        halves = not prefer_join and kept[word] > 0 and i + 1 < len(tokens) and kept[tokens[i + 1][1]] > 0
        if i in broken and not halves and i + 1 < len(tokens) and kept[word + tokens[i + 1][1]] > 0:
            kept[word + tokens[i + 1][1]] -= 1
            i += 2
            continue
        if kept[word] > 0:
            kept[word] -= 1
        else:
            missing.append(i)
        i += 1
    return missing, kept


def _not_rejoined(tokens: list[tuple[int, str]], missing: list[int], kept: Counter) -> list[int]:
    """'manu-' at a line's end and 'al' on the next are the word 'manual' once cleaned: a missing
    word that makes a kept word with its neighbour is accounted for."""
    out: list[int] = []
    joined: set[int] = set()
    for i in missing:
        if i in joined:
            continue
        for a, b in ((i, i + 1), (i - 1, i)):
            if 0 <= a and b < len(tokens) and kept[tokens[a][1] + tokens[b][1]] > 0:
                kept[tokens[a][1] + tokens[b][1]] -= 1
                joined.update((a, b))
                break
        else:
            out.append(i)
    return out


def notice_text(removal: Removal, limit: int = 12) -> str:
    shown = removal.text.split()
    more = f" … (+{len(shown) - limit})" if len(shown) > limit else ""
    return (f"line {removal.line}: words neither in the book nor in the removal report: "
            f"{' '.join(shown[:limit])}{more}")


__all__ = ["input_lines", "kept_words", "notice_text", "unaccounted", "words"]
