"""Turn a config's layout choice into a Layout: folders of templates and assets, nearest first.

A layout is a folder. Its templates and assets override its parent's file by file (a
project's ``layouts/NAME/`` over the built-in ``NAME``, then the layout it ``extends``, and
always the built-in ``default`` last). Stylesheets are layered instead, as MkDocs themes
do with ``extra_css``: every layer's ``print.css`` applies, parent first, then each layer's
``custom.css``, then the config's ``[output] css``. So plain CSS in a small file wins
without ``!important``, and the built-in rules (fonts, folios, footnotes) stay unless a
layer says, in its ``layout.toml``, that its stylesheet replaces its parent's::

    extends = "default"        # the parent layout (the default)
    replace = ["print.css"]    # this print.css is the whole stylesheet, not an addition
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import jinja2

from . import faces
from .cache import BlobCache, digest
from .config import Config, EpubConfig, OutputConfig
from .errors import InputError, Problem
from .fetch import Confined

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the layouts inside the package; a source checkout has them beside it.
BUILTIN_LAYOUTS = next((p for p in (_PACKAGE / "layouts", _PACKAGE.parent / "layouts") if p.is_dir()),
                       _PACKAGE / "layouts")
SPEC = "layout.toml"
CUSTOM_CSS = "custom.css"  # a layer's additions to print.css; what `zinebuild init` gives a project


@dataclass(frozen=True)
class Layout:
    name: str
    search_path: tuple[Path, ...]  # first wins
    output: OutputConfig
    project_root: Path
    epub: EpubConfig = EpubConfig()
    replaced: tuple[tuple[Path, str], ...] = ()  # (layer, stylesheet) that replace their parents' one
    # A hash of every file that shapes the outputs (inputs()), taken when the layout is made. Two
    # layouts are equal only when their files are too: what a long-lived process keeps by layout
    # (cache keys, the render service's parsed stylesheets) is never served for a file edited
    # since (`zinebuild serve` makes a new Layout for each build).
    files_digest: str = ""

    @classmethod
    def from_config(cls, config: Config) -> "Layout":
        dirs: list[Path] = []
        replaced: list[tuple[Path, str]] = []
        name, key = config.output.layout, "output.layout"
        while name:
            layers = _layers(config, name, key)
            if any(layer in dirs for layer in layers):
                raise InputError(Problem(f"layout '{name}' extends itself", file=config.path, key=key))
            dirs += layers
            spec = _spec(layers[0])
            replaced += [(layers[0], sheet) for sheet in spec.get("replace", ())]
            name, key = spec.get("extends", "" if layers[-1] == _default() else "default"), layers[0] / SPEC
        if _default() not in dirs:
            dirs.append(_default())
        made = cls(config.output.layout, tuple(dirs), config.output, config.root, config.epub, tuple(replaced))
        return replace(made, files_digest=made.digest_files())

    def digest_files(self) -> str:
        """A hash of every file that shapes the outputs (inputs()), read now."""
        hashed = hashlib.sha256()
        for relative, path in self.inputs():
            hashed.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return hashed.hexdigest()

    def __getstate__(self) -> dict:
        # Sent to the render service: without the Jinja environment, which is rebuilt on use.
        state = dict(self.__dict__)
        state.pop("env", None)
        state.pop("face", None)
        state.pop("script_faces", None)
        return state

    @cached_property
    def env(self) -> jinja2.Environment:
        return jinja2.Environment(
            loader=_ConfinedLoader(self),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )

    def keep_compiled_templates(self, store: BlobCache) -> None:
        """Keep the templates Jinja compiles in store (the build cache), for the next build:
        compiling them was a tenth of a rebuild with nothing changed."""
        self.env.bytecode_cache = _CompiledTemplates(store)

    @cached_property
    def face(self) -> faces.Face:
        """The book face [output] font chose; a shipped face's files may be overridden by a layer."""
        chosen = faces.face(self.output.font, self.project_root, _default() / "fonts")
        return faces.Face(chosen.family, tuple((style, weight, self.resolve(path) or path)
                                               for style, weight, path in chosen.files))

    @cached_property
    def script_faces(self) -> tuple[faces.Face, ...]:
        """The shipped Arabic and Hebrew faces, behind the book face (a layer may override their files)."""
        return tuple(faces.Face(f.family, tuple((style, weight, self.resolve(path) or path)
                                                for style, weight, path in f.files))
                     for f in faces.script_faces(_default() / "fonts"))

    def files(self) -> dict[str, Path]:
        """Every file the layout offers, by relative path: the first folder with it wins.

        Links leading out of the project and its layouts are left out: the split render
        finds its fonts here, and the cache hashes these files.
        """
        found: dict[str, Path] = {}
        confined = Confined(self)
        for folder in self.search_path:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and confined.inside(path):
                    found.setdefault(path.relative_to(folder).as_posix(), path)
        return found

    def inputs(self) -> list[tuple[str, Path]]:
        """Every file that can shape an output: each layer's files (layered stylesheets are all
        used, not only the nearest) and the project's own stylesheets."""
        confined = Confined(self)
        found = [(f"{index}/{path.relative_to(folder).as_posix()}", path)
                 for index, folder in enumerate(self.search_path) for path in sorted(folder.rglob("*"))
                 if path.is_file() and confined.inside(path)]
        found += [(f"css/{index}", path) for index, path in enumerate(self.output.css)]
        found += [(f"font/{index}", path) for index, (*_, path) in enumerate(self.face.files)]
        return [(key, path) for key, path in found if confined.inside(path)]

    def stylesheets(self, name: str) -> tuple[Path, ...]:
        """Every layer's `name` (print.css, epub.css), parent first, down to the first that replaces."""
        found = []
        for folder in self.search_path:
            if (folder / name).is_file():
                found.append(folder / name)
                if (folder, name) in self.replaced:
                    break
        return tuple(reversed(found))

    def user_stylesheets(self) -> tuple[Path, ...]:
        """Every layer's custom.css, parent first, then [output] css: after the layout's own
        sheets in every output (the PDF, the .html and the EPUB), so that plain CSS there wins."""
        custom = tuple(reversed([folder / CUSTOM_CSS for folder in self.search_path
                                 if (folder / CUSTOM_CSS).is_file()]))
        return custom + self.output.css

    def print_stylesheets(self) -> tuple[Path, ...]:
        """The PDF's and the .html output's stylesheets in cascade order: the layout's, then the user's."""
        return self.stylesheets("print.css") + self.user_stylesheets()

    def resolve(self, path: Path) -> Path | None:
        """A path inside one layout folder, or the same relative path in the nearest one;
        a stylesheet the layout layers is served as itself."""
        if path in self.print_stylesheets() or path in self.stylesheets("epub.css"):
            return path
        for folder in self.search_path:
            try:
                relative = path.resolve().relative_to(folder)
            except ValueError:
                continue
            for other in self.search_path:
                if (other / relative).is_file():
                    return other / relative
        return None

    def render(self, template: str, **context) -> str:
        # A layout's templates are the user's input: their errors are input errors (exit 2).
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as error:
            raise InputError(Problem(f"template error: {error.message}", file=error.filename, line=error.lineno,
                                     hint="fix the template, or delete it to fall back on the built-in one")) from None
        except jinja2.UndefinedError as error:
            raise InputError(Problem(f"template error: {error.message}", *_where(error, self, template),
                                     hint="the templates can use: book, anthology, piece, part, target, …")) from None
        except jinja2.TemplateNotFound as error:
            raise InputError(Problem(f"layout has no template '{error.name}'", *_where(error, self, template),
                                     hint="add it to the layout, or name a layout that has it")) from None
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
            # Raised while rendering: a loop over a number, a filter given what it cannot take.
            # Raised in a template zinebuild ships, it is a bug of ours (an internal error) instead.
            where = _where(error, self, template)
            if Path(where[0]).resolve().is_relative_to(BUILTIN_LAYOUTS.resolve()):
                raise
            raise InputError(Problem(f"template error: {getattr(error, 'message', None) or error}", *where,
                                     hint="fix the template, or delete it to fall back on the built-in one")) from None


