"""The crawl frontier: a queue of URLs leased by workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Table, and_, bindparam, case, func, or_, select, update

from db import models as m
from db.base import Pending, RepositoryBase, chunks

#: Frontier rows per ``INSERT … RETURNING`` executemany when enqueueing.
ENQUEUE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class LeasedUrl:
    url: str
    attempts: int
    priority: int
    lease_expires_at: dt.datetime


def unattempted(t: Table) -> Any:
    """The attempt count with a lease that never got to fetch taken back."""
    return case((t.c.attempts > 0, t.c.attempts - 1), else_=0)


@dataclass(frozen=True, slots=True)
class LeaseSummary:
    """URLs leased right now, and when the last of those leases runs out (None: none)."""

    count: int
    until: dt.datetime | None


class FrontierMixin(RepositoryBase):
    # ------------------------------------------------------------------ frontier

    def enqueue(
        self,
        urls: Iterable[str],
        *,
        priority: int = 0,
        not_before: dt.datetime | None = None,
        source: str | None = None,
        requeue: bool = False,
    ) -> int:
        """Add URLs to the crawl queue (known ones are left alone, unless `requeue` puts
        finished ones back to pending). Returns how many rows were added or requeued."""
        now = self.now()
        due = not_before or now
        rows = [
            {
                "url": u,
                "state": "pending",
                "priority": priority,
                "next_fetch_at": due,
                "attempts": 0,
                "source": source,
                "added_at": now,
                "updated_at": now,
            }
            for u in sorted(set(urls))
        ]
        if not rows:
            return 0
        t = m.frontier

        def tx(conn: Connection, _: Pending) -> int:
            stmt = self._insert(t)
            if requeue:
                stmt = stmt.on_conflict_do_update(
                    index_elements=[t.c.url],
                    set_={
                        "state": "pending",
                        "next_fetch_at": stmt.excluded.next_fetch_at,
                        "priority": stmt.excluded.priority,
                        "updated_at": stmt.excluded.updated_at,
                    },
                    # Not `state.in_(…)`: an IN list is an "expanding" parameter, which
                    # SQLAlchemy refuses in the executemany below (on either database).
                    where=or_(t.c.state == "done", t.c.state == "failed"),
                )
            else:
                stmt = stmt.on_conflict_do_nothing()
            total = 0
            for part in chunks(rows, ENQUEUE_BATCH):
                total += len(conn.execute(stmt.returning(t.c.id), part).all())
            return total

        return self._write(tx, "enqueue")

    def lease(self, owner: str, n: int = 10, lease_s: float = 300.0) -> list[LeasedUrl]:
        """Take up to `n` due URLs for `owner` until the lease expires, highest priority first
        (expired leases of crashed workers are taken over, never `owner`'s own: a URL whose
        lease ran out while its owner still works on it would be fetched twice). Concurrent
        workers never get the same URL: PostgreSQL skips rows locked by others (``FOR UPDATE
        SKIP LOCKED``); SQLite runs the single ``UPDATE … RETURNING`` under ``BEGIN
        IMMEDIATE``."""
        t = m.frontier
        now = self.now()
        expires = now + dt.timedelta(seconds=lease_s)
        # Two picks, each one ordered index range (`state` leads both indexes): expired
        # leases of others first (few rows, and they have waited longest), then due pending
        # URLs. One pick with an OR over both states would sort the whole frontier each time.
        expired = and_(t.c.state == "leased", t.c.lease_expires_at < now, t.c.lease_owner != owner)
        due = and_(t.c.state == "pending", t.c.next_fetch_at <= now)

        def take(where: Any, limit: int) -> Any:
            pick = (
                select(t.c.id)
                .where(where)
                .order_by(t.c.state, t.c.priority.desc(), t.c.next_fetch_at, t.c.id)
                .limit(limit)
            )
            if self.dialect == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            return (
                update(t)
                .where(t.c.id.in_(pick.scalar_subquery()))
                .values(
                    state="leased",
                    lease_owner=owner,
                    lease_expires_at=expires,
                    attempts=t.c.attempts + 1,
                    updated_at=now,
                )
                .returning(t.c.url, t.c.attempts, t.c.priority, t.c.lease_expires_at)
            )

        def tx(conn: Connection, _: Pending) -> list[Any]:
            rows = list(conn.execute(take(expired, n)).all())
            if len(rows) < n:
                rows += conn.execute(take(due, n - len(rows))).all()
            return rows

        rows = self._write(tx, "lease")
        leased = [LeasedUrl(r.url, r.attempts, r.priority, r.lease_expires_at) for r in rows]
        return sorted(leased, key=lambda x: (-x.priority, x.url))

    def complete(
        self,
        url: str,
        state: Literal["done", "failed", "pending"] = "done",
        error: str | None = None,
        *,
        owner: str | None = None,
        next_fetch_at: dt.datetime | None = None,
    ) -> bool:
        """Finish a leased URL: 'done', 'failed' (given up), or 'pending' again (retry at
        `next_fetch_at`). With `owner`, only that worker's live lease is completed. Returns
        whether a row was updated."""
        t = m.frontier
        now = self.now()
        values: dict[str, Any] = {
            "state": state,
            "last_error": error,
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": now,
        }
        if state == "pending":
            values["next_fetch_at"] = next_fetch_at or now
        stmt = update(t).where(t.c.url == url).values(values)
        if owner is not None:
            stmt = stmt.where(t.c.lease_owner == owner, t.c.state == "leased")
        return bool(self._write(lambda conn, _: conn.execute(stmt).rowcount, "complete"))

    def complete_many(
        self,
        done: Sequence[tuple[str, Literal["done", "failed"], str | None]],
        *,
        owner: str,
    ) -> int:
        """`complete` many of `owner`'s leased URLs, as (url, state, error), in one
        transaction; returns how many rows were updated."""
        if not done:
            return 0
        t = m.frontier
        now = self.now()
        stmt = (
            update(t)
            .where(t.c.url == bindparam("b_url"), t.c.lease_owner == owner, t.c.state == "leased")
            .values(
                state=bindparam("b_state"),
                last_error=bindparam("b_error"),
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now,
            )
        )
        rows = [{"b_url": u, "b_state": s, "b_error": e} for u, s, e in done]
        return int(self._write(lambda conn, _: conn.execute(stmt, rows).rowcount, "complete") or 0)

    def release_expired(self) -> int:
        """Put leases whose time ran out back to pending; returns how many."""
        t = m.frontier
        now = self.now()
        stmt = (
            update(t)
            .where(t.c.state == "leased", t.c.lease_expires_at < now)
            .values(state="pending", lease_owner=None, lease_expires_at=None, updated_at=now)
        )
        return int(self._write(lambda conn, _: conn.execute(stmt).rowcount, "release expired") or 0)

    def release(self, owner: str, urls: Sequence[str] | None = None) -> int:
        """Give `owner`'s leases (all, or those of `urls`) back to the queue, due at once and
        without counting the attempt: a stopped run hands back what it did not finish."""
        t = m.frontier
        now = self.now()
        stmt = (
            update(t)
            .where(t.c.lease_owner == owner, t.c.state == "leased")
            .values(
                state="pending",
                lease_owner=None,
                lease_expires_at=None,
                next_fetch_at=now,
                attempts=unattempted(t),
                updated_at=now,
            )
        )
        if urls is None:
            return int(self._write(lambda conn, _: conn.execute(stmt).rowcount, "release") or 0)
        part_stmt = stmt.where(t.c.url.in_(bindparam("b_urls", expanding=True)))

        def tx(conn: Connection, _: Pending) -> int:
            total = 0
            for part in chunks(sorted(set(urls))):
                total += int(conn.execute(part_stmt, {"b_urls": list(part)}).rowcount or 0)
            return total

        return self._write(tx, "release")

    def leased_summary(self) -> LeaseSummary:
        """How many URLs are leased right now and when the last of those leases runs out."""
        t = m.frontier
        query = select(func.count(), func.max(t.c.lease_expires_at)).where(t.c.state == "leased")
        with self._read() as conn:
            count, until = conn.execute(query).one()
        if isinstance(until, dt.datetime) and until.tzinfo is None:
            until = until.replace(tzinfo=dt.UTC)  # SQLite's max() bypasses the column type
        elif isinstance(until, str):
            until = dt.datetime.fromisoformat(until).replace(tzinfo=dt.UTC)
        return LeaseSummary(int(count or 0), until)

    def frontier_counts(self) -> dict[str, int]:
        t = m.frontier
        with self._read() as conn:
            rows = conn.execute(select(t.c.state, func.count()).group_by(t.c.state)).all()
        return {r[0]: int(r[1]) for r in rows}
