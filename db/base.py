"""Repository plumbing: write transactions replayed on conflicts, dialect-specific INSERT,
the shared raw-page store. Mixed into `db.repository.Repository`."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from db import models as m
from db.engine import write_options
from db.rows import compress_page
from scraper.errors import StorageError

log = structlog.get_logger("db.repository")

T = TypeVar("T")

#: How often a write transaction is replayed after a conflict before giving up.
MAX_ATTEMPTS = 8
#: SQLSTATEs worth replaying: serialization failure, deadlock, unique violation.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "23505"})


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Conflict(Exception):
    """Another writer got there first: replay the transaction."""


@dataclass
class Pending:
    """Entity ids learnt in the current transaction, cached only once it commits."""

    entities: dict[tuple[str, str], int] = field(default_factory=dict)


class RepositoryBase:
    """Engine, dialect, and the transaction helpers every part of the repository uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._writer = engine.execution_options(**write_options())
        # (table, key) -> id for authors, agencies, topics: rows that are never deleted.
        self._entity_cache: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------------ plumbing

    def _insert(self, table: Table) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _write(self, fn: Callable[[Connection, Pending], T], what: str) -> T:
        """Run `fn` in one write transaction, replaying it on conflicts."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            pending = Pending()
            try:
                with self._writer.begin() as conn:
                    result = fn(conn, pending)
                self._entity_cache.update(pending.entities)
                return result
            except Conflict:
                retry, reason = True, "conflict"
            except DBAPIError as exc:
                retry, reason = _retryable(exc), type(exc.orig).__name__
                if not retry or attempt == MAX_ATTEMPTS:
                    raise StorageError(f"{what} failed: {exc.orig}") from exc
            except SQLAlchemyError as exc:
                raise StorageError(f"{what} failed: {exc}") from exc
            log.info("store.retry", what=what, attempt=attempt, reason=reason)
            time.sleep(min(0.5, 0.01 * 2**attempt) * random.random())
        raise StorageError(f"{what} failed: still conflicting after {MAX_ATTEMPTS} attempts")

    def _read(self) -> Any:
        return self.engine.connect()

    def _store_raw_pages(
        self, conn: Connection, bodies: list[bytes | None], now: dt.datetime
    ) -> list[str | None]:
        """Store page bytes once per distinct content; their SHA-256 keys, in order."""
        shas: list[str | None] = []
        pages: dict[str, dict[str, Any]] = {}
        for body in bodies:
            if body is None:
                shas.append(None)
                continue
            sha, data = compress_page(body)
            shas.append(sha)
            pages[sha] = {
                "sha256": sha,
                "compression": "zlib",
                "size": len(body),
                "body": data,
                "first_seen_at": now,
            }
        if pages:
            conn.execute(
                self._insert(m.raw_pages).on_conflict_do_nothing(),
                [pages[k] for k in sorted(pages)],
            )
        return shas


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError) and not _sqlstate(exc):
        return "UNIQUE" in str(exc.orig).upper()
    state = _sqlstate(exc)
    if state in RETRYABLE_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
