"""Keep rendered pages between builds, keyed by a hash of everything that shapes them.

A key covers the document's HTML (the piece's model through the layout's templates, with
the options that reach the templates), every file of the layout (stylesheets, fonts,
images), the CSS we add, and the versions of zinebuild and WeasyPrint. The files are
kept by zinebuild.cache (checked, atomic, pruned).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import metadata

from ..cache import BlobCache, digest
from ..render import Layout
from .weasy import Frame, Rendered


def layout_digest(layout: Layout) -> str:
    """A hash of every file that shapes the layout's output (Layout.inputs), as they were when
    the layout was made; read now for a layout made otherwise than from a config."""
    return layout.files_digest or layout.digest_files()


@lru_cache(maxsize=1)
def _weasyprint_version() -> str:
    # Read from the installed metadata: importing WeasyPrint costs 0.6 s that a build
    # served wholly from the cache never needs to pay.
    return metadata.version("weasyprint")


def key(layout: Layout, *parts: str) -> str:
    return digest(f"weasyprint {_weasyprint_version()}", layout_digest(layout), *parts)


class RenderCache(BlobCache):
    """Rendered documents: <key>.pdf and <key>.json (frames, anchors, warnings)."""

    def get(self, entry: str) -> Rendered | None:
        blob = self.get_blob(entry, ".pdf")
        meta = self.get_blob(entry, ".json")
        if blob is None or meta is None:
            return None
        try:
            fields = json.loads(meta)
            return Rendered(blob, tuple(Frame(*f) for f in fields["frames"]), tuple(map(tuple, fields["anchors"])),
                            tuple(fields["warnings"]), tuple(map(tuple, fields["marks"])))
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, entry: str, rendered: Rendered) -> None:
        meta = {"frames": [[f.x, f.y, f.width, f.height, f.page] for f in rendered.frames],
                "anchors": [list(a) for a in rendered.anchors], "warnings": list(rendered.warnings),
                "marks": [list(m) for m in rendered.marks]}
        self.put_blob(entry, ".pdf", rendered.pdf)
        self.put_blob(entry, ".json", json.dumps(meta).encode())
