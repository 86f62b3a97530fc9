"""The one-off crawl of given URLs (`dwscrape crawl`), recorded as a crawl run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import structlog

from scraper.discovery import Site
from scraper.errors import DwscrapeError
from scraper.fetching import Fetcher, FetchSettings
from scraper.outcomes import RUN_COUNTS
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.report import (
    FillRates,
    ResultCallback,
    RunReport,
    UrlResult,
    count_result,
)
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


async def crawl_async(
    store: Store,
    urls: Sequence[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    command: str = "crawl",
    site: str | None = None,
) -> tuple[list[UrlResult], RunReport]:
    """The one-off crawl: every URL fetched, parsed and stored; recorded as a crawl run.
    `site` maps dw.com addresses onto a mirror, as for `run`."""
    report = RunReport(run_id=store.start_run(command))
    fill = FillRates()
    results: list[UrlResult] = []
    status = "failed"
    try:
        async with (
            Fetcher(settings or FetchSettings()) as fetcher,
            Pipeline(
                store,
                fetcher,
                run_id=report.run_id,
                on_result=on_result,
                site=Site(site) if site else None,
                fill=fill,
            ) as pipeline,
        ):
            for url in urls:
                result = await pipeline.crawl_url(url)
                count_result(report, result)
                results.append(result)
        status = "ok" if all(r.ok for r in results) else "partial"
    finally:
        report.fill_rates = fill.rates()
        finish_run(store, report, status)
    return results, report


def crawl(
    store: Store,
    urls: Sequence[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    site: str | None = None,
) -> tuple[list[UrlResult], RunReport]:
    """Synchronous wrapper of `crawl_async` for the CLI."""
    return asyncio.run(crawl_async(store, urls, settings, on_result=on_result, site=site))


def finish_run(store: Store, report: RunReport, status: str) -> None:
    """Close the run's report and record it; a failure to record it is logged, not raised."""
    report.status = status
    report.duration_s = time.monotonic() - report.started
    try:
        counts = {k: report.counts[k] for k in RUN_COUNTS}
        store.finish_run(report.run_id, status, counts, report.fill_rates, error=report.error)
    except DwscrapeError as exc:
        log.error("store.finish_run_failed", run_id=report.run_id, error=str(exc))
    log.info("run.finished", **report.to_dict())
