"""Times as an operator writes them: durations, points in time, and bounds of a date filter.

A crontab line says ``--since 2d`` or ``--max-duration 20m`` more often than it names a date, so
every option that takes a point in time also takes an age, counted back from now. A filter
bound written as a bare day (``2024-01-30``) stays a day, so it matches articles whose date is
known only to the day; anything more precise is a point in time. Each function raises
`ValueError` with a message fit to show to the person who typed the value, also for values
Python's datetime cannot hold (``9999-12-31T23:59:59-12:00`` is past year 9999 in UTC) or no
database can store: no traceback for a typo in a crontab.
"""

from __future__ import annotations

import datetime as dt
import re

from scraper import dates

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\s*\d{4}\s*")

#: The longest duration any option takes (100 years): longer is a typo, and would overflow.
MAX_DURATION = dt.timedelta(days=36525)
#: The range of points in time and days an option takes: what both databases store safely.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def parse_duration(value: str) -> dt.timedelta:
    """``90``/``90s``, ``15m``, ``2h``, ``7d``, ``2w`` → timedelta, at most `MAX_DURATION`."""
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a duration like 30s, 15m, 2h, 7d")
    seconds = float(match[1]) * _UNIT_S[match[2]]
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is longer than {MAX_DURATION.days} days")
    return dt.timedelta(seconds=seconds)


def parse_when(value: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """A point in time: ``2024-01-30``, an ISO datetime (UTC if no offset), or an age (``7d``,
    ``1000d``); between `EARLIEST` and `LATEST`."""
    # A bare year ("2024") reads as a number of seconds to the duration pattern: it is a date.
    if _DURATION.match(value) and not _YEAR.fullmatch(value):
        return (now or dt.datetime.now(dt.UTC)) - parse_duration(value)
    try:
        when = dates.parse_iso(value)
    except OverflowError as exc:  # valid, but not a UTC time Python can hold
        raise ValueError(f"{value!r} is outside the years 0001 to 9999") from exc
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD), datetime or age") from exc
    if not EARLIEST <= when <= LATEST:
        raise ValueError(f"{value!r} is outside the years 0001 to 9999")
    return when


def parse_bound(value: str, *, now: dt.datetime | None = None) -> dt.date | dt.datetime:
    """A filter bound: ``YYYY-MM-DD`` stays a day (inclusive, matches day-precision dates),
    anything else is a point in time (`parse_when`)."""
    if _DAY.fullmatch(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a calendar day (YYYY-MM-DD)") from exc
        if not EARLIEST.date() <= day <= LATEST.date():
            raise ValueError(f"{value!r} is outside the years 0001 to 9999")
        return day
    return parse_when(value, now=now)
