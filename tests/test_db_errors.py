"""Database failures surface as `StorageError` subclasses, never as SQLAlchemy or driver
exceptions: reads and writes on a dropped table, an unreachable database, a closed
connection; on both databases."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from db.errors import (
    DatabaseUnavailableError,
    IntegrityViolationError,
    QueryError,
    map_db_errors,
    storage_error,
)
from db.repository import Repository
from scraper.errors import StorageError
from tests.support.articles import make_article

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)

READS: dict[str, Callable[[Repository], Any]] = {
    "get_article": lambda r: r.get_article(1),
    "find_article": lambda r: r.find_article("https://www.dw.com/en/x/a-1"),
    "iter_articles": lambda r: list(r.iter_articles()),
    "known_urls": lambda r: r.known_urls(["https://www.dw.com/en/x/a-1"]),
    "stale_urls": lambda r: r.stale_urls(NOW),
    "search": lambda r: r.search("putin"),
    "stats": lambda r: r.stats(),
    "raw_pages": lambda r: list(r.raw_pages()),
}


def _drop(repo: Repository, table: str) -> None:
    with repo.engine.begin() as conn:
        if repo.dialect == "postgresql":
            conn.execute(text(f"DROP TABLE {table} CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.execute(text(f"DROP TABLE {table}"))


@pytest.mark.parametrize("read", sorted(READS))
def test_read_of_a_dropped_table_is_a_storage_error(repo: Repository, read: str) -> None:
    repo.store_article(make_article(1))
    if read == "search":  # a search reads the word index before any article
        _drop(repo, "article_search" if repo.dialect == "postgresql" else "articles_fts")
    else:
        _drop(repo, "articles")
    with pytest.raises(StorageError) as caught:
        READS[read](repo)
    assert isinstance(caught.value, QueryError)
    assert "failed:" in str(caught.value)


def test_frontier_and_fetch_log_on_dropped_tables(repo: Repository) -> None:
    _drop(repo, "frontier")
    with pytest.raises(QueryError):
        repo.frontier_counts()
    with pytest.raises(QueryError):
        repo.lease("w1")
    _drop(repo, "crawl_runs")
    with pytest.raises(QueryError):
        repo.recent_runs()


def test_write_to_a_dropped_table_is_a_storage_error(repo: Repository) -> None:
    _drop(repo, "url_aliases")
    with pytest.raises(StorageError):
        repo.store_article(make_article(2))


def test_unreachable_database(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.sqlite3'}"
    else:
        url = db_url.rsplit("/", 1)[0] + "/dwscrape_no_such_database"
    engine = create_engine(url)
    try:
        repo = Repository(engine)
        with pytest.raises(DatabaseUnavailableError):
            repo.get_article(1)
        with pytest.raises(DatabaseUnavailableError):
            repo.enqueue(["https://www.dw.com/en/x/a-1"])
    finally:
        engine.dispose()


def test_closed_connection_during_a_read(repo: Repository) -> None:
    with pytest.raises(DatabaseUnavailableError), repo._read("test read") as conn:
        conn.close()
        conn.execute(select(1))


def test_disposed_engine_still_reads(repo: Repository) -> None:
    """Disposing the pool between reads is not an error: the next read reconnects."""
    repo.store_article(make_article(3))
    repo.engine.dispose()
    assert repo.get_article(1) is not None


def test_storage_error_classes() -> None:
    assert isinstance(
        storage_error("w", IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE"))),
        IntegrityViolationError,
    )
    assert isinstance(
        storage_error("r", OperationalError("SELECT", {}, sqlite3.OperationalError("locked"))),
        DatabaseUnavailableError,
    )
    assert isinstance(
        storage_error(
            "r", OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
        ),
        QueryError,
    )
    assert isinstance(
        storage_error("c", psycopg.OperationalError("gone")), DatabaseUnavailableError
    )
    assert isinstance(
        storage_error("c", psycopg.errors.UniqueViolation("dup")), IntegrityViolationError
    )
    same = StorageError("already mapped")
    assert storage_error("x", same) is same


def test_map_db_errors_leaves_other_exceptions_alone() -> None:
    with pytest.raises(ValueError), map_db_errors("nothing"):
        raise ValueError("not a database error")
    with (
        pytest.raises(QueryError, match="^reading things failed: boom$"),
        map_db_errors("reading things"),
    ):
        raise sqlite3.ProgrammingError("boom")


@pytest.mark.postgres
def test_connection_killed_by_the_server(postgres_repo: Repository) -> None:
    """A pooled connection the server has closed (restart, idle timeout) fails the next read
    with `DatabaseUnavailableError` when the pool does not ping it first."""
    url = postgres_repo.engine.url
    engine = create_engine(url)  # no pool_pre_ping: the dead connection is handed out
    try:
        repo = Repository(engine)
        assert repo.get_article(1) is None
        with postgres_repo.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        with pytest.raises(DatabaseUnavailableError):
            repo.get_article(1)
    finally:
        engine.dispose()
