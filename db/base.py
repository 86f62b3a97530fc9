"""Repository plumbing: write transactions replayed on conflicts, dialect-specific INSERT,
the shared raw-page store. Mixed into `db.repository.Repository`."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import DBAPIError, IntegrityError

from db import models as m
from db.engine import write_options
from db.errors import map_db_errors
from db.outage import retry_seconds_from_env, with_outage_retry
from db.rows import JSONText, compress_page
from db.suspect import max_text_shrink_from_env
from scraper.errors import StorageError
from scraper.lazylog import LazyLogger
from scraper.rawpages import PackedPage

log = LazyLogger("db.repository")

T = TypeVar("T")

#: How often a write transaction is replayed after a conflict before giving up.
MAX_ATTEMPTS = 8
#: SQLSTATEs worth replaying: serialization failure, deadlock, unique violation.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "23505"})
#: Keys per ``IN (…)`` list, and rows per read batch (far below every bound-parameter limit).
IN_CHUNK = 500


def utcnow() -> dt.datetime:
    """The current time in UTC: the repository's clock unless another is injected."""
    return dt.datetime.now(dt.UTC)


#: A clock: returns the current time (timezone-aware). Injected so tests can fix "now".
Clock = Callable[[], dt.datetime]


class Conflict(Exception):
    """Another writer got there first: replay the transaction."""


@dataclass
class Pending:
    """Entity ids learnt in the current transaction, cached only once it commits."""

    entities: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BulkInsert:
    """An INSERT compiled once for a table and column list, run as one driver-level
    ``executemany`` (or ``COPY`` on PostgreSQL). Values go through the columns' own SQLAlchemy
    bind processors, so what lands in the database is exactly what a Core insert writes; only
    the per-row statement bookkeeping of Core is skipped (it was most of the write time).

    Two shortcuts, neither changing a stored byte: a JSON column also takes `JSONText` (already
    serialised) and stores its text; a `UTCDateTime` column converts each distinct value once
    per call (a batch's bookkeeping timestamps are mostly one and the same ``now``)."""

    sql: str
    copy_sql: str
    columns: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    memoised: tuple[bool, ...]  # convert distinct values once (immutable, hashable values)
    named: bool  # the driver takes dicts (psycopg "pyformat"), else tuples (sqlite "qmark")


