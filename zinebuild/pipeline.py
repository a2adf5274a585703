"""Turn a config file into output files: read, clean, assemble, render, write, in one direction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from . import config as config_module
from . import readers
from .cache import BlobCache
from .clean import hyphens
from .assemble import assemble
from .model import Anthology
from .render import Layout
from .settings import CACHE_FOLDER, Settings
from .typeset.workers import start_service
from .writers import WRITERS


# Quick outputs first, while the PDF's pieces are laid out; the booklet imposes the PDF.
ORDER = ("epub", "html", "pdf", "booklet")


@dataclass(frozen=True)
class Project:
    config: config_module.Config
    anthology: Anthology
    layout: Layout


def load(config_path: Path | str, cache_dir: Path | None = None) -> Project:
    """The project a config describes; with cache_dir, cleaned sources are kept there between builds."""
    config = config_module.load(config_path)
    layout = Layout.from_config(config)
    read = readers.read if cache_dir is None else readers.cached(BlobCache(cache_dir))
    project = Project(config, assemble(config, read), layout)
    hyphens.release()
    return project


def build(project: Project, formats: tuple[str, ...], out_dir: Path, on_written=None,
          settings: Settings | None = None) -> list[Path]:
    """Write the formats into out_dir; by default in parallel, with a cache in out_dir."""
    settings = settings or Settings(cache_dir=out_dir / CACHE_FOLDER)
    if settings.service is None:
        with start_service(settings.jobs) as service:
            return build(project, formats, out_dir, on_written, replace(settings, service=service))
    if settings.pdf_under_way is None and {"pdf", "booklet"} & set(formats):
        from .typeset import begin

        # The pieces are laid out in other processes while this one writes the EPUB and HTML.
        under_way = begin(project.anthology, project.layout, settings)
        return build(project, formats, out_dir, on_written, replace(settings, pdf_under_way=under_way))
    written = []
    # The reading PDF renders before the booklet that imposes it (it is rendered once).
    order = sorted(formats, key=ORDER.index)
    for fmt in order:
        settings.report(fmt, 0, 1)
        path = WRITERS[fmt](project.anthology, project.layout, out_dir, settings)
        settings.report(fmt, 1, 1, path.name)
        written.append(path)
        if on_written:
            on_written(fmt, path)
    return written
