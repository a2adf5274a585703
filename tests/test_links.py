"""Links: one URL policy, settled once in the model, the same in the EPUB, the HTML and the PDF."""

from __future__ import annotations

import json
import zipfile

import pytest
from lxml import etree

from zinebuild import pipeline
from zinebuild.links import allowed
from zinebuild.model import Link, plain

from .conftest import write_project
from .linkcheck import XHTML, epub_link_problems, html_link_problems, no_file_urls, pdf_link_problems
from .test_cli import run
from .test_epub import assert_epubcheck_clean

CONFIG = """\
[book]
title = "Links Book"
language = "en"
date = "2024-01-01"
[[pieces]]
source = "src/one.md"
[[pieces]]
source = "src/two.html"
[[pieces]]
source = "src/three.md"
[output]
page_size = "A6"
"""

FILES = {
    "src/one.md": """\
        ---
        title: One
        source: "javascript:alert(1)"
        ---

        # One

        Go to [two's section](two.html#sec-b), to [[Three Piece#Deep Part]], to [three](./three.md),
        to [my part](#later-part), to [missing](#nowhere), to [ext](https://example.org/x),
        to [rel](../elsewhere/page.html), to [file](file:///etc/passwd), to [mail](mailto:a@b.org),
        and to [two by its address](https://site.example/two/).

        ## Later Part

        Text [[No Such Page]].
        """,
    "src/two.html": """\
        <html lang="en"><head><title>Two</title>
        <link rel="canonical" href="https://site.example/two/">
        <base href="https://site.example/docs/"></head><body><article><h1>Two</h1>
        <p>Back to <a href="one.md">one</a> and <a href="other/page.html">a relative page</a>
        and <a href="JaVa&#x09;Script:alert(2)">bad</a> and <a href="#sec-b">down</a>.</p>
        <div id="sec-b"><h2>Section B</h2><p>Words <a name="inner"></a>here.</p></div>
        </article></body></html>
        """,
    "src/three.md": """\
        +++
        title = "Three Piece"
        +++

        ## Deep Part

        See [two inner](two.html#inner) and [data](data:text/html,x).
        """,
}


@pytest.fixture(scope="module")
def links_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("links")
    config = write_project(root / "p", CONFIG, FILES)
    project = pipeline.load(config)
    paths = pipeline.build(project, ("epub", "html", "pdf"), root / "out")
    return project, {p.suffix.lstrip("."): p for p in paths}


def hrefs(epub, name: str) -> dict[str, str]:
    """Each link of one EPUB file: its text -> its href."""
    with zipfile.ZipFile(epub) as archive:
        doc = etree.fromstring(archive.read(f"EPUB/text/{name}.xhtml"))
    return {"".join(a.itertext()): a.get("href") for a in doc.xpath("//x:a", namespaces=XHTML)}


def test_links_are_settled_once_for_every_output(links_build):
    _, out = links_build
    one = hrefs(out["epub"], "piece-one")
    assert one["two's section"] == "piece-two.xhtml#piece-two--h1"  # a section of another source
    assert one["Three Piece § Deep Part"] == "piece-three-piece.xhtml#piece-three-piece--h0"  # a wikilink
    assert one["three"] == "piece-three-piece.xhtml#piece-three-piece"  # another source
    assert one["my part"] == "piece-one.xhtml#piece-one--h1"  # a fragment, renamed with its heading
    assert one["two by its address"] == "piece-two.xhtml#piece-two"  # another piece's original URL
    assert one["ext"] == "https://example.org/x" and one["mail"] == "mailto:a@b.org"
    for unlinked in ("missing", "rel", "file", "No Such Page"):
        assert unlinked not in one
    two = hrefs(out["epub"], "piece-two")
    assert two["one"] == "piece-one.xhtml#piece-one"
    assert two["a relative page"] == "https://site.example/docs/other/page.html"  # against <base>
    assert two["down"] == "piece-two.xhtml#piece-two--h1" and "bad" not in two
    # the section holding it:
    assert hrefs(out["epub"], "piece-three-piece")["two inner"] == "piece-two.xhtml#piece-two--h1"


def test_every_output_has_only_working_links(links_build):
    _, out = links_build
    assert epub_link_problems(out["epub"]) == []
    assert html_link_problems(out["html"]) == []
    problems, internal = pdf_link_problems(out["pdf"])
    assert problems == [] and internal >= 8
    assert no_file_urls(*out.values()) == []
    assert_epubcheck_clean(out["epub"])


