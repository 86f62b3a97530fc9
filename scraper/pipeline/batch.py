"""fetch → parse → store for a batch of URLs: the `Pipeline` both `crawl` and `run` drive.

A batch is fetched concurrently on the event loop; each page is parsed and packed for storage
as soon as it arrives (so parsing overlaps fetching), in the pool of parser processes or, with
none, on the pipeline's one worker thread; then the whole batch is written at once by that
thread: one transaction for its fetch log, one for its articles. Per-URL database round trips
are what made small runs slow. `drive` overlaps the batches: the next one is fetched and parsed
while the last one is written.

Nothing that goes wrong with one URL stops the others: every fetch outcome, `ParseError`,
`StorageError` and even an unexpected exception becomes a failed `UrlResult`, logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar

import structlog

from scraper.discovery import Site
from scraper.errors import DwscrapeError
from scraper.fetching import FetchResult
from scraper.outcomes import FetchOutcome
from scraper.pipeline.parsing import Parsed, ParseJob, parse_job, relay, start_pool
from scraper.pipeline.prepared import Known, PageFetcher, Prepared, Validators
from scraper.pipeline.report import FillRates, ResultCallback, UrlResult
from scraper.pipeline.storage import FetchedArticle, KnownArticle, Store, StoredOutcome, Touch

log = structlog.get_logger("scraper.pipeline")
_T = TypeVar("_T")


#: Wraps a batch's fetch; None when a stop cut it short (`scraper.pipeline.stopping.Stop`).
Interruptible = Callable[[Awaitable[list[Prepared]]], Awaitable[list[Prepared] | None]]


class Pipeline:
    """fetch → parse → store for batches of URLs, over one fetcher and one store.

    Used as ``async with Pipeline(store, fetcher, …) as pipeline`` inside the fetcher's own
    ``async with``: leaving it stops the worker thread and the parser processes.
    `parse_workers` is the number of parser processes (0: parse on the worker thread)."""

    def __init__(
        self,
        store: Store,
        fetcher: PageFetcher,
        *,
        run_id: int | None = None,
        on_result: ResultCallback | None = None,
        site: Site | None = None,
        fill: FillRates | None = None,
        parse_workers: int = 0,
    ) -> None:
        self.store = store
        self.parse_workers = parse_workers
        self._pool: ProcessPoolExecutor | None = None
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
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def drive(
        self,
        take: Callable[[], Sequence[str]],
        account: Callable[[list[UrlResult]], None],
        *,
        concurrency: int = 4,
        then: Callable[[list[UrlResult]], None] | None = None,
        refill: Callable[[], Awaitable[Sequence[str]]] | None = None,
        interruptible: Interruptible | None = None,
    ) -> None:
        """Crawl the batches `take` hands out until it hands out none, two at a time: while
        one batch is written (one transaction, on the worker thread, followed by `then`
        there), the next one is taken, fetched and parsed, so the network, the parsers and
        the database never wait for each other. `account` gets each batch's results, in
        order, on the event loop's thread; nothing is kept after that.

        The one loop of every command that fetches. A worker passes `refill`, asked (and
        awaited: it may poll the frontier) for the first batch and whenever `take` has none;
        and `interruptible`, which wraps each batch's fetch and gives None when a stop cut it
        short: the loop then ends, the cut batch unwritten (its leases go back)."""
        storing: asyncio.Future[list[UrlResult]] | None = None
        batch = await refill() if refill is not None else take()
        try:
            while batch:
                validators = self.validators(batch)
                fetching = self.fetch_batch(batch, validators, concurrency=concurrency)
                prepared = await (interruptible(fetching) if interruptible else fetching)
                if prepared is None:
                    break
                if storing is not None:
                    account(await storing)
                    storing = None
                batch = take()  # the worker thread is idle: no write contends with this one
                storing = asyncio.ensure_future(self.write(prepared, then))
                if not batch and refill is not None:
                    account(await storing)
                    storing = None
                    batch = await refill()
        finally:
            if storing is not None:
                account(await storing)

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
            return await self._parse(url, address, fetched, fetched.body)
        return self._unparsed(url, fetched, known)

    async def _in_worker(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run parsing and database work on the pipeline's one worker thread, so the event
        loop keeps fetching meanwhile (and the database sees one writer at a time). A second
        thread for parsing was measured: no faster (the GIL), and the event loop's fetches
        waited longer for it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="dwscrape-store")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _parse(self, url: str, address: str, fetched: FetchResult, body: bytes) -> Prepared:
        """Parse and pack a fetched page, in a parser process if there are any."""
        source_url = fetched.final_url or address
        if self.site is not None:  # a mirror's address stands for the DW URL it maps
            source_url = self.site.unmap(source_url)
        job = ParseJob(body, source_url, fetched.fetched_at, relay_logs=self.parse_workers > 0)
        parsed: Parsed
        if self.parse_workers > 0:
            if self._pool is None:
                self._pool = start_pool(self.parse_workers)
            loop = asyncio.get_running_loop()
            parsed = await loop.run_in_executor(self._pool, parse_job, job)
        else:
            parsed = await self._in_worker(parse_job, job)
        relay(parsed.logs)
        prepared = Prepared(url, fetched=fetched, article=parsed.article, page=parsed.page)
        if parsed.soft_not_found:  # a 200 that says the page is gone: logged as a 404
            log.warning("crawl.soft_not_found", url=url, error=parsed.error)
            prepared.fetched = replace(fetched, outcome=FetchOutcome.NOT_FOUND, body=None)
            prepared.error = f"{FetchOutcome.NOT_FOUND}: soft 404 ({parsed.error})"
        elif parsed.error is not None:
            log.warning("crawl.parse_failed", url=url, error=parsed.error)
            prepared.error = f"parse: {parsed.error}"
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
            "body": (p.page or fetched.body) if p.article is None else None,
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

    def _find(self, url: str) -> Known | None:
        try:
            found = self.store.find_article(url)
        except DwscrapeError:
            return None
        if found is None:
            return None
        return Known(found.id, found.article.dw_id, found.article.title)
