"""What every output's links must satisfy: internal ones reach a target, external ones are http(s)/mailto."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
from pypdf import PdfReader
from lxml import etree
from lxml import html as lxml_html

XHTML = {"x": "http://www.w3.org/1999/xhtml"}
ALLOWED = ("http", "https", "mailto")


def _external(href: str) -> str | None:
    """A problem with an external href, or None."""
    scheme = urlsplit(href).scheme.lower()
    return None if scheme in ALLOWED else f"href with scheme '{scheme}': {href}"


def epub_link_problems(path: Path) -> list[str]:
    """Every href of every XHTML file of the EPUB: an existing file and id, or an allowed URL."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        docs = {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".xhtml")}
        ids = {name: set(doc.xpath("//@id")) for name, doc in docs.items()}
        for name, doc in docs.items():
            for href in doc.xpath("//x:a/@href", namespaces=XHTML):
                if urlsplit(href).scheme:
                    problem = _external(href)
                    problems += [f"{name}: {problem}"] if problem else []
                    continue
                target, _, fragment = href.partition("#")
                file = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(target))) if target else name
                if file not in docs:
                    problems.append(f"{name}: no file for {href}")
                elif fragment and fragment not in ids[file]:
                    problems.append(f"{name}: no id for {href}")
    return problems


def html_link_problems(path: Path) -> list[str]:
    tree = lxml_html.fromstring(path.read_bytes())
    ids = set(tree.xpath("//@id"))
    problems = []
    for href in tree.xpath("//a/@href"):
        if href.startswith("#"):
            if unquote(href[1:]) not in ids:
                problems.append(f"no id for {href}")
        else:
            problem = _external(href)
            problems += [problem] if problem else []
    return problems


def _named_destinations(pdf: pikepdf.Pdf) -> set[str]:
    names: set[str] = set()
    root = pdf.Root
    if "/Dests" in root:
        names.update(str(k).lstrip("/") for k in root.Dests.keys())
    if "/Names" in root and "/Dests" in root.Names:
        names.update(pikepdf.NameTree(root.Names.Dests).keys())
    return names


def pdf_link_problems(path: Path) -> tuple[list[str], int]:
    """Problems of the PDF's link annotations, and how many internal links it has."""
    problems: list[str] = []
    internal = 0
    with pikepdf.open(path) as pdf:
        names = _named_destinations(pdf)
        pages = {page.obj.objgen for page in pdf.pages}
        for number, page in enumerate(pdf.pages, start=1):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                action = annot.get("/A")
                dest = annot.get("/Dest")
                if action is not None and action.get("/S") == "/URI":
                    problem = _external(str(action.URI))
                    problems += [f"page {number}: {problem}"] if problem else []
                    continue
                if action is not None and action.get("/S") == "/GoTo":
                    dest = action.D
                if dest is None:
                    problems.append(f"page {number}: a link with neither URI nor destination")
                    continue
                internal += 1
                if isinstance(dest, (pikepdf.String, pikepdf.Name)):
                    if str(dest).lstrip("/") not in names:
                        problems.append(f"page {number}: no destination '{dest}'")
                elif isinstance(dest, pikepdf.Array):
                    if not len(dest) or dest[0].objgen not in pages:
                        problems.append(f"page {number}: a destination on no page")
    return problems, internal


def no_file_urls(*paths: Path) -> list[str]:
    """Outputs that carry a file: or javascript: URL anywhere: in a link, in the text, in the metadata."""
    found = []
    for path in paths:
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as archive:
                blobs = [archive.read(n) for n in archive.namelist() if not n.endswith((".jpg", ".png", ".otf"))]
        elif path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                blobs = [bytes(pdf.Root.get("/Names", {}).__repr__(), "utf-8")]
                blobs += [repr(annot).encode() for page in pdf.pages for annot in page.obj.get("/Annots", [])]
            blobs += [page.extract_text().encode() for page in PdfReader(path).pages]
        else:
            blobs = [path.read_bytes()]
        if any(re.search(rb"file:/|javascript:", blob, re.I) for blob in blobs):
            found.append(str(path))
    return found
