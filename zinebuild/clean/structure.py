"""Turn cleaned lines into blocks and Documents: title from the first line, paragraphs on blank lines."""

from __future__ import annotations

from .lines import Line
from ..model import Document, Paragraph, Removal, Text
from ..slug import slugify


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Group lines into runs separated by blank lines."""
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.blank:
            if current:
                groups.append(current)
                current = []
        else:
            current.append(line)
    if current:
        groups.append(current)
    return groups


def build_documents(lines: list[Line], removed: list[Removal], warnings: list[str],
                    fallback_title: str = "") -> tuple[Document, ...]:
    groups = paragraphs(lines)
    if not groups:
        return ()
    title = groups[0][0].stripped
    rest = [groups[0][1:]] + groups[1:] if len(groups[0]) > 1 else groups[1:]
    blocks = tuple(Paragraph((Text(" ".join(l.stripped for l in g)),)) for g in rest if g)
    title = title or fallback_title
    return (Document(title=title, blocks=blocks, slug=slugify(title)),)
