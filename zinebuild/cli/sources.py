"""The commands about sources and projects: check, list, inspect, import, init."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError, Problem
from ..terminal import echo
from . import DEFAULT_CONFIG, config_arg, main, report

# Rough words per page at the default type size, for `zinebuild list`.
WORDS_PER_PAGE = {"a6": 180, "quarter-letter": 180, "a5": 330, "b6": 260, "half-letter": 330, "digest": 330}


@main.command()
@config_arg
def check(config: Path) -> None:
    """Validate CONFIG and its sources; print warnings with codes; build nothing."""
    from .. import pipeline

    project = pipeline.load(config)
    report(project.anthology)
    pieces = project.anthology.pieces
    echo(f"{config}: {len(pieces)} piece(s), {len(project.anthology.warnings)} warning(s)")


@main.command("list")
@config_arg
def list_pieces(config: Path) -> None:
    """List the pieces in order: title, author, source, words, estimated pages."""
    from .. import pipeline

    project = pipeline.load(config)
    per_page = WORDS_PER_PAGE.get(project.config.output.page_size.name.lower(), 300)
    per_page = per_page * (10.5 / project.config.output.font_size) ** 2
    rows = []
    for part in project.anthology.parts:
        if part.title:
            rows.append((f"[{part.title}]", "", "", "", ""))
        for piece in part.pieces:
            words = piece.document.words()
            rows.append((f"{piece.number}. {piece.document.title}", ", ".join(piece.document.authors),
                         Path(piece.source).name, str(words), str(max(1, round(words / per_page)))))
    headers = ("piece", "author", "source", "words", "pages")
    widths = [min(48, max(len(r[i]) for r in rows + [headers])) for i in range(5)]
    for row in [headers] + rows:
        cells = [(c if len(c) <= widths[i] else c[:widths[i] - 1] + "…").ljust(widths[i]) for i, c in enumerate(row)]
        echo("  ".join(cells).rstrip())


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The model as JSON, for other tools.")
def inspect(source: Path, as_json: bool) -> None:
    """Show the cleaned model of one SOURCE file and what the cleaner removed."""
    from .. import accounting, typography
    from ..links import source_links
    from ..model import source_to_dict
    from ..readers import read

    found = read(source)
    data = source_to_dict(found)
    data["links"] = [{"line": o.line, "href": o.href, "became": o.became} for o in source_links(found)]
    if as_json:
        echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    echo(f"{data['source']}  ({data['encoding']})")
    for piece in data["pieces"]:
        echo(f"\n# {piece['title']}  [{piece['id']}]", bold=True)
        if piece["subtitle"]:
            echo(f"  {piece['subtitle']}")
        if piece["authors"]:
            echo(f"  by {', '.join(piece['authors'])}")
        for key in ("date", "subjects", "meta"):
            if piece.get(key):
                value = piece[key]
                text = ", ".join(f"{k}={v}" for k, v in value.items()) if key == "meta" else value
                echo(f"  {key}: {text if isinstance(text, str) else ', '.join(text)}")
        for block in piece["blocks"]:
            text = block.get("text") or " | ".join(block.get("items", []))
            label = block["type"] + (f"{block['level']}" if block["type"] == "heading" else "")
            echo(f"  {label:<10} {text[:100]}{'…' if len(text) > 100 else ''}")
        for note in piece["notes"]:
            echo(f"  note {note['id']:<5} {note['text'][:100]}")
    if data["links"]:
        echo("\nlinks:", bold=True)
        for link in data["links"]:
            echo(f"  line {link['line'] or '?':>5}  {link['href'][:40]:<40} -> {link['became'][:80]}")
    if data["removed"]:
        echo(f"\nremoved {len(data['removed'])} line(s):", bold=True)
        for removal in data["removed"]:
            echo(f"  line {removal['line']:>5}  {removal['reason']:<20} {removal['text'][:70]}")
    for doc in found.documents:
        # What a build would change ([clean] typography, on by default), in the piece's language.
        _, counts = typography.normalise(doc, doc.lang or "en")
        echo(f"typography [{doc.lang or 'en'}] {doc.title[:40]}: {typography.summary(counts)}")
    for warning in data["warnings"]:
        echo(f"warning: {warning}", fg="yellow", err=True)
    for lost in found.unaccounted:  # what a build reports as Z109
        echo(f"warning: Z109 {accounting.notice_text(lost)}", fg="yellow", err=True)


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The .md file to write (for a source of several articles: a folder).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def import_source(source: Path, output: Path | None, force: bool) -> None:
    """Write the cleaned text of SOURCE as Markdown with front matter, to edit by hand."""
    from ..export import to_markdown
    from ..fsutil import write_bytes
    from ..readers import read
    from ..slug import safe_id

    documents = read(source).documents
    if len(documents) == 1:
        targets = [output or source.with_suffix(".md")]
    else:
        folder = output or source.with_suffix("")
        taken: set[str] = set()
        targets = [folder / f"{safe_id(f'{i:02d}-', doc.slug or doc.title, taken)}.md"
                   for i, doc in enumerate(documents, start=1)]
    for target in targets:
        if target.resolve() == source.resolve():
            raise InputError(Problem("refusing to write over the source itself", file=target,
                                     hint="name another file with -o"))
        if target.exists() and not force:
            raise InputError(Problem("already exists; nothing was written", file=target,
                                     hint="use --force to overwrite, or -o to name another file"))
    for doc, target in zip(documents, targets):
        write_bytes(target, to_markdown(doc).encode("utf-8"))
        echo(f"wrote {target}  ({doc.title})")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Scaffold a new anthology in DIRECTORY: anthology.toml, sources/, layouts/default/custom.css."""
    from ..scaffold import scaffold

    written = scaffold(directory)
    config = directory / DEFAULT_CONFIG
    echo("made " + ", ".join(str(path) for path in written) + "\n"
               f"next: put texts in sources/, list them in anthology.toml, run `zinebuild build {config}`")
