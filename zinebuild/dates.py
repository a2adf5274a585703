"""Turn SOURCE_DATE_EPOCH, the book's date or today into the one date a build stamps everywhere.

Never the clock's seconds: the same inputs on the same day give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re


def build_time(date: str | None) -> dt.datetime:
    """SOURCE_DATE_EPOCH, else the book's date, else today at midnight, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    if date:
        match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
        if match:
            return dt.datetime(int(match[1]), int(match[2] or 1), int(match[3] or 1), tzinfo=dt.timezone.utc)
    today = dt.datetime.now(dt.timezone.utc).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc)
