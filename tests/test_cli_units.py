"""Unit tests of the CLI's helpers: durations and dates, output writers, fill-rate drops."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import click
import pytest

from db.config import resolve_database_url, sqlite_path
from scraper.cli.options import parse_duration, parse_when, split_csv
from scraper.errors import ConfigError
from scraper.exitcodes import MEANING, ExitCode
from scraper.output import flat_cell, write_records
from scraper.pipeline.stats import fill_rate_drops, run_rows


def test_parse_duration_units() -> None:
    assert parse_duration("90") == dt.timedelta(seconds=90)
    assert parse_duration("15m") == dt.timedelta(minutes=15)
    assert parse_duration("2h") == dt.timedelta(hours=2)
    assert parse_duration("7d") == dt.timedelta(days=7)
    assert parse_duration("1.5h") == dt.timedelta(minutes=90)
    with pytest.raises(click.BadParameter):
        parse_duration("soon")


def test_parse_when_dates_ages_and_offsets() -> None:
    now = dt.datetime(2024, 2, 1, 12, tzinfo=dt.UTC)
    assert parse_when("2d", now=now) == dt.datetime(2024, 1, 30, 12, tzinfo=dt.UTC)
    assert parse_when("2024-01-30") == dt.datetime(2024, 1, 30, tzinfo=dt.UTC)
    assert parse_when("2024-01-30T10:00:00+02:00") == dt.datetime(2024, 1, 30, 8, tzinfo=dt.UTC)
    assert parse_when(None) is None
    with pytest.raises(click.BadParameter):
        parse_when("yesterday-ish")


def test_split_csv() -> None:
    assert split_csv("en, de,,ru") == ("en", "de", "ru")
    assert split_csv(None) == ()


def test_database_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DWSCRAPE_DATABASE_URL", "sqlite:///from-env.sqlite3")
    assert resolve_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_database_url(None) == "sqlite:///from-env.sqlite3"
    plain = resolve_database_url(str(tmp_path / "a.sqlite3"))
    assert plain == f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert sqlite_path(plain) == tmp_path / "a.sqlite3"
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
    monkeypatch.delenv("DWSCRAPE_DATABASE_URL")
    assert resolve_database_url(None).startswith("sqlite:///")
    assert resolve_database_url(None).endswith("dwscrape.sqlite3")
    with pytest.raises(ConfigError):
        resolve_database_url("mysql://u@h/db")


def test_every_exit_code_is_documented() -> None:
    assert set(MEANING) == set(ExitCode)
    assert ExitCode.USAGE == 2  # click's own usage-error code


RECORDS = [
    {"dw_id": 1, "title": "Ä title, with comma", "topics": ["A", "B"], "authors": [{"name": "X"}]},
    {"dw_id": 2, "title": "Line\nbreak", "topics": [], "authors": []},
]


def test_jsonl_json_csv_round_trip() -> None:
    out = io.StringIO()
    assert write_records(iter(RECORDS), "jsonl", out) == 2
    assert [json.loads(line) for line in out.getvalue().splitlines()] == RECORDS

    out = io.StringIO()
    write_records(iter(RECORDS), "json", out)
    assert json.loads(out.getvalue()) == RECORDS
    out = io.StringIO()
    write_records(iter([]), "json", out)
    assert json.loads(out.getvalue()) == []

    out = io.StringIO()
    write_records(iter(RECORDS), "csv", out, columns=["dw_id", "title", "topics", "authors"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0] == {
        "dw_id": "1",
        "title": "Ä title, with comma",
        "topics": "A; B",
        "authors": '[{"name": "X"}]',
    }
    assert rows[1]["title"] == "Line\nbreak"


def test_csv_header_even_without_rows() -> None:
    out = io.StringIO()
    write_records(iter([]), "csv", out, columns=["a", "b"])
    assert out.getvalue() == "a,b\n"


def test_table_shows_every_row() -> None:
    out = io.StringIO()
    write_records(RECORDS, "table", out, columns=["dw_id", "title"])
    text = out.getvalue()
    assert "Ä title, with comma" in text and "Line break" in text


def test_writers_stream_lazily() -> None:
    """jsonl writes each record before the next is produced (constant memory for export)."""
    out = io.StringIO()
    seen: list[int] = []

    def gen():
        for i in range(3):
            seen.append(len(out.getvalue().splitlines()))
            yield {"i": i}

    write_records(gen(), "jsonl", out)
    assert seen == [0, 1, 2]


def test_flat_cell() -> None:
    assert flat_cell(None) == ""
    assert flat_cell(["a", 1]) == "a; 1"
    assert flat_cell(dt.date(2024, 1, 2)) == "2024-01-02"


def _run(run_id: int, rates: dict[str, float], new: int = 10) -> dict:
    return {"id": run_id, "counts": {"new": new, "changed": 0}, "fill_rates": rates}


def test_fill_rate_drop_is_reported() -> None:
    runs = [
        _run(3, {"authors": 0.1, "title": 1.0}),
        _run(2, {"authors": 0.9, "title": 1.0}),
        _run(1, {"authors": 0.8, "title": 1.0}),
    ]
    drops = fill_rate_drops(runs)
    assert [(d.field, d.run_id) for d in drops] == [("authors", 3)]
    assert drops[0].baseline == pytest.approx(0.85)


def test_fill_rate_small_or_tiny_runs_do_not_warn() -> None:
    assert fill_rate_drops([_run(2, {"kicker": 0.25}), _run(1, {"kicker": 0.3})]) == []
    assert fill_rate_drops([_run(2, {"authors": 0.0}, new=2), _run(1, {"authors": 1.0})]) == []
    assert fill_rate_drops([_run(1, {"authors": 0.0})]) == []


def test_run_rows_flatten_counts() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = run_rows(
        [
            {
                "id": 1,
                "command": "run",
                "status": "ok",
                "started_at": start,
                "finished_at": start + dt.timedelta(seconds=3),
                "counts": {"new": 4, "failed": 1},
                "fill_rates": {"a": 1.0, "b": 0.5},
            }
        ]
    )
    assert rows[0]["new"] == 4 and rows[0]["failed"] == 1 and rows[0]["changed"] == 0
    assert rows[0]["duration_s"] == 3.0
    assert rows[0]["fill"].startswith("b 50%")
