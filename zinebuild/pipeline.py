"""Turn a config file into output files: read, clean, assemble, render, write, in one direction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import config as config_module
from .assemble import assemble
from .model import Anthology
from .render import Layout
from .writers import WRITERS


@dataclass(frozen=True)
class Project:
    config: config_module.Config
    anthology: Anthology
    layout: Layout


def load(config_path: Path | str) -> Project:
    config = config_module.load(config_path)
    layout = Layout.from_config(config)
    return Project(config, assemble(config), layout)


def build(project: Project, formats: tuple[str, ...], out_dir: Path, on_written=None) -> list[Path]:
    written = []
    # The reading PDF renders before the booklet that imposes it (it is rendered once).
    order = sorted(formats, key=list(WRITERS).index)
    for fmt in order:
        path = WRITERS[fmt](project.anthology, project.layout, out_dir)
        written.append(path)
        if on_written:
            on_written(fmt, path)
    return written
