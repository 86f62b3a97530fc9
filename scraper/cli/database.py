"""The database as the commands open it: URL from the options, schema gate, run lock, and the
per-host gate shared by every process fetching for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from db.config import describe_url, resolve_database_url
from db.engine import make_engine
from db.lock import LockHeldError, LockLostError, run_lock
from db.outage import retry_seconds_from_env, wait_until_reachable
from db.repository import Repository
from db.schema import ensure_schema
from scraper.cli.common import DatabaseFailure, RunLocked, Settings

if TYPE_CHECKING:  # the commands that only read never import the network code
    from scraper.fetching import HostGate


def scheduled_database_url(settings: Settings) -> str:
    """`database_url` for the scheduled commands (run, worker, backfill), once the database
    takes connections: a server that is down when cron starts one is waited for up to
    --db-retry / $DWSCRAPE_DB_RETRY_SECONDS, as an outage during the run is."""
    url = database_url(settings)
    retry = settings.db_retry if settings.db_retry is not None else retry_seconds_from_env()
    wait_until_reachable(url, retry)
    return url


def database_url(settings: Settings) -> str:
    """--db, else $DWSCRAPE_DATABASE_URL, else the default SQLite file; remembered (without its
    password) for the messages of database errors."""
    url = resolve_database_url(settings.db)
    settings.db_label = describe_url(url)
    return url


@contextmanager
def open_repository(settings: Settings) -> Iterator[Repository]:
    """The repository over the configured database. A new SQLite file is migrated first; an
    out-of-date or unreachable database raises `StorageError` (exit 4, see `scraper.cli.app`)."""
    url = database_url(settings)
    ensure_schema(url)
    engine = make_engine(url)
    try:
        repo = Repository(engine)
        if settings.db_retry is not None:
            repo.outage_retry_seconds = settings.db_retry
        yield repo
    finally:
        engine.dispose()


@contextmanager
def run_lock_held(url: str) -> Iterator[Callable[[], None]]:
    """The run lock of the database at `url`; exit 3 at once when another run holds it.
    Yields the lock's check, for the run to call before each batch: a lost lock (its
    PostgreSQL connection ended) stops the run with exit 4."""
    try:
        with run_lock(url) as lock:
            yield lock.verify
    except LockHeldError as exc:
        raise RunLocked(str(exc)) from exc
    except LockLostError as exc:
        raise DatabaseFailure(str(exc)) from exc


@contextmanager
def host_gate(repo: Repository) -> Iterator[HostGate | None]:
    """The per-host pacing shared through the database on PostgreSQL, where several processes
    may fetch at once; None on SQLite (one process fetches: its own pacing is enough)."""
    if repo.dialect != "postgresql":
        yield None
        return
    from scraper.fetching import ThreadedHostGate

    gate = ThreadedHostGate(repo)
    try:
        yield gate
    finally:
        gate.close()
