"""Turn a folder into the list of books a batch builds: its configs, or its sources through a template.

Each book gets a folder of its own under the output folder, named from its config's or
source's path by the one rule for untrusted names (slug.safe_id): letters, digits and
hyphens only, unique, never starting with a dot, so no name leads outside the output
folder or onto the shared cache.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..slug import safe_id


@dataclass(frozen=True)
class Book:
    """One book of a batch: what it is made from and where its outputs go."""

    name: str
    """Its folder under the output folder: a plain slug, unique in the batch."""
    config: Path
    """Its config file (absolute), or the template config that makes it from source."""
    source: Path | None = None
    """Template mode: the one source this book is made from (absolute); None for a config of its own."""
    size: int = 0
    """Template mode: the source's bytes, to start the longest books first; 0 for a config."""

    @property
    def origin(self) -> Path:
        """The file the user knows this book by."""
        return self.source or self.config


def find(folder: Path, out: Path, template: Path | None = None) -> list[Book]:
    """The books under folder, in a stable order: every *.toml, or with a template every
    source a reader can read. Hidden folders and the output folder are passed over."""
    from ..readers import READERS  # late: readers import heavy libraries

    folder = folder.resolve()
    if not folder.is_dir():
        raise InputError(Problem("no such folder", file=folder, hint="name the folder that holds the books"))
    if template is not None:
        template = _checked_template(template, folder)
        wanted = lambda path: path.suffix.lower() in READERS and path != template  # noqa: E731
    else:
        wanted = lambda path: path.suffix == ".toml"  # noqa: E731
    found = sorted(path for path in folder.rglob("*") if path.is_file() and wanted(path)
                   and not _passed_over(path.relative_to(folder), folder, out.resolve()))
    if not found:
        kind = "sources zinebuild reads" if template else "*.toml configs"
        raise InputError(Problem(f"no {kind} in this folder", file=folder))
    taken: set[str] = set()
    books = []
    for path in found:
        name = safe_id("", str(path.relative_to(folder).with_suffix("")), taken)
        books.append(Book(name, template, path, path.stat().st_size) if template else Book(name, path))
    return books


def _passed_over(relative: Path, folder: Path, out: Path) -> bool:
    if any(part.startswith(".") for part in relative.parts):
        return True  # hidden folders, the cache, temporary files
    return (folder / relative).is_relative_to(out)  # our own outputs, when --out is inside the folder


def _checked_template(template: Path, folder: Path) -> Path:
    """The template, read once here so that a broken one stops the batch before it starts."""
    template = template.resolve()
    try:
        tomllib.loads(template.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(Problem(f"cannot read the template: {error.strerror or error}", file=template)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(Problem(f"the template is not valid TOML: {error}", file=template)) from None
    if not folder.is_relative_to(template.parent):
        # A config's paths stay inside its folder (config.py); the template's folder holds the books' sources.
        raise InputError(Problem("the sources' folder is outside the template's folder", file=folder,
                                 hint=f"put the template in {folder} or a folder above it"))
    return template
