"""The scheduled run (`dwscrape run`): discover → enqueue → lease → fetch/parse/store → record.

Discovery (feeds, sitemaps) fills the store's frontier; batches are leased from it and crawled
with the conditional-GET validators of their last fetch; the run is recorded with its counts
and the per-field fill rates of what was parsed. The caller holds the run lock
(`db.lock.run_lock`) around it and hands its check in as ``context.guard``. With `no_work` the
run only discovers and enqueues, and `dwscrape worker` processes do the fetching.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence

import structlog

from scraper.discovery import DiscoveredUrl, Site, discover
from scraper.fetching import Fetcher, FetchSettings
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.context import RunContext, end_status, note_recovery
from scraper.pipeline.crawling import finish_run
from scraper.pipeline.leasing import LeaseLimits, LeaseLoop, Owner, recover
from scraper.pipeline.report import FillRates, ResultCallback, RunOptions, RunReport
from scraper.pipeline.stopping import Stop
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")

#: Priority of discovered URLs in the frontier, above refreshes of stale articles.
DISCOVERED_PRIORITY = 10
REFRESH_PRIORITY = 0


async def run_async(
    store: Store,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
    context: RunContext | None = None,
) -> RunReport:
    """The scheduled run: discover → enqueue → lease → fetch/parse/store → record the run."""
    ctx = context or RunContext()
    owner = Owner.current()
    recovery = recover(store, owner, options.lease_s)
    report = RunReport(
        run_id=store.start_run(options.command, host=owner.host, pid=owner.pid, owner=owner.name)
    )
    note_recovery(report, recovery)
    fill = FillRates()
    status = "failed"
    site = Site(options.site) if options.site else None
    stop = ctx.stop or Stop()
    try:
        async with (
            Fetcher(settings or FetchSettings(), gate=ctx.gate) as fetcher,
            Pipeline(
                store,
                fetcher,
                run_id=report.run_id,
                on_result=on_result,
                site=site,
                fill=fill,
                parse_workers=options.parse_workers,
            ) as pipeline,
        ):
            found = await stop.interruptible(
                discover(
                    fetcher,
                    langs=list(options.langs),
                    sources=tuple(options.sources),
                    since=options.since,
                    site=site,
                )
            )
            if found is not None:
                report.counts["discovered"] = len(found)
                log.info("run.discovered", count=len(found))
                planned = schedule(store, found, options)
                if on_planned is not None:
                    on_planned(planned)
                if not options.no_work:
                    await LeaseLoop(
                        store, pipeline, report, run_limits(options, report),
                        owner=owner, stop=stop, guard=ctx.guard,
                    ).work()  # fmt: skip
        status = end_status(report, stop, options.max_failure_rate)
    finally:
        report.fill_rates = fill.rates()
        report.fill_by_type = fill.by_type()
        finish_run(store, report, status)
    return report


def run_limits(options: RunOptions, report: RunReport) -> LeaseLimits:
    return LeaseLimits(
        batch_size=max(8, options.concurrency * 4),
        concurrency=options.concurrency,
        lease_s=options.lease_s,
        max_articles=options.max_articles,
        deadline=(
            report.started + options.max_duration_s if options.max_duration_s is not None else None
        ),
    )


def run(
    store: Store,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
    context: RunContext | None = None,
) -> RunReport:
    """Synchronous wrapper of `run_async` for the CLI; with ``context.handle_signals``,
    SIGINT/SIGTERM stop the run gracefully (`scraper.pipeline.stopping`)."""
    ctx = context or RunContext()

    async def main() -> RunReport:
        with ctx.signals_handled():
            return await run_async(
                store, options, settings, on_result=on_result, on_planned=on_planned, context=ctx
            )

    return asyncio.run(main())


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
