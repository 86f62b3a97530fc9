"""A worker (`dwscrape worker`): lease from the shared frontier, fetch, parse, store, until a
limit or a signal. Any number of workers on any number of machines share one PostgreSQL
database; they never discover (a `run --no-work` from cron does) and never take the run lock.
Each records itself as a run (command ``worker``) with a heartbeat."""

from __future__ import annotations

import time

from scraper import eventloop
from scraper.discovery import Site
from scraper.fetching import Fetcher, FetchSettings
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.context import RunContext, end_status, open_run
from scraper.pipeline.crawling import finish_run
from scraper.pipeline.leasing import LeaseLimits, LeaseLoop
from scraper.pipeline.prepared import batch_size
from scraper.pipeline.report import FillRates, ResultCallback, RunReport, WorkerOptions
from scraper.pipeline.storage import Store


async def work_async(
    store: Store,
    options: WorkerOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    context: RunContext | None = None,
) -> RunReport:
    """Lease → fetch/parse/store until a limit, an idle frontier (`idle_exit_s`) or a stop."""
    ctx = context or RunContext()
    owner, report = open_run(store, options.command, options.lease_s)
    fill = FillRates()
    status = "failed"
    try:
        async with (
            Fetcher(settings or FetchSettings(), gate=ctx.gate) as fetcher,
            Pipeline(
                store,
                fetcher,
                run_id=report.run_id,
                on_result=on_result,
                site=Site(options.site) if options.site else None,
                fill=fill,
                parse_workers=options.parse_workers,
                fetch_settings=fetcher.settings,
            ) as pipeline,
        ):
            limits = LeaseLimits(
                batch_size=batch_size(
                    options.concurrency, fetcher.settings.max_bytes, options.max_batch_bytes
                ),
                concurrency=options.concurrency,
                lease_s=options.lease_s,
                max_articles=options.max_articles,
                deadline=(
                    time.monotonic() + options.max_duration_s
                    if options.max_duration_s is not None
                    else None
                ),
                wait_for_work=True,
                idle_exit_s=options.idle_exit_s,
            )
            loop = LeaseLoop(store, pipeline, report, limits, owner=owner, stop=ctx.stop)
            await loop.work()
        status = end_status(report, ctx.stop, options.max_failure_rate)
    finally:
        report.fill_rates = fill.rates()
        report.fill_by_type = fill.by_type()
        finish_run(store, report, status)
    return report


def work(
    store: Store,
    options: WorkerOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    context: RunContext | None = None,
) -> RunReport:
    """Synchronous wrapper of `work_async` for the CLI."""
    ctx = context or RunContext()

    async def main() -> RunReport:
        with ctx.signals_handled():
            return await work_async(store, options, settings, on_result=on_result, context=ctx)

    return eventloop.run(main())
