"""The repository's basics: layout, record round-trip."""

from __future__ import annotations

import datetime as dt

from conftest import ROOT

from scraper.article import Article, Author, CreditLine, format_date, parse_date


def test_required_top_level_layout() -> None:
    for name in ("pyproject.toml", "README.md", "scraper", "db", "migrations", "tests", "fixtures"):
        assert (ROOT / name).exists(), name


def test_record_round_trip_keeps_day_precision() -> None:
    art = Article(
        url="https://www.dw.com/en/x/a-1",
        canonical_url="https://www.dw.com/en/x/a-1",
        dw_id=1,
        content_type="article",
        layout="relaunch",
        language="en",
        title="T",
        published_at=dt.date(2018, 10, 28),
        modified_at=dt.datetime(2023, 9, 13, 8, 0, tzinfo=dt.UTC),
        authors=(Author("A B", None),),
        credit_line=CreditLine("js/msh (AP)", ("js",), ("msh",), ("AP",)),
    )
    record = art.to_dict()
    assert record["published_at"] == "2018-10-28"
    assert record["modified_at"] == "2023-09-13T08:00:00Z"
    assert Article.from_dict(record) == art


def test_parse_date_normalises_offsets_to_utc() -> None:
    value = parse_date("2023-09-13T10:00:00+02:00")
    assert format_date(value) == "2023-09-13T08:00:00Z"
