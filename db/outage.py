"""Riding out a database outage: a restarted PostgreSQL server, a terminated backend, a SQLite
file another process keeps locked.

A crawl runs for minutes to hours under cron; the database restarting in between (an upgrade,
a failover) should cost a pause, not the run. A statement that failed because the connection
was refused or lost is run again, with exponential backoff, until `retry_seconds` have passed
since the first failure; then the error stands (exit 4). Only connection-level failures are
transient: a missing table, a read-only file or refused data fail at once, since waiting cannot
mend them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from db.errors import database_errors
from scraper.lazylog import LazyLogger

log = LazyLogger("db.repository")

T = TypeVar("T")

ENV_RETRY_SECONDS = "DWSCRAPE_DB_RETRY_SECONDS"
#: How long a transient outage is waited out by default (seconds).
DEFAULT_RETRY_SECONDS = 60.0
#: The longest single pause between two attempts.
MAX_PAUSE_S = 5.0

#: SQLSTATEs of a lost or refused connection: class 08 (connection exception), and 57P01-57P03
#: (admin shutdown, crash shutdown, cannot connect now).
_CONNECTION_CLASS = "08"
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})
_TRANSIENT_TEXT = (
    "connection refused",
    "connection failed",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "the connection is lost",
    "consuming input failed",
    "database system is starting up",
    "database system is shutting down",
    "database is locked",
    "database is busy",
)
#: What a failed connection says when waiting will not help: psycopg reports these as
#: "connection failed: …" too, but a missing database or role, or refused credentials, stay so.
_PERMANENT_TEXT = ("does not exist", "authentication failed", "no pg_hba.conf entry")


def retry_seconds_from_env() -> float:
    """`DWSCRAPE_DB_RETRY_SECONDS`, else the default; a value that is not a finite number ≥ 0
    is the default too (the CLI checks its own option strictly)."""
    raw = os.environ.get(ENV_RETRY_SECONDS)
    try:
        value = float(raw) if raw is not None else DEFAULT_RETRY_SECONDS
    except ValueError:
        return DEFAULT_RETRY_SECONDS
    return value if 0 <= value < float("inf") else DEFAULT_RETRY_SECONDS


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached right now (worth waiting for)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if any(marker in str(orig).lower() for marker in _PERMANENT_TEXT):  # sqlstate may say 08
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    state = getattr(orig, "sqlstate", None) or ""
    if state.startswith(_CONNECTION_CLASS) or state in _SHUTDOWN_STATES:
        return True
    text = str(orig).lower()
    return any(marker in text for marker in _TRANSIENT_TEXT)


def with_outage_retry(
    fn: Callable[[], T],
    what: str,
    retry_seconds: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`fn()`, called again after a transient database error until `retry_seconds` have passed
    since the first one; any other error, or the last transient one, is raised as it is."""
    deadline: float | None = None
    pause = 0.1
    while True:
        try:
            return fn()
        except database_errors() as exc:
            if not is_transient(exc):
                raise
            now = clock()
            deadline = now + retry_seconds if deadline is None else deadline
            if now >= deadline:
                raise
            log.warning("db.unavailable", what=what, retry_in_s=round(pause, 2), error=str(exc))
            sleep(min(pause, deadline - now))
            pause = min(pause * 2, MAX_PAUSE_S)


def wait_until_reachable(url: str, retry_seconds: float) -> None:
    """Return once the PostgreSQL server at `url` takes a connection, waiting out a refused or
    lost one for up to `retry_seconds` as `with_outage_retry` does; then `StorageError`.

    For the scheduled commands (`run`, `worker`, `backfill`): cron starting one while the server
    restarts should cost a pause, like an outage in the middle of a run, not the night's run.
    SQLite is a file: nothing to wait for (a locked file waits in its busy timeout)."""
    from sqlalchemy.pool import NullPool

    from db.engine import is_sqlite, make_engine
    from db.errors import map_db_errors

    if is_sqlite(url):
        return
    engine = make_engine(url, poolclass=NullPool, pool_pre_ping=False)
    try:
        with map_db_errors("connecting to the database"):
            with_outage_retry(lambda: engine.connect().close(), "connect", retry_seconds)
    finally:
        engine.dispose()
