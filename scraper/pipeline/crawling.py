"""The one-off crawl of given URLs (`dwscrape crawl`), recorded as a crawl run."""

from __future__ import annotations

import time
from collections.abc import Iterable
from itertools import islice

import structlog

from scraper import eventloop
from scraper.discovery import Site
from scraper.errors import DwscrapeError
from scraper.fetching import Fetcher, FetchSettings, HostGate
from scraper.outcomes import RUN_COUNTS
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.prepared import batch_size
from scraper.pipeline.report import FillRates, ResultCallback, RunReport, UrlResult, count_result
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


async def crawl_async(
    store: Store,
    urls: Iterable[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    command: str = "crawl",
    site: str | None = None,
    concurrency: int = 4,
    parse_workers: int = 0,
    gate: HostGate | None = None,
) -> RunReport:
    """The one-off crawl: every URL fetched, parsed and stored; recorded as a crawl run.

    The URLs go through the same overlapped batches as a scheduled run (`Pipeline.drive`):
    `concurrency` fetches in flight, one transaction per batch. Each URL's result goes to
    `on_result` as its batch is stored and is then dropped, so memory does not grow with
    the number of URLs. `site` maps dw.com addresses onto a mirror, as for `run`; `gate` shares
    the per-host pacing with other processes (`scraper.fetching.gates`)."""
    report = RunReport(run_id=store.start_run(command))
    fill = FillRates()
    status = "failed"
    pending = iter(urls)
    fetch_settings = settings or FetchSettings()
    size = batch_size(concurrency, fetch_settings.max_bytes)

    def take() -> list[str]:
        return list(islice(pending, size))

    def account(results: list[UrlResult]) -> None:
        pipeline.report(results)
        for result in results:
            count_result(report, result)

    try:
        async with (
            Fetcher(fetch_settings, gate=gate) as fetcher,
            Pipeline(
                store,
                fetcher,
                run_id=report.run_id,
                on_result=on_result,
                site=Site(site) if site else None,
                fill=fill,
                parse_workers=parse_workers,
                fetch_settings=fetcher.settings,
            ) as pipeline,
        ):
            await pipeline.drive(take, account, concurrency=concurrency)
        status = "partial" if report.counts["failed"] else "ok"
    finally:
        report.fill_rates = fill.rates()
        report.fill_by_type = fill.by_type()
        finish_run(store, report, status)
    return report


def crawl(
    store: Store,
    urls: Iterable[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    site: str | None = None,
    concurrency: int = 4,
    parse_workers: int = 0,
    gate: HostGate | None = None,
) -> RunReport:
    """Synchronous wrapper of `crawl_async` for the CLI."""
    return eventloop.run(
        crawl_async(
            store,
            urls,
            settings,
            on_result=on_result,
            site=site,
            concurrency=concurrency,
            parse_workers=parse_workers,
            gate=gate,
        )
    )


def finish_run(store: Store, report: RunReport, status: str) -> None:
    """Close the run's report and record it; a failure to record it is logged, not raised."""
    report.status = status
    report.duration_s = time.monotonic() - report.started
    try:
        counts = {k: report.counts[k] for k in RUN_COUNTS}
        store.finish_run(
            report.run_id,
            status,
            counts,
            report.fill_rates,
            fill_by_type=report.fill_by_type,
            error=report.error,
        )
    except DwscrapeError as exc:
        log.error("store.finish_run_failed", run_id=report.run_id, error=str(exc))
    log.info("run.finished", **report.to_dict())
