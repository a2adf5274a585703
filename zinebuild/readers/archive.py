"""Turn the bytes of a zipped document (.docx, .odt, .epub) into its checked members, safely.

Every zip is checked before anything is inflated: it must be a zip, hold a bounded number of
members, and promise a bounded uncompressed size (a zip bomb is refused from its directory,
not by running out of memory). XML members are parsed without entities or network access.
"""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..errors import Problem, SourceError
from ..media import IMAGE, coded

# Generous for a book (an EPUB with its pictures), small beside a machine's memory.
MAX_MEMBERS = 5000
MAX_TOTAL = 256 * 1024 * 1024
MAX_MEMBER = 64 * 1024 * 1024
# Text compresses about 3 to 10 times; a member promising more than this is a bomb.
MAX_RATIO = 200
# A picture inside a document is carried as a data: URL: larger ones are left out (as a cover would be).
MAX_PICTURE = 30 * 1024 * 1024
# What a picture's first bytes say it is: only kinds that media.py and images.py read.
_PICTURE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
                  (b"GIF89a", "image/gif"))

_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                       remove_comments=True, recover=False)


class Archive:
    """An opened, checked zip: read members by name, each at most MAX_MEMBER bytes."""

    def __init__(self, path: Path, data: bytes, kind: str):
        self.path, self.kind = path, kind
        if not data.startswith(b"PK"):
            raise SourceError(Problem(f"not a {kind} file: {_looks_like(data)}", file=path,
                                      hint=f"a {path.suffix} file is a zip archive; save the document again "
                                           "in that format, or give it its real extension"))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, EOFError) as error:
            raise SourceError(Problem(f"damaged {kind} file (the zip archive is truncated or broken: {error})",
                                      file=path, hint="get the file again, or open and re-save it")) from None
        if len(infos) > MAX_MEMBERS:
            raise self._refuse(f"it holds {len(infos)} files (at most {MAX_MEMBERS})")
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL:
            raise self._refuse(f"it would unpack to {total // 2**20} MB (at most {MAX_TOTAL // 2**20} MB)")
        for info in infos:
            if info.file_size > MAX_MEMBER or (info.file_size > 2**20
                                                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                raise self._refuse(f"its member '{info.filename}' would unpack to {info.file_size // 2**20} MB "
                                   f"from {info.compress_size} bytes")
        self.names = {info.filename for info in infos}

    def _refuse(self, why: str) -> SourceError:
        return SourceError(Problem(f"refusing this {self.kind} file: {why}", file=self.path,
                                   hint="is it really a document? a file that unpacks to so much is a zip bomb"))

    def read(self, name: str) -> bytes:
        try:
            with self.zip.open(name) as member:
                data = member.read(MAX_MEMBER + 1)
        except KeyError:
            raise SourceError(Problem(f"damaged {self.kind} file: '{name}' is missing", file=self.path)) from None
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error) as error:
            raise SourceError(Problem(f"damaged {self.kind} file: cannot unpack '{name}' ({error})",
                                      file=self.path, hint="get the file again, or open and re-save it")) from None
        if len(data) > MAX_MEMBER:  # the directory lied about the size
            raise self._refuse(f"its member '{name}' unpacks to more than it says")
        return data

    def picture(self, name: str, warnings: list[str]) -> str | None:
        """The member `name` as a data: URL, or None with a warning: missing, too large, or no picture we read."""
        info = self.zip.NameToInfo.get(name)
        if info is None:
            warnings.append(coded(IMAGE, None, f"picture '{name}' left out: it is not in the {self.kind} file"))
            return None
        if info.file_size > MAX_PICTURE:
            warnings.append(coded(IMAGE, None, f"picture '{name}' left out: {info.file_size // 2**20} MB, over "
                                               f"the {MAX_PICTURE // 2**20} MB a picture may have"))
            return None
        return data_url(self.read(name), name, warnings)

    def xml(self, name: str):
        try:
            return etree.fromstring(self.read(name), _XML)
        except etree.XMLSyntaxError as error:
            raise SourceError(Problem(f"damaged {self.kind} file: '{name}' is not well-formed XML ({error})",
                                      file=self.path)) from None


def data_url(data: bytes, name: str, warnings: list[str]) -> str | None:
    """A picture's bytes as a data: URL by what they are (never by their name), or None with a warning."""
    kind = picture_type(data)
    if kind is None:
        warnings.append(coded(IMAGE, None, f"picture '{name}' left out: not a JPEG, PNG, GIF, WebP or SVG "
                                           "picture (a Windows metafile, say); save it as PNG in the document"))
        return None
    if len(data) > MAX_PICTURE:
        warnings.append(coded(IMAGE, None, f"picture '{name}' left out: over the {MAX_PICTURE // 2**20} MB "
                                           "a picture may have"))
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def picture_type(data: bytes) -> str | None:
    for magic, kind in _PICTURE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    return None


def _looks_like(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head:
        return "it is a web page (HTML) with the wrong extension"
    if head.startswith(b"{\\rtf"):
        return "it is an RTF document with the wrong extension"
    if data.startswith(b"%PDF"):
        return "it is a PDF with the wrong extension"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ("it is a password-protected document or an old binary Word (.doc) file; "
                "remove the password, or save it as .docx or .odt")
    return "it is not a zip archive"
