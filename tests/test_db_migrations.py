"""Migrations: upgrade to head and downgrade to base on both databases; models agree with the
migrations; `ensure_schema` auto-migrates only a brand-new SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import make_engine
from db.repository import Repository
from db.schema import ensure_schema, head_revision
from scraper.errors import SchemaOutOfDateError
from tests.support.articles import make_article
from tests.support.db import PostgresDatabases

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
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            assert {"ix_article_search_vector", "ix_articles_text_trgm"} <= indexes
            assert "ix_articles_search_vector" not in indexes  # went with the column (0003)
            triggers = set(conn.execute(text("SELECT tgname FROM pg_trigger")).scalars())
            assert {"article_search_ai", "article_search_au"} <= triggers
            storage = conn.execute(
                text(
                    "SELECT attstorage FROM pg_attribute WHERE attname = 'search_vector'"
                    " AND attrelid = 'article_search'::regclass"
                )
            ).scalar_one()
            assert storage == "m"  # vectors stay in their row (see migration 0003)
    engine.dispose()


def _article_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {c["name"] for c in inspect(conn).get_columns("articles")}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_search_table_migration_keeps_the_vectors(postgres_databases: PostgresDatabases) -> None:
    """0002 -> 0003 copies the generated column's vectors into `article_search`, 0003 -> 0002
    restores the column from the texts, and up again: the same vectors and hits each time."""
    url = postgres_databases.url(postgres_databases.create())
    migrate.upgrade(url)  # stored by today's code, then taken down to 0002 with its data
    engine = make_engine(url)
    repo = Repository(engine)
    repo.store_articles(
        [make_article(i, lang="en", title=f"Bilby {i}" if i % 2 else None) for i in range(1, 7)]
    )
    engine.dispose()
    migrate.downgrade(url, "0002")
    vectors_sql = "SELECT {id}, search_vector::text FROM {table} ORDER BY 1"
    try:
        with engine.connect() as conn:
            old = conn.execute(text(vectors_sql.format(id="id", table="articles"))).all()
        engine.dispose()
        for _ in range(2):
            migrate.upgrade(url)
            assert "search_vector" not in _article_columns(url)
            with engine.connect() as conn:
                new = conn.execute(
                    text(vectors_sql.format(id="article_id", table="article_search"))
                ).all()
            assert new == old and len(new) == 6
            assert [h.dw_id for h in repo.search("bilby")] == [5, 3, 1]
            engine.dispose()
            migrate.downgrade(url, "0002")
            with engine.connect() as conn:
                assert (
                    conn.execute(text(vectors_sql.format(id="id", table="articles"))).all() == old
                )
                gone = conn.execute(
                    text("SELECT to_regclass('article_search'), to_regproc('article_search_sync')")
                ).one()
                assert gone == (None, None)
            engine.dispose()
    finally:
        engine.dispose()
        postgres_databases.drop(make_url(url).database or "")


def test_ensure_schema_migrates_new_sqlite_and_refuses_outdated(empty_db_url: str) -> None:
    if empty_db_url.startswith("sqlite"):
        ensure_schema(empty_db_url)  # brand-new file: migrated automatically
        assert migrate.current(empty_db_url) == migrate.head()
        ensure_schema(empty_db_url)  # at head: nothing to do
        engine = make_engine(empty_db_url)
        with engine.begin() as conn:  # pretend the database is from an older dwscrape
            conn.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
        engine.dispose()
        with pytest.raises(Exception, match="newer|upgrade"):
            ensure_schema(empty_db_url)
    else:
        with pytest.raises(SchemaOutOfDateError, match="dwscrape db upgrade"):
            ensure_schema(empty_db_url)  # shared server: never migrated behind one's back
        migrate.upgrade(empty_db_url)
        ensure_schema(empty_db_url)


def test_sqlite_with_foreign_tables_is_not_auto_migrated(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/other.sqlite3"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDateError, match="dwscrape db upgrade"):
        ensure_schema(url)


def test_migrations_run_from_any_working_directory(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/")
    url = f"sqlite:///{tmp_path}/cwd.sqlite3"
    migrate.upgrade(url)
    assert migrate.current(url) == migrate.head()


@pytest.mark.postgres
def test_accent_folding_migration_recomputes_the_vectors(
    postgres_databases: PostgresDatabases,
) -> None:
    """0003 -> 0004 recomputes the stored vectors with the accent-folding configuration, so an
    article stored before the upgrade is found without its accents; 0004 -> 0003 undoes it."""
    url = postgres_databases.url(postgres_databases.create())
    migrate.upgrade(url)  # stored by today's code, then taken down to 0003 with its data
    engine = make_engine(url)
    repo = Repository(engine)
    repo.store_articles([make_article(41, lang="en", text="Heavy rain in São Paulo today.")])
    engine.dispose()
    migrate.downgrade(url, "0003")
    lexemes = "SELECT search_vector::text FROM article_search"
    try:
        with engine.connect() as conn:
            before = conn.execute(text(lexemes)).scalar_one()
        assert "'são'" in before
        engine.dispose()
        migrate.upgrade(url, "0004")
        with engine.connect() as conn:
            assert "'sao'" in conn.execute(text(lexemes)).scalar_one()
        assert [h.dw_id for h in repo.search("sao paulo")] == [41]
        assert [h.dw_id for h in repo.search("São Paulo")] == [41]
        # written after the upgrade (by today's code, at head): the trigger folds too
        engine.dispose()
        migrate.upgrade(url)
        repo.store_articles([make_article(42, lang="de", text="Die Brücke über die Spree.")])
        assert [h.dw_id for h in repo.search("brucke uber")] == [42]
        engine.dispose()
        migrate.downgrade(url, "0003")
        with engine.connect() as conn:
            assert conn.execute(text(f"{lexemes} ORDER BY article_id")).scalars().first() == before
            assert (
                conn.execute(
                    text("SELECT count(*) FROM pg_ts_config WHERE cfgname = 'dwscrape_simple'")
                ).scalar_one()
                == 0
            )
        engine.dispose()
    finally:
        engine.dispose()
        postgres_databases.drop(make_url(url).database or "")


def test_static_head_is_alembics_head() -> None:
    """The schema check reads the head from the migration files without alembic: it must be
    the revision alembic itself calls the head."""
    assert head_revision() == migrate.head()
