"""The scheduled run (`dwscrape run`): discover → enqueue → lease → fetch/parse/store → record.

Discovery (feeds, sitemaps) fills the store's frontier; batches are leased from it and crawled
with the conditional-GET validators of their last fetch; the run is recorded with its counts
and the per-field fill rates of what was parsed. The caller holds the run lock
(`db.lock.run_lock`) around it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import time
from collections.abc import Callable, Sequence

import structlog

from scraper.discovery import DiscoveredUrl, Site, discover
from scraper.errors import DwscrapeError, StorageError
from scraper.fetching import Fetcher, FetchSettings
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.crawling import finish_run
from scraper.pipeline.report import (
    FillRates,
    ResultCallback,
    RunOptions,
    RunReport,
    UrlResult,
    count_result,
)
from scraper.pipeline.storage import Completion, Store

log = structlog.get_logger("scraper.pipeline")

#: Priority of discovered URLs in the frontier, above refreshes of stale articles.
DISCOVERED_PRIORITY = 10
REFRESH_PRIORITY = 0


def worker_id() -> str:
    """Lease owner name: host, pid and a start stamp, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


async def run_async(
    store: Store,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunReport:
    """The scheduled run: discover → enqueue → lease → fetch/parse/store → record the run.

    A database error after the run started ends it with a report (``stopped_by``
    ``"database_error"``, the message in ``error``) instead of an exception."""
    report = RunReport(run_id=store.start_run(options.command))
    fill = FillRates()
    status = "failed"
    site = Site(options.site) if options.site else None
    try:
        async with (
            Fetcher(settings or FetchSettings()) as fetcher,
            Pipeline(
                store, fetcher, run_id=report.run_id, on_result=on_result, site=site, fill=fill
            ) as pipeline,
        ):
            found = await discover(
                fetcher,
                langs=list(options.langs),
                sources=tuple(options.sources),
                since=options.since,
                site=site,
            )
            report.counts["discovered"] = len(found)
            log.info("run.discovered", count=len(found))
            planned = schedule(store, found, options)
            if on_planned is not None:
                on_planned(planned)
            await _Worker(store, pipeline, report, options).work()
        status = "failed" if report.failure_rate > options.max_failure_rate else "ok"
    except StorageError as exc:
        # The database stayed unreachable past its retry budget (or broke otherwise): the run
        # ends here, and its report says how far it got, for the summary cron mails.
        report.stopped_by, report.error = "database_error", str(exc)
    finally:
        report.fill_rates = fill.rates()
        finish_run(store, report, status)
    return report


def run(
    store: Store,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunReport:
    """Synchronous wrapper of `run_async` for the CLI."""
    return asyncio.run(
        run_async(store, options, settings, on_result=on_result, on_planned=on_planned)
    )


def schedule(store: Store, found: Sequence[DiscoveredUrl], options: RunOptions) -> int:
    """Put discovered URLs and stale stored articles into the frontier; how many were queued.

    Discovered URLs that were fetched before are put back to pending (`requeue`): they are
    fetched again with the validators of their last fetch, so an unchanged page costs a 304.
    Leases of crashed runs that have run out are returned to the queue first."""
    now = dt.datetime.now(dt.UTC)
    released = store.release_expired()
    if released:
        log.info("run.released_expired_leases", count=released)
    by_source: dict[str, list[str]] = {}
    for item in found:
        by_source.setdefault(str(item.source), []).append(item.url)
    queued = 0
    for source, urls in sorted(by_source.items()):
        queued += store.enqueue(
            urls, requeue=True, priority=DISCOVERED_PRIORITY, not_before=now, source=source
        )
    if options.refresh_older_than is not None:
        stale = store.stale_urls(now - options.refresh_older_than)
        queued += store.enqueue(
            stale, requeue=True, priority=REFRESH_PRIORITY, not_before=now, source="refresh"
        )
        log.info("run.refresh", count=len(stale))
    log.info("run.scheduled", queued=queued)
    return queued


class _Worker:
    """Leases batches from the frontier and crawls them until done or a limit.

    Two batches overlap: while one batch is written (articles, fetch log, frontier) on the
    pipeline's worker thread, the next one is already leased and being fetched, so the
    network, the parser and the database are never idle waiting for each other. Leasing (a
    short write) and reading the validators happen on the event loop between two writes."""

    def __init__(
        self, store: Store, pipeline: Pipeline, report: RunReport, options: RunOptions
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.report = report
        self.options = options
        self.owner = worker_id()
        self.batch_size = max(8, options.concurrency * 4)
        self.deadline = (
            report.started + options.max_duration_s if options.max_duration_s is not None else None
        )
        self.taken = 0

    async def work(self) -> None:
        storing: asyncio.Future[list[UrlResult]] | None = None
        leased = self.lease()
        try:
            while leased:
                validators = self.pipeline.validators(leased)
                prepared = await self.pipeline.fetch_batch(
                    leased, validators, concurrency=self.options.concurrency
                )
                if storing is not None:
                    self.account(await storing)
                    storing = None
                leased = self.lease()  # the worker is idle: no write contends with this one
                storing = asyncio.ensure_future(self.pipeline.write(prepared, self.complete))
        finally:
            if storing is not None:
                self.account(await storing)

    def lease(self) -> list[str]:
        """The next batch of URLs, or none once a limit is reached."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.report.stopped_by = "max_duration"
            return []
        room = self.batch_size
        if self.options.max_articles is not None:
            room = min(room, self.options.max_articles - self.taken)
            if room <= 0:
                self.report.stopped_by = "max_articles"
                return []
        urls = [item.url for item in self.store.lease(self.owner, room, self.options.lease_s)]
        self.taken += len(urls)
        return urls

    def complete(self, results: list[UrlResult]) -> None:
        """Finish the batch's leases (on the pipeline's worker thread, after its write)."""
        done = [Completion(r.url, "done" if r.ok else "failed", r.error) for r in results]
        try:
            self.store.complete_many(done, owner=self.owner)
        except DwscrapeError as exc:
            log.error("store.complete_failed", count=len(done), error=str(exc))

    def account(self, results: list[UrlResult]) -> None:
        self.pipeline.report(results)
        for result in results:
            count_result(self.report, result)
