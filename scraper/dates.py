"""Date parsing shared by the fetcher, discovery, the record format and the CLI.

One place for the two wire formats dwscrape meets outside article pages — ISO 8601 (JSON,
sitemaps, Atom, the record format, command-line options) and the HTTP/RFC 2822 date (HTTP
headers, RSS ``pubDate``) — and for the rule that every datetime dwscrape keeps is aware and
in UTC, a naive one being taken as UTC. Dates read from article pages (visible, localised,
relative) are the parser's business: `scraper.normalize.page_dates`, which uses this module for
the ISO part.
"""

from __future__ import annotations

import datetime as dt


def as_utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC; a naive datetime is taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def parse_iso(value: str) -> dt.datetime:
    """An ISO-8601 date or datetime (``Z`` or ``z`` accepted, any number of fraction digits)
    as an aware UTC datetime.

    Raises ValueError when ``value`` is not ISO 8601; a date alone means its midnight UTC.
    """
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    return as_utc(dt.datetime.fromisoformat(text))


def parse_iso_day(value: str) -> dt.date:
    """An ISO-8601 calendar day (``2023-04-28``): a date without a time, kept as a day.

    Raises ValueError when ``value`` is not one."""
    return dt.date.fromisoformat(value)


def parse_http_date(value: str) -> dt.datetime | None:
    """An HTTP / RFC 2822 date (``Wed, 13 Sep 2023 08:31:00 GMT``) in UTC; None if unparseable."""
    from email.utils import parsedate_to_datetime  # the email package: only where it is used

    try:
        return as_utc(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError):
        return None


def parse_any(value: str | None) -> dt.datetime | None:
    """ISO 8601 or an HTTP/RFC 2822 date, in UTC: what feeds and sitemaps carry (RSS
    ``pubDate``, ``dc:date``, Atom, ``<lastmod>``). None when absent or unparseable."""
    if not value or not value.strip():
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return parse_http_date(value)