@pytest.mark.allow_warnings
def test_links_that_cannot_be_kept_are_reported_with_file_and_line(links_build):
    project, _ = links_build
    reports = [(n.file.rsplit("/", 1)[-1], n.message) for n in project.anthology.notices if n.code == "Z107"]
    expected = [("one.md", "line 10: link 'file:///etc/passwd'"), ("two.html", "line 5: link 'JaVa\tScript:"),
                ("three.md", "line 7: link 'data:text/html,x'"), ("one.md", "line 9: link '#nowhere'"),
                ("one.md", "line 10: link '../elsewhere/page.html'"), ("one.md", "line 15: link '[[No Such Page]]'")]
    for file, start in expected:
        assert any(f == file and m.startswith(start) for f, m in reports), (file, start, reports)
    assert len(reports) == len(expected)


def test_javascript_in_source_and_canonical_never_becomes_a_link(tmp_path):
    config = write_project(tmp_path / "p", CONFIG.split("[[pieces]]")[0] + """\
        [[pieces]]
        source = "a.md"
        [[pieces]]
        source = "b.html"
        """, {"a.md": "---\ntitle: A\nsource: \"javascript:alert('md')\"\n---\n\nText.\n",
              "b.html": "<html><head><link rel='canonical' href=' javascript:alert(1)'>"
                        "<meta property='og:url' content='file:///etc/passwd'></head>"
                        "<body><h1>B</h1><p>Words.</p></body></html>"})
    project = pipeline.load(config)
    assert [p.document.source_url for p in project.anthology.pieces] == [None, None]
    paths = pipeline.build(project, ("epub", "html", "pdf"), tmp_path / "out")
    assert no_file_urls(*paths) == []
    problems, _ = pdf_link_problems(next(p for p in paths if p.suffix == ".pdf"))
    assert problems == []


@pytest.mark.parametrize("url, verdict", [
    ("https://e.org/a", True), ("http://e.org", True), ("mailto:a@b.org", True), ("HTTPS://E.ORG", True),
    ("javascript:x", False), (" java\tscript:x", False), ("file:///etc/passwd", False), ("data:text/html,x", False),
    ("vbscript:x", False), ("ftp://e.org", False), ("/etc/passwd", False), ("http:/etc/passwd", False),
    ("https://e.org/a b", True), ("", False), ("http://[broken", False), ("https://:80/x", False),
])
def test_one_url_policy(url, verdict):
    assert (allowed(url) is not None) is verdict


@pytest.mark.allow_warnings
def test_inspect_lists_each_link_and_what_it_became(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: P\nurl: https://e.org/blog/p/\n---\n\n[a](../q/) [b](#s) [c](javascript:x)"
                    " [d](#gone)\n\n## S\n", encoding="utf-8")
    result = run("inspect", path, "--json")
    data = json.loads(result.output[result.output.index("{"):])
    became = {link["href"]: link["became"] for link in data["links"]}
    assert became["../q/"] == "external: https://e.org/blog/q/"
    assert became["#s"].startswith("internal: ")
    assert became["#gone"].startswith("unlinked: ")
    assert became["javascript:x"] == "unlinked: only http, https and mailto links are kept"
    assert [link["line"] for link in data["links"]] == [6, 6, 6, 6]
    text = run("inspect", path).output
    assert "links:" in text and "https://e.org/blog/q/" in text


@pytest.mark.allow_warnings
def test_links_to_a_pieces_other_addresses_and_labelled_wikilinks_stay_inside(tmp_path):
    config = write_project(tmp_path / "p", CONFIG.split("[[pieces]]")[0] + """\
        [[pieces]]
        source = "hugo.md"
        [[pieces]]
        source = "notes/obsidian.md"
        """, {"hugo.md": "+++\ntitle = \"Hugo Post\"\naliases = [\"/old/address/\"]\n"
                         "url = \"https://blog.example.org/posts/hugo/\"\n+++\n\nThe post.\n\n## Part Two\n\nMore.\n",
              "notes/obsidian.md": "---\ntitle: A Note\n---\n\n[[Hugo Post|the post]], [old](/old/address/), "
                                   "[by URL](http://blog.example.org/posts/hugo#part-two), "
                                   "[[hugo#Part Two]] and [up](../hugo.md).\n"})
    note = pipeline.load(config).anthology.pieces[1].document
    links = {plain(link.children): (link.piece, link.url) for link in note.blocks[0].inlines if isinstance(link, Link)}
    top, part_two = ("piece-hugo-post", "#piece-hugo-post"), ("piece-hugo-post", "#piece-hugo-post--h1")
    assert links == {"the post": top, "old": top, "by URL": part_two, "hugo § Part Two": part_two, "up": top}
