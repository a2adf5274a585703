"""Turn SOURCE_DATE_EPOCH, the book's date or today into the one date a build stamps everywhere.

Never the clock's seconds: the same inputs on the same day give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse(text: str) -> dt.date:
    """A publication date written 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or as an ISO date and time.

    Raises ValueError saying what is wrong ('2026-13-45', '0000-01-01', 'soon').
    """
    match = _DATE.match(text)
    try:
        if match:
            day = dt.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
        else:
            day = dt.datetime.fromisoformat(text).date()
    except ValueError as error:
        raise ValueError(f"'{text}' is not a real date ({error})") from None
    if day.year < 1000:
        # EPUB's dcterms:modified needs four digits of year; no book made today is older.
        raise ValueError(f"'{text}' is not a real date (the year must have four digits, from 1000)")
    return day


def build_time(date: str | None) -> dt.datetime:
    """SOURCE_DATE_EPOCH, else the book's date, else today at midnight, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass  # beyond what a date can hold: as if unset
    if date:
        try:
            day = parse(date)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
        except ValueError:
            pass  # the config checks [book] date; a date from elsewhere may be free text
    today = dt.datetime.now(dt.timezone.utc).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc)
