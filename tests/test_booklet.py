"""The booklet of the sample: the right number of sheets, and folding gives the pages in order."""

from __future__ import annotations

import pypdfium2

from .test_impose import half_texts


def normalise(text: str) -> str:
    """A page as its sorted non-space characters: pdfium orders heads, folios and note calls
    differently, and spaces them differently, in whole-page and bounded extraction; the
    characters on the page are the same (and no two pages of a book share them)."""
    # pdfium marks a hyphen at a line end as \ufffe in whole-page text and \x02 in bounded text.
    text = text.replace("\ufffe", "-\n").replace("\x02", "-\n")
    return "".join(sorted("".join(text.split())))


def test_booklet_folds_into_the_reading_order(sample_build):
    reading = [normalise(p.get_textpage().get_text_range()) for p in pypdfium2.PdfDocument(sample_build["pdf"])]
    data = sample_build["booklet"].read_bytes()
    halves = half_texts(data)
    n = len(reading)
    assert len(halves) == 2 * -(-n // 4)
    # Unfold: outer sheet first; its front right and back left open the book, its back right
    # and front left close it.
    first, last = [], []
    for s in range(len(halves) // 2):
        (front_left, front_right), (back_left, back_right) = halves[2 * s], halves[2 * s + 1]
        first += [front_right, back_left]
        last = [back_right, front_left] + last
    folded = [normalise(t) for t in first + last]
    assert [t for t in folded if t] == [t for t in reading if t]
    assert folded[-1] == reading[-1]  # the back cover stays the back cover
    assert folded[0] == reading[0]
