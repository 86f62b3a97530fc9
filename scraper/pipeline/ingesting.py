"""The frame of every command that fetches and stores pages (`run`, `worker`, `crawl`), and the
end of every run (`finish_run`).

The three open the same things in the same order and close them the same way, whatever ends
them (their work done, a stop, a deadline, an exception): the `Fetcher` (with the per-host gate
shared through PostgreSQL, if any) and the `Pipeline` over it; then, in every case, the fill
rates of what was parsed go into the report and the run's row is closed. The status recorded
is the one the command set on its `Ingest` once its work ended as it should, and ``failed``
when anything escaped, the closing of the fetcher and the pipeline included.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog

from scraper.discovery import Site
from scraper.errors import DwscrapeError
from scraper.fetching import Fetcher, FetchSettings, HostGate
from scraper.outcomes import RUN_COUNTS
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.report import FillRates, ResultCallback, RunReport
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


@dataclass
class Ingest:
    """What a command works with inside `ingesting`; it sets `status` once its work is done."""

    fetcher: Fetcher
    pipeline: Pipeline
    status: str = "failed"


@asynccontextmanager
async def ingesting(
    store: Store,
    report: RunReport,
    settings: FetchSettings,
    *,
    gate: HostGate | None = None,
    site: Site | None = None,
    parse_workers: int = 0,
    on_result: ResultCallback | None = None,
) -> AsyncIterator[Ingest]:
    """``async with ingesting(store, report, settings) as ingest:`` around a command's work
    for the run `report` records (see the module's docstring)."""
    fill = FillRates()
    status = "failed"
    try:
        async with (
            Fetcher(settings, gate=gate) as fetcher,
            Pipeline(
                store,
                fetcher,
                run_id=report.run_id,
                on_result=on_result,
                site=site,
                fill=fill,
                parse_workers=parse_workers,
                fetch_settings=fetcher.settings,
            ) as pipeline,
        ):
            ingest = Ingest(fetcher, pipeline)
            yield ingest
        status = ingest.status
    finally:
        report.fill_rates = fill.rates()
        report.fill_by_type = fill.by_type()
        finish_run(store, report, status)


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
