"""Riding out a database outage: a lost or refused connection is waited for (with backoff, for
a bounded time), anything else fails at once, and `run` prints its summary either way.

The outage is simulated with a loopback proxy in front of the test server (`DatabaseProxy`),
never by stopping the shared PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from db.engine import make_engine
from db.errors import DatabaseUnavailableError, QueryError
from db.outage import is_transient, retry_seconds_from_env, with_outage_retry
from db.repository import Repository
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.articles import make_article
from tests.support.dbproxy import DatabaseProxy
from tests.support.faultsite import FaultSite


class _Lost(Exception):
    sqlstate = "08006"


def _lost() -> OperationalError:
    return OperationalError("SELECT 1", {}, _Lost("server closed the connection unexpectedly"))


def test_transient_errors_are_retried_until_the_budget_is_spent() -> None:
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    def always_lost() -> None:
        raise _lost()

    with pytest.raises(OperationalError):
        with_outage_retry(always_lost, "read", 10, sleep=sleep, clock=lambda: now[0])
    assert sum(pauses) == pytest.approx(10)
    assert pauses[:3] == [0.1, 0.2, 0.4]  # exponential backoff
    assert max(pauses) <= 5


def test_a_transient_error_that_clears_is_invisible() -> None:
    calls = iter([_lost(), _lost(), None])

    def flaky() -> str:
        exc = next(calls)
        if exc is not None:
            raise exc
        return "done"

    assert with_outage_retry(flaky, "read", 60, sleep=lambda _s: None) == "done"


def test_other_errors_are_not_retried() -> None:
    missing = OperationalError("SELECT", {}, Exception("no such table: articles"))
    readonly = OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))
    assert not is_transient(missing) and not is_transient(readonly)
    assert is_transient(OperationalError("BEGIN", {}, Exception("database is locked")))


def test_the_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWSCRAPE_DB_RETRY_SECONDS", "7")
    assert retry_seconds_from_env() == 7
    for bad in ("nan", "inf", "-1", "soon"):
        monkeypatch.setenv("DWSCRAPE_DB_RETRY_SECONDS", bad)
        assert retry_seconds_from_env() == 60


@pytest.fixture
def proxied(postgres_databases: Any) -> Iterator[tuple[DatabaseProxy, str]]:
    """A migrated PostgreSQL database reached through a proxy the test can cut."""
    url = postgres_databases.migrated_copy()
    with DatabaseProxy(url) as proxy:
        yield proxy, proxy.url(url)
    postgres_databases.drop(make_url(url).database or "")


def _repository(url: str, retry_s: float) -> Repository:
    repo = Repository(make_engine(url))
    repo.outage_retry_seconds = retry_s
    return repo


@pytest.mark.postgres
def test_a_write_waits_for_the_server_to_come_back(proxied: tuple[DatabaseProxy, str]) -> None:
    proxy, url = proxied
    repo = _repository(url, 30)
    repo.store_article(make_article(1))
    proxy.cut()
    threading.Timer(1.5, proxy.restore).start()
    started = time.monotonic()
    result = repo.store_article(make_article(2))
    assert result.status == "new"
    assert 1.0 < time.monotonic() - started < 20
    assert repo.find_article(2) is not None
    repo.engine.dispose()


@pytest.mark.postgres
def test_an_outage_longer_than_the_budget_is_a_database_error(
    proxied: tuple[DatabaseProxy, str],
) -> None:
    proxy, url = proxied
    repo = _repository(url, 1.0)
    repo.store_article(make_article(1))
    proxy.cut()
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError):
        repo.store_article(make_article(2))
    with pytest.raises(DatabaseUnavailableError):
        repo.find_article(1)
    assert time.monotonic() - started < 10
    repo.engine.dispose()


def test_a_dropped_table_is_not_retried(db_url: str) -> None:
    repo = _repository(db_url, 60)
    with repo.engine.begin() as conn:
        conn.execute(
            text(
                "DROP TABLE crawl_runs CASCADE" if "postgres" in db_url else "DROP TABLE crawl_runs"
            )
        )
    started = time.monotonic()
    with pytest.raises(QueryError):
        repo.start_run("run")
    assert time.monotonic() - started < 5
    repo.engine.dispose()


@pytest.mark.parametrize("as_json", [False, True])
def test_run_prints_its_summary_when_the_database_goes_away(
    db_url: str, site: FaultSite, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseUnavailableError("lease failed: connection refused (simulated)")

    monkeypatch.setattr(Repository, "release_expired", down)
    args = ["run", "--db", db_url, "--site", site.base_url, "--delay", "0", "-q"]
    result = CliRunner().invoke(cli, [*args, *(["--json"] if as_json else [])])
    assert result.exit_code == ExitCode.DATABASE, result.output
    assert ("database_error" if as_json else "stopped by database_error") in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "connection refused (simulated)" in errors[0]


def test_db_retry_is_checked(tmp_path: Any) -> None:
    db = str(tmp_path / "x.sqlite3")
    for bad in ("nan", "inf", "-1", "100000000"):
        result = CliRunner().invoke(cli, ["stats", "--db-retry", bad, "--db", db])
        assert result.exit_code == ExitCode.USAGE, result.output
    assert CliRunner().invoke(cli, ["stats", "--db-retry", "0", "--db", db]).exit_code == 0


@pytest.mark.postgres
def test_a_run_started_while_the_server_is_down_waits_for_it(
    proxied: tuple[DatabaseProxy, str], site: FaultSite
) -> None:
    """cron starting `run` during a server restart: the run waits (as for an outage in the
    middle of a run) and then does its work."""
    proxy, url = proxied
    proxy.cut()
    threading.Timer(1.5, proxy.restore).start()
    started = time.monotonic()
    args = ["run", "--db", url, "--site", site.base_url, "--delay", "0", "-q", "--db-retry", "30"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.OK, result.output
    assert time.monotonic() - started > 1.0
    repo = _repository(url, 0)
    assert repo.stats()["articles"] > 0
    repo.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command", [["run"], ["worker", "--idle-exit", "1"], ["backfill", "--lang", "fr"]]
)
def test_a_server_down_longer_than_the_budget_at_start_is_exit_4_on_one_line(
    proxied: tuple[DatabaseProxy, str], site: FaultSite, command: list[str]
) -> None:
    proxy, url = proxied
    proxy.cut()
    started = time.monotonic()
    args = [*command, "--db", url, "--site", site.base_url, "-q", "--db-retry", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.DATABASE, result.output
    assert 1.0 <= time.monotonic() - started < 15
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "connecting to the database" in errors[0], result.stderr
