"""Turn a Word document (.docx) into one Document: mammoth makes semantic HTML, the HTML reader reads it.

Headings come from paragraph styles (Title, Heading 1–6), quotations from the Quote styles,
footnotes and endnotes are linked as notes. Pictures are left out and reported.
"""

from __future__ import annotations

import io
from pathlib import Path

import mammoth
from lxml import etree
from lxml import html as lxml_html

from ..errors import Problem, SourceError
from . import htmlnotes
from .archive import Archive

# The Title style is the piece's title; headings keep their level (htmlnotes reads it from the tag).
_STYLE_MAP = "\n".join([
    "p[style-name='Title'] => h1.title:fresh",
    "p[style-name='Subtitle'] => p.subtitle:fresh",
    "p[style-name='Quote'] => blockquote > p:fresh",
    "p[style-name='Intense Quote'] => blockquote > p:fresh",
    "p[style-name='Quotations'] => blockquote > p:fresh",  # LibreOffice's name
    "p[style-name='Block Text'] => blockquote > p:fresh",
    "p[style-name='Preformatted Text'] => pre:separator('\\n')",
    "r[style-name='Emphasis'] => em",
    "r[style-name='Strong Emphasis'] => strong",
])
_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


def read(path: Path, data: bytes) -> Source:
    archive = Archive(path, data, "Word (.docx)")
    if "word/document.xml" not in archive.names:
        raise SourceError(Problem("not a Word (.docx) document: it has no word/document.xml", file=path,
                                  hint="is it another kind of zip? an .odt or .epub needs its own extension"))
    meta = _core(archive)
    images: list[str] = []

    def image(picture):
        images.append(picture.alt_text or "")
        return {"alt": picture.alt_text or ""}  # no src: pictures are not carried yet

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP,
                                         convert_image=mammoth.images.img_element(image))
    except (KeyError, ValueError, etree.XMLSyntaxError, AttributeError, IndexError) as error:
        raise SourceError(Problem(f"damaged Word (.docx) file: {error}", file=path,
                                  hint="open it in a word processor and save it again")) from None
    for alt in images:
        meta.warnings.append("a picture was left out (pictures are not supported yet)"
                             + (f"; its description '{alt}' is kept as text" if alt else ""))
    root = lxml_html.document_fromstring(f"<html><body>{result.value}</body></html>").find("body")
    htmlnotes.clean_tree(root, meta)
    subtitle = root.find(".//p[@class='subtitle']")
    if subtitle is not None and not meta.subtitle:
        meta.subtitle = " ".join(subtitle.text_content().split())
        htmlnotes.drop(subtitle)
    return htmlnotes.single_source(path, root, meta, "docx")


def _core(archive: Archive) -> htmlnotes.Meta:
    if "docProps/core.xml" not in archive.names:
        return htmlnotes.Meta()
    return htmlnotes.Meta.from_xml(archive.xml("docProps/core.xml"), _CORE, "dc:title", ("dc:creator",),
                                   "dc:language")
