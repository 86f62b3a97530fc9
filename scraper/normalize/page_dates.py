"""Dates as article pages show them: embedded ISO timestamps, localised display dates
(``28.04.2023``, ``13. September 2023``, ``September 13, 2023``) and relative ones ("2 hours
ago", "vor 3 Stunden", "gestern"). The ISO format itself is `scraper.dates`'s; the DW
specifics (month names in the site's languages, relative words) live here.
"""

from __future__ import annotations

import datetime as dt
import re

from scraper import dates
from scraper.article import DateValue
from scraper.normalize.labels import (
    MONTHS,
    RELATIVE_NOW_WORDS,
    RELATIVE_UNITS,
    RELATIVE_YESTERDAY_WORDS,
)
from scraper.normalize.text import clean_text


def parse_iso_datetime(value: str | None) -> dt.datetime | None:
    """An embedded ISO-8601 timestamp (``2024-01-30T14:13:12.269Z``) as an aware UTC datetime
    to the second (DW's milliseconds are publishing-system noise, not news); a naive one is
    taken as UTC (DW's JSON always states UTC). None when absent or not ISO 8601."""
    if not value or not isinstance(value, str):
        return None
    try:
        return dates.parse_iso(value).replace(microsecond=0)
    except ValueError:
        return None


_DAY_DOTTED = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_DAY_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_MONTH_NAME = re.compile(r"\b(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})\b")
_MONTH_NAME_DAY = re.compile(r"\b([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def parse_day(value: str | None, *, language: str | None = None) -> dt.date | None:
    """A day-precision date from ``28.04.2023``, ``20230428``, ``2023-04-28``, ``09/13/2023``
    (month first on English pages), ``13. September 2023`` or ``September 13, 2023``."""
    text = clean_text(value)
    if not text:
        return None
    try:
        if m := _DAY_DOTTED.search(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _DAY_COMPACT.fullmatch(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_ISO.search(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_SLASHED.search(text):
            first, second = int(m[1]), int(m[2])
            if (language or "").startswith("en") and first <= 12:
                return dt.date(int(m[3]), first, second)
            return dt.date(int(m[3]), second, first)
        if m := _DAY_MONTH_NAME.search(text):
            month = MONTHS.get(m[2].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[1]))
        if m := _MONTH_NAME_DAY.search(text):
            month = MONTHS.get(m[1].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[2]))
    except ValueError:
        return None
    return None


_RELATIVE = re.compile(r"(\d+)\s*([^\W\d_]+)")


def parse_relative(value: str | None, reference: dt.datetime | None) -> DateValue | None:
    """A relative display date ("2 hours ago", "vor 3 Stunden", "gestern") against
    ``reference`` (the fetch time). Minutes/hours give a UTC datetime (to the minute), days
    and weeks a day-precision date. None without a reference or for unknown text."""
    text = clean_text(value)
    if not text or reference is None:
        return None
    ref = reference if reference.tzinfo else reference.replace(tzinfo=dt.UTC)
    ref = ref.astimezone(dt.UTC)
    lowered = text.casefold()
    if any(w in lowered for w in RELATIVE_NOW_WORDS):
        return ref.replace(second=0, microsecond=0)
    if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in RELATIVE_YESTERDAY_WORDS):
        return (ref - dt.timedelta(days=1)).date()
    match = _RELATIVE.search(lowered)
    if not match or match[2] not in RELATIVE_UNITS:
        return None
    seconds = int(match[1]) * RELATIVE_UNITS[match[2]]
    when = ref - dt.timedelta(seconds=seconds)
    if seconds >= 86400:
        return when.date()
    return when.replace(second=0, microsecond=0)


def is_relative_date(value: str | None) -> bool:
    text = (clean_text(value) or "").casefold()
    if not text:
        return False
    if any(w in text for w in RELATIVE_NOW_WORDS) or any(
        re.search(rf"\b{re.escape(w)}\b", text) for w in RELATIVE_YESTERDAY_WORDS
    ):
        return True
    match = _RELATIVE.search(text)
    return bool(match and match[2] in RELATIVE_UNITS)
