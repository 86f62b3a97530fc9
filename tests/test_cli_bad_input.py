"""Bad input at every command, on both databases: each case ends with its documented exit code,
one error line on stderr and no traceback (exit 70 is for bugs only)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db.engine import make_engine
from db.repository import Repository
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.articles import make_article
from tests.support.cli import ROOT

USAGE, DATABASE, FAILED, OK = ExitCode.USAGE, ExitCode.DATABASE, ExitCode.FAILED, ExitCode.OK
#: A valid query that finds nothing: exit 5 with "no matches" on stderr, and no error.
NO_MATCH = -1
BIG = "99999999999999999999"
DEAD_SITE = ["--site", "http://127.0.0.1:9", "--delay", "0"]


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    env: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        text = " ".join(self.args)
        return text if len(text) < 60 else f"{text[:40]}…({len(self.args)} args)"


CASES = [
    Case(("query", "--since", "2024-13-45"), USAGE),
    Case(("query", "--since", "2024-02-30"), USAGE),
    Case(("query", "--since", "0001-01-01T00:00:00+14:00"), USAGE),
    Case(("query", "--until", "9999-12-31T23:59:59-12:00"), USAGE),
    Case(("query", "--since", "99999999999d"), USAGE),
    Case(("query", "--since", "1000d"), NO_MATCH),
    Case(("export", "--until", "0000-01-01"), USAGE),
    Case(("reparse", "--since", "2024-13-45"), USAGE),
    # an empty window: --since after --until (a bare day is the whole day on both sides)
    Case(("query", "--since", "2024-03-02", "--until", "2024-03-01"), USAGE),
    Case(("export", "--since", "2024-03-02", "--until", "2024-03-01T23:59:59Z"), USAGE),
    Case(("reparse", "--since", "3d", "--until", "5d"), USAGE),
    Case(("backfill", "--lang", "en", "--since", "2030-01-01", "--until", "2020-01-01"), USAGE),
    Case(("query", "--since", "2024-03-01", "--until", "2024-03-01"), NO_MATCH),
    Case(("query", "--since", "2024-03-01T10:00:00Z", "--until", "2024-03-01"), NO_MATCH),
    Case(("run", "--max-duration", "99999999999d"), USAGE),
    Case(("run", "--lease-timeout", "99999999999d"), USAGE),
    Case(("run", "--refresh-older-than", "99999999999d"), USAGE),
    Case(("run", "--since", "9999-12-31T23:59:59-12:00"), USAGE),
    Case(("run", "--site", "file:///etc"), USAGE),
    Case(("run", "--site", "http://127.0.0.1:99999"), USAGE),
    Case(("run", "--site", "not-a-url"), USAGE),
    Case(("run",), USAGE, (("DWSCRAPE_SITE", "not-a-url"),)),
    Case(("crawl", "--site", "file:///etc", "http://127.0.0.1:9/x"), USAGE),
    Case(("crawl", "http://127.0.0.1:99999/x"), USAGE),
    Case(("crawl", "file:///etc/passwd"), USAGE),
    Case(("run", "--delay", "inf", *DEAD_SITE[:2]), USAGE),
    Case(("run", "--delay", "nan", *DEAD_SITE[:2]), USAGE),
    Case(("run", "--delay", "-1", *DEAD_SITE[:2]), USAGE),
    Case(("run", *DEAD_SITE[:2]), USAGE, (("DWSCRAPE_DELAY", "inf"),)),
    Case(("crawl", "--timeout", "nan", "http://127.0.0.1:9/x"), USAGE),
    Case(("crawl", "--timeout", "inf", "http://127.0.0.1:9/x"), USAGE),
    Case(("run", "--concurrency", BIG), USAGE),
    Case(("run", "--max-articles", BIG), USAGE),
    Case(("show", "9223372036854775808"), USAGE),
    Case(("show", "9223372036854775807"), FAILED),
    Case(("query", "--limit", BIG), USAGE),
    Case(("stats", "--runs", BIG), USAGE),
    Case(("serve", "--port", "99999"), USAGE),
    Case(("export", "-o", "/nonexistent/dir/x.jsonl"), USAGE),
    Case(("export", "--format", "csv", "-o", "/nonexistent/dir/x.csv"), USAGE),
    Case(("export", "--format", "warc", "-o", "/nonexistent/dir/x.warc.gz"), USAGE),
    Case(("export", "-o", "/dev/full"), FAILED),
    Case(("query", *(f"w{i}" for i in range(600))), NO_MATCH),
    Case(("query", *(f"w{i}" for i in range(10_000))), NO_MATCH),
]

DB_CASES = [
    Case(("query", "--db", "sqlite:///", "x"), USAGE),
    Case(("stats", "--db", "sqlite://"), USAGE),
    Case(("stats", "--db", "mysql://u@h/db"), USAGE),
    Case(("stats", "--db", "postgresql+psycopg://u@127.0.0.1:1/none"), DATABASE),
]


def invoke(case: Case, db: str | None) -> Result:
    args = [*case.args, *(("--db", db) if db else ()), "-q"]
    env = dict(case.env)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return CliRunner().invoke(cli, args)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def assert_clean_failure(result: Result, code: int) -> None:
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    assert "Traceback" not in result.output
    if code == NO_MATCH:
        assert result.exit_code == FAILED, result.output
        assert "no matches" in result.stderr and "Error" not in result.stderr, result.stderr
        return
    assert result.exit_code == code, result.output
    if code != OK:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, result.stderr


@pytest.fixture
def stocked_db(db_url: str) -> str:
    """A database of either kind with one article in it (so that exports write something)."""
    engine = make_engine(db_url)
    try:
        Repository(engine).store_article(make_article(4242))
    finally:
        engine.dispose()
    return db_url


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_one_line_and_its_exit_code(case: Case, stocked_db: str) -> None:
    assert_clean_failure(invoke(case, stocked_db), case.code)


@pytest.mark.parametrize("case", DB_CASES, ids=lambda c: c.id)
def test_a_bad_database_url_is_one_line(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWSCRAPE_DB_RETRY_SECONDS", "0")
    assert_clean_failure(invoke(case, None), case.code)


def test_a_read_only_database_is_exit_4(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("sqlite"):
        url = db_url + "?options=-c%20default_transaction_read_only%3Don"
    else:
        path = db_url.removeprefix("sqlite:///")
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = invoke(Case(("crawl", "http://127.0.0.1:9/x"), DATABASE), url)
    assert_clean_failure(result, DATABASE)
    assert "read" in result.stderr.lower()


def test_a_write_error_midway_removes_the_partial_file(
    stocked_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "articles.jsonl"

    def disk_full(*_args: object, **_kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scraper.cli.export.write_records", disk_full)
    monkeypatch.setattr("scraper.cli.export.write_json_lines", disk_full)  # JSONL streams text
    result = invoke(Case(("export", "-o", str(out)), FAILED), stocked_db)
    assert_clean_failure(result, FAILED)
    assert "No space left on device" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args", [["query"], ["show", "4242"], ["stats"], ["export"]], ids=lambda a: a[0]
)
def test_a_full_standard_output_is_exit_5_in_one_line(args: list[str], stocked_db: str) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "scraper", *args, "--db", stocked_db, "-q"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
    assert result.returncode == ExitCode.FAILED, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: cannot write standard output: No space left on device"
    ]


def test_a_database_path_that_cannot_be_a_file_is_exit_4(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    result = invoke(Case(("stats",), DATABASE), str(a_file / "db.sqlite3"))
    assert_clean_failure(result, DATABASE)
    assert "cannot create the directory" in result.stderr
