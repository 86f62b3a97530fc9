"""Database errors as dwscrape errors: the one place SQLAlchemy and driver exceptions are mapped.

Every read and write of `db` runs inside `map_db_errors` (the repository's `_read` and `_write`
use it, so do migrations and the run lock), the way httpx wraps httpcore's exceptions: a caller
of the storage layer only ever sees `StorageError` and its subclasses, so the CLI can answer
any database failure with one line and exit code 4 instead of a traceback.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

from scraper.errors import StorageError


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached or used right now: refused or lost connection, a
    locked or read-only file, a server shutting down. Worth trying again later."""


class IntegrityViolationError(StorageError):
    """A write broke a constraint (unique, foreign key, not null)."""


class QueryError(StorageError):
    """A statement failed: a missing table or column (schema not what the code expects), a
    malformed query, data the database refused."""


def storage_error(what: str, exc: BaseException) -> StorageError:
    """The `StorageError` for a SQLAlchemy or driver exception raised while doing `what`."""
    if isinstance(exc, StorageError):
        return exc
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    detail = str(orig) if orig is not None else str(exc)
    message = f"{what} failed: {detail.strip() or exc.__class__.__name__}"
    return _error_class(exc)(message)


def _error_class(exc: BaseException) -> type[StorageError]:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailableError
    if isinstance(exc, OperationalError | InterfaceError):
        # SQLite reports a missing table as an OperationalError too; it is a query problem
        text = str(exc.orig).lower()
        if "no such table" in text or "no such column" in text or "syntax error" in text:
            return QueryError
        return DatabaseUnavailableError
    if isinstance(exc, IntegrityError | sqlite3.IntegrityError):
        return IntegrityViolationError
    if isinstance(exc, sqlite3.OperationalError):
        return DatabaseUnavailableError
    psycopg = _psycopg()
    if psycopg is not None and isinstance(exc, psycopg.IntegrityError):
        return IntegrityViolationError
    if psycopg is not None and isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return DatabaseUnavailableError
    if isinstance(exc, SQLAlchemyError) and not isinstance(exc, DBAPIError):
        # raised by SQLAlchemy itself, e.g. a closed connection or a closed result
        return DatabaseUnavailableError if "closed" in str(exc).lower() else QueryError
    return QueryError


def _psycopg() -> ModuleType | None:
    """The PostgreSQL driver if something imported it (else none of its errors can occur):
    importing it costs more than the rest of a SQLite command's start-up."""
    return sys.modules.get("psycopg")


def database_errors() -> tuple[type[Exception], ...]:
    """Exceptions `map_db_errors` turns into `StorageError`: SQLAlchemy's, and the drivers' own
    (raised where the repository talks to the driver directly, as in PostgreSQL's COPY)."""
    psycopg = _psycopg()
    if psycopg is None:
        return (SQLAlchemyError, sqlite3.Error)
    return (SQLAlchemyError, sqlite3.Error, psycopg.Error)


@contextmanager
def map_db_errors(what: str) -> Iterator[None]:
    """Turn any database exception raised in the block into a `StorageError` subclass whose
    message says what was being done (``"<what> failed: <driver message>"``)."""
    try:
        yield
    except Exception as exc:
        if isinstance(exc, database_errors()):
            raise storage_error(what, exc) from exc
        raise
