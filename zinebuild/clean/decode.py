"""Turn the bytes of a raw text file into clean Unicode text, whatever its encoding."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

import ftfy
from charset_normalizer import from_bytes

# ftfy repairs mojibake ("â€™" -> "’"); the rest of its fixes would rewrite the author's
# typography (straight quotes, full-width forms), which is not ours to change.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False,
                             fix_latin_ligatures=False, unescape_html=False,
                             fix_line_breaks=False, normalization="NFC")


class NotText(ValueError):
    """The bytes are not text in any encoding we can recognise."""


REPLACEMENT_CHARACTER = "\ufffd"
# Lines that show mojibake rather than suffer from it: a string in code ("fix_text('Ã©')"), a
# Python prompt, a fenced block. Repairing them would falsify what the text is about.
_CODE_STRING = re.compile(r"""[(=,\[]\s*[rbuf]?['"`]|^\s*(>>>|\.\.\.|\$ )""")
_FENCE = re.compile(r"^\s*(```|~~~)")


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises NotText for binary data."""
    text, encoding, _ = decode_report(data)
    return text, encoding


@lru_cache(maxsize=4)
def decode_report(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    """(text, encoding, lines whose mojibake could not be repaired). Raises NotText for binary data.

    Remembered for the last few files: a reader and the word accounting after it decode the same bytes."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _lenient(data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        _refuse_binary(data)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _by_line(data)
    text, unrepaired = _repair(text)
    return text, encoding, unrepaired


def _lenient(data: bytes, encoding: str) -> str:
    """Bytes that are not valid in the encoding are read as Windows-1252 (Latin-1 where it has
    no character): never a U+FFFD, and ftfy can often put them right afterwards."""
    def fallback(error: UnicodeDecodeError):
        bad = error.object[error.start:error.end]
        return bad.decode("cp1252", errors="ignore") or bad.decode("latin-1"), error.end
    codecs.register_error("zinebuild-cp1252", fallback)
    return data.decode(encoding, errors="zinebuild-cp1252")


def _repair(text: str) -> tuple[str, tuple[int, ...]]:
    """ftfy line by line; a line it would leave with more U+FFFD than before is kept as it was
    and reported, and code showing mojibake is left alone."""
    out: list[str] = []
    unrepaired: list[int] = []
    fenced = False
    for number, line in enumerate(text.split("\n"), start=1):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or line.isascii() or _CODE_STRING.search(line):
            out.append(line)
            continue
        fixed = ftfy.fix_text(line, config=_FTFY)
        if fixed.count(REPLACEMENT_CHARACTER) > line.count(REPLACEMENT_CHARACTER):
            fixed = line
        if REPLACEMENT_CHARACTER in fixed:
            unrepaired.append(number)
        out.append(fixed)
    return "\n".join(out), tuple(unrepaired)


def _refuse_binary(data: bytes) -> None:
    sample = data[:65536]
    if not sample:
        return
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample and controls / len(sample) > 0.05 or controls / len(sample) > 0.2:
        raise NotText("this looks like a binary file, not text")


def _by_line(data: bytes) -> tuple[str, str]:
    """Not UTF-8 as a whole: keep the lines that are UTF-8 (pasted from elsewhere), and decode
    the rest in the legacy encoding guessed from those lines alone."""
    lines = data.split(b"\n")
    utf8: dict[int, str] = {}
    legacy = []
    for i, line in enumerate(lines):
        try:
            utf8[i] = line.decode("utf-8")
        except UnicodeDecodeError:
            legacy.append(line)
    _, encoding = _guess(b"\n".join(legacy))
    if not utf8 or all(line.isascii() for line in lines if line not in legacy):
        return _guess(data)
    text = "\n".join(utf8[i] if i in utf8 else _lenient(line, encoding)
                     for i, line in enumerate(lines))
    return text, f"utf-8+{encoding}"


def _guess(data: bytes) -> tuple[str, str]:
    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp1252", "latin_1", "cp1250",
                                          "iso8859_2", "utf_8", "mac_cyrillic"]).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None:
        return data.decode("cp1252", errors="replace"), "cp1252"
    return str(best), best.encoding
