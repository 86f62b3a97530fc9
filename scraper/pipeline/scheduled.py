"""The scheduled run (`dwscrape run`): discover → enqueue → lease → fetch/parse/store → record.

Discovery (feeds, sitemaps) fills the store's frontier; batches are leased from it and crawled
with the conditional-GET validators of their last fetch; the run is recorded with its counts
and the per-field fill rates of what was parsed. The caller holds the run lock
(`db.lock.run_lock`) around it and hands its check in as ``context.guard``. With `no_work` the
run only discovers and enqueues, and `dwscrape worker` processes do the fetching.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from scraper import eventloop
from scraper.discovery import Site
from scraper.errors import StorageError
from scraper.fetching import FetchSettings
from scraper.pipeline.context import RunContext, end_status, open_run
from scraper.pipeline.ingesting import ingesting
from scraper.pipeline.leasing import LeaseLimits, LeaseLoop
from scraper.pipeline.report import ResultCallback, RunOptions, RunReport
from scraper.pipeline.runrecord import record_discovery
from scraper.pipeline.scheduling import schedule_run
from scraper.pipeline.stopping import Stop
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


async def run_async(
    store: Store,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
    context: RunContext | None = None,
) -> RunReport:
    """The scheduled run: discover → enqueue → lease → fetch/parse/store → record the run.

    A database error after the run started ends it with a report (``stopped_by``
    ``"database_error"``, the message in ``error``) instead of an exception."""
    ctx = context or RunContext()
    owner, report = open_run(store, options.command, options.lease_s)
    site = Site(options.site) if options.site else None
    stop = ctx.stop or Stop()
    async with ingesting(
        store,
        report,
        settings or FetchSettings(),
        gate=ctx.gate,
        site=site,
        parse_workers=options.parser_processes,
        on_result=on_result,
    ) as ingest:
        try:
            fetcher = ingest.fetcher
            scheduled = await stop.interruptible(schedule_run(store, fetcher, options, site))
            if scheduled is not None:
                report.counts["discovered"] = scheduled.discovered
                report.discovery = scheduled.report
                record_discovery(store, report.run_id, scheduled.report)
                if on_planned is not None:
                    on_planned(scheduled.planned)
                if not options.no_work:
                    limits = LeaseLimits.of(options, report, fetcher.settings.max_bytes)
                    pipeline = ingest.pipeline
                    await LeaseLoop(
                        store, pipeline, report, limits, owner=owner, stop=stop, guard=ctx.guard
                    ).work()
            ingest.status = end_status(report, stop, options.max_failure_rate)
            if report.discovery is not None and report.discovery.every_language_failed():
                ingest.status = "failed"  # nothing could be read: no source of any language
        except StorageError as exc:
            # The database stayed unreachable past its retry budget (or broke otherwise): the
            # run ends here, failed, and its report says how far it got, for the summary cron
            # mails.
            report.stopped_by, report.error = "database_error", str(exc)
    return report


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

    return eventloop.run(main())
