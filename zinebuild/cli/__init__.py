"""Command-line interface: parse arguments, call the pipeline, show results and errors.

Library code raises ZinebuildError; this package alone turns it into a message and an
exit status (_Group), and shows a traceback only with --debug. Here: the group and the
commands that build (build, batch, serve); sources.py and paper.py add the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import click

from .. import __version__
from ..config import FORMATS
from ..errors import InputError, Problem, ZinebuildError
from ..fsutil import CannotWrite
from ..progress import ProgressLine
from ..settings import CACHE_FOLDER, Settings, cores
from ..stopping import Stopped, stopping_cleanly
from ..terminal import echo

DEFAULT_CONFIG = "anthology.toml"


class _Echo(logging.Handler):
    def __init__(self, quiet: bool):
        super().__init__(logging.INFO)
        self.quiet = quiet

    def emit(self, record: logging.LogRecord) -> None:
        ProgressLine.clear_active()
        if record.levelno >= logging.WARNING:
            echo(f"warning: {record.getMessage()}", fg="yellow", err=True)
        elif not self.quiet:
            echo(record.getMessage(), err=True)


class _Group(click.Group):
    def invoke(self, ctx):
        debug = bool(ctx.params.get("debug"))
        try:
            with stopping_cleanly():
                return super().invoke(ctx)
        except (ZinebuildError, click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Stopped(signal.SIGINT).error() from None
        except Stopped as stopped:
            raise stopped.error() from None
        except BrokenPipeError:
            # The reader of our output went away (`zinebuild inspect X | head`): end quietly, as
            # a command killed by SIGPIPE would, and keep Python from complaining at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(128 + signal.SIGPIPE) from None
        except OSError as error:  # the machine's fault (a full disk, a file-size limit): exit 1
            if debug:
                raise
            raise ZinebuildError(_os_problem(error)) from None
        except Exception as error:
            if debug:
                raise
            raise ZinebuildError(Problem(f"internal error: {type(error).__name__}: {error}",
                                         hint="run again with --debug and report the trace")) from None


def _os_problem(error: OSError) -> Problem:
    """One line: which file, and the system's reason."""
    if error.filename is None:
        return Problem(f"{error.strerror or error}")
    name = Path(error.filename)
    with contextlib.suppress(ValueError):
        name = name.relative_to(Path.cwd())
    verb = "cannot write" if isinstance(error, CannotWrite) else "cannot use"
    return Problem(f"{verb} {name}: {error.strerror or error}")


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="zinebuild")
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def main(debug: bool, quiet: bool) -> None:
    """Build EPUB, reading PDF and folded booklet anthologies from messy texts."""
    logger = logging.getLogger("zinebuild")
    logger.handlers[:] = [_Echo(quiet)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # WeasyPrint's warnings reach the user through our own messages (code Z301).
    logging.getLogger("weasyprint").propagate = False


def run() -> None:
    """The command as `zinebuild` and `python -m zinebuild` start it: main(), then an exit
    without the interpreter's teardown. A build's process ends holding some hundred thousand
    objects (WeasyPrint, fontTools, the book) that Python freed one by one, 0.1 s of every
    build; the system frees them at once. The exit handlers still run (the render service's,
    multiprocessing's, logging's) and the streams are flushed; with a thread still running
    (none should be) Python ends as usual, joining it."""
    import atexit
    import threading

    try:
        main()
        status: int | str | None = 0
    except SystemExit as done:
        status = done.code
    if threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()  # what sys.exit would have run; documented as what atexit does at exit
    if isinstance(status, str):
        print(status, file=sys.stderr)  # as sys.exit prints a message
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status if isinstance(status, int) else 0 if status is None else 1)


def config_arg(function):
    return click.argument("config", default=DEFAULT_CONFIG, type=click.Path(path_type=Path))(function)


def report(anthology, quiet: bool = False) -> None:
    cwd = str(Path.cwd()) + "/"
    for notice in anthology.notices:
        text = str(notice).replace(cwd, "")
        if notice.level == "warning":
            echo(f"warning: {text}", fg="yellow", err=True)
        elif not quiet:
            echo(f"note: {text}", err=True)


@main.command()
@config_arg
@click.option("--format", "formats", help=f"Comma-separated outputs: {','.join(FORMATS)} (default: the config's).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: build/ beside the config).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Pieces laid out at once (default: the number of cores).")
@click.option("--no-cache", is_flag=True, help=f"Lay out every page afresh; keep nothing in OUT/{CACHE_FOLDER}.")
@click.option("--progress", is_flag=True,
              help="Show pieces done and time left even when stderr is not a terminal (one line per step).")
def build(config: Path, formats: str | None, out_dir: Path | None, jobs: int | None, no_cache: bool,
          progress: bool) -> None:
    """Build the anthology described by CONFIG (default: anthology.toml)."""
    from ..typeset.workers import start_service

    # Started first: WeasyPrint loads in the service's process while this one reads the sources.
    with start_service(jobs or cores(), rests=True) as service:
        from .. import pipeline

        _build(pipeline, config, formats, out_dir, jobs, no_cache, service, progress)


def _build(pipeline, config: Path, formats: str | None, out_dir: Path | None, jobs: int | None, no_cache: bool,
           service, progress: bool = False) -> None:
    # Where config.load looks: a folder means its anthology.toml; the build folder sits beside it.
    out_dir = out_dir or (config if config.is_dir() else config.parent).resolve() / "build"
    cache_dir = None if no_cache else out_dir / CACHE_FOLDER
    from ..cover import forget_early

    with contextlib.ExitStack() as stack:
        stack.callback(forget_early)  # covers drawn early for this build are this build's only
        project = pipeline.load(config, cache_dir=cache_dir, once=True, ahead=lambda loaded, layout: pipeline.ahead(
            loaded, layout, _formats(formats) or loaded.output.formats, service, cache_dir))
        _build_project(pipeline, project, formats, out_dir, jobs, no_cache, service, progress)


