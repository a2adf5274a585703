"""Turn a Markdown pipe table whose rows are longer than its header into a table as wide as its longest row.

GFM, and markdown-it with it, gives a table the header's number of columns and drops the cells a
longer row has beyond them: the author's words, gone without a word. This rule runs markdown-it's
own table rule, then gives each row the cells it dropped and pads the shorter rows (the header
too) with empty ones, so that every row has the same number of cells and every word is read.
"""

from __future__ import annotations

from markdown_it.common.utils import mdTrim
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit, getLine, table
from markdown_it.token import Token


def install(parser) -> None:
    """Put the rule in the place of markdown-it's own table rule (which must be enabled)."""
    parser.block.ruler.at("table", _table, {"alt": ["paragraph", "reference"]})


def _table(state, start_line: int, end_line: int, silent: bool) -> bool:
    first = len(state.tokens)
    if not table(state, start_line, end_line, silent):
        return False
    if silent:
        return True
    tokens = state.tokens[first:]
    rows = [i for i, token in enumerate(tokens) if token.type == "tr_open"]
    # Each row's cells as written, split on unescaped pipes as the table rule splits them.
    written = [_cells(getLine(state, tokens[i].map[0])) for i in rows]
    counts = _counts(tokens)
    width = max(max(len(cells) for cells in written), max(counts))
    if width == max(counts):
        return True  # no row longer than the header: the table as markdown-it made it
    # As markdown-it bounds the empty cells it adds, so does this: a table too ragged to pad keeps
    # its extra cells, row by row, without padding (HTML allows rows of different lengths).
    pad = sum(width - max(len(cells), count) for cells, count in zip(written, counts)) <= MAX_AUTOCOMPLETED_CELLS
    added = iter([cells[count:] + [""] * (width - max(len(cells), count) if pad else 0)
                  for cells, count in zip(written, counts)])
    out: list[Token] = []
    row = tokens[0]
    for token in tokens:  # one pass: each row's new cells go before its tr_close
        if token.type == "tr_open":
            row = token
        elif token.type == "tr_close":
            header = out[-1].type == "th_close"
            out += [part for text in next(added) for part in _cell(text, header, row)]
        out.append(token)
    state.tokens[first:] = out
    return True


def _cells(line: str) -> list[str]:
    columns = escapedSplit(mdTrim(line))
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return columns


def _counts(tokens: list[Token]) -> list[int]:
    """The cells markdown-it gave each row, in order (one pass)."""
    counts: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            counts.append(0)
        elif token.type in ("th_open", "td_open"):
            counts[-1] += 1
    return counts


def _cell(text: str, header: bool, row: Token) -> list[Token]:
    """A cell's three tokens, as the table rule makes them (its inline content is parsed later)."""
    tag = "th" if header else "td"
    level = row.level + 1
    opening = Token(f"{tag}_open", tag, 1, level=level, block=True)
    inline = Token("inline", "", 0, level=level + 1, block=True, map=row.map, content=mdTrim(text), children=[])
    closing = Token(f"{tag}_close", tag, -1, level=level, block=True)
    return [opening, inline, closing]
