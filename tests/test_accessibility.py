"""The EPUB as assistive technology and small screens meet it: Ace by DAISY, then each point by XPath."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from zinebuild import pipeline
from zinebuild.writers.epub_meta import CONFORMS_TO, file_as

from .conftest import ROOT
from .test_epub import NS, assert_epubcheck_clean, read_epub, spine_files

NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
ACE = Path(os.environ.get("ZINEBUILD_ACE", ROOT / ".venv" / "ace" / "node_modules" / ".bin" / "ace-cli"))
CHROMIUM = os.environ.get("ZINEBUILD_CHROMIUM", "/usr/bin/chromium")


def ace_violations(epub: Path, out: Path) -> list[tuple[str, str, str]]:
    """(impact, rule, file) of every violation Ace by DAISY finds, run with Debian's Chromium."""
    # Not a skip: a machine without Ace has not checked the book (`make test` installs it).
    assert ACE.exists(), f"Ace by DAISY is not installed at {ACE}: run `make test`, which installs it"
    assert shutil.which(CHROMIUM), f"Chromium is not installed at {CHROMIUM}: run `make test`"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    run = subprocess.run([str(ACE), "--force", "--silent", "--outdir", str(out), str(epub)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and (out / "report.json").exists(), run.stdout + run.stderr
    report = json.loads((out / "report.json").read_text())
    return [(test["earl:test"]["earl:impact"], test["earl:test"]["dct:title"], subject["earl:testSubject"]["url"])
            for subject in report["assertions"] for test in subject.get("assertions", [])]


@pytest.mark.parametrize("book", ["sample", "small"])
def test_ace_finds_nothing_serious_or_moderate(book, sample_build, small_build, tmp_path):
    epub = (sample_build if book == "sample" else small_build)["epub"]
    violations = ace_violations(epub, tmp_path / "ace")
    assert [v for v in violations if v[0] in ("critical", "serious", "moderate")] == []


# ---------------------------------------------------------------- the package
def test_package_language_title_types_people_and_claim(sample_build, sample_project):
    opf, _, _, _ = read_epub(sample_build["epub"])
    book = sample_project.config.book
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    titles = {t.get("id"): t.text for t in opf.xpath("//dc:title", namespaces=NS)}
    assert titles == {"book-title": book.title, "book-subtitle": book.subtitle}
    types = {m.get("refines"): m.text for m in opf.xpath("//opf:meta[@property='title-type']", namespaces=NS)}
    assert types == {"#book-title": "main", "#book-subtitle": "subtitle"}
    # Every creator and contributor has a role and a sortable name.
    people = opf.xpath("//dc:creator | //dc:contributor", namespaces=NS)
    for person in people:
        refines = {m.get("property") for m in opf.xpath(f"//opf:meta[@refines='#{person.get('id')}']", namespaces=NS)}
        assert refines >= {"role", "file-as"}, person.text
    # The pieces' authors are the book's contributors, each once.
    piece_authors = {a for p in sample_project.anthology.pieces for a in p.document.authors}
    contributors = opf.xpath("//dc:contributor/text()", namespaces=NS)
    assert set(contributors) == piece_authors - set(book.editors) and len(contributors) == len(set(contributors))
    assert opf.xpath("//opf:meta[@property='dcterms:conformsTo']/text()", namespaces=NS) == [CONFORMS_TO]


@pytest.mark.parametrize("name, expected", [
    ("Emma Goldman", "Goldman, Emma"), ("Ursula K. Le Guin", "Guin, Ursula K. Le"),
    ("The zinebuild collective", "The zinebuild collective"), ("KRAS", "KRAS"),
    ("Martin (CAS)", "Martin (CAS)"), ("Лев Толстой", "Толстой, Лев"), ("The Ex-Worker", "The Ex-Worker"),
])
def test_file_as(name, expected):
    assert file_as(name) == expected


def test_modified_follows_the_content(small_project, tmp_path):
    def modified(out):
        path = pipeline.build(pipeline.load(small_project), ("epub",), tmp_path / out)[0]
        opf, _, _, _ = read_epub(path)
        return opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS), path.read_bytes()

    first, first_bytes = modified("a")
    again, again_bytes = modified("b")
    assert first == again and first_bytes == again_bytes  # same inputs, same bytes
    intro = small_project.parent / "intro.md"
    intro.write_text(intro.read_text() + "\nA sentence added in a revision.\n")
    revised, _ = modified("c")
    assert revised != first and revised[:10] == first[:10] == "2024-05-01"


# ---------------------------------------------------------------- navigation
def test_landmarks_hidden_and_start_at_the_first_text(sample_build):
    opf, base, files, _ = read_epub(sample_build["epub"])
    nav = etree.fromstring(files[f"{base}/nav.xhtml"])
    (landmarks,) = nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)
    assert landmarks.get("hidden") is not None
    (toc_heading,) = nav.xpath("//x:nav[@epub:type='toc']/*[1]", namespaces=NS)
    assert etree.QName(toc_heading).localname == "h1"
    (start,) = landmarks.xpath(".//x:a[@epub:type='bodymatter']/@href", namespaces=NS)
    assert start == "text/introduction.xhtml"  # the introduction is where reading begins
    spine = spine_files(opf, base)
    assert spine.index(f"{base}/{start}") == spine.index(f"{base}/nav.xhtml") + 1


