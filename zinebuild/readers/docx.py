"""Turn a Word document (.docx) into one Document: mammoth makes semantic HTML, the HTML reader reads it.

Headings come from paragraph styles (Title, Heading 1–6), quotations from the Quote styles,
footnotes and endnotes are linked as notes. Pictures inside the document are carried as data: URLs
(one linked from outside it is never opened), tables keep their header rows; a Caption-style
paragraph after either is its caption.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import mammoth
import mammoth.html
from lxml import etree
from lxml import html as lxml_html

from ..errors import Problem, SourceError
from ..model import Source
from ..media import IMAGE, coded
from . import htmlnotes
from .archive import MAX_PICTURE, Archive, data_url

# The Title style is the piece's title; headings keep their level (htmlnotes reads it from the tag).
_STYLE_MAP = "\n".join([
    "p[style-name='Title'] => h1.title:fresh",
    "p[style-name='Subtitle'] => p.subtitle:fresh",
    "p[style-name='Quote'] => blockquote > p:fresh",
    "p[style-name='Intense Quote'] => blockquote > p:fresh",
    "p[style-name='Quotations'] => blockquote > p:fresh",  # LibreOffice's name
    "p[style-name='Block Text'] => blockquote > p:fresh",
    "p[style-name='Preformatted Text'] => pre:separator('\\n')",
    "p[style-name='Caption'] => p.caption:fresh",  # htmlnotes makes it the caption of the picture or table above
    "p[style-name='Figure'] => p.caption:fresh",  # LibreOffice's caption styles
    "p[style-name='Table'] => p.caption:fresh",
    "p[style-name='Illustration'] => p.caption:fresh",
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

    def image(picture):
        """A picture inside the document as a data: URL (an external one is never opened: its description stays)."""
        alt = " ".join((picture.alt_text or "").split())
        try:
            with picture.open() as stream:
                data = stream.read(MAX_PICTURE + 1)
        except (ValueError, OSError, KeyError):  # mammoth refuses external files: they are not in the document
            meta.warnings.append(coded(IMAGE, None, "a picture linked from outside the document was left out"
                                                    + (f"; its description '{alt}' is kept" if alt else "")))
            url = None
        else:
            url = data_url(data, alt or "in the document", meta.warnings)
        if url is None:
            return [mammoth.html.text(f" {alt} ")] if alt else []
        return [mammoth.html.element("img", {"src": url, "alt": alt})]

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP, convert_image=image)
    except (KeyError, ValueError, etree.XMLSyntaxError, AttributeError, IndexError, zipfile.BadZipFile, EOFError,
            zlib.error, NotImplementedError, RuntimeError) as error:
        # mammoth opens the zip itself: a member whose bytes do not match the directory fails here
        raise SourceError(Problem(f"damaged Word (.docx) file: {error}", file=path,
                                  hint="open it in a word processor and save it again")) from None
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
