"""The cleaner on real texts nobody here wrote (tests/corpus/text/, see its SOURCES.md).

Each file's outline (title, authors, pieces, heading tree, lists, notes) is compared with an
outline reviewed by reading the text; where the cleaner is still wrong the test is an expected
failure that names the gap (strict: fixing it turns the test red until the mark goes). Every file
also keeps the word-accounting invariant, and so does any text Hypothesis makes up.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zinebuild import accounting, language
from zinebuild.clean import clean
from zinebuild.model import Preformatted, Source, block_text, plain, source_to_dict
from zinebuild.readers import read

from .conftest import write_project
from .corpus_outline import CORPUS, FILES, compare, expected, outline

# Files whose reviewed outline the cleaner does not reach yet, and what it gets wrong.
GAPS: dict[str, str] = {
    "faq-sed": "contents lines broken by sub-labels ('ONE-CHARACTER QUESTIONS') and two-space numbers are taken "
               "for headings; CONTENTS ranks under the centred subtitle style",
    "licence-apache-2.0": "'APPENDIX: … work.' ends in a stop and is missed; the boilerplate notice's first line "
                          "becomes a heading",
    "licence-artistic": "the a)-d) items of clauses 3 and 4 are split into three lists (a clause line between)",
    "licence-gpl-2": "'NO WARRANTY' inside the terms and the two-line terms heading get each other's levels",
    "pdf-layout-bzip2-manual": "chapter headings over pdftotext -layout text are missed; 'Table of Contents' of a "
                               "chapter and '2.3. DESCRIPTION' after a page foot are not seen as headings",
    "pdf-plain-libtasn1": "'2 ASN.1 structure handling' and '2.1 …' after the page number are missed; the list of "
                          "types is cut in two by the page break",
    "pdf-plain-shared-mime-info": "the author inside the PDF title block is not recognised; bullets split from "
                                  "their text across page breaks make extra lists",
    "policy-python": "the 'Navigation' menu of the Sphinx dump is kept as a list (should be removed as clutter)",
    "readme-libexttextcat-references": "'Label:' lines are not taken for headings in web-style text, and the "
                                        "' * ' command lines under them are split into several lists",
    "readme-bc": "'Extra …:' labels over tab-indented text are not headings (the README's second half sets the "
                 "body indentation to the margin)",
}


def _case(path):
    reason = GAPS.get(path.stem)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(p) for p in FILES])
def test_outline_matches_review(path):
    want = expected(path)
    assert want is not None, f"{path.name} has no reviewed outline in expected/"
    problems = {check: found for check, found in compare(want, outline(read(path))).items() if found}
    assert not problems, f"{path.name}: {problems}"


def test_every_corpus_file_has_a_source_entry():
    listed = (FILES[0].parent / "SOURCES.md").read_text(encoding="utf-8")
    assert len(FILES) >= 40
    assert [p.name for p in FILES if f"| {p.name} |" not in listed] == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_word_is_accounted_for(path):
    source = read(path)
    assert source.unaccounted == (), [accounting.notice_text(r) for r in source.unaccounted]


def test_a_lost_word_is_reported_with_its_line():
    """The accountant itself: a reader that drops a word is caught, with the word and its line."""
    documents, removed, _ = clean("A Title\n\nFirst paragraph here.\n\nSecond paragraph there.\n")
    kept = Source("x.txt", "utf-8", documents, removed)
    lines = ["A Title", "", "First paragraph here.", "", "Second paragraph there and elsewhere."]
    lost = accounting.unaccounted(lines, kept)
    assert [(r.line, r.text) for r in lost] == [(5, "and elsewhere")]


# Lines made of the shapes the cleaner reacts to: markers, rules, indents, numbers, signatures.
_LINE = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60),
    st.sampled_from(["", "", "%", "* * *", "-----", "=====", "Notes", "END OF TERMS AND CONDITIONS",
                     " -- Jane Doe <jane@example.org>  Mon, 01 Jan 2024", "-- Mark Twain", "1. Introduction",
                     "2.1. General rules", "  a) first", "(b) second", "    indented code();", "[1] https://e.org",
                     "Title\n=====", "WORDS IN CAPITALS", "exam-", "ple", "Ã©tÃ© mojibake", "Abstract¶"]),
    # and the layout of plain documents: centring, margins, man page heads, tables, fences, outlines
    st.sampled_from(["        centred title", "   1.1. Section", "  * item one", "      wrapped text line here.",
                     "    (a) lettered", "PASSWD(1)   User Commands   PASSWD(1)", "```", "  | a | b |",
                     "Version   Date   Description", "•", "\t\tmake", "* Outline", "** Sub", "# Atx",
                     "1. GENERAL", "000000(0)  0  000000(0)"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=30))
def test_cleaning_any_text_accounts_for_every_word(lines):
    text = "\n".join(lines)
    documents, removed, _ = clean(text, name="made up")
    lost = accounting.unaccounted(text.split("\n"), Source("made-up.txt", "utf-8", documents, removed))
    assert lost == ()


def _text_of(path) -> str:
    source = read(path)
    return json.dumps(source_to_dict(source), ensure_ascii=False)


def test_mojibake_is_repaired_without_replacement_characters():
    for name in ("mojibake-fr-chfn", "mojibake-it-passwd-mixed"):
        text = _text_of(CORPUS / f"{name}.txt")
        assert "Ã" not in text and "\ufffd" not in text, name
    assert "complessità della password" in _text_of(CORPUS / "mojibake-it-passwd-mixed.txt")


def test_text_that_discusses_mojibake_keeps_its_examples():
    text = _text_of(CORPUS / "mojibake-discussed-ftfy-readme.txt")
    assert "fix_text('âœ” No problems')" in text
    assert "doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows" in text


def test_undecodable_bytes_never_become_replacement_characters(tmp_path):
    path = tmp_path / "mixed.txt"
    french = (CORPUS / "enc-latin1-fr-dpkg-split.txt").read_bytes()  # Latin-1
    path.write_bytes("Première ligne en UTF-8.\n".encode() + french + b"a lone byte \x81 here.\n")
    text = _text_of(path)
    assert "\ufffd" not in text
    assert "Première ligne" in text and "recomposition des paquets" in text


def test_what_cannot_be_repaired_is_reported_with_its_line(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_text("A clean first line of text.\n\nThe caf\ufffd was closed that day.\n", encoding="utf-8")
    assert any(w.startswith("line 3: garbled") for w in read(path).warnings)


def test_each_piece_gets_the_language_its_text_shows():
    assert [d.lang for d in read(CORPUS / "enc-koi8r-ru-pstree.txt").documents] == ["ru"]
    assert [d.lang for d in read(CORPUS / "fortune-de-zitate.txt").documents] == ["de"]
    assert language.detect("Too short to tell.") is None


def test_a_language_the_source_names_is_kept(tmp_path):
    path = tmp_path / "front.md"
    path.write_text("---\ntitle: Ein Titel\nlang: uk\n---\n\n" + "Der Benutzer wird zuerst nach seinem alten "
                    "Passwort gefragt, falls eines vorhanden ist. Dieses Passwort wird dann verschlüsselt.\n",
                    encoding="utf-8")
    assert [d.lang for d in read(path).documents] == ["uk"]


def test_numbered_references_under_a_heading_are_notes():
    body = "A paragraph long enough to be prose, which cites a book [1] and an article [2] as it goes on. " * 2
    documents, _, warnings = clean(f"A Title\n\n{body}\n\nReferences -\n\n1. Jane Doe, A Book, 1999.\n"
                                   "2. John Roe, An Article, https://example.org/a\n")
    (doc,) = documents
    assert [n.id for n in doc.notes] == ["1", "2"] and warnings == ()
    assert "Jane Doe, A Book" in "".join(t.text for t in doc.notes[0].paragraphs[0])


def test_double_sentence_spaces_go_but_verbatim_text_keeps_its_spacing():
    doc = read(CORPUS / "readme-base-passwd.txt").documents[0]
    prose = [block_text(b) for b in doc.blocks if not isinstance(b, Preformatted)]
    tables = [b.text for b in doc.blocks if isinstance(b, Preformatted)]
    assert prose and not [t for t in prose if "  " in t]
    assert tables and all("  |" in t for t in tables)
    grep = read(CORPUS / "readme-grep.txt").documents[0]
    assert "the west\" (we hope). All bugs" in " ".join(block_text(b) for b in grep.blocks)


def test_runs_in_another_script_carry_their_language(tmp_path):
    from zinebuild import pipeline

    from .test_epub import assert_epubcheck_clean, read_epub, spine_files
    text = ("A Title\n\nThe crowd chanted Нет войне and held a banner that read "
            "Мы против войны и мобилизации в России while the police watched, and a Greek visitor "
            "said Ελλάδα when asked where she was from. The rest of this long paragraph is English prose.\n")
    config = write_project(tmp_path, '[book]\ntitle = "Scripts"\nlanguage = "en"\n\n[[pieces]]\nsource = "a.txt"\n'
                           '\n[output]\nformats = ["epub"]\n', {"a.txt": text})
    project = pipeline.load(config)
    spans = [n for b in project.anthology.pieces[0].document.blocks for n in getattr(b, "inlines", ())
             if n.kind == "span"]
    assert [(s.lang, plain(s.children)) for s in spans] == [
        ("und-Cyrl", "Нет войне"), ("ru", "Мы против войны и мобилизации в России"), ("el", "Ελλάδα")]
    pipeline.build(project, ("epub",), tmp_path / "out")
    (epub,) = (tmp_path / "out").glob("*.epub")
    opf, base, files, _ = read_epub(epub)
    xhtml = b"".join(files[f] for f in spine_files(opf, base)).decode()
    assert '<span lang="ru" xml:lang="ru">Мы против войны' in xhtml
    assert_epubcheck_clean(epub)
