"""Turn a language tag from the config, front matter or a web page into a yes or no: is it BCP 47?

One check for every value that may reach an ``xml:lang`` or ``lang`` attribute; readers
and the config call it and report what it refuses in their own words.
"""

from __future__ import annotations

import re

import langcodes

# langcodes also accepts "en_US" and other spellings no reading system does: the shape comes first.
_SHAPE = re.compile(r"^[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8})*$")

HINT = "write a BCP 47 tag such as 'en', 'cs', 'uk-UA' or 'zh-Hant'"


def is_valid(tag: object) -> bool:
    """Whether tag is a well-formed BCP 47 tag whose subtags are registered ('en-GB' yes, 'xx', 'en_US' no)."""
    return isinstance(tag, str) and len(tag) <= 64 and bool(_SHAPE.match(tag)) and langcodes.tag_is_valid(tag)
