"""Filling the frontier for a run: discovery's chunks as they come, then stale articles.

Discovered URLs are put into the frontier source by source (`stream_discovery`'s chunks), so a
run over hundreds of sitemaps holds one sitemap's URLs at a time, never the whole list. The
frontier's priorities order the work every worker leases: fresh news first, then refreshes of
stale articles, then a backfill's archive (`scraper.pipeline.backfilling`), which scheduled runs
thereby drain after each run's news.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

import structlog

from scraper.discovery import DiscoveryReport, FeedPlan, Site, UrlChunk, stream_discovery
from scraper.pipeline.report import RunOptions
from scraper.pipeline.storage import Store

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger("scraper.pipeline")

#: Frontier priorities (higher first): discovered news, refreshes of stale articles, archive.
DISCOVERED_PRIORITY = 10
REFRESH_PRIORITY = 0
BACKFILL_PRIORITY = -10


class Scheduled(NamedTuple):
    """What a run put into the frontier: how many URLs (discovered, stale), and the report."""

    discovered: int
    planned: int
    report: DiscoveryReport


async def schedule_run(
    store: Store, fetcher: Fetcher, options: RunOptions, site: Site | None
) -> Scheduled:
    """Discover the run's languages into the frontier, then add stale stored articles.

    Discovered URLs that were fetched before are put back to pending (`requeue`): they are
    fetched again with the validators of their last fetch, so an unchanged page costs a 304.
    Leases of crashed runs that have run out are returned to the queue first. "discovered"
    counts URLs added or put back, so a URL named by a feed and a sitemap counts once."""
    now = dt.datetime.now(dt.UTC)
    released = store.release_expired()
    if released:
        log.info("run.released_expired_leases", count=released)
    queued = 0

    def enqueue(chunk: UrlChunk) -> None:
        nonlocal queued
        by_source: dict[str, list[str]] = {}
        for item in chunk.urls:
            by_source.setdefault(str(item.source), []).append(item.url)
        for source, urls in sorted(by_source.items()):
            queued += store.enqueue(
                urls, requeue=True, priority=DISCOVERED_PRIORITY, not_before=now, source=source
            )

    report = await stream_discovery(
        fetcher,
        langs=list(options.langs),
        on_chunk=enqueue,
        sources=tuple(options.sources),
        since=options.since,
        site=site,
        feeds=FeedPlan.from_specs(options.feeds),
        max_sitemaps=options.max_sitemaps,
    )
    discovered = queued
    log.info("run.discovered", count=discovered, **report.to_dict())
    if options.refresh_older_than is not None:
        stale = store.stale_urls(now - options.refresh_older_than)
        queued += store.enqueue(
            stale, requeue=True, priority=REFRESH_PRIORITY, not_before=now, source="refresh"
        )
        log.info("run.refresh", count=len(stale))
    log.info("run.scheduled", queued=queued)
    return Scheduled(discovered, queued, report)
