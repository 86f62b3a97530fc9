"""The frame of every command that fetches and stores pages (`run`, `worker`, `crawl`).

The three open the same things in the same order and close them the same way, whatever ends
them (their work done, a stop, a deadline, an exception): the `Fetcher` (with the per-host gate
shared through PostgreSQL, if any) and the `Pipeline` over it; then, in every case, the fill
rates of what was parsed go into the report and the run's row is closed (`finish_run`). The status recorded
is the one the command set on its `Ingest` once its work ended as it should, and ``failed``
when anything escaped, the closing of the fetcher and the pipeline included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from scraper.discovery import Site
from scraper.fetching import Fetcher, FetchSettings, HostGate
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.report import FillRates, ResultCallback, RunReport
from scraper.pipeline.runrecord import finish_run
from scraper.pipeline.storage import Store


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