def _json_processor(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A JSON column's bind processor that passes `JSONText` through as its text."""

    def bind(value: Any) -> Any:
        return value.text if type(value) is JSONText else process(value)

    return bind


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices of at most `size` (one ``IN (…)`` list each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class RepositoryBase:
    """Engine, dialect, and the transaction helpers every part of the repository uses."""

    def __init__(self, engine: Engine, *, now: Clock = utcnow) -> None:
        self.engine = engine
        #: Where every timestamp the repository writes comes from (bookkeeping, leases).
        self.now = now
        self.dialect = engine.dialect.name
        self._writer = engine.execution_options(**write_options())
        # (table, key) -> id for authors, agencies, topics: rows that are never deleted.
        self._entity_cache: dict[tuple[str, str], int] = {}
        self._bulk: dict[tuple[str, tuple[str, ...], bool], BulkInsert] = {}
        #: How long a lost or refused connection is waited for before an error (`db.outage`).
        self.outage_retry_seconds = retry_seconds_from_env()
        #: The share of its words a page may lose without saying it was updated (`db.suspect`).
        self.max_text_shrink = max_text_shrink_from_env()

    # ------------------------------------------------------------------ plumbing

    def _insert(self, table: Table) -> Any:
        """The dialect's own INSERT (it has ON CONFLICT), imported for the dialect in use only:
        the PostgreSQL dialect is not worth its import time to a SQLite command."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        return insert(table)

    def _bulk_insert(
        self, table: Table, columns: tuple[str, ...], ignore_conflicts: bool
    ) -> BulkInsert:
        key = (table.name, columns, ignore_conflicts)
        found = self._bulk.get(key)
        if found is not None:
            return found
        dialect = self.engine.dialect
        stmt = self._insert(table)
        if ignore_conflicts:
            stmt = stmt.on_conflict_do_nothing()
        compiled = stmt.compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
        named = not compiled.positional
        order = tuple(compiled.positiontup or ()) if not named else columns
        if set(order) != set(columns) or len(order) != len(columns):
            raise StorageError(f"bulk insert into {table.name}: unexpected parameters {order}")
        processors: list[Callable[[Any], Any] | None] = []
        for name in order:
            column_type = table.c[name].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None and isinstance(column_type, m.JSONType):
                processors.append(_json_processor(process))
            else:
                processors.append(process)
        quote = dialect.identifier_preparer.quote
        bulk = BulkInsert(
            sql=compiled.string,
            copy_sql=f"COPY {quote(table.name)} ({', '.join(quote(c) for c in order)}) FROM STDIN",
            columns=order,
            processors=tuple(processors),
            memoised=tuple(isinstance(table.c[c].type, m.UTCDateTime) for c in order),
            named=named,
        )
        self._bulk[key] = bulk
        return bulk

    def _insert_rows(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        *,
        ignore_conflicts: bool = False,
    ) -> int:
        """Insert rows (all with the same keys) in one round of driver calls; the number of
        rows inserted (conflicting ones skipped when `ignore_conflicts`).

        SQLite: ``executemany`` of one prepared statement. PostgreSQL: ``COPY`` for plain
        inserts (the fastest way in), ``executemany`` in psycopg's pipeline mode for
        ``ON CONFLICT DO NOTHING``."""
        if not rows:
            return 0
        bulk = self._bulk_insert(table, tuple(rows[0]), ignore_conflicts)
        columns: list[list[Any]] = []
        for name, process, memoised in zip(
            bulk.columns, bulk.processors, bulk.memoised, strict=True
        ):
            column = [row[name] for row in rows]
            if process is not None:
                if memoised:
                    done = {value: process(value) for value in set(column)}
                    column = [done[value] for value in column]
                else:
                    column = [process(value) for value in column]
            columns.append(column)
        values = list(zip(*columns, strict=True))
        if self.dialect == "postgresql" and not ignore_conflicts:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(bulk.copy_sql) as copy:
                for value in values:
                    copy.write_row(value)
            return len(values)
        params: list[Any] = (
            [dict(zip(bulk.columns, v, strict=True)) for v in values] if bulk.named else values
        )
        return int(conn.exec_driver_sql(bulk.sql, params).rowcount)

    def _write(self, fn: Callable[[Connection, Pending], T], what: str) -> T:
        """Run `fn` in one write transaction, replaying it on conflicts and waiting out a
        database outage (`db.outage`); any database error that is not worth a replay (or still
        there after the last one) is a `StorageError`."""
        with map_db_errors(what):
            return with_outage_retry(
                lambda: self._replayed(fn, what), what, self.outage_retry_seconds
            )

    def _replayed(self, fn: Callable[[Connection, Pending], T], what: str) -> T:
        """`fn` in one write transaction, replayed on conflicts (another writer got there
        first) up to `MAX_ATTEMPTS` times."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            pending = Pending()
            try:
                with self._writer.begin() as conn:
                    result = fn(conn, pending)
            except Conflict:
                reason = "conflict"
            except DBAPIError as exc:
                if not _retryable(exc) or attempt == MAX_ATTEMPTS:
                    raise
                reason = type(exc.orig).__name__
            else:
                self._entity_cache.update(pending.entities)
                return result
            log.info("store.retry", what=what, attempt=attempt, reason=reason)
            time.sleep(min(0.5, 0.01 * 2**attempt) * random.random())

        raise StorageError(f"{what} failed: still conflicting after {MAX_ATTEMPTS} attempts")

    @contextmanager
    def _read(self, what: str = "read") -> Iterator[Connection]:
        """A connection for reading; any database error in the block is a `StorageError`."""
        with map_db_errors(what):
            # Only the connecting waits out an outage: the block cannot be run twice.
            connection = with_outage_retry(self.engine.connect, what, self.outage_retry_seconds)
            with connection as conn:
                yield conn

    def _store_raw_pages(
        self, conn: Connection, bodies: Sequence[bytes | PackedPage | None], now: dt.datetime
    ) -> list[str | None]:
        """Store page bytes once per distinct content; their SHA-256 keys, in order."""
        shas: list[str | None] = []
        pages: dict[str, dict[str, Any]] = {}
        for body in bodies:
            if body is None:
                shas.append(None)
                continue
            page = compress_page(body)
            shas.append(page.sha256)
            pages[page.sha256] = {
                "sha256": page.sha256,
                "compression": page.compression,
                "size": page.size,
                "body": page.data,
                "first_seen_at": now,
            }
        self._insert_rows(
            conn, m.raw_pages, [pages[k] for k in sorted(pages)], ignore_conflicts=True
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