def _build_project(pipeline, project, formats: str | None, out_dir: Path, jobs: int | None, no_cache: bool,
                   service, progress: bool) -> None:
    chosen = _formats(formats) or project.config.output.formats
    _check_writable(out_dir)
    report(project.anthology, click.get_current_context().find_root().params.get("quiet", False))
    log = logging.getLogger("zinebuild")
    quiet = click.get_current_context().find_root().params.get("quiet", False)
    with ProgressLine.for_build(quiet, progress) as bar:
        settings = Settings(jobs=jobs or cores(), cache_dir=None if no_cache else out_dir / CACHE_FOLDER,
                            progress=bar.update if bar else None, service=service)
        pipeline.build(project, chosen, out_dir, settings=settings,
                       on_written=lambda fmt, path: log.info("wrote %-7s %s", fmt, path))


def _formats(formats: str | None) -> tuple[str, ...]:
    """The outputs --format names; () when it names none."""
    chosen = tuple(f.strip() for f in (formats or "").split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise InputError(Problem(f"unknown format(s): {', '.join(unknown)}", key="--format",
                                 hint=f"choose from {', '.join(FORMATS)}"))
    return chosen


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="Make every source under FOLDER a zine of its own through this config (its pieces are left out).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder, one folder per book inside it (default: FOLDER/build).")
@click.option("--format", "formats", help=f"Comma-separated outputs: {','.join(FORMATS)} (default: each config's).")
@click.option("--sheet", "sheets", help="Comma-separated papers for the booklet, one booklet each (e.g. A4,letter).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Books built at once on this machine (default: the number of cores).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Build on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).")
@click.option("--no-cache", is_flag=True, help=f"Lay out every page afresh; keep nothing in OUT/{CACHE_FOLDER}.")
def batch(folder: Path, template: Path | None, out_dir: Path | None, formats: str | None, sheets: str | None,
          jobs: int | None, scheduler: str | None, no_cache: bool) -> None:
    """Build every *.toml config under FOLDER, or with --template every source under it, as books."""
    from .. import batch as batches
    from ..units import parse_page_size

    papers = tuple(s.strip() for s in (sheets or "").split(",") if s.strip())
    try:
        for paper in papers:
            parse_page_size(paper)
    except ValueError as error:
        raise InputError(Problem(str(error), key="--sheet")) from None
    out_dir = (out_dir or folder / "build").resolve()
    plan = batches.Plan(out_dir, _formats(formats), papers, cache=not no_cache)
    quiet = click.get_current_context().find_root().params.get("quiet", False)
    here = str(Path.cwd()) + "/"  # the workers name files in full; shown as the user named them

    def failure(outcome) -> str:
        return f"{outcome.book} ({outcome.origin}): {outcome.problem}".replace(here, "")

    def report(outcome, done: int, total: int) -> None:
        for warning in outcome.warnings:
            echo(f"warning: {outcome.book}: {warning}".replace(here, ""), fg="yellow", err=True)
        if not outcome.ok:
            echo(f"[{done}/{total}] failed {failure(outcome)}", fg="red", err=True)
        elif not quiet:
            echo(f"[{done}/{total}] built {outcome.book}: {', '.join(outcome.written)}", err=True)

    if not folder.is_dir():  # before the output folder is made inside it
        raise InputError(Problem("no such folder", file=folder, hint="name the folder that holds the books"))
    _check_writable(out_dir)
    outcomes = batches.build(folder, plan, template, jobs or cores(), scheduler, report)
    failed = [o for o in outcomes if not o.ok]
    echo(f"built {len(outcomes) - len(failed)}, failed {len(failed)} of {len(outcomes)} book(s) in {out_dir}")
    for outcome in failed:
        echo(f"  {failure(outcome)}")
    if failed:
        raise click.exceptions.Exit(2 if all(o.exit_code == 2 for o in failed) else 1)


def _check_writable(out_dir: Path) -> None:
    import tempfile

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # A probe of its own: two builds into one folder must not remove each other's. Named
        # like every temporary file of ours, so that the next build removes one left behind.
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".zinebuild-write-test.", suffix=f".{os.getpid()}.part"):
            pass
    except (NotADirectoryError, FileExistsError) as error:  # a file where the folder should be
        raise InputError(Problem(f"cannot write to the output folder: {error.strerror or error}",
                                 file=out_dir, hint="choose another folder with --out")) from None
    except OSError as error:  # the machine's fault: a full disk, no permission
        raise CannotWrite(error.errno, error.strerror or str(error), str(out_dir)) from None


@main.command()
@config_arg
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to serve on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on; another than 127.0.0.1 shows your texts to the network.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
def serve(config: Path, port: int, host: str, open_browser: bool) -> None:
    """Preview CONFIG in a browser: pages, booklet, EPUB, warnings; rebuilt on every save."""
    from ..serve import serve as run

    try:
        run(config, host, port, open_browser, announce=lambda url: echo(f"serving {url}  (Ctrl-C stops)"))
    except KeyboardInterrupt:
        raise click.exceptions.Exit(130) from None  # as a shell reports a program stopped by Ctrl-C


# The other commands, each group in a module of its own, join `main` as they are imported.
from . import paper, sources  # noqa: E402,F401
