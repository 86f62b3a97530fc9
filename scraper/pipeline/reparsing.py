"""Re-parse stored raw pages with the current parser, without the network.

When the parser improves, the archive can be brought up to date from the raw pages the database
kept. The repository decides whether anything changed (content hash); a changed extraction
becomes a new revision with cause ``parser``, so editorial changes at DW stay distinguishable
from changes of our own extraction.

Pages are parsed in batches, by a pool of parser processes when there is more than one worker,
and each batch is stored in one transaction while the pool already parses the next one. The
batches keep the order of the pages, so the database ends up as a one-by-one re-parse leaves
it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import structlog

from scraper.errors import DwscrapeError
from scraper.pipeline.parsing import Parsed, ParseJob, parse_job, relay, start_pool
from scraper.pipeline.storage import FetchedArticle, RawPage, Store, StoredOutcome

log = structlog.get_logger(__name__)

#: Pages per transaction.
BATCH = 64


#: What a re-parse counts: every page is one of changed, unchanged, soft_404 or failed.
COUNTS = ("pages", "changed", "unchanged", "soft_404", "failed")


@dataclass(slots=True)
class ReparseSummary:
    counts: Counter[str] = field(default_factory=Counter)
    changed: list[tuple[int | None, str | None]] = field(default_factory=list)
    #: URLs of stored articles whose page the current parser recognises as a soft 404 (DW's
    #: chrome around no content of its own): stored before that was recognised, left as they
    #: are, and listed rather than counted as failures.
    soft_404: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {k: self.counts[k] for k in COUNTS},
            "changed": [{"dw_id": d, "title": t} for d, t in self.changed],
            "soft_404": list(self.soft_404),
        }


@dataclass(slots=True)
class _Batch:
    """Pages on their way: the stored pages and their parses (done or still in the pool)."""

    pages: list[RawPage]
    parses: list[Parsed] | list[Future[Parsed]]

    def parsed(self) -> list[Parsed]:
        return [p.result() if isinstance(p, Future) else p for p in self.parses]


def reparse(
    store: Store, filters: Any = None, *, workers: int = 1, batch_size: int = BATCH
) -> ReparseSummary:
    """Parse every stored raw page matching `filters` again and store the result; `workers`
    parser processes (1: parse in this process)."""
    summary = ReparseSummary()
    pool = start_pool(workers) if workers > 1 else None
    try:
        waiting: _Batch | None = None
        for pages in _batches(store.raw_pages(filters), batch_size):
            parsing = _parse(pool, pages)  # the pool parses these while the last are stored
            if waiting is not None:
                _store(store, waiting, summary)
            waiting = parsing
        if waiting is not None:
            _store(store, waiting, summary)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return summary


def _batches(pages: Iterable[RawPage], size: int) -> Iterator[list[RawPage]]:
    it = iter(pages)
    while batch := list(islice(it, size)):
        yield batch


def _parse(pool: ProcessPoolExecutor | None, pages: list[RawPage]) -> _Batch:
    relay_logs = pool is not None
    jobs = [ParseJob(page.body, page.url, pack=False, relay_logs=relay_logs) for page in pages]
    if pool is None:
        return _Batch(pages, [parse_job(job) for job in jobs])
    return _Batch(pages, [pool.submit(parse_job, job) for job in jobs])


def _store(store: Store, batch: _Batch, summary: ReparseSummary) -> None:
    """Store a batch's articles in one transaction (each on its own should that fail)."""
    parsed = batch.parsed()
    summary.counts["pages"] += len(batch.pages)
    todo = []
    for page, result in zip(batch.pages, parsed, strict=True):
        relay(result.logs)
        if result.soft_not_found:
            summary.counts["soft_404"] += 1
            summary.soft_404.append(page.url)
            log.warning("reparse.soft_not_found", url=page.url, error=result.error)
        elif result.article is None:
            summary.counts["failed"] += 1
            log.warning("reparse.parse_failed", url=page.url, error=result.error)
        else:
            todo.append((page, FetchedArticle(result.article)))
    for (page, item), outcome in zip(todo, _store_all(store, todo), strict=True):
        if isinstance(outcome, DwscrapeError):
            summary.counts["failed"] += 1
            log.error("reparse.store_failed", url=page.url, error=str(outcome))
        elif outcome.status == "unchanged":
            summary.counts["unchanged"] += 1
        else:
            summary.counts["changed"] += 1
            summary.changed.append((item.article.dw_id, item.article.title))
            log.info("reparse.changed", url=page.url, dw_id=item.article.dw_id)


def _store_all(
    store: Store, todo: Sequence[tuple[RawPage, FetchedArticle]]
) -> list[StoredOutcome | DwscrapeError]:
    items = [item for _, item in todo]
    if not items:
        return []
    try:
        return list(store.store_articles(items, cause="parser"))
    except DwscrapeError as exc:
        log.warning("reparse.batch_failed", size=len(items), error=str(exc))
    outcomes: list[StoredOutcome | DwscrapeError] = []
    for item in items:
        try:
            outcomes.append(store.store_articles([item], cause="parser")[0])
        except DwscrapeError as exc:
            outcomes.append(exc)
    return outcomes
