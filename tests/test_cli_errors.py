"""Errors mapped once: a database error during any command is exit 4 with one line naming the
database on stderr, never a traceback or exit 70."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from db.repository import Repository
from scraper.cli import cli
from scraper.errors import StorageError
from scraper.exitcodes import ExitCode

#: Command line → the repository method it reads through first.
READS = [
    (["query", "x"], "search"),
    (["show", "1"], "find_article"),
    (["export"], "iter_record_texts"),
    (["stats"], "recent_runs"),
    (["run", "--site", "http://127.0.0.1:9", "--delay", "0"], "start_run"),
]


@pytest.mark.parametrize(("args", "method"), READS, ids=[a[0] for a, _ in READS])
def test_a_failing_read_is_exit_4_in_one_line(
    args: list[str], method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise StorageError("no such table: articles (simulated)")

    monkeypatch.setattr(Repository, method, fail)
    db = tmp_path / "broken.sqlite3"
    result = CliRunner().invoke(cli, [*args, "--db", str(db), "-q"], catch_exceptions=False)
    assert result.exit_code == ExitCode.DATABASE, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: database sqlite:///{db}: no such table: articles (simulated)"]
    assert "Traceback" not in result.output


def test_an_unsupported_database_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", "mysql://u@h/db"], catch_exceptions=False)
    assert result.exit_code == ExitCode.USAGE
    assert "unsupported database" in result.stderr


def test_an_output_file_that_cannot_be_opened_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.jsonl"
    db = tmp_path / "db.sqlite3"
    args = ["export", "-o", str(target), "--db", str(db)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == ExitCode.USAGE
    assert "cannot write" in result.stderr and "Traceback" not in result.output
    assert not db.exists()  # refused before any work
