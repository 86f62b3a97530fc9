"""`dwscrape db upgrade|current|check` and the schema gate of every other command, on SQLite
(a real file) and PostgreSQL (a fresh database per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from db.migrate import downgrade, head
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.db import PostgresDatabases


def test_sqlite_db_commands(tmp_path) -> None:
    runner = CliRunner()
    path = tmp_path / "dw.sqlite3"
    db = ["--db", str(path)]
    result = runner.invoke(cli, ["db", "current", *db])
    assert result.exit_code == 0
    assert str(path) in result.output and "revision: none" in result.output

    assert runner.invoke(cli, ["db", "check", *db]).exit_code == ExitCode.DATABASE
    result = runner.invoke(cli, ["db", "upgrade", *db])
    assert result.exit_code == 0, result.output
    assert f"at revision {head()}" in result.output
    result = runner.invoke(cli, ["db", "current", *db])
    assert f"revision: {head()}" in result.output and f"file: {path}" in result.output
    assert runner.invoke(cli, ["db", "check", *db]).exit_code == 0


def test_db_option_before_the_command_and_env(tmp_path, monkeypatch) -> None:
    runner = CliRunner()
    path = tmp_path / "env.sqlite3"
    result = runner.invoke(cli, ["--db", str(path), "db", "upgrade"])
    assert result.exit_code == 0 and str(path) in result.output
    monkeypatch.setenv("DWSCRAPE_DATABASE_URL", f"sqlite:///{path}")
    result = runner.invoke(cli, ["db", "current"])
    assert f"revision: {head()}" in result.output


def test_out_of_date_database_is_refused_with_code_4(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    downgrade(url, "base")  # leaves alembic_version table: not a brand-new database
    result = runner.invoke(cli, ["stats", "--db", url])
    assert result.exit_code == ExitCode.DATABASE
    assert "dwscrape db upgrade" in result.output
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    assert runner.invoke(cli, ["stats", "--db", url]).exit_code == 0


def test_unreachable_database_exits_4() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = CliRunner().invoke(cli, ["stats", "--db", url])
    assert result.exit_code == ExitCode.DATABASE, result.output
    result = CliRunner().invoke(cli, ["db", "current", "--db", url])
    assert result.exit_code == ExitCode.DATABASE


@pytest.fixture
def empty_postgres_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """An empty, never-migrated PostgreSQL database (the test is PostgreSQL only: it is not
    parametrised over the backends, and skips like every storage test when no server is set)."""
    name = postgres_databases.create()
    yield postgres_databases.url(name)
    postgres_databases.drop(name)


@pytest.mark.postgres
def test_postgres_db_commands(empty_postgres_url: str) -> None:
    pg_url = empty_postgres_url
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "current", "--db", pg_url])
    assert result.exit_code == 0 and "revision: none" in result.output
    result = runner.invoke(cli, ["stats", "--db", pg_url])
    assert result.exit_code == ExitCode.DATABASE  # PostgreSQL is never migrated implicitly
    assert runner.invoke(cli, ["db", "upgrade", "--db", pg_url]).exit_code == 0
    assert runner.invoke(cli, ["db", "check", "--db", pg_url]).exit_code == 0
