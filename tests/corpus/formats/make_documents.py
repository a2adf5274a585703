"""Make the office, EPUB and PDF test documents from real texts, with LibreOffice (run by hand).

    .venv/bin/python tests/corpus/formats/make_documents.py

Each original is read by zinebuild, written as plain HTML (notes in LibreOffice's own
"sdfootnote" form, which it imports as real footnotes), and LibreOffice makes the .odt from
it, then the .docx, the .epub (into ../epub/) and the .pdf (into ../pdf/) from the .odt. WeasyPrint
makes the other engine's PDFs: an article in two columns, one with its own footnotes, and a
Debian manual from its own HTML in one and two columns. The tests read those files and compare
them with the original. See the SOURCES.md files for the texts.
"""

from __future__ import annotations

import base64
import html
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from zinebuild.images import source_bytes  # noqa: E402
from zinebuild.fetch import Confined  # noqa: E402
from zinebuild.model import (Break, Caption, Code, Emphasis, Heading, Image, LineBreak, Link, ListBlock,  # noqa: E402
                             NoteRef, Paragraph, Preformatted, Quote, Strong, Table, Text)
from zinebuild.readers import read  # noqa: E402

# The sample's pictures, read as a build reads them: files inside the repository only.
REPO_FILES = Confined.project(Path(__file__).resolve().parents[3])

HERE = Path(__file__).parent
# (original, article title or None, output name)
ORIGINALS = [
    (ROOT / "sources" / "001_610ae073540cbeae.txt", "Report from a discussion", "report"),
    (ROOT / "sources" / "001_610ae073540cbeae.txt", "Forcibly mobilised", "mobilised"),
    (HERE / "muse" / "manual.muse", None, "manual"),
]
# A text with a table (header cells) and two pictures, each with its description and caption.
PICTURED = (ROOT / "sources" / "passing-it-on.md", None, "passing")


def pick(path: Path, title: str | None):
    docs = read(path).documents
    return next(d for d in docs if title is None or d.title.startswith(title))


KIND = "foot"  # LibreOffice's HTML names footnotes "sdfootnote", endnotes "sdendnote"


def inlines(nodes, notes) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(html.escape(node.text))
        elif isinstance(node, Code):
            out.append(f"<code>{html.escape(node.text)}</code>")
        elif isinstance(node, Emphasis):
            out.append(f"<em>{inlines(node.children, notes)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{inlines(node.children, notes)}</strong>")
        elif isinstance(node, Link):
            out.append(f'<a href="{html.escape(node.url)}">{inlines(node.children, notes)}</a>')
        elif isinstance(node, LineBreak):
            out.append("<br>")
        elif isinstance(node, NoteRef) and KIND == "weasy":  # WeasyPrint sets it at the foot of the page
            text = " ".join(inlines(p, []) for p in NOTES_OF[0].note(node.id).paragraphs)
            out.append(f'<span class="footnote">{text}</span>')
        elif isinstance(node, NoteRef):
            notes.append(node.id)
            n = len(notes)
            k = f"sd{KIND}note"
            out.append(f'<a class="{k}anc" name="{k}{n}anc" href="#{k}{n}sym"><sup>{n}</sup></a>')
    return "".join(out)


def list_html(node, notes) -> str:
    """A list, the lists inside its items nested in them."""
    tag = "ol" if node.ordered else "ul"
    kind = f' type="{node.numbering}"' if node.ordered and node.numbering != "1" else ""
    start = f' start="{node.start}"' if node.ordered and node.start != 1 else ""
    return (f"<{tag}{kind}{start}>" + "".join(f"<li>{inlines(item, notes)}{list_html(inner, notes) if inner else ''}</li>"
                                              for item, inner in node.entries) + f"</{tag}>")


def blocks(items, notes) -> str:
    out = []
    for block in items:
        if isinstance(block, Heading):
            out.append(f"<h{block.level + 1}>{inlines(block.inlines, notes)}</h{block.level + 1}>")
        elif isinstance(block, (Paragraph, Caption)):
            out.append(f"<p>{inlines(block.inlines, notes)}</p>")
        elif isinstance(block, Quote):
            out.append(f"<blockquote>{blocks(block.blocks, notes)}</blockquote>")
        elif isinstance(block, ListBlock):
            out.append(list_html(block.tree(), notes))
        elif isinstance(block, Preformatted):
            out.append(f"<pre>{html.escape(block.text)}</pre>")
        elif isinstance(block, Break):
            out.append("<p>* * *</p>")
        elif isinstance(block, Image):  # embedded as a data: URL, so that LibreOffice stores the picture itself
            kind = "jpeg" if source_bytes(block.src, REPO_FILES)[:2] == b"\xff\xd8" else "png"
            data = base64.b64encode(source_bytes(block.src, REPO_FILES)).decode()
            out.append(f'<p><img src="data:image/{kind};base64,{data}" alt="{html.escape(block.alt)}" width="100%"></p>')
            if block.caption:
                out.append(f"<p>{inlines(block.caption, notes)}</p>")
        elif isinstance(block, Table):
            def row(cells, tag):
                return "<tr>" + "".join(f"<{tag}>{inlines(c.inlines, notes)}</{tag}>" for c in cells) + "</tr>"
            out.append("<table border=1><thead>" + "".join(row(r, "th") for r in block.head) + "</thead><tbody>"
                       + "".join(row(r, "td") for r in block.body) + "</tbody></table>")
            if block.caption:
                out.append(f"<p>{inlines(block.caption, notes)}</p>")
    return "\n".join(out)


