"""A question stays with the start of its answer: never the last line of a page.

A question is a paragraph of role "question" (model.Paragraph.role): the cleaner gives it
to an interview's questions and to a FAQ's "Q. …?" paragraphs, Markdown to `{.question}`.
The text is Debian base-files' FAQ (tests/corpus/text/faq-base-files.txt, see SOURCES.md there).
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest

from zinebuild import pipeline
from zinebuild.model import Paragraph, plain

from .test_typography import small_book
from .typography_report import _lines

FAQ = (Path(__file__).parent / "corpus" / "text" / "faq-base-files.txt").read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def questions_ending_pages(path, questions: list[str]) -> list[tuple[int, str]]:
    """(page, line) where a page's last line of text is the last line of a question."""
    found = []
    pdf = pypdfium2.PdfDocument(path)
    for number in range(len(pdf) - 1):
        page = pdf[number]
        _, height = page.get_size()
        body = [t for t in _lines(page.get_textpage(), height * 0.935, height * 0.075) if t]
        if not body:
            continue
        last = squeeze(body[-1])
        if len(last) >= 8 and any(q.endswith(last) for q in questions):
            found.append((number + 1, body[-1]))
    return found


@pytest.mark.parametrize("page", ["A7", "A6"])
def test_a_question_never_ends_a_page_without_its_answer(tmp_path, page):
    def build(name: str, custom: str):
        project = small_book(tmp_path / name, f'page_size = "{page}"',
                             files={"faq.txt": FAQ, "layouts/default/custom.css": custom},
                             pieces='[[pieces]]\nsource = "faq.txt"\n')
        (piece,) = project.anthology.pieces
        questions = [squeeze(plain(b.inlines)) for b in piece.document.blocks
                     if isinstance(b, Paragraph) and b.role == "question"]
        (path,) = pipeline.build(project, ("pdf",), tmp_path / name / "out")
        return questions, path

    questions, path = build("kept", "")
    assert len(questions) >= 7  # the FAQ's "Q. …?" paragraphs are questions in the model
    assert not questions_ending_pages(path, questions)
    # Without the rule some question of this FAQ ends a page: the test measures something.
    questions, path = build("loose", ".question { break-after: auto !important }\n")
    assert questions_ending_pages(path, questions)
