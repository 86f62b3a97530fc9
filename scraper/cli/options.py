"""Option values checked at the edge: click parameter types and callbacks that turn what the
operator typed into typed values, or fail with a usage error (exit 2) naming the option."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import click

from scraper import timespec

_HTTP_URL = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)


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


def http_urls(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Callback: every value is an http(s) URL."""
    for value in values:
        if not _HTTP_URL.match(value):
            raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return values
