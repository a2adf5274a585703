"""The work-arounds of typeset/patches.py: each does what it says, and the PDF is the same."""

import io
import subprocess
import sys

import pypdf
import pytest

from zinebuild.typeset import patches

patches.apply()


def test_page_references_are_made_once_per_page_count():
    import pydyf

    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert first is pdf.page_references  # read again: not made again
    assert first == tuple(f"{number} 0 R".encode() for number in pdf.pages["Kids"][::3])
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 4 and pdf.page_references[:3] == first


def test_an_array_type_is_made_without_parsing_its_declaration(monkeypatch):
    from weasyprint.text.ffi import ffi

    ffi.typeof("hb_codepoint_t *")  # the item type, parsed once as before
    monkeypatch.setattr(ffi._parser, "parse_type", lambda cdecl: pytest.fail(f"parsed {cdecl}"))
    array = ffi.new("hb_codepoint_t[4099]", tuple(range(4099)))
    assert ffi.typeof(array) is ffi.typeof("hb_codepoint_t[4099]")
    assert ffi.sizeof(array) == 4 * 4099 and array[4098] == 4098
    assert ffi.typeof(array).item is ffi.typeof("hb_codepoint_t *").item


_RENDER = r"""
import sys
if sys.argv[1] == "patched":
    from zinebuild.typeset import patches
    patches.apply()
from weasyprint import HTML
style = '''<style>
@page { size: a6; margin: 18mm 12mm; @bottom-center { content: counter(page) } }
@page :left { @top-left { content: string(head) } }
@page :right { @top-right { content: string(head, first-except) } }
@page :first { @bottom-center { content: none } }
@page :first { counter-reset: page 4 }
@page :blank { @bottom-center { content: "(blank " counter(page) ")" } }
@page :nth(3n+1) { @bottom-right { content: counter(page) " of " counter(pages) } }
@page plain { @top-left { content: none } @top-right { content: none } }
@page :nth(1 of part) { @top-center { content: "part opens" } }
@page :nth(2 of part) { margin-top: 30mm; @top-center { content: "part, second page" } }
.toc { page: plain } .toc a::after { content: leader(". ") target-counter(attr(href url), page) }
h2 { string-set: head content(text); break-before: page } h2.odd { break-before: right }
section.part { page: part }
</style>'''
toc = "".join(f'<li><a href="#s{n}">Section {n}</a></li>' for n in range(40))
sections = "".join(f'<section class="{"part" if n % 5 == 0 else ""}"><h2 id="s{n}" class="{"odd" if n % 3 else ""}">'
                   f'Section {n}</h2><p>Text of section {n}, <a href="#s{(n * 7) % 40}">see '
                   f'{(n * 7) % 40}</a>.</p><p>{"ﬁrst words " * (n * 9)}</p></section>' for n in range(40))
html = f'<html lang="en"><head>{style}</head><body><ul class="toc">{toc}</ul>{sections}</body></html>'
sys.stdout.buffer.write(HTML(string=html).write_pdf(pdf_tags=True, pdf_identifier=b"same"))
"""


def test_the_pdf_is_the_same_with_and_without_the_patches():
    made = {how: subprocess.run([sys.executable, "-c", _RENDER, how], capture_output=True, check=True).stdout
            for how in ("plain", "patched")}
    assert made["plain"].startswith(b"%PDF") and made["plain"] == made["patched"]
    assert len(pypdf.PdfReader(io.BytesIO(made["plain"])).pages) > 60  # furniture, links, contents


def test_a_piece_is_laid_out_without_margin_boxes_and_draws_the_same(small_project, monkeypatch):
    from contextlib import nullcontext

    from weasyprint import layout as layout_module

    from zinebuild import pipeline
    from zinebuild.render import piece_html, print_pieces
    from zinebuild.typeset import weasy

    project = pipeline.load(small_project)
    anthology, layout = project.anthology, project.layout
    html = piece_html(anthology, layout, *print_pieces(anthology)[0])
    identifier = anthology.book.identifier
    asked = []
    made = layout_module.make_margin_boxes
    monkeypatch.setattr(layout_module, "make_margin_boxes",
                        lambda context, page, state: asked.append(patches._no_margin_boxes) or made(context, page, state))
    without = weasy.render(html, layout, identifier, weasy.NO_FURNITURE_CSS)
    assert asked and all(asked)  # asked for each page, and none made
    monkeypatch.setattr(patches, "without_margin_boxes", nullcontext)
    asked.clear()
    with_them = weasy.render(html, layout, identifier, weasy.NO_FURNITURE_CSS)
    assert asked and not any(asked)
    assert without.pdf == with_them.pdf and without.frames == with_them.frames
