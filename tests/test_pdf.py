"""The reading PDF: page size, fonts, contents page numbers, footnotes, running heads."""

from __future__ import annotations

import re

import pypdf
import pytest

from zinebuild.units import MM


def page_texts(path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def contents_entries(texts: list[str]) -> list[int]:
    """The page numbers the contents pages give, in order (the contents may run over pages)."""
    start = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    numbers = []
    for text in texts[start:]:
        found = [int(m[1]) for m in re.finditer(r"\. *(\d+)\s*$", text, re.M)]
        if not found:
            break
        numbers += found
    return numbers


def first_page_with(texts: list[str], title: str, after: int = 2) -> int:
    key = re.sub(r"\s+", " ", title)[:25]
    for number, text in enumerate(texts, start=1):
        if number > after and key in re.sub(r"\s+", " ", text)[:400]:
            return number
    raise AssertionError(f"{title!r} not found")


def test_page_size_is_a5(sample_build):
    reader = pypdf.PdfReader(sample_build["pdf"])
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(148 * MM, abs=0.5)
    assert float(box.height) == pytest.approx(210 * MM, abs=0.5)
    assert reader.metadata.title == "Neither Their War Nor Their Peace"


def test_contents_page_numbers_match_piece_starts(sample_build, sample_project):
    texts = page_texts(sample_build["pdf"])
    anthology = sample_project.anthology
    titles = [p.document.title for p in anthology.front]
    for part in anthology.parts:
        titles += ([part.title] if part.title else []) + [p.document.title for p in part.pieces]
    titles += [p.document.title for p in anthology.back]
    listed = contents_entries(texts)
    assert len(listed) == len(titles)
    after = 2
    for title, page in zip(titles, listed):
        after = first_page_with(texts, title, after=after)
        assert after == page, title


def test_folios_on_text_pages_not_on_title(sample_build):
    texts = page_texts(sample_build["pdf"])
    assert not re.search(r"^\s*1\s*$", texts[0], re.M)
    body_page = first_page_with(texts, "Introduction") + 0
    assert re.search(rf"\b{body_page}\s*$", texts[body_page - 1].strip())


def test_fonts_are_embedded_and_cover_the_text(sample_build):
    reader = pypdf.PdfReader(sample_build["pdf"])
    fonts = set()
    for page in reader.pages[:20]:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert any("Libertine" in f for f in fonts), fonts


def test_footnotes_sit_at_the_foot_of_their_page(small_build):
    texts = page_texts(small_build["pdf"])
    with_note = [t for t in texts if "The first note" in t]
    assert len(with_note) == 1
    page = with_note[0]
    # The note comes after the body text that calls it, on the same page.
    assert page.index("A paragraph with a note") < page.index("The first note")
    assert "The second note" in page


def test_parts_get_their_own_page(small_build):
    texts = page_texts(small_build["pdf"])
    part_pages = [t.strip() for t in texts if t.strip() in ("First Part", "Second Part")]
    assert part_pages == ["First Part", "Second Part"]


def test_running_head_names_the_piece_but_not_on_its_opening(sample_build, sample_project):
    texts = page_texts(sample_build["pdf"])
    piece = sample_project.anthology.pieces[1]
    start = first_page_with(texts, piece.document.title)
    opening, next_right = texts[start - 1], texts[start + (0 if start % 2 == 0 else 1)]
    assert opening.count(piece.document.title[:20]) == 1
    assert piece.document.title[:20] in next_right
