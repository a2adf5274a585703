"""Read a font's PostScript name from its name table alone.

The join finds the layout's font files by the names the pieces' embedded fonts carry
(fonts.py). fontTools read each whole file and decoded every record of its name table for
one string: 0.12 s of each build for the layout's sixteen files, on the way from the last
piece to the finished PDF. Here only the table directory and the name table are read, as
fontTools' getDebugName(6) chooses: the first English record (Mac English or Windows US
English), else the last one that decodes.
"""

from __future__ import annotations

import struct
from pathlib import Path

_NAME_ID = 6  # PostScript name
_ENGLISH = {(1, 0), (3, 0x409)}  # (platform, language): Macintosh English, Windows US English


def postscript_name(font: bytes | Path) -> str | None:
    """The PostScript name of an OpenType or TrueType font (its bytes or its file); None for
    anything else, or a font without one."""
    if isinstance(font, Path):
        with font.open("rb") as file:
            return _name(lambda at, size: (file.seek(at), file.read(size))[1])
    return _name(lambda at, size: font[at:at + size])


def _name(read) -> str | None:
    try:
        header = read(0, 12)
        if header[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            return None
        (tables,) = struct.unpack(">H", header[4:6])
        directory = read(12, 16 * tables)
        for index in range(tables):
            tag, _, offset, length = struct.unpack_from(">4sLLL", directory, 16 * index)
            if tag == b"name":
                return _chosen(read(offset, length))
    except (struct.error, ValueError):
        pass
    return None


def _chosen(table: bytes) -> str | None:
    _, count, strings = struct.unpack_from(">HHH", table)
    found = None
    for index in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(">6H", table, 6 + 12 * index)
        if name_id != _NAME_ID:
            continue
        text = _decoded(table[strings + offset:strings + offset + length], platform, encoding)
        if text is None:
            continue
        found = text
        if (platform, language) in _ENGLISH:
            break
    return found


def _decoded(data: bytes, platform: int, encoding: int) -> str | None:
    if platform == 0 or (platform == 3 and encoding in (0, 1, 10)):
        codec = "utf_16_be"
    elif platform == 1 and encoding == 0:
        codec = "mac_roman"
    else:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None
