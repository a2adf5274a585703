"""The commands about paper: impose any PDF, and preview a booklet's sheets."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import SCHEMES
from ..errors import InputError, Problem
from ..settings import CACHE_FOLDER, Settings
from ..terminal import echo
from . import config_arg, main

def _imposition_options(function):
    for decorator in (
        click.option("--scheme", type=click.Choice(SCHEMES), default="saddle", show_default=True),
        click.option("--sheet", default="A4", show_default=True, help="A4, letter, A3 or WIDTH x HEIGHT."),
        click.option("--signature", type=click.IntRange(min=0), default=0, help="Saddle: sheets per signature."),
        click.option("--creep", default="0.1mm", show_default=True, help="Saddle: shift per sheet toward the fold."),
        click.option("--marks", is_flag=True, help="Fold and crop marks."),
        click.option("--binding", type=click.Choice(("left", "right")), default="left", show_default=True,
                     help="Saddle: the spine's side; right for a right-to-left book."),
    ):
        function = decorator(function)
    return function


def _options(sheet: str, signature: int, creep: str, marks: bool, binding: str = "left"):
    from ..impose import Options
    from ..units import parse_length, parse_page_size

    try:
        size = parse_page_size(sheet)
        shift = 0.0 if creep.strip() in ("0", "") else parse_length(creep)
    except ValueError as error:
        raise InputError(Problem(str(error), key="--sheet/--creep")) from None
    return (size.width, size.height), Options(signature=signature, creep=shift, marks=marks, binding=binding)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@_imposition_options
def impose(source: Path, target: Path, scheme: str, sheet: str, signature: int, creep: str, marks: bool,
           binding: str) -> None:
    """Impose the pages of any PDF SOURCE onto printer sheets, written to TARGET."""
    import pikepdf

    from ..fsutil import write_bytes
    from ..impose import NotImposable
    from ..impose import impose as impose_pdf

    size, options = _options(sheet, signature, creep, marks, binding)
    try:
        data, plan = impose_pdf(source.read_bytes(), scheme, size, options)
    except pikepdf.PasswordError:
        raise InputError(Problem("the PDF is encrypted and needs a password", file=source,
                                 hint="decrypt it first, e.g. `qpdf --decrypt --password=… IN.pdf OUT.pdf`")) from None
    except pikepdf.PdfError as error:
        reason = str(error).split(">: ", 1)[-1]  # without pikepdf's "stream <_io.BytesIO …>: "
        raise InputError(Problem(f"not a readable PDF: {reason}", file=source)) from None
    except NotImposable as error:
        raise InputError(Problem(str(error), file=source,
                                 hint="export the PDF again from the program that made it")) from None
    if target.resolve() == source.resolve():
        raise InputError(Problem("refusing to write over the source", file=target))
    write_bytes(target, data)
    for message in plan.warnings + plan.advice:
        echo(f"note: {message}", err=True)
    echo(f"wrote {target}: {plan.sheets} sheet(s). {plan.instructions}")


@main.command()
@config_arg
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The PNG to write (default: build/NAME-preview.png beside the config).")
def preview(config: Path, output: Path | None) -> None:
    """Draw the booklet's sheets as a contact sheet (PNG): folds and page numbers, before you print."""
    from .. import pipeline
    from ..fsutil import write_bytes
    from ..impose.preview import contact_sheet
    from ..render import output_stem
    from ..writers.booklet import imposed

    project = pipeline.load(config)
    out = project.config.output
    out_dir = project.config.root / "build"
    data, plan = imposed(project.anthology, project.layout, Settings(cache_dir=out_dir / CACHE_FOLDER))
    target = output or out_dir / f"{output_stem(project.anthology.book, out)}-preview.png"
    write_bytes(target, contact_sheet(plan, data))
    echo(f"wrote {target}: {plan.sheets} sheet(s), {out.imposition}. {plan.instructions}")
