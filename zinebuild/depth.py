"""Turn a Document nested deeper than any page can show into one nested no deeper, every word kept.

A web page may put 240 quotes inside each other, or emphasis inside emphasis, a Markdown
file 120 lists each inside an item of the one before; every
renderer (Jinja's macros, WeasyPrint's layout) recurses once per level, and past a few
levels the indents only push the text off the page. Deeper content is lifted to the
deepest level allowed, in reading order.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Document, Emphasis, Link, Quote, Source, Strong

MAX_QUOTE_DEPTH = 8
MAX_INLINE_DEPTH = 8
MAX_LIST_DEPTH = 8  # lists inside list items (Markdown, Muse): deeper items join the deepest list
_WRAPPERS = (Emphasis, Strong, Link)


def flatten_source(source: Source) -> Source:
    documents = tuple(flatten(doc) for doc in source.documents)
    if all(a is b for a, b in zip(documents, source.documents)):
        return source
    return replace(source, documents=documents)


def flatten(doc: Document) -> Document:
    blocks = _blocks(doc.blocks, 0)
    notes = tuple(replace(note, paragraphs=tuple(_inlines(p, 0) for p in note.paragraphs)) for note in doc.notes)
    if _same(blocks, doc.blocks) and all(_same(a.paragraphs, b.paragraphs) for a, b in zip(notes, doc.notes)):
        return doc
    return replace(doc, blocks=blocks, notes=notes)


def _same(new: tuple, old: tuple) -> bool:
    return all(a is b for a, b in zip(new, old))


def _blocks(blocks: tuple, depth: int) -> tuple:
    out = []
    for block in blocks:
        if isinstance(block, Quote):
            inner = _blocks(block.blocks, depth + 1) if depth + 1 < MAX_QUOTE_DEPTH else _unquoted(block.blocks)
            out.append(block if _same(inner, block.blocks) and len(inner) == len(block.blocks)
                       else replace(block, blocks=inner))
        elif getattr(block, "inlines", None) is not None:
            inlines = _inlines(block.inlines, 0)
            out.append(block if _same(inlines, block.inlines) else replace(block, inlines=inlines))
        elif getattr(block, "items", None) is not None:
            items = tuple(_inlines(item, 0) for item in block.items)
            levels = tuple(replace(level, depth=MAX_LIST_DEPTH - 1) if level.depth >= MAX_LIST_DEPTH else level
                           for level in block.levels)
            out.append(block if all(_same(a, b) for a, b in zip(items, block.items)) and _same(levels, block.levels)
                       else replace(block, items=items, levels=levels))
        else:
            out.append(block)
    return tuple(out)


def _unquoted(blocks: tuple) -> tuple:
    """The blocks inside quotes in reading order, without the quotes; iterative, for any depth."""
    out, stack = [], [iter(blocks)]
    while stack:
        block = next(stack[-1], None)
        if block is None:
            stack.pop()
        elif isinstance(block, Quote):
            stack.append(iter(block.blocks))
        else:
            out.extend(_blocks((block,), 0))
    return tuple(out)


def _inlines(inlines: tuple, depth: int) -> tuple:
    out = []
    for node in inlines:
        if isinstance(node, _WRAPPERS):
            children = (_inlines(node.children, depth + 1) if depth + 1 < MAX_INLINE_DEPTH
                        else _unwrapped(node.children))
            out.append(node if _same(children, node.children) and len(children) == len(node.children)
                       else replace(node, children=children))
        else:
            out.append(node)
    return tuple(out)


def _unwrapped(inlines: tuple) -> tuple:
    """The text, notes and breaks inside nested emphasis and links, in order; iterative."""
    out, stack = [], [iter(inlines)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, _WRAPPERS):
            stack.append(iter(node.children))
        else:
            out.append(node)
    return tuple(out)
