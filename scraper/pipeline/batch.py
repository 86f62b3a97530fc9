"""fetch → parse → store for a batch of URLs: the `Pipeline` both `crawl` and `run` drive.

A batch is fetched concurrently on the event loop; each page is parsed on the pipeline's one
worker thread as soon as it arrives (so parsing overlaps fetching); then the whole batch is
written at once: one transaction for its fetch log, one for its articles. Per-URL database
round trips are what made small runs slow.

Nothing that goes wrong with one URL stops the others: every fetch outcome, `ParseError`,
`StorageError` and even an unexpected exception becomes a failed `UrlResult`, logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, NamedTuple, Protocol, TypeVar

import structlog

from scraper import parse_page
from scraper.article import Article
from scraper.discovery import Site
from scraper.errors import DwscrapeError, ParseError, SoftNotFoundError
from scraper.fetching import FetchResult
from scraper.outcomes import FetchOutcome
from scraper.pipeline.report import FillRates, ResultCallback, UrlResult
from scraper.pipeline.storage import FetchedArticle, KnownArticle, Store, StoredOutcome, Touch

log = structlog.get_logger("scraper.pipeline")
_T = TypeVar("_T")


class PageFetcher(Protocol):
    """What the pipeline needs of a fetcher (`scraper.fetching.Fetcher`)."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class Validators(NamedTuple):
    """The conditional-GET validators of a URL's last successful fetch."""

    etag: str | None = None
    last_modified: str | None = None


class Known(NamedTuple):
    """A stored article a URL leads to (found for a 304)."""

    article_id: int
    dw_id: int | None
    title: str | None


@dataclass(slots=True)
class Prepared:
    """One URL after fetch and parse, before anything is written: its fetch, and either the
    parsed article, an `error`, or (304) what is known of its stored article. `result` is
    set once the URL's outcome is final."""

    url: str
    fetched: FetchResult | None = None
    article: Article | None = None
    error: str | None = None
    known: KnownArticle | None = None
    result: UrlResult | None = None
    fetch_id: int | None = None

    def fields(self) -> dict[str, Any]:
        """The fetch's part of this URL's `UrlResult`."""
        fetched = self.fetched
        if fetched is None:
            return {}
        return {
            "outcome": str(fetched.outcome),
            "http_status": fetched.status,
            "final_url": fetched.final_url,
        }

    def failed(self, error: str, **extra: Any) -> UrlResult:
        return UrlResult(self.url, "error", error=error, **extra, **self.fields())


