"""Turn `[output] font` into the files of one book face, and say which characters it lacks.

A face is four styles (regular, italic, bold, bold italic) of one family: one the project
ships in ``layouts/default/fonts/`` (Linux Libertine, Noto Serif: Latin, Greek and
Cyrillic), or a folder of the user's, whose files say themselves which style they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_SUFFIXES = (".otf", ".ttf")
STYLES = (("normal", "normal"), ("italic", "normal"), ("normal", "bold"), ("italic", "bold"))  # (style, weight)
SHIPPED = {
    "Libertine": ("LinLibertine_R.otf", "LinLibertine_RI.otf", "LinLibertine_RB.otf", "LinLibertine_RBI.otf"),
    "Noto Serif": ("NotoSerif-Regular.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Bold.ttf",
                   "NotoSerif-BoldItalic.ttf"),
}
DEFAULT = "Libertine"
# Faces for scripts no book face covers, shipped beside them: they set the letters of their
# script wherever the chosen face lacks them (listed after it in --zb-font-family).
SCRIPT_FACES = {
    "zb Noto Naskh Arabic": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "zb Noto Serif Hebrew": ("NotoSerifHebrew-Regular.ttf", "NotoSerifHebrew-Bold.ttf"),
}


@dataclass(frozen=True)
class Face:
    family: str  # the CSS family name the stylesheets use (--zb-font-family)
    files: tuple[tuple[str, str, Path], ...]  # (font-style, font-weight, file): regular first

    @property
    def regular(self) -> Path:
        return self.files[0][2]


def shipped(name: str) -> str | None:
    """The shipped face a name means (any case), or None."""
    return next((family for family in SHIPPED if family.lower() == name.strip().lower()), None)


def folder_face(folder: Path) -> Face:
    """A user's font folder as a face: each file's style read from its own tables."""
    from fontTools.ttLib import TTFont, TTLibError

    found: dict[tuple[str, str], Path] = {}
    family = None
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        try:
            font = TTFont(path, lazy=True)
            os2, name = font["OS/2"], font["name"]
        except (TTLibError, KeyError, OSError):
            continue
        italic = bool(os2.fsSelection & 1) or "italic" in path.stem.lower()
        bold = os2.usWeightClass >= 600
        found.setdefault(("italic" if italic else "normal", "bold" if bold else "normal"), path)
        family = family or name.getDebugName(16) or name.getDebugName(1)
    if ("normal", "normal") not in found:
        raise ValueError(f"no regular .otf or .ttf font in {folder}")
    # The name goes into CSS: letters, digits, spaces and hyphens only.
    family = re.sub(r"[^\w -]", "", family or folder.name) or "font"
    return Face(f"zb {family}", tuple((s, w, found[(s, w)]) for s, w in STYLES if (s, w) in found))


def face(choice: str, root: Path, layout_fonts: Path) -> Face:
    """The face `[output] font` names: a shipped family, else a folder relative to the project."""
    family = shipped(choice)
    if family is not None:
        return Face(family, tuple((s, w, layout_fonts / f) for (s, w), f in zip(STYLES, SHIPPED[family])))
    return folder_face((root / choice).resolve())


def script_faces(layout_fonts: Path) -> tuple[Face, ...]:
    """The shipped faces for Arabic and Hebrew, regular and bold (italics are slanted by the engine)."""
    return tuple(Face(family, (("normal", "normal", layout_fonts / regular), ("normal", "bold", layout_fonts / bold)))
                 for family, (regular, bold) in SCRIPT_FACES.items())


@lru_cache(maxsize=64)
def system_has(chars: str) -> bool:
    """Whether some font fontconfig knows (WeasyPrint's fallbacks) has all of chars; True when
    fontconfig cannot be asked, so that no build fails on a guess."""
    import subprocess

    query = ":charset=" + " ".join(f"{ord(c):x}" for c in chars)
    try:
        found = subprocess.run(["fc-list", query, "family"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return True
    return found.returncode != 0 or bool(found.stdout.strip())


@lru_cache(maxsize=8)
def characters(path: Path) -> frozenset[int]:
    """The code points a font file maps."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    # Only the code points are wanted: numbered glyph names spare reading a CFF font's own
    # (its whole charset, 60 ms for Libertine, every build) to name the glyph of each one.
    font.setGlyphOrder([f"glyph{index}" for index in range(font["maxp"].numGlyphs)])
    return frozenset(font.getBestCmap())


def missing(text: str, regular: Path, *fallbacks: Path) -> list[str]:
    """The letters (and combining marks) of text the face's regular style lacks, and the
    shipped script faces too: a script nothing we ship covers. Symbols and emoji are left to
    the fallback fonts, as before."""
    mapped = _mapped((regular, *fallbacks))
    return sorted(c for c in set(text) if ord(c) not in mapped and unicodedata.category(c)[0] in "LM")


@lru_cache(maxsize=8)
def _mapped(paths: tuple[Path, ...]) -> frozenset[int]:
    """What any of these fonts maps: asked once per piece, made once per book."""
    return frozenset().union(*map(characters, paths))
