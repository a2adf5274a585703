"""Turn an Anthology into output files; one module per format, one uniform signature.

``build(anthology, layout, out_dir, settings) -> Path``: writers never open sources or config;
settings say how to work (processes, cache, progress), never what to make.
"""

from __future__ import annotations

from . import booklet, epub, html, pdf

WRITERS = {
    "epub": epub.build,
    "pdf": pdf.build,
    "booklet": booklet.build,
    "html": html.build,
}
