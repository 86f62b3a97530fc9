"""The archive backfill (`dwscrape backfill`): a language's archive sitemaps into the frontier.

A backfill walks ``/{lang}/article-sitemap.xml``'s dated children (`walk_archive`) and queues
the URLs not stored yet at `BACKFILL_PRIORITY`, below fresh news, so scheduled runs (and
workers) fetch the archive after each run's news. A sitemap is recorded as finished only after
its last URLs are in the frontier: a backfill stopped anywhere, even by SIGKILL, resumes at the
first unfinished sitemap, and one that has finished reads nothing. The walk is recorded as a
run (command ``backfill``) with its discovery report, for `dwscrape stats`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from scraper import eventloop
from scraper.discovery import (
    MAX_SITEMAPS,
    ArchiveChunk,
    ArchiveWindow,
    DiscoveryReport,
    Site,
    walk_archive,
)
from scraper.fetching import Fetcher, FetchSettings
from scraper.pipeline.report import RunReport
from scraper.pipeline.runrecord import finish_run, record_discovery
from scraper.pipeline.scheduling import BACKFILL_PRIORITY
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


@dataclass(frozen=True, slots=True)
class BackfillOptions:
    """What `dwscrape backfill` walks: one language, a window of dates, a cap of sitemaps."""

    lang: str
    since: dt.date | None = None
    until: dt.date | None = None
    max_sitemaps: int = MAX_SITEMAPS
    site: str | None = None


@dataclass(frozen=True, slots=True)
class SitemapDone:
    """One archive sitemap finished: how many URLs it listed, how many were queued now."""

    url: str
    period: dt.date | None
    urls: int
    queued: int


@dataclass(slots=True)
class BackfillReport:
    """A backfill walk: sitemaps finished now, URLs listed and queued, and what failed."""

    run_id: int
    discovery: DiscoveryReport
    sitemaps: list[SitemapDone] = field(default_factory=list)
    already_finished: int = 0

    @property
    def urls(self) -> int:
        return sum(s.urls for s in self.sitemaps)

    @property
    def queued(self) -> int:
        return sum(s.queued for s in self.sitemaps)

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "sitemaps_finished": len(self.sitemaps),
            "sitemaps_finished_before": self.already_finished,
            "sitemaps_left": self.discovery.sitemaps_skipped,
            "urls": self.urls,
            "queued": self.queued,
            "discovery": self.discovery.to_dict(),
        }


class _Progress:
    """URLs of the sitemap being read, counted until its last chunk is in the frontier."""

    def __init__(self, store: Store, lang: str, on_sitemap: Callable[[SitemapDone], None]):
        self.store, self.lang, self.on_sitemap = store, lang, on_sitemap
        self.urls = self.queued = 0

    def add(self, chunk: ArchiveChunk, now: dt.datetime) -> SitemapDone | None:
        found = [d.url for d in chunk.urls]
        todo = self.store.unstored_urls(found)
        self.urls += len(found)
        self.queued += self.store.enqueue(
            todo, priority=BACKFILL_PRIORITY, not_before=now, source="backfill"
        )
        if not chunk.final:
            return None
        # only now: every URL the sitemap lists is in the frontier (committed)
        self.store.finish_sitemap(chunk.sitemap_url, self.lang, self.urls)
        done = SitemapDone(chunk.sitemap_url, chunk.period, self.urls, self.queued)
        self.urls = self.queued = 0
        log.info("backfill.sitemap_finished", url=done.url, urls=done.urls, queued=done.queued)
        self.on_sitemap(done)
        return done


async def backfill_async(
    store: Store,
    options: BackfillOptions,
    settings: FetchSettings | None = None,
    *,
    on_sitemap: Callable[[SitemapDone], None] | None = None,
) -> BackfillReport:
    """Walk `options.lang`'s archive sitemaps and queue what is not stored yet."""
    lang = options.lang
    finished = store.finished_sitemaps(lang)
    discovery = DiscoveryReport.for_languages([lang])
    run = RunReport(run_id=store.start_run("backfill"))
    report = BackfillReport(run.run_id, discovery, already_finished=len(finished))
    progress = _Progress(store, lang, on_sitemap or (lambda _done: None))
    status = "failed"
    try:
        async with Fetcher(settings or FetchSettings()) as fetcher:
            walk = walk_archive(
                fetcher,
                lang,
                site=Site(options.site) if options.site else None,
                window=ArchiveWindow(options.since, options.until),
                finished=finished,
                max_sitemaps=options.max_sitemaps,
                report=discovery,
            )
            async for chunk in walk:
                done = progress.add(chunk, dt.datetime.now(dt.UTC))
                if done is not None:
                    report.sitemaps.append(done)
        status = "failed" if discovery.every_language_failed() else "ok"
    finally:
        run.counts["discovered"] = report.queued
        run.discovery = discovery
        record_discovery(store, run.run_id, discovery)
        finish_run(store, run, status)
    log.info("backfill.done", **report.to_dict())
    return report


def backfill(
    store: Store,
    options: BackfillOptions,
    settings: FetchSettings | None = None,
    *,
    on_sitemap: Callable[[SitemapDone], None] | None = None,
) -> BackfillReport:
    """Synchronous wrapper of `backfill_async` for the CLI."""
    return eventloop.run(backfill_async(store, options, settings, on_sitemap=on_sitemap))
