"""The run lock: at most one `dwscrape run` schedules work for a database at a time.

It guards discovery and scheduling (the frontier), so a cron job that starts while the previous
run is still going exits at once with `ExitCode.LOCKED` instead of doubling the load on DW.
Worker processes that only lease from the frontier never take it.

- SQLite: an exclusive `fcntl.flock` on a lock file next to the database file
  (``articles.sqlite3`` -> ``articles.sqlite3.lock``), keyed by the file's resolved path, so a
  symlink or a path with ``..`` reaches the same lock. The kernel drops the lock when the
  process dies, even on SIGKILL, so a crashed run never leaves a stale lock behind.
- PostgreSQL: a session-level `pg_try_advisory_lock` on one connection kept open for the whole
  run; the server releases it when that connection ends, again also after a crash. That also
  means a terminated backend or a server restart drops it silently: the run asks
  `RunLock.verify` before each batch and stops with `LockLostError` once it is gone.

The lock file's content (pid, start time) is only informative: the flock is the truth.

`migration_lock` serialises the automatic migration of a brand-new SQLite file, so several
commands started at once on a new file wait for the first one's migration instead of failing
on "database is locked".
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from db.config import describe_url, sqlite_path
from db.errors import DatabaseUnavailableError, map_db_errors
from scraper.errors import DwscrapeError, StorageError
from scraper.lazylog import LazyLogger

log = LazyLogger(__name__)

#: Advisory-lock key of `dwscrape run` (an arbitrary constant: "dwscrape" in ASCII, folded).
ADVISORY_LOCK_KEY = 0x6477_7363_7261_7065 & 0x7FFF_FFFF_FFFF_FFFF


#: How long a command waits for another one's migration of a new SQLite file.
MIGRATION_WAIT_S = 120.0


class LockHeldError(DwscrapeError):
    """Another process holds the run lock for this database."""


class LockLostError(DwscrapeError):
    """The run lock was lost while the run held it (its database connection ended)."""


class RunLock:
    """A held run lock; `verify` raises `LockLostError` when it is no longer held."""

    def __init__(self, conn: Connection | None = None) -> None:
        self._conn = conn

    def verify(self) -> None:
        if self._conn is None:  # a flock cannot be lost while its descriptor is open
            return
        try:
            held = self._conn.execute(_HELD, {"k": ADVISORY_LOCK_KEY}).scalar()
            self._conn.commit()
        except SQLAlchemyError as exc:
            raise LockLostError(
                "the run lock was lost: its database connection ended "
                f"({exc.__class__.__name__}); another run may have started, stopping"
            ) from exc
        if not held:
            raise LockLostError("the run lock was lost (the server released it); stopping")


_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :k"
)


def lock_file(database_file: Path, suffix: str = ".lock") -> Path:
    """The lock file of a SQLite database: next to the file it resolves to (symlinks, ``..``),
    so every path naming one database names one lock."""
    real = database_file.expanduser().resolve()
    return real.with_name(real.name + suffix)


@contextmanager
def run_lock(database_url: str) -> Iterator[RunLock]:
    """Hold the run lock for `database_url` for the duration of the block.

    Raises `LockHeldError` at once (never waits) when another process holds it.
    """
    backend = make_url(database_url).get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(database_url) as conn:
            yield RunLock(conn)
        return
    path = sqlite_path(database_url)
    if path is None:  # in-memory SQLite: private to this process, nothing to guard
        yield RunLock()
        return
    with _file_lock(lock_file(path)):
        yield RunLock()


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Wait (up to `MIGRATION_WAIT_S`) for the exclusive right to migrate a SQLite file; a
    no-op for PostgreSQL and in-memory databases (their migrations are not automatic)."""
    path = sqlite_path(database_url)
    if path is None:
        yield
        return
    with _file_lock(lock_file(path, ".migrate.lock"), wait_s=MIGRATION_WAIT_S):
        yield


def _take_flock(handle: IO[str], wait_s: float) -> None:
    """An exclusive flock, at once or within `wait_s` seconds; BlockingIOError otherwise."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


@contextmanager
def _file_lock(lock_path: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    try:  # a path that cannot hold the lock file (under a file, no permission): exit 4
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle: IO[str] = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
    except OSError as exc:
        raise StorageError(
            f"cannot create the directory {lock_path.parent}: {exc.strerror}"
        ) from exc
    try:
        try:
            _take_flock(handle, wait_s)
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
def _advisory_lock(database_url: str) -> Iterator[Connection]:
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
                yield conn
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                    conn.commit()
                except SQLAlchemyError as exc:  # the connection died: the lock went with it
                    log.warning("lock.release_failed", error=exc.__class__.__name__)
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
