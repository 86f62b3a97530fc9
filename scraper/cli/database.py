"""The database as the commands open it: URL from the options, schema gate, run lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.config import describe_url, resolve_database_url
from db.engine import make_engine
from db.lock import LockHeldError, run_lock
from db.migrate import ensure_schema
from db.repository import Repository
from scraper.cli.common import RunLocked, Settings


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
def run_lock_held(url: str) -> Iterator[None]:
    """The run lock of the database at `url`; exit 3 at once when another run holds it."""
    try:
        with run_lock(url):
            yield
    except LockHeldError as exc:
        raise RunLocked(str(exc)) from exc
