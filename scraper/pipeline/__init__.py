"""The crawl pipeline: fetch → parse → store, for given URLs and for the scheduled run.

Entry points, used by the CLI and all free of printing:

- `crawl(store, urls, settings)` — the one-off crawl of any http(s) URLs; one `UrlResult` each.
- `run(store, options, settings)` — the scheduled job (`scraper.pipeline.scheduled`).
- `work(store, options, settings)` — a worker on the shared frontier (`scraper.pipeline.working`).
- `backfill(store, options, settings)` — a language's archive sitemaps into the frontier.
- `reparse(store, filters)` — stored raw pages parsed again with the current parser.
- `fill_rate_drops(runs)`, `run_rows(runs)` — run statistics for `dwscrape stats`.

The pipeline depends on storage only through the `Store` protocol (`scraper.pipeline.storage`),
which `db.repository.Repository` satisfies; it never imports `db`.

Modules, in the order of the data flow: `storage` (the protocol and the records crossing it),
`report` (results, run reports, fill rates), `batch` (the `Pipeline` of one batch), `crawling`,
`stopping` (signals), `leasing` (the lease loop, heartbeats, abandoned runs), `context`,
`scheduled`, `working`, `reparsing`, `stats`.
`scheduling` (filling the frontier, priorities), `scheduled`, `backfill`, `reparsing`, `stats`.
"""

from __future__ import annotations

from scraper.pipeline.backfill import BackfillOptions, BackfillReport, SitemapDone, backfill
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.context import RunContext
from scraper.pipeline.crawling import crawl, crawl_async
from scraper.pipeline.leasing import worker_id
from scraper.pipeline.reparsing import ReparseSummary, reparse
from scraper.pipeline.report import (
    FILL_FIELDS,
    FillRates,
    ResultCallback,
    RunOptions,
    RunReport,
    UrlResult,
    UrlStatus,
    WorkerOptions,
)
from scraper.pipeline.scheduled import run, run_async
from scraper.pipeline.stats import FillRateDrop, fill_rate_drops, run_rows
from scraper.pipeline.storage import FetchedArticle, Store
from scraper.pipeline.working import work

__all__ = [
    "BackfillOptions",
    "BackfillReport",
    "SitemapDone",
    "backfill",
    "FILL_FIELDS",
    "FetchedArticle",
    "FillRateDrop",
    "FillRates",
    "Pipeline",
    "ReparseSummary",
    "ResultCallback",
    "RunContext",
    "RunOptions",
    "RunReport",
    "Store",
    "UrlResult",
    "UrlStatus",
    "WorkerOptions",
    "crawl",
    "crawl_async",
    "fill_rate_drops",
    "reparse",
    "run",
    "run_async",
    "run_rows",
    "work",
    "worker_id",
]
