"""A worker (`dwscrape worker`): lease from the shared frontier, fetch, parse, store, until a
limit or a signal. Any number of workers on any number of machines share one PostgreSQL
database; they never discover (a `run --no-work` from cron does) and never take the run lock.
Each records itself as a run (command ``worker``) with a heartbeat."""

from __future__ import annotations

from scraper import eventloop
from scraper.discovery import Site
from scraper.fetching import FetchSettings
from scraper.pipeline.context import RunContext, end_status, open_run
from scraper.pipeline.ingesting import ingesting
from scraper.pipeline.leasing import LeaseLimits, LeaseLoop
from scraper.pipeline.report import ResultCallback, RunReport, WorkerOptions
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
    async with ingesting(
        store,
        report,
        settings or FetchSettings(),
        gate=ctx.gate,
        site=Site(options.site) if options.site else None,
        parse_workers=options.parse_workers,
        on_result=on_result,
    ) as ingest:
        limits = LeaseLimits.of(options, report, ingest.fetcher.settings.max_bytes)
        await LeaseLoop(store, ingest.pipeline, report, limits, owner=owner, stop=ctx.stop).work()
        ingest.status = end_status(report, ctx.stop, options.max_failure_rate)
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
