"""Turn the joined PDF's many subsets of one font into a single subset that every piece shares.

Pieces are laid out as separate documents, so each embeds its own subset of every face
(nineteen Libertines in the sample, ten times the size of one). WeasyPrint subsets with
retain_gids, so a glyph has the same id in every subset and in the original file: the
join can cut the original (found in the layout by its PostScript name) down once to the
union of the glyphs the subsets hold (each font's /W lists them) and point every font
at it. Each font keeps its own /ToUnicode, which WeasyPrint wrote from the text itself
(ligatures included), so copying and searching the text is unchanged. A font that is not
in the layout (a system fallback) keeps its own subsets.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError

FONT_SUFFIXES = (".otf", ".ttf")
_FILE_KEYS = ("/FontFile3", "/FontFile2", "/FontFile")

# (font file bytes, glyph ids) -> subset font file bytes; the caller may cache it
Subsetter = Callable[[bytes, frozenset[int]], bytes]


def subset_font(data: bytes, gids: frozenset[int]) -> bytes:
    """The glyphs gids of an OpenType/TrueType file, with WeasyPrint's own subsetting options."""
    options = subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                             hinting=False, desubroutinize=True, notdef_outline=True)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids | {0}))
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # the same book gives the same bytes
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def postscript_name(data: bytes) -> str | None:
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        return font["name"].getDebugName(6)
    except (TTLibError, KeyError, AssertionError, ValueError):
        return None


def layout_fonts(paths: Iterable[Path]) -> dict[str, Path]:
    """PostScript name -> font file, for the layout's fonts (the first of a name wins)."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.suffix.lower() in FONT_SUFFIXES:
            name = postscript_name(path.read_bytes())
            if name:
                found.setdefault(name, path)
    return found


def share_subsets(pdf: pikepdf.Pdf, originals: dict[str, Path], subsetter: Subsetter = subset_font) -> None:
    groups: dict[str, tuple[list[pikepdf.Dictionary], set[int], pikepdf.Name, pikepdf.Dictionary]] = {}
    names: dict[tuple[int, int], str | None] = {}
    for font in _cid_fonts(pdf):
        descriptor = font.FontDescriptor
        key = next((k for k in _FILE_KEYS if k in descriptor), None)
        if key is None:
            continue
        stream = descriptor[key]
        if stream.objgen not in names:
            names[stream.objgen] = postscript_name(stream.read_bytes())
        name = names[stream.objgen]
        if name not in originals:
            continue
        descriptors, gids, _, _ = groups.setdefault(name, ([], set(), pikepdf.Name(key), stream.stream_dict))
        descriptors.append(descriptor)
        gids.update(_widths_cids(font.get("/W", pikepdf.Array())))
    for name, (descriptors, gids, key, stream_dict) in groups.items():
        shared = pikepdf.Stream(pdf, subsetter(originals[name].read_bytes(), frozenset(gids)))
        if "/Subtype" in stream_dict:
            shared.Subtype = stream_dict.Subtype
        for descriptor in descriptors:
            descriptor[key] = shared


def _cid_fonts(pdf: pikepdf.Pdf):
    """The CID fonts (Type0 descendants) used on the pages and in their forms, each once."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            if font.objgen not in seen and font.get("/Subtype") == "/Type0":
                seen.add(font.objgen)
                yield font.DescendantFonts[0]
        for form in resources.get("/XObject", pikepdf.Dictionary()).values():
            if form.objgen not in seen and form.get("/Subtype") == "/Form":
                seen.add(form.objgen)
                stack.append(form.get("/Resources"))


def _widths_cids(widths: pikepdf.Array) -> set[int]:
    """CIDs listed in a /W array: `c [w1 w2 ...]` or `c_first c_last w`."""
    cids: set[int] = set()
    items = list(widths)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            cids.update(range(first, first + len(items[i + 1])))
            i += 2
        else:
            cids.update(range(first, int(items[i + 1]) + 1))
            i += 3
    return cids
