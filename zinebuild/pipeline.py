"""Turn a config file into output files: read, clean, assemble, render, write, in one direction."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

from . import config as config_module
from . import fsutil, images, imagesrc, language, readers
from .cache import BlobCache
from .clean import release_word_lists
from .assemble import assemble
from .fetch import Confined
from .media import book_images
from .model import Anthology
from .render import Layout
from .settings import CACHE_FOLDER, Settings
from .typeset.workers import start_service
from .writers import WRITERS


# Quick outputs first, while the PDF's pieces are laid out; the booklet imposes the PDF
# (rendered once: writers.pdf.render is cached).
ORDER = ("epub", "html", "pdf", "booklet")


@dataclass(frozen=True)
class Project:
    config: config_module.Config
    anthology: Anthology
    layout: Layout


def load(config_path: Path | str | config_module.Config, cache_dir: Path | None = None, once: bool = False,
         ahead=None) -> Project:
    """The project a config (a file, or one loaded already) describes; with cache_dir, cleaned
    sources and the pictures' hashes are kept there between builds. once: a one-off build,
    which lets the language model go too (serve, and a batch's workers, keep it for the
    next). ahead(config, layout): a context manager entered while the sources are read (see
    ahead())."""
    config = config_path if isinstance(config_path, config_module.Config) else config_module.load(config_path)
    layout = Layout.from_config(config)
    read = readers.read if cache_dir is None else readers.cached(BlobCache(cache_dir))
    images.keep_in(cache_dir)  # the pictures' sizes are checked (their hashes looked up) as the book is assembled
    with ahead(config, layout) if ahead is not None else contextlib.nullcontext():
        project = Project(config, assemble(config, read), layout)
    release_word_lists()  # the sources are cleaned; their 25 MiB are better spent on layout
    if once:
        language.release()  # and the model's 60 MiB
    return project


@contextlib.contextmanager
def ahead(config: config_module.Config, layout: Layout, formats: tuple[str, ...], service,
          cache_dir: Path | None):
    """While the sources are read, have the render service do what needs no text, on the cores
    the reading leaves idle: parse the layout's stylesheets and load its fonts, and draw the
    covers (one at a time: this process has a core of its own meanwhile)."""
    if not getattr(service, "parallel", False):
        yield
        return
    from . import cover
    from .model import Anthology
    from .render import shell_html
    from .typeset.cache import RenderCache

    anthology = Anthology(config.book, ())
    service.limit(service.processes - 1)
    if {"pdf", "booklet"} & set(formats):
        service.prepare(layout, shell_html(anthology, layout), cache_dir)
    cover.draw_early(config.book, layout, formats, RenderCache(cache_dir), service)
    yield
    service.limit(None)  # not on an error: the build ends there


def build(project: Project, formats: tuple[str, ...], out_dir: Path, on_written=None,
          settings: Settings | None = None) -> list[Path]:
    """Write the formats into out_dir, all replacing the previous ones together or none of
    them (fsutil.together); by default in parallel, with a cache in out_dir."""
    settings = settings or Settings(cache_dir=out_dir / CACHE_FOLDER)
    images.keep_in(settings.cache_dir)  # converted pictures, between builds
    imagesrc.forget_named()  # the pictures the last build named (imagesrc.py)
    project.layout.keep_compiled_templates(BlobCache(settings.cache_dir))
    for folder in (out_dir, settings.cache_dir):
        fsutil.recover(folder)  # what a killed build left: a switch to finish, temporary files
    with contextlib.ExitStack() as stack:
        if settings.service is None:
            settings = replace(settings, service=stack.enter_context(start_service(settings.jobs, rests=True)))
        # The pictures not converted yet, on every core, while the render service warms up.
        images.prepare(book_images(project.anthology), project.layout.output, Confined(project.layout), settings.jobs)
        if settings.pdf_under_way is None and {"pdf", "booklet"} & set(formats):
            from .typeset import begin

            # The pieces are laid out in other processes while this one writes the EPUB and HTML.
            settings = replace(settings, pdf_under_way=begin(project.anthology, project.layout, settings))
        written = {}
        inputs = project.config.inputs() | {path.resolve() for _, path in project.layout.inputs()}
        with fsutil.together(out_dir, inputs):
            for fmt in sorted(formats, key=ORDER.index):
                settings.service.poll()  # the pieces laid out meanwhile, for the progress line
                settings.report(fmt, 0, 1)
                written[fmt] = WRITERS[fmt](project.anthology, project.layout, out_dir, settings)
                settings.report(fmt, 1, 1, written[fmt].name)
    for fmt, path in written.items():
        if on_written:
            on_written(fmt, path)
    return list(written.values())
