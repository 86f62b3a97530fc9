"""Migrations: upgrade to head and downgrade to base on both databases; models agree with the
migrations; `ensure_schema` auto-migrates only a brand-new SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from db import migrate
from db.engine import make_engine
from scraper.errors import SchemaOutOfDateError

TABLES = {
    "articles",
    "article_revisions",
    "authors",
    "agencies",
    "topics",
    "article_authors",
    "article_topics",
    "article_agencies",
    "article_credits",
    "images",
    "image_agencies",
    "image_photographers",
    "url_aliases",
    "raw_pages",
    "fetches",
    "crawl_runs",
    "frontier",
}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_head_then_downgrade_base_then_upgrade_again(empty_db_url: str) -> None:
    assert migrate.current(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()
    assert tables(empty_db_url) >= TABLES
    assert migrate.check(empty_db_url) == []

    migrate.downgrade(empty_db_url, "base")
    assert migrate.current(empty_db_url) is None
    assert tables(empty_db_url) == set()  # FTS5 tables, triggers and all gone too

    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()


def test_check_reports_a_drift(db_url: str) -> None:
    assert migrate.check(db_url) == []
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_articles_language"))
    engine.dispose()
    diffs = migrate.check(db_url)
    assert diffs and "ix_articles_language" in repr(diffs)


def test_search_structures_exist(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
            assert {
                "articles_fts",
                "articles_fts_tri",
                "articles_fts_ai",
                "articles_fts_au",
            } <= names
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
            # the write path's settings (db/engine.py): NORMAL sync, statement journals in memory
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
            assert conn.execute(text("PRAGMA temp_store")).scalar() == 2
        else:
            indexes = set(
                conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = 'articles'")
                ).scalars()
            )
            assert {"ix_articles_search_vector", "ix_articles_text_trgm"} <= indexes
    engine.dispose()


def test_ensure_schema_migrates_new_sqlite_and_refuses_outdated(empty_db_url: str) -> None:
    if empty_db_url.startswith("sqlite"):
        migrate.ensure_schema(empty_db_url)  # brand-new file: migrated automatically
        assert migrate.current(empty_db_url) == migrate.head()
        migrate.ensure_schema(empty_db_url)  # at head: nothing to do
        engine = make_engine(empty_db_url)
        with engine.begin() as conn:  # pretend the database is from an older dwscrape
            conn.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
        engine.dispose()
        with pytest.raises(Exception, match="newer|upgrade"):
            migrate.ensure_schema(empty_db_url)
    else:
        with pytest.raises(SchemaOutOfDateError, match="dwscrape db upgrade"):
            migrate.ensure_schema(empty_db_url)  # shared server: never migrated behind one's back
        migrate.upgrade(empty_db_url)
        migrate.ensure_schema(empty_db_url)


def test_sqlite_with_foreign_tables_is_not_auto_migrated(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/other.sqlite3"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDateError, match="dwscrape db upgrade"):
        migrate.ensure_schema(url)


def test_migrations_run_from_any_working_directory(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    url = f"sqlite:///{tmp_path}/cwd.sqlite3"
    migrate.upgrade(url)
    assert migrate.current(url) == migrate.head()
