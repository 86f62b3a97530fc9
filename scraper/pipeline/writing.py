"""The write half of the `Pipeline`: a fetched batch into the store, in as few transactions
as its URLs allow (one for the fetch log, one for the articles); one bad record costs only
itself. Runs on the pipeline's worker thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from scraper.errors import DwscrapeError
from scraper.pipeline.prepared import Prepared
from scraper.pipeline.report import UrlResult
from scraper.pipeline.storage import FetchedArticle, Store, StoredOutcome, Touch

log = structlog.get_logger("scraper.pipeline")


class BatchWriter:
    """Writes fetched batches of one run (`run_id`) into `store`."""

    def __init__(self, store: Store, run_id: int | None) -> None:
        self.store = store
        self.run_id = run_id

    def store_batch(self, prepared: Sequence[Prepared]) -> list[UrlResult]:
        """Write a fetched batch: its fetch log (one transaction), the last-fetch time of the
        304s, the parsed articles (one transaction); results in the order of `prepared`."""
        self._record_fetches(prepared)
        not_modified = []
        for p in prepared:
            if p.result is not None:
                continue
            if p.error is not None:
                p.result = p.failed(p.error)
            elif p.article is None:  # 304 Not Modified
                not_modified.append(p)
        self._not_modified(not_modified)
        return self._store(prepared)

    def _record_fetches(self, prepared: Sequence[Prepared]) -> None:
        todo = [p for p in prepared if p.result is None and p.fetched is not None]
        rows = [p.fetch_row(self.run_id) for p in todo]
        try:
            ids: list[int | None] = list(self.store.record_fetches(rows))
        except DwscrapeError as exc:  # the batch failed: log each on its own
            log.warning("store.fetch_batch_failed", size=len(rows), error=str(exc))
            ids = [self._record_fetch(p, row) for p, row in zip(todo, rows, strict=True)]
        for p, fetch_id in zip(todo, ids, strict=True):
            p.fetch_id = fetch_id

    def _record_fetch(self, p: Prepared, row: dict[str, Any]) -> int | None:
        try:
            return self.store.record_fetches([row])[0]
        except DwscrapeError as exc:
            log.error("store.fetch_failed", url=p.url, error=str(exc))
            p.result = p.failed(f"storing the fetch failed: {exc}")
            return None

    def _not_modified(self, prepared: Sequence[Prepared]) -> None:
        """304s: fetched and found unchanged, so `--refresh-older-than` counts from now."""
        marks = []
        for p in prepared:
            log.info("crawl.not_modified", url=p.url)
            assert p.fetched is not None
            known = p.known
            if known is not None:
                marks.append(Touch(known.article_id, p.fetched.fetched_at))
            p.result = UrlResult(
                p.url,
                "unchanged",
                dw_id=known.dw_id if known else None,
                title=known.title if known else None,
                article_id=known.article_id if known else None,
                **p.fields(),
            )
        try:
            self.store.mark_fetched_many(marks)
        except DwscrapeError as exc:
            log.error("store.mark_fetched_failed", count=len(marks), error=str(exc))

    def _store(self, prepared: Sequence[Prepared]) -> list[UrlResult]:
        """Store every parsed article of a batch; results in the order of `prepared`."""
        todo = [p for p in prepared if p.result is None and p.article is not None]
        stored = self._store_articles(todo)
        results = []
        for p in prepared:
            if p.result is not None:
                results.append(p.result)
                continue
            assert p.article is not None
            res = stored[id(p)]
            if isinstance(res, Exception):
                results.append(p.failed(f"store: {res}", article=p.article))
                continue
            log.info("crawl.stored", url=p.url, status=res.status, dw_id=p.article.dw_id)
            results.append(
                UrlResult(
                    p.url,
                    res.status,
                    dw_id=p.article.dw_id,
                    title=p.article.title,
                    article_id=res.article_id,
                    article=p.article,
                    **p.fields(),
                )
            )
        return results

    def _store_articles(self, todo: list[Prepared]) -> dict[int, StoredOutcome | Exception]:
        """Store the parsed articles in one go; if that fails, each on its own, so that one
        bad record costs only itself. By `id()` of each `Prepared`."""
        stored: dict[int, StoredOutcome | Exception] = {}
        if not todo:
            return stored
        requests = [
            FetchedArticle(p.article, p.page or p.fetched.body, p.fetch_id, p.fetched.fetched_at)
            for p in todo
            if p.article is not None and p.fetched is not None
        ]
        try:
            outcomes = self.store.store_articles(requests, run_id=self.run_id)
            for p, res in zip(todo, outcomes, strict=True):
                stored[id(p)] = res
        except Exception as exc:  # the batch failed: isolate the culprit
            log.warning("store.batch_failed", size=len(todo), error=str(exc))
            for p, req in zip(todo, requests, strict=True):
                try:
                    stored[id(p)] = self.store.store_articles([req], run_id=self.run_id)[0]
                except Exception as one_exc:
                    log.error("store.failed", url=p.url, error=str(one_exc))
                    stored[id(p)] = one_exc
        return stored