class Pipeline:
    """fetch → parse → store for batches of URLs, over one fetcher and one store.

    Used as ``async with Pipeline(store, fetcher, …) as pipeline`` inside the fetcher's own
    ``async with``: leaving it stops the worker thread."""

    def __init__(
        self,
        store: Store,
        fetcher: PageFetcher,
        *,
        run_id: int | None = None,
        on_result: ResultCallback | None = None,
        site: Site | None = None,
        fill: FillRates | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.run_id = run_id
        self.on_result = on_result
        self.site = site
        self.fill = fill if fill is not None else FillRates()
        self._executor: ThreadPoolExecutor | None = None
        # the current batch's URLs with a stored article, for the 304s to come
        self._known: dict[str, KnownArticle] = {}

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def crawl_url(self, url: str) -> UrlResult:
        """Fetch, parse and store one URL; never raises (an error is a result)."""
        return (await self.crawl_batch([url], concurrency=1))[0]

    async def crawl_batch(self, urls: Sequence[str], *, concurrency: int = 4) -> list[UrlResult]:
        """Fetch and parse `urls` concurrently, then store what parsed in one transaction.

        One result per URL, in order; never raises. Storing a batch at once lets the store
        write every table with one statement per batch; should the batch fail, each article
        is stored on its own so that one bad record costs only itself."""
        prepared = await self.fetch_batch(urls, self.validators(urls), concurrency=concurrency)
        results = await self.write(prepared)
        self.report(results)
        return results

    def validators(self, urls: Sequence[str]) -> dict[str, Validators]:
        """The conditional-GET validators of the last fetch of each URL, and (for the 304s to
        come) which URLs lead to a stored article: two queries per batch, not per URL."""
        try:
            found = self.store.validators_many(urls)
        except DwscrapeError as exc:  # no validators: an unconditional GET is still correct
            log.warning("store.validators_failed", count=len(urls), error=str(exc))
            return {}
        validators = {url: Validators(*pair) for url, pair in found.items()}
        try:
            known = self.store.known_urls([u for u in urls if u in validators])
        except DwscrapeError:
            known = {}  # each 304 then looks its article up on its own
        self._known.update(known)
        return validators

    async def fetch_batch(
        self, urls: Sequence[str], validators: dict[str, Validators], *, concurrency: int = 4
    ) -> list[Prepared]:
        """Fetch (conditional GET) and parse `urls`, `concurrency` at a time; nothing is
        written. One `Prepared` per URL, in order; never raises."""
        sem = asyncio.Semaphore(max(1, concurrency))

        async def prepare(url: str) -> Prepared:
            async with sem:
                try:
                    return await self._prepare(url, validators.get(url, Validators()))
                except Exception as exc:  # a bug or an unforeseen failure: logged, counted
                    log.exception("crawl.unexpected_error", url=url)
                    error = f"unexpected {exc.__class__.__name__}: {exc}"
                    return Prepared(url, result=UrlResult(url, "error", error=error))

        try:
            return list(await asyncio.gather(*(prepare(u) for u in urls)))
        finally:
            for url in urls:  # what was not a 304 is not needed any more
                self._known.pop(url, None)

    async def write(
        self,
        prepared: Sequence[Prepared],
        then: Callable[[list[UrlResult]], None] | None = None,
    ) -> list[UrlResult]:
        """Store a fetched batch (`store_batch`) on the worker thread, then call `then` with
        its results there too (a run completes the batch's leases this way)."""

        def write_batch() -> list[UrlResult]:
            results = self.store_batch(prepared)
            if then is not None:
                then(results)
            return results

        return await self._in_worker(write_batch)

    def report(self, results: Sequence[UrlResult]) -> None:
        """Fill rates and the caller's callback, on the event loop's thread."""
        for result in results:
            if result.article is not None and result.ok:
                self.fill.add(result.article)
            if self.on_result is not None:
                self.on_result(result)

    async def _prepare(self, url: str, validators: Validators) -> Prepared:
        """Fetch (conditional GET) and parse one URL."""
        address = self.site.map(url) if self.site else url
        fetched = await self.fetcher.fetch(
            address, etag=validators.etag, last_modified=validators.last_modified
        )
        known = None
        if fetched.outcome == FetchOutcome.NOT_MODIFIED:
            known = self._known.pop(url, None) or await self._in_worker(self._find, url)
            if known is None:
                # Not modified since a fetch whose article was never stored (its parse or
                # its store failed): the validators must not hide the page, fetch it whole.
                log.info("crawl.refetch_unstored", url=url)
                fetched = await self.fetcher.fetch(address)
        if fetched.outcome == FetchOutcome.OK and fetched.body is not None:
            return await self._in_worker(self._parse, url, address, fetched)
        return self._unparsed(url, fetched, known)

    async def _in_worker(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run parsing and database work on the pipeline's one worker thread, so the event
        loop keeps fetching meanwhile (and the database sees one writer at a time). A second
        thread for parsing was measured: no faster (the GIL), and the event loop's fetches
        waited longer for it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="dwscrape-store")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _parse(self, url: str, address: str, fetched: FetchResult) -> Prepared:
        prepared = Prepared(url, fetched=fetched)
        assert fetched.body is not None
        try:
            source_url = fetched.final_url or address
            if self.site is not None:  # a mirror's address stands for the DW URL it maps
                source_url = self.site.unmap(source_url)
            prepared.article = parse_page(
                fetched.body, url=source_url, fetched_at=fetched.fetched_at
            )
        except SoftNotFoundError as exc:  # a 200 that says the page is gone: logged as a 404
            log.warning("crawl.soft_not_found", url=url, error=str(exc))
            prepared.fetched = replace(fetched, outcome=FetchOutcome.NOT_FOUND, body=None)
            prepared.error = f"{FetchOutcome.NOT_FOUND}: soft 404 ({exc.message})"
        except ParseError as exc:
            log.warning("crawl.parse_failed", url=url, error=str(exc))
            prepared.error = f"parse: {exc.message}"
        return prepared

    def _unparsed(self, url: str, fetched: FetchResult, known: KnownArticle | None) -> Prepared:
        prepared = Prepared(url, fetched=fetched, known=known)
        outcome = str(fetched.outcome)
        if outcome != FetchOutcome.NOT_MODIFIED:
            prepared.error = f"{outcome}: {fetched.error}" if fetched.error else outcome
            log.warning("crawl.fetch_failed", url=url, outcome=outcome, status=fetched.status)
        return prepared

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
        rows = [self._fetch_row(p) for p in todo]
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

    def _fetch_row(self, p: Prepared) -> dict[str, Any]:
        fetched = p.fetched
        assert fetched is not None
        return {
            "url": p.url,
            "outcome": str(fetched.outcome),
            "final_url": fetched.final_url,
            "status": fetched.status,
            "content_type": fetched.content_type,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "fetched_at": fetched.fetched_at,
            "duration_s": fetched.duration_s,
            "attempts": fetched.attempts,
            "error": p.error or fetched.error,
            # A parsed page's bytes are kept with its article; an unparsable one's with
            # the fetch, so it can be looked at and re-parsed later.
            "body": fetched.body if p.article is None else None,
            "run_id": self.run_id,
        }

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
            FetchedArticle(p.article, p.fetched.body, p.fetch_id, p.fetched.fetched_at)
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

    def _find(self, url: str) -> Known | None:
        try:
            found = self.store.find_article(url)
        except DwscrapeError:
            return None
        if found is None:
            return None
        return Known(found.id, found.article.dw_id, found.article.title)
