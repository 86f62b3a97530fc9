"""Archive backfill progress, articles removed from dw.com, and runs' discovery reports.

A backfill walks a language's archive sitemaps over days; it records each sitemap once every
URL it lists is in the frontier (`finish_sitemap`, after the enqueue committed), so a walk
stopped anywhere (SIGKILL included) resumes at the first unfinished sitemap and never loses a
URL. An article whose URL later answers 404/410 (or a soft 404) is kept and marked with the
time it was first seen gone (`mark_removed`); storing or touching it again after a 200 or 304
clears the mark (`db.store`, `db.articles`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from db import models as m
from db.base import Pending, RepositoryBase, chunks
from scraper.lazylog import LazyLogger
from scraper.outcomes import FetchOutcome

log = LazyLogger("db.repository")


class BackfillMixin(RepositoryBase):
    # ------------------------------------------------------------------ backfill

    def finished_sitemaps(self, lang: str) -> set[str]:
        """The archive sitemaps (DW addresses) of `lang` a backfill has finished."""
        t = m.backfill_sitemaps
        with self._read("finished sitemaps") as conn:
            return set(conn.execute(select(t.c.sitemap_url).where(t.c.lang == lang)).scalars())

    def finish_sitemap(self, sitemap_url: str, lang: str, urls: int) -> None:
        """Record an archive sitemap as finished (its URLs, `urls` of them, are queued)."""
        t = m.backfill_sitemaps
        row = {"sitemap_url": sitemap_url, "lang": lang, "urls": urls, "finished_at": self.now()}

        def tx(conn: Connection, _: Pending) -> None:
            conn.execute(self._insert(t).values(row).on_conflict_do_nothing())

        self._write(tx, "finish sitemap")

    def unstored_urls(self, urls: Sequence[str]) -> list[str]:
        """`urls` that lead to no stored article (no URL alias), in the order given."""
        al = m.url_aliases
        wanted = sorted(set(urls))
        stored: set[str] = set()
        with self._read("unstored urls") as conn:
            for part in chunks(wanted):
                stored.update(conn.execute(select(al.c.url).where(al.c.url.in_(part))).scalars())
        return [u for u in dict.fromkeys(urls) if u not in stored]

    # ------------------------------------------------------------------ removed articles

    def mark_removed(self, urls: Sequence[str], at: dt.datetime | None = None) -> int:
        """Mark the stored articles `urls` lead to as removed from dw.com at `at` (default:
        now); an article already marked keeps its first date. Returns how many were marked.
        The fetch log does this itself for every fetch it records as not found."""
        when = at or self.now()
        return self._write(lambda conn, _: mark_removed_tx(conn, urls, when), "mark removed")

    def removed_at(self, article_id: int) -> dt.datetime | None:
        """When the article was found removed from dw.com, or None (online as far as known)."""
        a = m.articles
        with self._read("removed at") as conn:
            found = conn.execute(select(a.c.removed_at).where(a.c.id == article_id)).scalar()
        return found if isinstance(found, dt.datetime) else None

    # ------------------------------------------------------------------ discovery reports

    def record_discovery(self, run_id: int, report: Mapping[str, Any]) -> None:
        """Keep a run's discovery report (per language and source: URLs, failures)."""
        t = m.crawl_runs
        self._write(
            lambda conn, _: conn.execute(
                update(t).where(t.c.id == run_id).values(discovery=dict(report))
            ),
            "record discovery",
        )

    def run_discoveries(self, run_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The discovery reports of these runs (runs without one are left out)."""
        t = m.crawl_runs
        out: dict[int, dict[str, Any]] = {}
        with self._read("run discoveries") as conn:
            for part in chunks(sorted(set(run_ids))):
                query = select(t.c.id, t.c.discovery).where(
                    t.c.id.in_(part), t.c.discovery.is_not(None)
                )
                out.update({int(r.id): r.discovery for r in conn.execute(query)})
        return out


def mark_removed_tx(conn: Connection, urls: Sequence[str], when: dt.datetime) -> int:
    """`mark_removed` inside the caller's transaction."""
    a, al = m.articles, m.url_aliases
    marked = 0
    for part in chunks(sorted(set(urls))):
        ids = select(al.c.article_id).where(al.c.url.in_(part)).scalar_subquery()
        stmt = update(a).where(a.c.id.in_(ids), a.c.removed_at.is_(None)).values(removed_at=when)
        marked += int(conn.execute(stmt).rowcount or 0)
    if marked:
        log.info("store.removed_from_dw", count=marked)
    return marked


def mark_gone_fetches(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Fetches being recorded as not found (404, 410, soft 404) mark their URL's stored
    article as removed, in the same transaction, at the time of the fetch."""
    gone = [r for r in rows if r["outcome"] == FetchOutcome.NOT_FOUND]
    for when in sorted({r["fetched_at"] for r in gone}):
        mark_removed_tx(conn, [r["url"] for r in gone if r["fetched_at"] == when], when)
