"""The crawl pipeline: fetch → parse → store, for given URLs and for the scheduled run.

Entry points, used by the CLI and all free of printing:

- `crawl(store, urls, settings)` — the one-off crawl of any http(s) URLs; one `UrlResult` each.
- `run(store, options, settings)` — the scheduled job (`scraper.pipeline.scheduled`).
- `work(store, options, settings)` — a worker on the shared frontier (`scraper.pipeline.working`).
- `backfill(store, options, settings)` — a language's archive sitemaps into the frontier.
- `prestart_parsers(settings, parse_workers)` — at a command's start, so that parser processes
  that will fetch are ready for the first batch.
- `reparse(store, filters)` — stored raw pages parsed again with the current parser.
- `fill_rate_drops(runs)`, `run_rows(runs)` — run statistics for `dwscrape stats`.

The pipeline depends on storage only through the `Store` protocol (`scraper.pipeline.storage`),
which `db.repository.Repository` satisfies; it never imports `db`.

Modules, in the order of the data flow: `storage` (the protocol and the records crossing it),
`report` (results, run reports, fill rates), `prepared` (a page as its batch keeps it),
`parsing`, `forkserver` and `fetchparse` (parser processes), `preparing` (a batch fetched and
parsed), `writing` (a batch's transaction), `batch` (the `Pipeline` that drives both),
`runrecord` (a run's discovery and end in its row), `ingesting` (the frame of every command
that fetches), `crawling`, `stopping` (signals), `recovery` (abandoned runs), `leasing` (the
lease loop, heartbeats), `context`, `scheduling` (filling the frontier, priorities),
`scheduled`, `working`, `backfilling`, `warc_import`, `reparsing`, `stats`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scraper.pipeline.backfilling import BackfillOptions, BackfillReport, SitemapDone, backfill
    from scraper.pipeline.batch import Pipeline
    from scraper.pipeline.context import RunContext
    from scraper.pipeline.crawling import crawl, crawl_async
    from scraper.pipeline.fetchparse import prestart_parsers
    from scraper.pipeline.recovery import worker_id
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

#: Where each name of the package lives. The package imports a module when one of its names is
#: first used (PEP 562), so that `dwscrape stats` (which needs `scraper.pipeline.stats` only)
#: does not load the fetcher, the parser and structlog with the rest of the pipeline.
_LOCATIONS = {
    "BackfillOptions": "backfilling",
    "BackfillReport": "backfilling",
    "SitemapDone": "backfilling",
    "backfill": "backfilling",
    "Pipeline": "batch",
    "RunContext": "context",
    "crawl": "crawling",
    "crawl_async": "crawling",
    "prestart_parsers": "fetchparse",
    "worker_id": "recovery",
    "ReparseSummary": "reparsing",
    "reparse": "reparsing",
    "FILL_FIELDS": "report",
    "FillRates": "report",
    "ResultCallback": "report",
    "RunOptions": "report",
    "RunReport": "report",
    "UrlResult": "report",
    "UrlStatus": "report",
    "WorkerOptions": "report",
    "run": "scheduled",
    "run_async": "scheduled",
    "FillRateDrop": "stats",
    "fill_rate_drops": "stats",
    "run_rows": "stats",
    "FetchedArticle": "storage",
    "Store": "storage",
    "work": "working",
}


def __getattr__(name: str) -> Any:
    """Import the module of `name` and bind all the names it gives the package at once.

    No exported name is also the name of a module of this package (`backfill` lives in
    `backfilling`): importing a submodule binds it to the package, and would shadow such a
    name. A test holds this."""
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(f"{__name__}.{module}")
    for other, where in _LOCATIONS.items():
        if where == module:
            globals()[other] = getattr(loaded, other)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_LOCATIONS})


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
    "prestart_parsers",
    "reparse",
    "run",
    "run_async",
    "run_rows",
    "work",
    "worker_id",
]
