"""Turn a URL or path an output asks for into bytes: files inside the project and its layouts, data: URLs.

The one fetcher of every output. The HTML writer's stylesheet inliner, the EPUB's cover,
fonts and stylesheet, the templates, and WeasyPrint (through ConfinedFetcher) all read
through Confined: nothing from the network, nothing a symlink or ``..`` leads outside.
WeasyPrint is also given the pictures the templates named (imagesrc.PICTURE_SCHEME), from this process.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_to_bytes, urlparse
from urllib.request import url2pathname

from .errors import InputError, Problem

if TYPE_CHECKING:
    from .render import Layout


class Refused(ValueError):
    pass


class Confined:
    """Reads files for the outputs of one layout and project, and refuses everything else."""

    def __init__(self, layout: Layout | None, roots: tuple[Path, ...] = ()):
        self.layout = layout
        self.roots = tuple(p.resolve() for p in ((layout.project_root, *layout.search_path) if layout else roots))

    @classmethod
    def project(cls, root: Path) -> Confined:
        """Reads what the project's sources name (their pictures): files inside root only."""
        return cls(None, (root,))

    def inside(self, path: Path) -> bool:
        real = path.resolve()
        return any(real.is_relative_to(root) for root in self.roots)

    def path(self, where: str | Path) -> Path:
        """The real file a file: URL or a path names; a layout file may come from the next layout folder."""
        if isinstance(where, str):
            scheme = where.split(":", 1)[0].lower() if ":" in where else ""
            if scheme != "file":
                raise Refused(f"refused {where}: zinebuild never fetches from the network")
            where = Path(url2pathname(unquote(urlparse(where.split("?")[0]).path)))
        served = (self.layout.resolve(where) if self.layout else None) or where
        # Checked after the layout's fallback too: the file found there may be a link leading out.
        if not self.inside(served):
            raise Refused(f"refused {where}: outside the project folder")
        if not served.is_file():
            raise Refused(f"refused {where}: no such file")
        return served.resolve()

    def read(self, where: str | Path) -> bytes:
        if isinstance(where, str) and where[:5].lower() == "data:":
            return _data_url(where)
        return self.path(where).read_bytes()

    def required(self, path: Path) -> bytes:
        """A file the output cannot do without (a stylesheet, a font, the cover): refused is an input error."""
        try:
            return self.read(path)
        except Refused as refused:
            raise InputError(Problem(f"{refused}; it is not read into any output", file=path,
                                     hint="put the file itself (not a link to it) inside the project "
                                          "or its layout folder")) from None


def _data_url(url: str) -> bytes:
    header, _, payload = url[5:].partition(",")
    if header.endswith(";base64"):
        return base64.b64decode(payload)
    return unquote_to_bytes(payload)


def _weasyprint_fetcher():
    # WeasyPrint takes a second to import: only the processes that lay out pages pay for it.
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    from .imagesrc import PICTURE_SCHEME, named_picture

    class ConfinedFetcher(URLFetcher):
        """WeasyPrint's fetcher, serving what Confined allows and refusing the rest."""

        def __init__(self, layout: Layout):
            super().__init__(allowed_protocols={"file", "data"}, timeout=1)
            self.confined = Confined(layout)
            self.layout = layout

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            if url.startswith(PICTURE_SCHEME):  # a picture the templates named (imagesrc.py), sent with the document
                picture = named_picture(url)
                if picture is None:
                    raise Refused(f"{url}: no such picture in this build")
                return URLFetcherResponse(url, body=picture.data, headers={"Content-Type": picture.media_type})
            return super().fetch(self.confined.path(url).as_uri(), headers)

    return ConfinedFetcher


def __getattr__(name: str):
    if name == "ConfinedFetcher":
        globals()[name] = _weasyprint_fetcher()
        return globals()[name]
    raise AttributeError(name)



__all__ = ["Confined", "ConfinedFetcher", "Refused"]
