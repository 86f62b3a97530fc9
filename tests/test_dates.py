"""scraper.dates: the two wire formats, always ending in aware UTC datetimes."""

from __future__ import annotations

import datetime as dt

import pytest

from scraper import dates

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-13T08:31:00Z", dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)),
        ("2023-09-13T10:31:00+02:00", dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)),
        ("2023-09-13T08:31:00", dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)),
        (" 2023-09-13 ", dt.datetime(2023, 9, 13, tzinfo=UTC)),
    ],
)
def test_parse_iso_is_utc(value: str, expected: dt.datetime) -> None:
    got = dates.parse_iso(value)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(0)


def test_parse_iso_rejects_other_formats() -> None:
    with pytest.raises(ValueError):
        dates.parse_iso("Wed, 13 Sep 2023 08:31:00 GMT")


def test_parse_http_date() -> None:
    got = dates.parse_http_date("Wed, 13 Sep 2023 10:31:00 +0200")
    assert got == dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)
    assert got is not None and got.utcoffset() == dt.timedelta(0)
    assert dates.parse_http_date("13 Sep 2023 08:31:00") == dt.datetime(
        2023, 9, 13, 8, 31, tzinfo=UTC
    )
    assert dates.parse_http_date("yesterday") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 13 Sep 2023 08:31:00 GMT", dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)),
        ("2023-09-13T08:31:00Z", dt.datetime(2023, 9, 13, 8, 31, tzinfo=UTC)),
        ("2023-09-13", dt.datetime(2023, 9, 13, tzinfo=UTC)),
        ("", None),
        ("   ", None),
        (None, None),
        ("not a date", None),
    ],
)
def test_parse_any(value: str | None, expected: dt.datetime | None) -> None:
    assert dates.parse_any(value) == expected


def test_as_utc_converts_and_assumes_utc_for_naive() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    assert dates.as_utc(dt.datetime(2024, 1, 30, 15, 0, tzinfo=cet)) == dt.datetime(
        2024, 1, 30, 14, 0, tzinfo=UTC
    )
    naive = dates.as_utc(dt.datetime(2024, 1, 30, 14, 0))
    assert naive.tzinfo is UTC and naive.hour == 14
