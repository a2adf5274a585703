"""Web pages' lists keep what their authors wrote: lists inside list items (and a list put
straight inside another, as pages often do), an item's own number (<li value>), a list's way
of counting (<ol type>) and its start; read into the model as the Markdown reader reads
them, checked in the EPUB (XPath, epubcheck), the HTML file and the PDF (markers, x positions)."""

from __future__ import annotations

import pytest

from zinebuild.model import ListBlock, plain
from zinebuild.readers import read

from .test_epub import NS, assert_epubcheck_clean
from .test_markdown_lists import lists_book, marker_of, pdf_runs

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Steps</title></head><body><article>
<h1>Steps</h1>
<p>The steps, as the author numbered them:</p>
<ol start="9">
  <li>nine</li>
  <li value="11">eleven</li>
  <li>twelve
    <ul><li>sub one</li><li>sub two
      <ol type="a"><li>deep a</li><li>deep b</li></ol></li></ul></li>
  <li>thirteen<ul><li>under thirteen</li></ul>after the list under thirteen</li>
  <li>fourteen</li>
</ol>
<p>And the bullets:</p>
<ul>
  <li>bullets</li>
  <ul><li>a list straight inside a list</li></ul>
  <li>last bullet</li>
</ul>
<ol start="0"><li>zero</li><li>one</li></ol>
</article></body></html>
"""


def lists(tmp_path, page: str = PAGE) -> tuple[list[ListBlock], object]:
    path = tmp_path / "steps.html"
    path.write_text(page, encoding="utf-8")
    source = read(path)
    return [b for b in source.documents[0].blocks if isinstance(b, ListBlock)], source


def test_lists_inside_items_are_read_nested_with_their_numbers(tmp_path):
    (steps, bullets, counted), source = lists(tmp_path)
    tree = steps.tree()
    assert [plain(item) for item, _ in tree.entries] == ["nine", "eleven", "twelve", "thirteen",
                                                         "after the list under thirteen", "fourteen"]
    assert tree.ordered and tree.start == 9 and tree.values == (None, 11, None, None, None, None)
    assert tree.continued == (False, False, False, False, True, False)
    inner = tree.entries[2][1]
    assert not inner.ordered and [plain(item) for item, _ in inner.entries] == ["sub one", "sub two"]
    deep = inner.entries[1][1]
    assert deep.ordered and deep.numbering == "a" and [plain(i) for i, _ in deep.entries] == ["deep a", "deep b"]
    assert [plain(i) for i, _ in tree.entries[3][1].entries] == ["under thirteen"]
    # A list straight inside a list belongs to the item before it.
    (first, inside), (last, none) = bullets.tree().entries
    assert plain(first) == "bullets" and [plain(i) for i, _ in inside.entries] == ["a list straight inside a list"]
    assert plain(last) == "last bullet" and none is None
    assert counted.start == 0 and counted.levels == ()  # a flat list stays flat, from 0 as written
    assert source.unaccounted == ()


def test_numbers_come_from_attributes_that_are_numbers_only(tmp_path):
    page = PAGE.replace('value="11"', 'value="11; x"').replace('start="9"', 'start="nine"')
    (steps, *_), _ = lists(tmp_path, page)
    tree = steps.tree()
    assert tree.start == 1 and tree.values == ()  # counted from 1, no item numbered by hand


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return lists_book(tmp_path_factory.mktemp("html-lists"), {"steps.html": PAGE}, b"eleven")


def test_nested_lists_in_the_epub_and_html(built):
    for root, ns in ((built["xhtml"], NS), (built["html"], None)):
        x = "x:" if ns else ""
        (top,) = root.xpath(f"//{x}ol[@start='9']", namespaces=ns)
        assert [li.get("value") for li in top.xpath(f"./{x}li", namespaces=ns)] == [None, "11", None, None, None]
        deep = top.xpath(f"./{x}li[3]/{x}ul/{x}li[2]/{x}ol[@type='a']/{x}li", namespaces=ns)
        assert [li.text for li in deep] == ["deep a", "deep b"]
        (more,) = top.xpath(f"./{x}li[4]/{x}ul/following-sibling::{x}p", namespaces=ns)
        assert more.text == "after the list under thirteen"
        assert root.xpath(f"string(//{x}li[normalize-space(text()[1]) = 'bullets']/{x}ul)", namespaces=ns).split() == [
            "a", "list", "straight", "inside", "a", "list"]
    assert_epubcheck_clean(built["epub"])


def test_nested_lists_in_the_pdf(built):
    runs = pdf_runs(built["pdf"])
    assert [marker_of(runs, w) for w in ("nine", "eleven", "twelve", "fourteen", "deep a", "deep b")] == [
        "9.", "11.", "12.", "14.", "a.", "b."]
    x = {text: x for text, x, _ in runs}
    assert x["nine"] + 5 < x["sub one"] and x["sub one"] + 5 < x["deep a"]
    assert x["after the list under thirteen"] == pytest.approx(x["thirteen"])


def test_an_epubs_nested_lists_read_back_nested(built):
    """The EPUB reader reads lists as web pages are read: this book's own EPUB, read back."""
    from zinebuild.readers import read

    found, _ = lists_of(read(built["epub"]))
    steps, bullets = (next(b for b in found if plain(b.items[0]) == first) for first in ("nine", "bullets"))
    tree = steps.tree()
    assert tree.start == 9 and tree.values == (None, 11, None, None, None, None)
    assert tree.entries[2][1].entries[1][1].numbering == "a"
    assert [plain(i) for i, _ in bullets.tree().entries[0][1].entries] == ["a list straight inside a list"]


def lists_of(source) -> tuple[list[ListBlock], object]:
    from .formats import all_blocks

    return [b for d in source.documents for b in all_blocks(d.blocks) if isinstance(b, ListBlock)], source