NOTES_OF: list = [None]  # the document whose notes WeasyPrint's footnotes carry


def to_html(doc) -> str:
    NOTES_OF[0] = doc
    notes: list[str] = []
    body = blocks(doc.blocks, notes)
    bodies = []
    for n, note_id in enumerate(notes, start=1):
        note = doc.note(note_id)
        text = "<br>".join(inlines(p, []) for p in note.paragraphs)
        k = f"sd{KIND}note"
        bodies.append(f'<div id="{k}{n}"><p class="{k}"><a class="{k}sym" '
                      f'name="{k}{n}sym" href="#{k}{n}anc">{n}</a>{text}</p></div>')
    author = f'<meta name="author" content="{html.escape(", ".join(doc.authors))}">' if doc.authors else ""
    return (f'<!DOCTYPE html><html lang="{doc.lang or "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(doc.title)}</title>{author}</head><body>\n"
            f"<h1>{html.escape(doc.title)}</h1>\n{body}\n" + "\n".join(bodies) + "\n</body></html>\n")


def soffice(target: str, source: Path, out: Path) -> None:
    # Read HTML as a Writer document (not Writer/Web), so that the .odt is a plain text document.
    infilter = ["--infilter=HTML (StarWriter)"] if source.suffix == ".html" else []
    subprocess.run(["soffice", "--headless", *infilter, "--convert-to", target, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)


SPEC = HERE / "pdf" / "copyright-format-1.0.html"  # from Debian's debian-policy package (SOURCES.md)
WEASY_MANUAL = {
    "": '@page { size: A5; margin: 18mm 15mm; @top-center { content: "Machine-readable debian/copyright file"; '
        "font-size: 8pt } @bottom-center { content: counter(page); font-size: 8pt } } "
        "body { font: 10pt/1.35 serif } pre { font-size: 8pt }",
    "-2col": "@page { size: A4; margin: 2cm; @bottom-right { content: counter(page); font-size: 8pt } } "
             "body { columns: 2; column-gap: 1cm; font: 9.5pt/1.35 serif } pre { font-size: 7.5pt; "
             "white-space: pre-wrap } h1, .titlepage { column-span: all }",
}


def main() -> None:
    global KIND
    out = HERE / "office"
    out.mkdir(exist_ok=True)
    (HERE / "epub").mkdir(exist_ok=True)
    (HERE / "pdf").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for original, title, name in [*ORIGINALS, PICTURED]:
            page = Path(tmp) / f"{name}.html"
            page.write_text(to_html(pick(original, title)), encoding="utf-8")
            soffice("odt:writer8", page, out)
            soffice("docx:MS Word 2007 XML", out / f"{name}.odt", out)
            soffice("epub", out / f"{name}.odt", HERE / "epub")
            soffice("pdf:writer_pdf_Export", out / f"{name}.odt", HERE / "pdf")
            print("made", name)
        # A PDF in two columns, set by WeasyPrint itself (not zinebuild's layout).
        from weasyprint import CSS, HTML

        original, title, name = ORIGINALS[0]
        HTML(string=to_html(pick(original, title))).write_pdf(
            HERE / "pdf" / f"{name}-2col.pdf",
            stylesheets=[CSS(string="@page { size: A4; margin: 2cm } body { columns: 2; column-gap: 1cm; "
                                    "font: 10pt/1.35 serif } h1 { column-span: all }")])
        print("made", name, "in two columns")
        # Another article with its notes at the foot of each page, in two columns, by WeasyPrint.
        KIND = "weasy"
        original, title, name = ORIGINALS[1]
        HTML(string=to_html(pick(original, title))).write_pdf(
            HERE / "pdf" / f"{name}-2col.pdf",
            stylesheets=[CSS(string="@page { size: A5; margin: 15mm; @bottom-center { content: counter(page) } } "
                                    "body { columns: 2; column-gap: 6mm; font: 9pt/1.3 serif } "
                                    "h1 { column-span: all } .footnote { float: footnote; font-size: 7pt } "
                                    "::footnote-call { content: counter(footnote); vertical-align: super; "
                                    "font-size: 6pt }")])
        KIND = "foot"
        print("made", name, "in two columns with footnotes")
        # A manual nobody here wrote, set by WeasyPrint from its own HTML (see SOURCES.md).
        manual = Path(SPEC)
        for suffix, css in WEASY_MANUAL.items():
            HTML(filename=str(manual)).write_pdf(HERE / "pdf" / f"copyright-format{suffix}.pdf",
                                                 stylesheets=[CSS(string=css)])
        print("made copyright-format, one and two columns")
        # The same article with endnotes, for Word and OpenDocument only.
        KIND = "end"
        original, title, name = ORIGINALS[1]
        page = Path(tmp) / f"{name}-endnotes.html"
        page.write_text(to_html(pick(original, title)), encoding="utf-8")
        soffice("odt:writer8", page, out)
        soffice("docx:MS Word 2007 XML", out / f"{name}-endnotes.odt", out)
        print("made", name, "with endnotes")


if __name__ == "__main__":
    main()
