"""The one-off crawl of given URLs (`dwscrape crawl`), recorded as a crawl run."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from scraper import eventloop
from scraper.discovery import Site
from scraper.fetching import FetchSettings, HostGate
from scraper.pipeline.ingesting import ingesting
from scraper.pipeline.prepared import batch_size
from scraper.pipeline.report import ResultCallback, RunReport, UrlResult, count_result
from scraper.pipeline.storage import Store


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
    pending = iter(urls)
    fetch_settings = settings or FetchSettings()
    size = batch_size(concurrency, fetch_settings.max_bytes)

    def take() -> list[str]:
        return list(islice(pending, size))

    async with ingesting(
        store,
        report,
        fetch_settings,
        gate=gate,
        site=Site(site) if site else None,
        parse_workers=parse_workers,
        on_result=on_result,
    ) as ingest:

        def account(results: list[UrlResult]) -> None:
            ingest.pipeline.report(results)
            for result in results:
                count_result(report, result)

        await ingest.pipeline.drive(take, account, concurrency=concurrency)
        ingest.status = "partial" if report.counts["failed"] else "ok"
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
