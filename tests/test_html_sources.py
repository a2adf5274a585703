"""HTML sources: every word of a page is in the Document or in the removal report, with a reason.

Checked as an invariant over real documentation pages (tests/corpus/web/, see SOURCES.md),
and on the cases that used to lose text or leak it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html

from zinebuild.clean.decode import decode
from zinebuild.model import block_text, plain
from zinebuild.readers import read

WEB = Path(__file__).parent / "corpus" / "web"
PAGES = sorted(WEB.rglob("*.html"))
MARKDOWN = sorted(WEB.rglob("*.md"))
WORD = re.compile(r"\w+")


def page_texts(path: Path) -> list[str]:
    """Every text node of the page as the parser sees it, comments included."""
    text, _ = decode(path.read_bytes())
    tree = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    return [t for node in tree.iter() for t in (node.text, node.tail) if t and t.strip()]


def accounted_text(source) -> str:
    """What the reader gives back: the documents' text and the removal report."""
    parts = [r.text for r in source.removed]
    for doc in source.documents:
        parts += [doc.title, doc.subtitle or "", *doc.authors]
        parts += [block_text(b) for b in doc.blocks]
        parts += [plain(p) for note in doc.notes for p in note.paragraphs]
    return " ".join(parts)


def unaccounted(path: Path) -> tuple[list[str], int]:
    """Words of the page found neither in the Document nor in the report, and the letters missing."""
    source = read(path)
    kept = accounted_text(source).lower()
    texts = page_texts(path)
    words = sorted({w for t in texts for w in WORD.findall(t.lower()) if len(w) > 2})
    lost_words = [w for w in words if w not in kept]
    # Letters too, counted: a lost paragraph whose words appear elsewhere still shows here.
    # The title is printed once though a page repeats it (<title>, heading, breadcrumbs).
    title = " ".join(doc.title for doc in source.documents).lower()
    have = Counter(c for c in kept + title * 3 if c.isalnum())
    need = Counter(c for t in texts for c in t.lower() if c.isalnum())
    return lost_words, sum((need - have).values())


@pytest.mark.parametrize("document", PAGES + MARKDOWN, ids=[p.relative_to(WEB).as_posix() for p in PAGES + MARKDOWN])
def test_the_word_accounting_of_every_web_document_holds(document):
    """The reader's own audit (warning Z109) finds no word lost: what is syntax (tags, reference
    definitions, fence info, link targets, tooltips) is not counted, a picture's alt text is."""
    source = read(document)
    assert source.unaccounted == (), [(r.line, r.text) for r in source.unaccounted]


def test_the_corpus_is_varied_and_small():
    assert len(PAGES) >= 15
    assert len({p.parent.name for p in PAGES}) >= 6  # pages from several generators
    assert sum(p.stat().st_size for p in WEB.rglob("*")) < 2_000_000
    listed = (WEB / "SOURCES.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert page.relative_to(WEB).as_posix() in listed, page


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(WEB).as_posix() for p in PAGES])
def test_every_word_of_a_real_page_is_kept_or_reported(page):
    lost_words, lost_letters = unaccounted(page)
    assert lost_words == [] and lost_letters == 0, (lost_words[:20], lost_letters)
    source = read(page)
    assert all(r.reason for r in source.removed)
    # Most of a documentation page is its text, not the report.
    assert sum(len(block_text(b)) for d in source.documents for b in d.blocks) > \
        0.5 * sum(len(r.text) for r in source.removed if r.reason != "page furniture <style>")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(text, encoding="utf-8")
    return path


def body(source) -> str:
    return " ".join(block_text(b) for b in source.documents[0].blocks)


def test_embed_does_not_swallow_the_rest_of_the_page(tmp_path):
    source = read(write(tmp_path, '<html><body><p>Alpha</p><embed src="x"><p>Bravo</p>'
                                  '<input name="q"><p>Charlie</p></body></html>'))
    assert body(source).split() == ["Alpha", "Bravo", "Charlie"]


def test_a_page_of_sections_keeps_every_section(tmp_path):
    sections = "".join(f"<section><h2>Question {n}</h2><p>Answer number {n} is here.</p></section>"
                       for n in range(1, 8))
    source = read(write(tmp_path, f"<html><body><nav><a href='/'>Home</a></nav>{sections}</body></html>"))
    text = body(source)
    for n in range(1, 8):
        assert f"Question {n}" in text and f"Answer number {n} is here." in text
    assert [r.reason for r in source.removed] == ["page furniture <nav>"]


def test_several_articles_are_all_kept(tmp_path):
    articles = "".join(f"<article><h2>Post {n}</h2><p>Body of post {n}.</p></article>" for n in range(3))
    source = read(write(tmp_path, f"<html><body><div>{articles}</div><div>Sidebar words</div></body></html>"))
    assert all(f"Body of post {n}." in body(source) for n in range(3))
    assert ("Sidebar words", "outside the main text") in [(r.text, r.reason) for r in source.removed]


def test_comments_and_php_never_reach_the_text_and_are_reported(tmp_path):
    page = ("<html><body><article><p>Visible words.</p><!-- google_ad_slot = 1234 -->"
            "<!--[if IE]><p>Upgrade your browser</p><![endif]--><?php echo 'secret'; ?>"
            "<p>More <!-- inline note -->words.</p></article></body></html>")
    source = read(write(tmp_path, page))
    assert body(source) == "Visible words. More words."
    reported = {(r.reason, r.text) for r in source.removed}
    assert ("comment", "google_ad_slot = 1234") in reported
    assert ("comment", "[if IE]><p>Upgrade your browser</p><![endif]") in reported
    assert ("comment", "inline note") in reported
    assert any(reason == "processing instruction" and "secret" in text for reason, text in reported)


def test_furniture_and_the_text_around_the_article_are_reported(tmp_path):
    page = ("<html><head><title>Site | Piece</title></head><body><header>Site banner</header>"
            "<div>Breadcrumb text</div><article><h1>Piece</h1><p>The text.</p></article>"
            "<footer>Copyright line</footer></body></html>")
    source = read(write(tmp_path, page))
    assert body(source) == "The text."
    assert {(r.reason, r.text) for r in source.removed} == {
        ("page head", "Site | Piece"), ("page furniture <header>", "Site banner"),
        ("outside the main text", "Breadcrumb text"), ("page furniture <footer>", "Copyright line")}


def test_heading_permalinks_are_not_text(tmp_path):
    source = read(write(tmp_path, '<html><body><main><h1>T</h1><h2 id="s">Part<a class="headerlink" href="#s">¶</a>'
                                  '</h2><p>Words <a href="#s">§</a> here.</p></main></body></html>'))
    assert body(source) == "Part Words here."
    assert [(r.reason, r.text) for r in source.removed] == [("heading permalink", "¶"), ("heading permalink", "§")]


def test_a_page_nested_too_deep_to_parse_whole_is_an_error_not_a_loss(tmp_path):
    from .test_cli import assert_clean_failure, run

    path = write(tmp_path, "<html><body>" + "<div>" * 3000 + "<p>deep words</p>" + "</div>" * 3000 + "</body></html>")
    assert_clean_failure(run("inspect", path), 2, "page.html", "nested more than 255 deep")
    shallow = write(tmp_path, "<html><body>" + "<blockquote>" * 200 + "<p>deep words</p>" + "</blockquote>" * 200)
    assert "deep words" in body(read(shallow))