def _default() -> Path:
    return (BUILTIN_LAYOUTS / "default").resolve()


def _layers(config: Config, name: str, key) -> list[Path]:
    """The folders a layout name stands for: a path, or the project's and the built-in one."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(Problem("a layout name must be text", file=config.path, key=str(key)))
    if "/" in name or name.startswith("."):
        folder = config.root / name
        if not folder.is_dir():
            raise InputError(Problem(f"no layout folder '{name}'", file=config.path, key=str(key)))
        folder = folder.resolve()
        # The fetcher serves every file under a layout folder: "/" or ".." would open the whole disk.
        known = {p.name for p in _default().iterdir() if p.is_file()} | {SPEC, CUSTOM_CSS}
        if config.root.is_relative_to(folder) or not any((folder / n).is_file() for n in known):
            raise InputError(Problem(f"'{name}' is not a layout folder", file=config.path, key=str(key),
                                     hint="name a folder holding layout files (print.css, piece.html, …), "
                                          "not one that holds the project"))
        return [folder]
    found = [c.resolve() for c in (config.root / "layouts" / name, BUILTIN_LAYOUTS / name) if c.is_dir()]
    if not found:
        known = sorted(p.name for p in BUILTIN_LAYOUTS.iterdir() if p.is_dir())
        raise InputError(Problem(f"no layout named '{name}'", file=config.path, key=str(key),
                                 hint=f"built-in layouts: {', '.join(known)}; or put yours in "
                                      f"{config.root / 'layouts' / name}"))
    return found


def _spec(folder: Path) -> dict:
    """A layer's layout.toml: what it extends and which stylesheets it replaces."""
    path = folder / SPEC
    if not path.is_file():
        return {}
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(Problem(f"not valid TOML: {error}", file=path)) from None
    unknown = set(spec) - {"extends", "replace"}
    replace = spec.get("replace", [])
    if unknown or not isinstance(spec.get("extends", ""), str) or not (
            isinstance(replace, list) and set(replace) <= {"print.css", "epub.css"}):
        raise InputError(Problem("a layout.toml may say only: extends = \"NAME\", replace = [\"print.css\", \"epub.css\"]",
                                 file=path, hint=f"unexpected: {', '.join(sorted(unknown)) or 'a value'}"))
    return spec


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's bytecode cache on a BlobCache: keyed by the template's file and source (Jinja's
    bucket), Jinja's version and our code (which sets the environment's options)."""

    def __init__(self, store: BlobCache):
        self.store = store

    def _entry(self, bucket: jinja2.bccache.Bucket) -> str:
        return digest("template", f"jinja2 {jinja2.__version__}", bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get_blob(self._entry(bucket), ".jinja")
        if data is not None:
            bucket.bytecode_from_string(data)  # Jinja refuses it itself if another Python wrote it

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put_blob(self._entry(bucket), ".jinja", bucket.bytecode_to_string())


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the layout folders, first wins; a template that is a link leading out is refused."""

    def __init__(self, layout: Layout):
        super().__init__([str(d) for d in layout.search_path])
        self.confined = Confined(layout)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not self.confined.inside(Path(filename)):
            raise InputError(Problem("the template leads outside the project and its layouts; it is not read",
                                     file=filename, hint="put the template itself, not a link, in the layout"))
        return source, filename, uptodate


def _where(error: Exception, layout: Layout, template: str) -> tuple[str, int | None]:
    """The template file and line an error was raised at: Jinja gives the frames of its
    templates their file and line, the innermost is the one at fault (an included file's)."""
    found = None
    frame = error.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith(".html") and any(Path(filename).resolve().is_relative_to(folder.resolve())
                                              for folder in layout.search_path):
            found = filename, frame.tb_lineno
        frame = frame.tb_next
    return found or (_template_file(layout, template), None)


def _template_file(layout: Layout, template: str) -> str:
    try:
        return layout.env.get_template(template).filename or template
    except jinja2.TemplateError:
        return template
