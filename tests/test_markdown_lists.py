"""Markdown lists and pipe tables keep what their authors wrote: hand-written item numbers, lists
inside list items, and the cells of a row longer than its header, read from real Markdown and
checked in the EPUB (XPath, epubcheck), the HTML file and the PDF (text and x positions)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from pypdf import PdfReader

from zinebuild import pipeline
from zinebuild.model import ListBlock, block_to_dict, plain
from zinebuild.readers import read

from .conftest import write_project
from .formats import all_blocks
from .test_epub import NS, assert_epubcheck_clean

REAL = Path(__file__).parent / "corpus" / "markdown"  # see SOURCES.md there

TEXT = """\
---
title: Hand Numbers
author: Ann Author
---

The steps, as the author numbered them:

9. nine
11. eleven
12. twelve
    - sub one
    - sub two

      1. deep one
      4. deep four
13. thirteen
    - under thirteen

    after the list under thirteen
14. fourteen

| name | age |
|:-----|----:|
| Ann | 40 | Leeds | more \\| words |
| Bob |

- bullets
  - inner bullet

  1. inner numbered
  2. inner numbered two
- last bullet
"""

# 120 lists, each inside the item of the one before: every renderer recurses once per level.
DEEP = "# Deep\n\n" + "\n".join("  " * i + f"- level {i}" for i in range(120)) + "\n"


def md(tmp_path, text: str):
    path = tmp_path / "t.md"
    path.write_text(text, encoding="utf-8")
    return read(path)


def lists_book(root: Path, sources: dict[str, str], *pages: bytes) -> dict:
    """A book of these sources (A6), built to EPUB, HTML and PDF: the EPUB's page holding each
    of pages parsed ("xhtml" the first, then "page 1", ...), the HTML file parsed, the paths."""
    pieces = "".join(f'[[pieces]]\nsource = "{name}"\n\n' for name in sources)
    config = write_project(root / "book", '[book]\ntitle = "Lists"\neditor = "Ed"\nlanguage = "en"\n'
                           f'date = "2024-05-01"\n\n{pieces}[output]\npage_size = "A6"\n', sources)
    project = pipeline.load(config)
    outputs = {p.suffix: p for p in pipeline.build(project, ("epub", "html", "pdf"), root / "out")}
    with zipfile.ZipFile(outputs[".epub"]) as z:
        found = [etree.fromstring(next(z.read(n) for n in z.namelist() if n.endswith(".xhtml") and words in z.read(n)))
                 for words in pages]
    return {"notices": project.anthology.notices, "epub": outputs[".epub"], "xhtml": found[0],
            **{f"page {i}": page for i, page in enumerate(found[1:], start=1)},
            "html": lxml_html.parse(str(outputs[".html"])).getroot(), "pdf": outputs[".pdf"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = lists_book(tmp_path_factory.mktemp("lists"), {"one.md": TEXT, "deep.md": DEEP}, b"eleven", b"level 119")
    return {**book, "deep": book["page 1"]}


def pdf_runs(path) -> list[tuple[str, float, float]]:
    """(text, x, y) of each run of text on the page holding the list, as the PDF draws it."""
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    page = next(p for p in PdfReader(path).pages if "eleven" in p.extract_text())
    page.extract_text(visitor_text=visit)
    return runs


def marker_of(runs, word: str) -> str:
    """The list marker printed on the line of word (markers are drawn apart from the text)."""
    _, x, y = next(run for run in runs if run[0] == word)
    return next(text for text, mx, my in runs if abs(my - y) < 1 and mx < x)


# ---------------------------------------------------------------- 1. hand-written numbers
def test_hand_written_numbers_are_read(tmp_path):
    source = md(tmp_path, TEXT)
    listed = [b for b in source.documents[0].blocks if isinstance(b, ListBlock)][0]
    tree = listed.tree()
    assert tree.numbers() == (9, 11, 12, 13, 13, 14) and tree.values == (None, 11, None, None, None, None)
    deep = tree.entries[2][1].entries[1][1]
    assert deep.numbers() == (1, 4)
    # The numbers are the list's own: nothing left unaccounted (it was "12 13" and Z109).
    assert source.unaccounted == ()
    # `inspect --json` shows them, with the nesting.
    dumped = block_to_dict(listed)
    assert dumped["numbers"][:3] == [None, 11, None] and dumped["depths"][:7] == [0, 0, 0, 1, 1, 2, 2]
    assert [i for i, more in enumerate(dumped["continues"]) if more] == [9]


def test_a_list_counting_on_has_no_numbers_of_its_own(tmp_path):
    """1. 2. 3. and 3. 4. stay a flat list, as before."""
    for text in ("1. a\n2. b\n3. c\n", "3. a\n4. b\n"):
        (block,) = md(tmp_path, text).documents[0].blocks
        assert block.levels == () and block.tree().values == ()
    # "1." on every item leaves the counting to the renderer: 1, 2, 3 as every Markdown renderer
    # shows it, and the numbers written are no lost words (they raised Z109).
    source = md(tmp_path, "1. a\n1. b\n1. c\n")
    (block,) = source.documents[0].blocks
    assert block.tree().repeated and block.tree().numbers() == (1, 2, 3) and source.unaccounted == ()
    (block,) = md(tmp_path, "1. a\n   - sub\n\n   more of a\n1. b\n1. c\n").documents[0].blocks
    assert block.tree().numbers() == (1, 1, 2, 3)  # more of an item has no number to repeat
    (block,) = md(tmp_path, "1. a\n2. b\n1. c\n").documents[0].blocks
    assert block.tree().numbers() == (1, 2, 1)  # not repeated: the last item is numbered by hand


def test_hand_written_numbers_in_the_epub_and_html(built):
    for root, ns in ((built["xhtml"], NS), (built["html"], None)):
        x = "x:" if ns else ""
        top = root.xpath(f"//{x}ol[@start='9']", namespaces=ns)
        assert len(top) == 1
        items = top[0].xpath(f"./{x}li", namespaces=ns)
        assert [li.get("value") for li in items] == [None, "11", None, None, None]
        assert root.xpath(f"//{x}li[@value='4']", namespaces=ns)[0].text == "deep four"
    # Print needs the counter set too (WeasyPrint reads no li value); the e-book must not have it.
    assert "counter-set" not in etree.tostring(built["xhtml"], encoding="unicode")


def test_hand_written_numbers_in_the_pdf(built):
    runs = pdf_runs(built["pdf"])
    assert [marker_of(runs, w) for w in ("nine", "eleven", "twelve", "thirteen", "fourteen", "deep one",
                                         "deep four")] == ["9.", "11.", "12.", "13.", "14.", "1.", "4."]


def test_numbers_never_come_from_the_source_text(tmp_path):
    """markdown-it's info is the number as written; the reader turns it into an int, and an
    attribute made from a number holds digits only (leading zeros, huge numbers)."""
    (block,) = md(tmp_path, "007. a\n0009. b\n123456789. c\n").documents[0].blocks
    assert block.tree().numbers() == (7, 9, 123456789)
    assert all(isinstance(level.value, (int, type(None))) for level in block.levels)


def test_import_writes_the_numbers_and_nesting_back(tmp_path):
    """`zinebuild import` writes Markdown that reads back to the same lists (a list inside an item
    numbered 123. is set in five spaces, past its marker)."""
    from .test_cli import run

    text = TEXT + "\n123. far\n125. on\n     - inside\n"
    source = md(tmp_path, text)
    out = tmp_path / "again.md"
    assert run("import", tmp_path / "t.md", "-o", out).exit_code == 0
    again = read(out)

    def lists(src):
        return [(b.tree().numbers(), tree_shape(b.tree()), [plain(i) for i in b.items])
                for b in src.documents[0].blocks if isinstance(b, ListBlock)]

    assert len(lists(source)) == 3 and lists(again) == lists(source)


# ---------------------------------------------------------------- 2. nesting
def test_nested_lists_are_read_nested(tmp_path):
    tree = [b for b in md(tmp_path, TEXT).documents[0].blocks if isinstance(b, ListBlock)][0].tree()
    assert [plain(item) for item, _ in tree.entries] == ["nine", "eleven", "twelve", "thirteen",
                                                         "after the list under thirteen", "fourteen"]
    assert tree.continued == (False, False, False, False, True, False)
    inner = tree.entries[2][1]
    assert not inner.ordered and [plain(item) for item, _ in inner.entries] == ["sub one", "sub two"]
    assert inner.entries[1][1].ordered and [plain(i) for i, _ in inner.entries[1][1].entries] == [
        "deep one", "deep four"]


def test_what_an_item_holds_after_its_inner_list_continues_it(tmp_path):
    """A paragraph after an item's inner list, or a second list, is more of that item: no
    marker, no number of its own (it was joined to the item's text, before the list)."""
    source = md(tmp_path, "1. item\n   - sub\n\n   after the sub list\n\n   more\n2. next\n")
    (block,) = source.documents[0].blocks
    tree = block.tree()
    assert [plain(item) for item, _ in tree.entries] == ["item", "after the sub list\nmore", "next"]
    assert tree.continued == (False, True, False) and tree.numbers() == (1, 1, 2)
    assert tree.following(0) == [tree.entries[1]] and source.unaccounted == () and source.warnings == ()
    (block,) = md(tmp_path, "- a\n  - b\n\n  1. c\n- d\n").documents[0].blocks
    (a, inner), (more, second), (d, _) = block.tree().entries
    assert not inner.ordered and more == () and second.ordered and plain(d) == "d"


def test_nested_lists_in_the_epub_and_html(built):
    for root, ns in ((built["xhtml"], NS), (built["html"], None)):
        x = "x:" if ns else ""
        path = f"//{x}ol[@start='9']/{x}li[3]/{x}ul/{x}li[2]/{x}ol/{x}li"
        assert [li.text for li in root.xpath(path, namespaces=ns)] == ["deep one", "deep four"]
        assert root.xpath(f"//{x}ol[@start='9']/{x}li[3]", namespaces=ns)[0].text == "twelve"
        # More of an item after its inner list, and a second list inside one item, stay in its <li>.
        (more,) = root.xpath(f"//{x}ol[@start='9']/{x}li[4]/{x}ul/following-sibling::{x}p", namespaces=ns)
        assert more.text == "after the list under thirteen"
        (bullets,) = root.xpath(f"//{x}ul[{x}li/{x}ul/{x}li = 'inner bullet']", namespaces=ns)
        assert [len(li.xpath(f"./{x}ul|./{x}ol", namespaces=ns)) for li in bullets.xpath(f"./{x}li", namespaces=ns)
                ] == [2, 0]
        assert bullets.xpath(f"string(./{x}li[1]/{x}ol)", namespaces=ns).split() == [
            "inner", "numbered", "inner", "numbered", "two"]
    assert_epubcheck_clean(built["epub"])


def test_nested_lists_are_indented_in_the_pdf(built):
    runs = {text: x for text, x, _ in pdf_runs(built["pdf"])}
    assert runs["nine"] == pytest.approx(runs["thirteen"])
    assert runs["nine"] + 5 < runs["sub one"] == pytest.approx(runs["sub two"])
    assert runs["sub one"] + 5 < runs["deep one"] == pytest.approx(runs["deep four"])
    # More of an item, after its inner list, is set as the item's text is, under that list.
    assert runs["after the list under thirteen"] == pytest.approx(runs["thirteen"])
    ys = {text: y for text, _, y in pdf_runs(built["pdf"])}
    assert ys["thirteen"] > ys["under thirteen"] > ys["after the list under thirteen"] > ys["fourteen"]


def test_lists_nested_past_any_page_keep_every_item(built):
    """Items deeper than MAX_LIST_DEPTH join the deepest list, in order (120 levels stopped the PDF
    with a RecursionError); every item is in the book."""
    from zinebuild.depth import MAX_LIST_DEPTH

    items = built["deep"].xpath("//x:li", namespaces=NS)
    assert [li.text for li in items] == [f"level {i}" for i in range(120)]
    assert max(len(li.xpath("ancestor::x:ul", namespaces=NS)) for li in items) == MAX_LIST_DEPTH


def shape(node) -> list:
    """A list as (numbered, [the lists inside each item]) from markdown-it's own HTML."""
    return [node.tag == "ol", [[shape(e) for e in li if e.tag in ("ul", "ol")] for li in node if li.tag == "li"]]


def tree_shape(node) -> list:
    """The same of a ListNode: an item's lists are its own, then those of the entries continuing it."""
    return [node.ordered, [[tree_shape(inner) for _, inner in [entry, *node.following(index)] if inner is not None]
                           for index, entry in enumerate(node.entries) if not node.continues(index)]]


@pytest.mark.parametrize("name", ["zstd-TESTING.md", "systemd-DISTRO_PORTING.md"])
def test_real_documents_nest_as_markdown_it_renders_them(name):
    """Real READMEs (not written for these tests): every list nests as markdown-it's own HTML
    renderer nests it, and every word is read."""
    path = REAL / name
    body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
    rendered = lxml_html.fragment_fromstring(MarkdownIt("commonmark").render(body), create_parent="div")
    expected = [shape(e) for e in rendered.xpath("//ul[not(ancestor::li)] | //ol[not(ancestor::li)]")]
    source = read(path)
    got = [tree_shape(b.tree()) for b in all_blocks(source.documents[0].blocks) if isinstance(b, ListBlock)]
    assert any(inners for _, items in expected for inners in items)  # the file does nest lists
    assert got == expected
    assert source.unaccounted == ()


# ---------------------------------------------------------------- 3. tables
def test_a_row_longer_than_its_header_widens_the_table(tmp_path):
    (table,) = [b for b in md(tmp_path, TEXT).documents[0].blocks if b.kind == "table"]
    cells = [[plain(c.inlines) for c in row] for row in table.head + table.body]
    assert cells == [["name", "age", "", ""], ["Ann", "40", "Leeds", "more | words"], ["Bob", "", "", ""]]
    assert [c.align for c in table.head[0]] == ["left", "right", None, None]
    assert all(c.header for c in table.head[0]) and not any(c.header for row in table.body for c in row)


def test_extra_cells_keep_their_markup_and_notes(tmp_path):
    """An extra cell is parsed as the others are: emphasis, and a note it cites is linked."""
    source = md(tmp_path, "> | a |\n> |---|\n> | b | *c*[^n] |\n\n[^n]: the note\n")
    (quote,) = source.documents[0].blocks
    (table,) = quote.blocks
    assert [[plain(c.inlines) for c in row] for row in table.body] == [["b", "c[^n]"]]
    assert table.body[0][1].inlines[0].kind == "emphasis"
    assert source.unaccounted == ()


def test_a_table_too_ragged_to_pad_keeps_its_cells_unpadded(tmp_path, monkeypatch):
    """Padding is bounded as markdown-it bounds the empty cells it adds (a row of thousands of
    cells would pad every other row to thousands): past the bound, rows keep their own cells."""
    from zinebuild.readers import mdtable

    monkeypatch.setattr(mdtable, "MAX_AUTOCOMPLETED_CELLS", 4)
    text = "| h |\n|---|\n| a | b | c | d |\n| e |\n"
    (table,) = md(tmp_path, text).documents[0].blocks
    assert [[plain(c.inlines) for c in row] for row in table.head + table.body] == [["h"], ["a", "b", "c", "d"], ["e"]]
    monkeypatch.setattr(mdtable, "MAX_AUTOCOMPLETED_CELLS", 6)  # 3 + 3 empty cells: padded
    (table,) = md(tmp_path, text).documents[0].blocks
    assert [len(row) for row in table.head + table.body] == [4, 4, 4]


def test_the_wide_table_in_the_outputs(built):
    for root, ns in ((built["xhtml"], NS), (built["html"], None)):
        x = "x:" if ns else ""
        rows = root.xpath(f"//{x}table//{x}tr", namespaces=ns)
        assert [len(row.xpath(f"./{x}th|./{x}td", namespaces=ns)) for row in rows] == [4, 4, 4]
        assert [c.text for c in rows[1]] == ["Ann", "40", "Leeds", "more | words"]
    text = " ".join(t for t, _, _ in pdf_runs(built["pdf"]))
    assert "Leeds" in text and "more | words" in text
    assert not [n for n in built["notices"] if n.code == "Z109"]
