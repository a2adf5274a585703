"""Messages for a terminal: text from sources is shown, never obeyed as control sequences.

A title, an author or a file name comes from untrusted text. Printed raw, an ESC in it
could recolour, move the cursor, retitle the window or hide the lines above it; a bidi
override could show a name reversed. Every message the commands print passes here.
"""

from __future__ import annotations

import re

import click

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
# Left-to-right and right-to-left marks (U+200E/U+200F) are spelling in Hebrew and Arabic titles.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """text with each control character written as its escape: ESC becomes the six characters \\u001b.

    The JSON form of an escape, so that `inspect --json` stays valid JSON.
    """
    return _UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def echo(message: object = "", err: bool = False, nl: bool = True, **style) -> None:
    """click.secho for a message that may hold untrusted text."""
    click.secho(shown(str(message)), err=err, nl=nl, **style)