def test_contents_reach_the_sections_of_each_piece(sample_build, sample_project):
    _, base, files, _ = read_epub(sample_build["epub"])
    nav = etree.fromstring(files[f"{base}/nav.xhtml"])
    # Parts, pieces, then the sections of a piece: three levels, every link resolving.
    deepest = max(len(a.xpath("ancestor::x:ol", namespaces=NS)) for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS))
    assert deepest == 3
    sections = nav.xpath("//x:nav[@epub:type='toc']//x:a[contains(@href, '#')]", namespaces=NS)
    podcast = [a for a in sections if "piece-004" in a.get("href")]
    assert len(podcast) >= 10, "the long podcast piece's sections are reachable"
    for a in sections:
        file, anchor = a.get("href").split("#")
        target = etree.fromstring(files[f"{base}/{file}"])
        (heading,) = target.xpath(f"//*[@id='{anchor}']", namespaces=NS)
        assert re.fullmatch(r"h[2-6]", etree.QName(heading).localname)
        assert " ".join("".join(heading.itertext()).split()) == " ".join(a.text.split())
    ncx = etree.fromstring(files[f"{base}/toc.ncx"])
    assert ncx.xpath("string(//n:meta[@name='dtb:depth']/@content)", namespaces=NCX) == "3"
    orders = [int(o) for o in ncx.xpath("//n:navPoint/@playOrder", namespaces=NCX)]
    assert orders and orders == sorted(orders) and len(orders) == len(ncx.xpath("//n:navPoint", namespaces=NCX))


def test_toc_depth_zero_lists_pieces_only(small_project, tmp_path):
    small_project.write_text(small_project.read_text() + "\n[epub]\ntoc_depth = 0\n")
    path = pipeline.build(pipeline.load(small_project), ("epub",), tmp_path / "out")[0]
    _, base, files, _ = read_epub(path)
    nav = etree.fromstring(files[f"{base}/nav.xhtml"])
    assert not nav.xpath("//x:a[contains(@href, '#')]", namespaces=NS)
    assert_epubcheck_clean(path)


# ---------------------------------------------------------------- the files
def test_heading_levels_follow_parts_pieces_and_sections(sample_build):
    opf, base, files, _ = read_epub(sample_build["epub"])
    docs = {name: etree.fromstring(files[name]) for name in spine_files(opf, base)}
    for name, doc in docs.items():
        section = doc.xpath("//x:body/x:section", namespaces=NS)
        kind = section[0].get("class") if section else "nav"
        levels = [int(etree.QName(h).localname[1]) for h in doc.xpath("//x:h1|//x:h2|//x:h3|//x:h4|//x:h5|//x:h6", namespaces=NS)]
        if kind == "piece":  # every piece of the sample is inside a titled part
            assert levels[0] == 2 and all(level >= 3 for level in levels[1:]), name
        elif kind in ("part-page", "matter", "sources-page", "title-page"):
            assert levels[0] == 1, name
        # No heading skips a level on the way down.
        assert not levels or all(b - a <= 1 for a, b in zip([levels[0] - 1] + levels, levels)), (name, levels)


def test_sections_carry_the_role_of_their_type(sample_build):
    _, base, files, _ = read_epub(sample_build["epub"])
    roles = {"chapter": "doc-chapter", "part": "doc-part", "introduction": "doc-introduction",
             "colophon": "doc-colophon", "appendix": "doc-appendix"}
    seen = set()
    for name, data in files.items():
        if name.endswith(".xhtml") and "nav" not in name:
            for element in etree.fromstring(data).xpath("//*[@epub:type]", namespaces=NS):
                kind = element.get("{http://www.idpf.org/2007/ops}type")
                if kind in roles:
                    assert element.get("role") == roles[kind], (name, kind)
                    seen.add(kind)
    assert seen == set(roles)


def test_notes_have_a_heading_and_scene_breaks_their_symbol(small_build, sample_build):
    _, base, files, _ = read_epub(small_build["epub"])
    (one,) = [etree.fromstring(d) for n, d in files.items() if n.endswith("the-first-piece.xhtml")]
    (notes,) = one.xpath("//x:section[@epub:type='footnotes']", namespaces=NS)
    heading = notes.xpath("./*[1]", namespaces=NS)[0]
    assert etree.QName(heading).localname == "h3" and heading.text == "Notes"  # piece title h2 in a part
    assert notes.get("aria-labelledby") == heading.get("id")
    _, base, files, _ = read_epub(sample_build["epub"])
    breaks = [b for n, d in files.items() if n.endswith(".xhtml")
              for b in etree.fromstring(d).xpath("//*[contains(@class, 'scene-break')]", namespaces=NS)]
    assert breaks
    for b in breaks:
        assert b.get("role") == "separator" and b.get("aria-label") and "".join(b.itertext()).strip() == "⁂"


def test_alignment_and_hyphenation_left_to_the_reader(sample_build):
    _, base, files, _ = read_epub(sample_build["epub"])
    css = files[f"{base}/style/epub.css"].decode()
    assert "justify" not in css and not re.search(r"(?<![-\w])hyphens\s*:", css)
    assert re.search(r"\.cover-image\s*{[^}]*max-height:\s*100vh", css)
    assert not re.search(r"margin-top:\s*\d+%", css)  # per cent of the width: pages of their own on phones


def test_print_only_and_ebook_only_paragraphs(sample_build):
    _, base, files, _ = read_epub(sample_build["epub"])
    intro = b" ".join(d for n, d in files.items() if n.endswith("introduction.xhtml"))
    colophon = b" ".join(d for n, d in files.items() if n.endswith("colophon.xhtml"))
    assert b"foot of the page" not in intro and b"leads\nback" not in intro and b"each note leads back" in intro
    assert b"staple" not in colophon and b"Libertine" not in colophon and b"Anti-copyright" in colophon
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(sample_build["pdf"]).pages)
    assert "you will find them at the foot of the page" in text and "each note leads back" not in text
    assert "staple it twice" in text
