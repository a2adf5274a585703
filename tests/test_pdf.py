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


def first_page_with(texts: list[str], title: str, after: int | None = None) -> int:
    """The number of the first page after `after` (by default: after the cover, its blank inside,
    the title page and the contents) that starts with title."""
    if after is None:
        after = front_pages(texts)
    key = re.sub(r"\s+", " ", title)[:25]
    for number, text in enumerate(texts, start=1):
        if number > after and key in re.sub(r"\s+", " ", text)[:400]:
            return number
    raise AssertionError(f"{title!r} not found")


def front_pages(texts: list[str]) -> int:
    """How many pages come before the first piece: up to the last contents page, else the title page."""
    starts = [i for i, t in enumerate(texts) if t.lstrip().startswith("Contents")]
    if not starts:
        return next(i for i, t in enumerate(texts, start=1) if t.strip())  # the drawn cover has no text layer
    end = starts[0] + 1
    while end < len(texts) and re.search(r"\. *(\d+)\s*$", texts[end], re.M) and not texts[end].lstrip().startswith(
            ("Introduction", "Sources")):
        end += 1
    return end


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
    titles += [p.document.title for p in anthology.back] + ["Sources"]
    listed = contents_entries(texts)
    assert len(listed) == len(titles)
    after = front_pages(texts)
    for title, page in zip(titles, listed):
        after = first_page_with(texts, title, after=after)
        assert after == page, title


def test_folios_on_text_pages_not_on_title(sample_build):
    texts = page_texts(sample_build["pdf"])
    title = next(i for i, t in enumerate(texts) if t.strip())  # after the drawn cover and its inside
    assert not re.search(rf"^\s*{title + 1}\s*$", texts[title], re.M)
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


def outline_titles(reader, items=None, depth=0):
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += outline_titles(reader, item, depth + 1)
        else:
            out.append((depth, item.title))
    return out


def test_outline_has_parts_then_pieces(sample_build, sample_project):
    outline = outline_titles(pypdf.PdfReader(sample_build["pdf"]))
    anthology = sample_project.anthology
    assert (0, "Contents") in outline and (0, "Introduction") in outline and (0, "Sources") in outline
    for part in anthology.parts:
        assert (0, part.title) in outline
        for piece in part.pieces:
            assert (1, piece.document.title) in outline
    assert len(outline) == 1 + 2 + len(anthology.parts) + len(anthology.pieces) + 1  # no section headings


def test_every_character_is_set_in_the_embedded_book_face(sample_build, sample_project):
    from fontTools.ttLib import TTFont

    from zinebuild.model import block_text, plain
    from zinebuild.render import BUILTIN_LAYOUTS

    reader = pypdf.PdfReader(sample_build["pdf"])
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(f.startswith(("Libertine", "LinLibertine")) for f in fonts), fonts  # no fallback face
    text = set()
    for piece in sample_project.anthology.pieces:
        doc = piece.document
        text.update(doc.title + "".join(doc.authors) + "".join(block_text(b) for b in doc.blocks))
        text.update("".join(plain(p) for n in doc.notes for p in n.paragraphs))
    cmap = TTFont(BUILTIN_LAYOUTS / "default" / "fonts" / "LinLibertine_R.otf").getBestCmap()
    missing = sorted(c for c in text if not c.isspace() and ord(c) not in cmap)
    assert not missing, missing
    assert {"ř", "ě", "č", "á", "í", "м", "у", "с", "о", "р"} <= text  # Czech and Russian are really there


def variant_build(small_project, tmp_path, output: str = "", front: str = ""):
    from zinebuild import pipeline

    text = small_project.read_text().replace('page_size = "A6"', f'page_size = "A6"\n{output}')
    text = text.replace('introduction = "intro.md"', f'introduction = "intro.md"\n{front}')
    small_project.write_text(text)
    (path,) = pipeline.build(pipeline.load(small_project), ("pdf",), tmp_path / "variant")
    return path, page_texts(path)


def test_pieces_open_on_right_hand_pages(small_project, tmp_path):
    _, texts = variant_build(small_project, tmp_path, 'opening = "right"')
    for title in ("Introduction", "The First Piece", "The Second Piece", "Třetí kus"):
        assert first_page_with(texts, title) % 2 == 1, title


def test_endnotes_instead_of_footnotes(small_project, tmp_path):
    _, texts = variant_build(small_project, tmp_path, 'notes = "endnotes"')
    start = first_page_with(texts, "The First Piece")
    end = first_page_with(texts, "The Second Piece")
    piece = "\n".join(texts[start - 1:end - 1])
    assert piece.index("Notes") > piece.index("And another note")
    assert piece.index("The first note") > piece.index("Notes")


def test_half_title_sources_page_and_margins_on_a6(small_project, tmp_path):
    path, texts = variant_build(small_project, tmp_path, front="half_title = true")
    assert texts[0].strip() == texts[1].strip() == ""  # the drawn cover (pixels only) and its inside
    assert texts[2].strip() == "Small Test Book" and texts[3].lstrip().startswith("Small Test Book")
    sources = next(t for t in texts if t.lstrip().startswith("Sources"))
    assert "The First Piece, Ann Author." in sources and "one.md" not in sources and "Made with zinebuild on 2024-05-01" in sources
    import pypdfium2

    page = pypdfium2.PdfDocument(path)[first_page_with(texts, "The First Piece")]
    width, height = page.get_size()
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    left = min(b[0] for b in boxes)
    assert width * 0.08 < left < width * 0.13  # a margin that suits A6: about a tenth of the width


def test_every_footnote_is_on_the_page_of_its_call(sample_build, sample_project):
    """Guards against WeasyPrint's known footnote bugs (a note set on the page before its call,
    Kozea/WeasyPrint#1564; long notes pushed away, #1833) on the sample's real notes."""
    import pypdfium2

    from zinebuild.model import NoteRef, Text, plain

    def squash(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.replace("\ufffe", "").replace("\x02", "")).lower()

    pages = [squash(p.get_textpage().get_text_range()) for p in pypdfium2.PdfDocument(sample_build["pdf"])]
    checked = 0
    for piece in sample_project.anthology.pieces:
        doc = piece.document
        for block in doc.blocks:
            inlines = getattr(block, "inlines", ())
            for i, node in enumerate(inlines):
                if not isinstance(node, NoteRef) or i == 0 or not isinstance(inlines[i - 1], Text):
                    continue
                before = squash(" ".join(inlines[i - 1].text.split()[-4:]))
                note = squash(plain(doc.note(node.id).paragraphs[0]))[:40]
                call_pages = [n for n, text in enumerate(pages) if before in text]
                note_pages = [n for n, text in enumerate(pages) if note in text]
                assert note_pages, f"note {node.id} of {doc.title!r} is missing from the PDF"
                if len(call_pages) == 1:  # the words before the call are unique: compare pages
                    assert note_pages[0] == call_pages[0], \
                        f"note {node.id} of {doc.title!r} is on page {note_pages[0] + 1}, its call on {call_pages[0] + 1}"
                    checked += 1
    assert checked >= 5
