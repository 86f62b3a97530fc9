"""The run lock: at most one `dwscrape run` schedules work for a database at a time.

It guards discovery and scheduling (the frontier), so a cron job that starts while the previous
run is still going exits at once with `ExitCode.LOCKED` instead of doubling the load on DW.
Worker processes that only lease from the frontier never take it.

- SQLite: an exclusive `fcntl.flock` on a lock file next to the database file
  (``articles.sqlite3`` -> ``articles.sqlite3.lock``). The kernel drops the lock when the process
  dies, even on SIGKILL, so a crashed run never leaves a stale lock behind.
- PostgreSQL: a session-level `pg_try_advisory_lock` on one connection kept open for the whole
  run; the server releases it when that connection ends, again also after a crash.

The lock file's content (pid, start time) is only informative: the flock is the truth.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import structlog
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from db.config import describe_url, sqlite_path
from db.errors import DatabaseUnavailableError, map_db_errors
from scraper.errors import DwscrapeError

log = structlog.get_logger(__name__)

#: Advisory-lock key of `dwscrape run` (an arbitrary constant: "dwscrape" in ASCII, folded).
ADVISORY_LOCK_KEY = 0x6477_7363_7261_7065 & 0x7FFF_FFFF_FFFF_FFFF


class LockHeldError(DwscrapeError):
    """Another process holds the run lock for this database."""


@contextmanager
def run_lock(database_url: str) -> Iterator[None]:
    """Hold the run lock for `database_url` for the duration of the block.

    Raises `LockHeldError` at once (never waits) when another process holds it.
    """
    backend = make_url(database_url).get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(database_url):
            yield
        return
    path = sqlite_path(database_url)
    if path is None:  # in-memory SQLite: private to this process, nothing to guard
        yield
        return
    with _file_lock(path.with_name(path.name + ".lock")):
        yield


@contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise LockHeldError(f"another run holds the lock {lock_path} ({holder})") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC).isoformat()}\n")
        handle.flush()
        log.debug("lock.acquired", path=str(lock_path))
        yield
    finally:
        handle.close()  # closing the descriptor releases the flock


@contextmanager
def _advisory_lock(database_url: str) -> Iterator[None]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        try:
            conn = engine.connect()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailableError(
                f"cannot connect to {describe_url(database_url)}: {exc.__class__.__name__}"
            ) from exc
        try:
            with map_db_errors("taking the run lock"):
                _acquire_advisory(conn, database_url)
            log.debug("lock.acquired", advisory_key=ADVISORY_LOCK_KEY)
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                    conn.commit()
                except SQLAlchemyError:  # the connection died: the server dropped the lock
                    log.warning("lock.release_failed", exc_info=True)
        finally:
            conn.close()
    finally:
        engine.dispose()


def _acquire_advisory(conn: Connection, database_url: str) -> None:
    got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    conn.commit()
    if got.scalar():
        return
    holder = conn.execute(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :k LIMIT 1"
        ),
        {"k": ADVISORY_LOCK_KEY},
    ).scalar()
    raise LockHeldError(
        f"another run holds the advisory lock on {describe_url(database_url)}"
        f" (backend pid {holder})"
    )
