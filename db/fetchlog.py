"""The fetch log (with conditional-GET validators) and crawl runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, or_, select, update

from db import models as m
from db.backfill import mark_gone_fetches
from db.base import Pending, RepositoryBase, chunks
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

    def start_run(self, command: str) -> int:
        t = m.crawl_runs
        values = {"command": command, "status": "running", "started_at": self.now()}
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
    ) -> None:
        """Close a run with its status ('ok', 'failed', 'interrupted'), counts (keys from
        `RUN_COUNTS`) and per-field fill rates (share of parsed records with the field set)."""
        unknown = set(counts) - set(RUN_COUNTS)
        if unknown:
            raise ValueError(f"unknown run counts: {sorted(unknown)}")
        t = m.crawl_runs
        values: dict[str, Any] = {"status": status, "finished_at": self.now(), "error": error}
        values |= {k: int(v) for k, v in counts.items()}
        if fill_rates is not None:
            values["fill_rates"] = {k: float(v) for k, v in fill_rates.items()}
        self._write(
            lambda conn, _: conn.execute(update(t).where(t.c.id == run_id).values(values)),
            "finish run",
        )

    def recent_runs(self, n: int = 10) -> list[RunInfo]:
        t = m.crawl_runs
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(n)).all()
        return [
            RunInfo(
                id=r.id,
                command=r.command,
                status=r.status,
                started_at=r.started_at,
                finished_at=r.finished_at,
                counts={k: getattr(r, k) for k in RUN_COUNTS},
                fill_rates=r.fill_rates,
                error=r.error,
            )
            for r in rows
        ]
