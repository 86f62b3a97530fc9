"""Engines for a database URL: SQLite (default, embedded) or PostgreSQL (shared, large).

Nothing here runs at import time: callers build an engine from a URL when they need one.

SQLite is tuned for a crawler that writes while someone reads: WAL journal (readers never block
the writer), a busy timeout (a second writer waits instead of failing), foreign keys on,
``synchronous=NORMAL`` (safe with WAL: a power cut may lose the last commits, never corrupts),
and statement journals kept in memory.
pysqlite's own transaction handling is switched off so that SQLAlchemy's ``begin`` really emits
``BEGIN``: write transactions ask for ``BEGIN IMMEDIATE`` (see `write_options`), which takes the
write lock up front, so a read-then-write transaction can never deadlock on lock upgrade.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from scraper.errors import StorageError

#: Milliseconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Execution option a write transaction sets to get ``BEGIN IMMEDIATE`` on SQLite.
BEGIN_IMMEDIATE = "dwscrape_begin_immediate"


def dump_json(value: Any) -> str:
    """JSON text as every JSON column is written: characters beyond ASCII kept as they are.

    The engines' ``json_serializer`` and `db.rows.encode_record`'s, so that a stored record is
    already the text `export` writes (streamed without decoding the escapes), and a Russian or
    Chinese article takes two or three bytes a character instead of six."""
    return json.dumps(value, ensure_ascii=False)


def default_database_url() -> str:
    """``sqlite:///<user data dir>/dwscrape.sqlite3`` (the directory is created)."""
    directory = Path(user_data_dir("dwscrape", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'dwscrape.sqlite3'}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url` (``sqlite:///path`` or ``postgresql+psycopg://…``)."""
    parsed = make_url(url)
    kwargs.setdefault("json_serializer", dump_json)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _make_directory(Path(parsed.database).expanduser().parent)
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _make_directory(directory: Path) -> None:
    """The SQLite file's directory, created if needed; a path that cannot hold one (under a
    file, in /proc, no permission) is a `StorageError` (exit 4), not a crash."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the directory {directory}: {exc.strerror}") from exc


def write_options() -> dict[str, Any]:
    """Execution options for a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    return {BEGIN_IMMEDIATE: True}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's implicit BEGIN is deferred
        # and skipped for DDL); see the SQLAlchemy "serializable isolation" recipe.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Statement journals in memory: the FTS insert trigger on `articles` makes every row of
        # the bulk insert a statement that needs one, and SQLite moves a statement journal that
        # outgrew 64 KiB to a temporary file for the rest of the transaction, rewritten for
        # every row (nearly as many bytes as the WAL itself). In memory it is emptied after
        # each row.
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
