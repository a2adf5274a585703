"""Serve WeasyPrint only files inside the project and its layouts, and data: URLs; never the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from weasyprint import URLFetcher

from .render import Layout

class Refused(ValueError):
    pass


class ConfinedFetcher(URLFetcher):
    def __init__(self, layout: Layout):
        super().__init__(allowed_protocols={"file", "data"}, timeout=1)
        self.layout = layout
        self.roots = tuple(p.resolve() for p in (layout.project_root, *layout.search_path))

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise Refused(f"refused {url}: zinebuild never fetches from the network")
        path = Path(url2pathname(unquote(urlparse(url).path)))
        served = self.layout.resolve(path)
        if served is None:
            real = path.resolve()
            if not any(real.is_relative_to(root) for root in self.roots):
                raise Refused(f"refused {url}: outside the project folder")
            served = real
        return super().fetch(served.as_uri(), headers)
