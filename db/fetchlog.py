"""The fetch log (with conditional-GET validators) and crawl runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, or_, select, update

from db import models as m
from db.backfill import mark_gone_fetches
from db.base import Pending, RepositoryBase, chunks
from db.frontier import unattempted
from scraper.outcomes import RUN_COUNTS, VALIDATOR_OUTCOMES


class Validators(NamedTuple):
    """The conditional-GET validators of a URL's last successful fetch (either may be None)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    command: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, int]
    fill_rates: dict[str, float] | None
    error: str | None
    #: Fetches of the run per outcome (`scraper.outcomes.FetchOutcome` values), from the log.
    outcomes: dict[str, int] = field(default_factory=dict)
    #: Per content type: {"articles": n, "rates": {field: rate}} (runs recorded since the
    #: fill rates were kept per type; empty for older runs).
    fill_by_type: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LiveRun:
    """A run still marked 'running': who runs it and when it last said it was alive."""

    id: int
    command: str
    host: str | None
    pid: int | None
    owner: str | None
    started_at: dt.datetime
    heartbeat_at: dt.datetime | None


class FetchLogMixin(RepositoryBase):
    def record_fetch(
        self,
        *,
        url: str,
        outcome: str,
        final_url: str | None = None,
        status: int | None = None,
        content_type: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        fetched_at: dt.datetime | None = None,
        duration_s: float | None = None,
        attempts: int = 1,
        error: str | None = None,
        body: bytes | None = None,
        run_id: int | None = None,
    ) -> int:
        """Log one HTTP fetch (the body, if any, goes to the shared raw-page store)."""
        now = self.now()

        def tx(conn: Connection, _: Pending) -> int:
            sha = self._store_raw_pages(conn, [body], now)[0]
            mark_gone_fetches(
                conn, [{"url": url, "outcome": outcome, "fetched_at": fetched_at or now}]
            )
            return int(
                conn.execute(
                    self._insert(m.fetches).returning(m.fetches.c.id),
                    {
                        "run_id": run_id,
                        "url": url,
                        "final_url": final_url,
                        "status": status,
                        "outcome": str(outcome),
                        "content_type": content_type,
                        "etag": etag,
                        "last_modified": last_modified,
                        "fetched_at": fetched_at or now,
                        "duration_s": duration_s,
                        "attempts": attempts,
                        "error": error,
                        "raw_page_sha256": sha,
                    },
                ).scalar_one()
            )

        return self._write(tx, "record fetch")

    def record_fetches(self, fetches: Sequence[Mapping[str, Any]]) -> list[int]:
        """Log many HTTP fetches in one transaction (keyword arguments of `record_fetch` per
        item); their ids, in order. The crawler logs a whole batch at once this way."""
        if not fetches:
            return []
        now = self.now()
        columns = (
            "run_id", "url", "final_url", "status", "content_type", "etag", "last_modified",
            "duration_s", "error",
        )  # fmt: skip

        def tx(conn: Connection, _: Pending) -> list[int]:
            shas = self._store_raw_pages(conn, [f.get("body") for f in fetches], now)
            rows = [
                {c: f.get(c) for c in columns}
                | {
                    "outcome": str(f["outcome"]),
                    "fetched_at": f.get("fetched_at") or now,
                    "attempts": f.get("attempts", 1),
                    "raw_page_sha256": sha,
                }
                for f, sha in zip(fetches, shas, strict=True)
            ]
            stmt = self._insert(m.fetches).returning(m.fetches.c.id, sort_by_parameter_order=True)
            ids = [int(r.id) for r in conn.execute(stmt, rows)]
            mark_gone_fetches(conn, rows)
            return ids

        return self._write(tx, "record fetches")

    def validators_many(self, urls: Sequence[str]) -> dict[str, Validators]:
        """`validators` of many URLs in one query; URLs without any are left out."""
        f = m.fetches
        out: dict[str, Validators] = {}
        wanted = sorted(set(urls))
        for part in chunks(wanted):
            query = (
                select(f.c.url, f.c.etag, f.c.last_modified)
                .where(
                    f.c.url.in_(part),
                    f.c.outcome.in_([str(o) for o in VALIDATOR_OUTCOMES]),
                    or_(f.c.etag.is_not(None), f.c.last_modified.is_not(None)),
                )
                .order_by(f.c.url, f.c.fetched_at.desc(), f.c.id.desc())
            )
            with self._read() as conn:
                for row in conn.execute(query):
                    out.setdefault(row.url, Validators(row.etag, row.last_modified))
        return out

    def validators(self, url: str) -> Validators:
        """(ETag, Last-Modified) of the latest successful fetch of `url` that had any, for a
        conditional GET; (None, None) when there is none."""
        f = m.fetches
        query = (
            select(f.c.etag, f.c.last_modified)
            .where(
                f.c.url == url,
                f.c.outcome.in_([str(o) for o in VALIDATOR_OUTCOMES]),
                or_(f.c.etag.is_not(None), f.c.last_modified.is_not(None)),
            )
            .order_by(f.c.fetched_at.desc(), f.c.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return Validators(row.etag, row.last_modified) if row else Validators()

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        command: str,
        *,
        host: str | None = None,
        pid: int | None = None,
        owner: str | None = None,
    ) -> int:
        """Open a run as 'running', with who runs it (for telling a crashed run later)."""
        t = m.crawl_runs
        now = self.now()
        values: dict[str, Any] = {"command": command, "status": "running", "started_at": now}
        values |= {"host": host, "pid": pid, "owner": owner, "heartbeat_at": now}
        values |= dict.fromkeys(RUN_COUNTS, 0)
        return self._write(
            lambda conn, _: int(
                conn.execute(self._insert(t).returning(t.c.id), values).scalar_one()
            ),
            "start run",
        )

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        fill_rates: Mapping[str, float] | None = None,
        error: str | None = None,
        fill_by_type: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Close a run with its status ('ok', 'failed', 'interrupted'), counts (keys from
        `RUN_COUNTS`) and per-field fill rates (share of parsed records with the field set),
        overall and per content type (kept in the same JSON column, under `BY_TYPE`)."""
        unknown = set(counts) - set(RUN_COUNTS)
        if unknown:
            raise ValueError(f"unknown run counts: {sorted(unknown)}")
        t = m.crawl_runs
        values: dict[str, Any] = {"status": status, "finished_at": self.now(), "error": error}
        values |= {k: int(v) for k, v in counts.items()}
        if fill_rates is not None:
            values["fill_rates"] = {k: float(v) for k, v in fill_rates.items()}
        if fill_by_type:
            values["fill_rates"] = {**values.get("fill_rates", {}), BY_TYPE: dict(fill_by_type)}
        self._write(
            lambda conn, _: conn.execute(update(t).where(t.c.id == run_id).values(values)),
            "finish run",
        )

    def running_runs(self) -> list[LiveRun]:
        """The runs still marked 'running', oldest first, with who runs them."""
        t = m.crawl_runs
        query = (
            select(t.c.id, t.c.command, t.c.host, t.c.pid, t.c.owner, t.c.started_at,
                   t.c.heartbeat_at)
            .where(t.c.status == "running")
            .order_by(t.c.id)
        )  # fmt: skip
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            LiveRun(r.id, r.command, r.host, r.pid, r.owner, r.started_at, r.heartbeat_at)
            for r in rows
        ]

    def abandon_runs(self, run_ids: Sequence[int], reason: str) -> int:
        """Close runs whose process is gone as 'abandoned' (only those still 'running');
        their leases go back to the queue at once. Returns how many runs were closed."""
        if not run_ids:
            return 0
        t, f = m.crawl_runs, m.frontier
        now = self.now()

        def tx(conn: Connection, _: Pending) -> int:
            owners = [
                r.owner
                for r in conn.execute(
                    select(t.c.owner).where(t.c.id.in_(list(run_ids)), t.c.status == "running")
                )
                if r.owner
            ]
            closed = conn.execute(
                update(t)
                .where(t.c.id.in_(list(run_ids)), t.c.status == "running")
                .values(status="abandoned", finished_at=now, error=reason)
            ).rowcount
            if owners:
                conn.execute(
                    update(f)
                    .where(f.c.state == "leased", f.c.lease_owner.in_(owners))
                    .values(state="pending", lease_owner=None, lease_expires_at=None,
                            attempts=unattempted(f), updated_at=now)
                )  # fmt: skip
            return int(closed or 0)

        return self._write(tx, "abandon runs")

    def heartbeat(self, run_id: int, owner: str, lease_s: float) -> int:
        """The run is alive: refresh its heartbeat and renew every lease `owner` holds for
        another `lease_s`, in one transaction. Returns how many leases were renewed."""
        t, f = m.crawl_runs, m.frontier
        now = self.now()
        expires = now + dt.timedelta(seconds=lease_s)

        def tx(conn: Connection, _: Pending) -> int:
            conn.execute(update(t).where(t.c.id == run_id).values(heartbeat_at=now))
            renewed = conn.execute(
                update(f)
                .where(f.c.lease_owner == owner, f.c.state == "leased")
                .values(lease_expires_at=expires, updated_at=now)
            ).rowcount
            return int(renewed or 0)

        return self._write(tx, "heartbeat")

    def recent_runs(self, n: int = 10) -> list[RunInfo]:
        """The newest `n` runs, newest first, with their fetch outcomes counted from the log."""
        t, f = m.crawl_runs, m.fetches
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(n)).all()
            outcomes: dict[int, dict[str, int]] = {}
            if rows:
                counted = conn.execute(
                    select(f.c.run_id, f.c.outcome, func.count())
                    .where(f.c.run_id.in_([r.id for r in rows]))
                    .group_by(f.c.run_id, f.c.outcome)
                )
                for run_id, outcome, count in counted:
                    outcomes.setdefault(run_id, {})[outcome] = int(count)
        return [_run_info(r, outcomes.get(r.id, {})) for r in rows]


#: The key of the per-content-type fill rates inside a run's `fill_rates` JSON.
BY_TYPE = "by_content_type"


def _run_info(r: Any, outcomes: dict[str, int]) -> RunInfo:
    stored = dict(r.fill_rates) if r.fill_rates is not None else None
    by_type = stored.pop(BY_TYPE, {}) if stored is not None else {}
    return RunInfo(
        id=r.id,
        command=r.command,
        status=r.status,
        started_at=r.started_at,
        finished_at=r.finished_at,
        counts={k: getattr(r, k) for k in RUN_COUNTS},
        fill_rates=stored,
        error=r.error,
        outcomes=outcomes,
        fill_by_type=by_type,
    )
