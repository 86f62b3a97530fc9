"""Option values checked at the edge: click parameter types and callbacks that turn what the
operator typed into typed values, or fail with a usage error (exit 2) naming the option."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlsplit

import click

from scraper import timespec

#: The largest integer both databases store (a signed 64-bit ``BIGINT``): a count, limit or id
#: above it can only be a typo, and would fail inside the database driver.
DB_INT_MAX = 2**63 - 1


def parse_duration(value: str) -> dt.timedelta:
    """``90``/``90s``, ``15m``, ``2h``, ``7d``, ``2w`` → timedelta."""
    try:
        return timespec.parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def parse_when(value: str | None, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """A point in time: ``2024-01-30``, an ISO datetime (UTC if no offset), or an age (``7d``)."""
    if value is None:
        return None
    try:
        return timespec.parse_when(value, now=now)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def split_csv(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


class _Duration(click.ParamType):
    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.timedelta):
            return value
        try:
            return timespec.parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _When(click.ParamType):
    name = "when"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            return timespec.parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _DateBound(click.ParamType):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return timespec.parse_bound(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = _Duration()
"""``30s``, ``15m``, ``2h``, ``7d`` → `datetime.timedelta`."""
WHEN = _When()
"""A date, an ISO datetime or an age → aware `datetime.datetime`."""
DATE_BOUND = _DateBound()
"""A filter bound: a bare day stays a `datetime.date`, anything else a point in time."""


def csv_values(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """Callback: ``en, de`` → ``("en", "de")``."""
    return split_csv(value)


def url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL with a host and a valid port; None if it is."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        return f"{value!r} is not a valid URL (bad port or address)"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s) URL"
    if port == 0:
        return f"{value!r} has port 0"
    return None


def http_urls(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Callback: every value is an http(s) URL."""
    for value in values:
        problem = url_problem(value)
        if problem:
            raise click.BadParameter(problem, ctx=ctx, param=param)
    return values


class _HttpUrl(click.ParamType):
    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        problem = url_problem(str(value))
        if problem:
            self.fail(problem, param, ctx)
        return str(value).strip()


class _Seconds(click.ParamType):
    """A finite number of seconds in ``[minimum, maximum]``: NaN would fail every fetch and
    infinity would wait for ever, whatever the deadline."""

    name = "seconds"

    def __init__(self, minimum: float, maximum: float, *, allow_zero: bool = True) -> None:
        self.minimum, self.maximum, self.allow_zero = minimum, maximum, allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not self.minimum <= seconds <= self.maximum:
            self.fail(f"{value!r} is not between {self.minimum:g} and {self.maximum:g}", param, ctx)
        if seconds == 0 and not self.allow_zero:
            self.fail(f"{value!r} must be more than 0", param, ctx)
        return seconds


class _DwRef(click.ParamType):
    """A DW content id, or a URL: a number must fit the database's integer column."""

    name = "ref"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip()
        if text.isdigit() and int(text) > DB_INT_MAX:
            self.fail(f"{text} is not a DW id (too large)", param, ctx)
        if not text:
            self.fail("empty reference", param, ctx)
        return text


HTTP_URL = _HttpUrl()
"""An absolute http(s) URL with a host and a valid port (``--site``)."""
DELAY_SECONDS = _Seconds(0, 3600)
"""A pause between requests: 0 to an hour."""
TIMEOUT_SECONDS = _Seconds(0, 3600, allow_zero=False)
"""A network timeout: more than 0, at most an hour."""
DB_RETRY_SECONDS = _Seconds(0, 86400)
"""How long a database outage is waited out: 0 (not at all) to a day."""
DW_REF = _DwRef()
"""`show`'s argument: a DW id (within the database's integer range) or a URL."""


def count(minimum: int = 1) -> click.IntRange:
    """An integer option from `minimum` up to what the database's integer columns hold."""
    return click.IntRange(min=minimum, max=DB_INT_MAX)
