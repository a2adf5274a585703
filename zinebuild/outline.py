"""Turn an Anthology's parts, pieces and section headings into one heading outline.

Every output shares it: the templates take their heading levels and section anchors from
here, and the EPUB's contents (nav and NCX) list the same sections under the same anchors.
A part title is the top of the outline, so a piece inside a titled part is one level below
it, and a piece's sections one level below its title.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Anthology, Heading, Piece, plain

DEEPEST_HEADING = 6  # HTML has no h7


@dataclass(frozen=True)
class Section:
    """A heading of a piece, where the contents may point to it."""

    level: int  # 1 for the piece's own top sections, 2 below them, …
    title: str
    anchor: str


def section_anchor(piece: Piece, index: int) -> str:
    """The id of the heading that is block `index` of the piece. Two hyphens: piece ids are
    slugs, which never hold two in a row, so no anchor can equal another piece's id.
    links.resolve gives each heading this id (links into the piece lead to it); a heading
    that has it keeps it should its place change afterwards."""
    blocks = piece.document.blocks
    own = getattr(blocks[index], "id", None) if index < len(blocks) else None
    return own if own and own.startswith(f"{piece.id}--") else f"{piece.id}--h{index}"


def title_level(anthology: Anthology, piece: Piece) -> int:
    """The heading level of a piece's title: 2 under a titled part, 1 otherwise."""
    in_parts = {p.id for part in anthology.parts if part.title for p in part.pieces}
    return 2 if piece.id in in_parts else 1


def heading_tag(title: int, rank: int) -> str:
    """The element of a heading `rank` levels below a piece title that is h`title`."""
    return f"h{min(title + rank, DEEPEST_HEADING)}"


def section_rank(piece: Piece, level: int) -> int:
    """How many levels below the piece title a heading of model `level` stands: the piece's
    heading levels made consecutive, so that a text whose first heading is `##` (or `###`
    under `#`) never skips a level on the way down."""
    levels = {block.level for block in all_blocks(piece.document.blocks) if isinstance(block, Heading)}
    return max(1, sum(1 for other in levels if other <= level))


def all_blocks(blocks):
    """Every block, those inside quotes (and any other container) included, in order."""
    for block in blocks:
        yield block
        yield from all_blocks(getattr(block, "blocks", ()))


def sections(piece: Piece, depth: int) -> tuple[Section, ...]:
    """The piece's top-level headings down to model level `depth` (0: none), in order.

    Levels are ranked as in the templates (section_rank), so the contents nest as the text does."""
    found = [(block.level, plain(block.inlines).replace("\n", " ").strip(), section_anchor(piece, index))
             for index, block in enumerate(piece.document.blocks) if isinstance(block, Heading)]
    if not found or depth <= 0:
        return ()
    return tuple(Section(section_rank(piece, level), title, anchor) for level, title, anchor in found
                 if section_rank(piece, level) <= depth and title)
