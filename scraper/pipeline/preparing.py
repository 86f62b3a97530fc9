"""Fetch and parse one batch of URLs, nothing written: the first half of the `Pipeline`.

Each URL is fetched with the conditional-GET validators of its last fetch (only where a stored
article stands behind them) and each page is parsed and packed as soon as it arrives, so that
parsing overlaps fetching: fetched on the fetcher's event loop and parsed in the pool of parser
processes or, with none, on the pipeline's worker thread; or, where no host is paced, fetched
and parsed in the fetching parser processes (`scraper.pipeline.fetchparse`), the pages of the
paced hosts handed back and fetched here. One `Prepared` per URL, in order; nothing that goes
wrong with one URL stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import structlog

from scraper.discovery import Site
from scraper.errors import DwscrapeError
from scraper.fetching import FetchResult, FetchSettings
from scraper.outcomes import FetchOutcome
from scraper.pipeline.fetchparse import FetchingParsers, FetchJob, fetches_in_parsers
from scraper.pipeline.parsing import Parsed, ParseJob, kill_pool, parse_job, relay, start_pool
from scraper.pipeline.prepared import Known, PageFetcher, Prepared, Validators, page_url
from scraper.pipeline.report import UrlResult
from scraper.pipeline.storage import KnownArticle, Store

log = structlog.get_logger("scraper.pipeline")
_T = TypeVar("_T")


class InWorker(Protocol):
    """Runs ``fn(*args)`` on the pipeline's one worker thread (`Pipeline._in_worker`)."""

    def __call__(self, fn: Callable[..., _T], *args: Any) -> Awaitable[_T]: ...


class Preparer:
    """Fetches and parses the batches of one `Pipeline` (see the module's docstring).

    `parse_workers` is the number of parser processes (0: parse with `in_worker`); given the
    `fetch_settings` of a run whose hosts are not paced, they fetch too. `start` starts those
    fetching parser processes early, `close` stops every process it started."""

    def __init__(
        self,
        store: Store,
        fetcher: PageFetcher,
        *,
        site: Site | None,
        parse_workers: int,
        fetch_settings: FetchSettings | None,
        in_worker: InWorker,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.site = site
        self.parse_workers = parse_workers
        self._in_worker = in_worker
        self._pool: ProcessPoolExecutor | None = None
        # where no host is paced, the parser processes fetch too (`fetchparse`)
        self._fetch_in_parsers = (
            fetch_settings
            if fetch_settings is not None and fetches_in_parsers(fetch_settings, parse_workers)
            else None
        )
        self._fetching: FetchingParsers | None = None
        self._paced_hosts: set[str] = set()  # handed back by the fetching processes
        self._fetch_slots: tuple[int, asyncio.Semaphore] | None = None
        # the current batch's URLs with a stored article, for the 304s to come
        self._known: dict[str, KnownArticle] = {}

    def start(self) -> None:
        if self._fetch_in_parsers is not None:
            # a run that fetches in its parser processes has many pages to fetch (a mirror, a
            # backfill): they start while it discovers, not when its first batch waits
            self._fetching_parsers().start()

    def close(self) -> None:
        if self._fetching is not None:
            self._fetching.close()
            self._fetching = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def validators(self, urls: Sequence[str]) -> dict[str, Validators]:
        """The conditional-GET validators of the last fetch of each URL whose article is
        stored, and (for the 304s to come) what is known of that article: two queries per
        batch, not per URL. A URL whose last fetch stored no article (its parse or its store
        failed) gets none: a 304 would hide the page, so it is fetched whole; this is the one
        place that rule lives, for this process and the fetching parser processes alike."""
        try:
            found = self.store.validators_many(urls)
            known = self.store.known_urls([u for u in urls if u in found]) if found else {}
        except DwscrapeError as exc:  # no validators: an unconditional GET is still correct
            log.warning("store.validators_failed", count=len(urls), error=str(exc))
            return {}
        self._known.update(known)
        return {url: Validators(*found[url]) for url in urls if url in known}

    async def fetch_batch(
        self, urls: Sequence[str], validators: dict[str, Validators], *, concurrency: int = 4
    ) -> list[Prepared]:
        """Fetch (conditional GET) and parse `urls`, `concurrency` at a time; nothing is
        written. One `Prepared` per URL, in order; never raises."""
        try:
            if self._fetch_in_parsers is not None:
                return await self._fetch_remote(urls, validators, concurrency)
            return await self._fetch_here(urls, validators, concurrency)
        finally:
            for url in urls:  # what was not a 304 is not needed any more
                self._known.pop(url, None)

    async def _fetch_here(
        self, urls: Sequence[str], validators: dict[str, Validators], concurrency: int
    ) -> list[Prepared]:
        """`fetch_batch` on this event loop, sharing its fetch slots with the next batch."""
        sem = self._slots(concurrency)

        async def prepare(url: str) -> Prepared:
            async with sem:
                try:
                    return await self._prepare(url, validators.get(url, Validators()))
                except Exception as exc:  # a bug or an unforeseen failure: logged, counted
                    log.exception("crawl.unexpected_error", url=url)
                    error = f"unexpected {exc.__class__.__name__}: {exc}"
                    return Prepared(url, result=UrlResult(url, "error", error=error))

        return list(await asyncio.gather(*(prepare(u) for u in urls)))

    def _slots(self, concurrency: int) -> asyncio.Semaphore:
        """The fetch slots shared by the batches in flight, first come first served: the
        batch after the current one takes a slot only as the current one's fetches end, so
        `concurrency` holds in all and the current batch is done (and written) first."""
        if self._fetch_slots is None or self._fetch_slots[0] != concurrency:
            self._fetch_slots = (concurrency, asyncio.Semaphore(max(1, concurrency)))
        return self._fetch_slots[1]

    async def _prepare(self, url: str, validators: Validators) -> Prepared:
        """Fetch (conditional GET) and parse one URL."""
        address = self.site.map(url) if self.site else url
        fetched = await self.fetcher.fetch(
            address, etag=validators.etag, last_modified=validators.last_modified
        )
        if fetched.outcome == FetchOutcome.OK and fetched.body is not None:
            return await self._parse(url, address, fetched, fetched.body)
        return await self._unparsed(url, fetched)

    async def _fetch_remote(
        self, urls: Sequence[str], validators: dict[str, Validators], concurrency: int
    ) -> list[Prepared]:
        """`fetch_batch` in the fetching parser processes."""
        jobs = []
        for url in urls:
            etag, last_modified = validators.get(url, Validators())
            address = self.site.map(url) if self.site else url
            jobs.append(FetchJob(url, address, etag, last_modified))
        answers = await self._fetching_parsers().fetch(jobs, concurrency)
        handed_back = [job for job, got in zip(jobs, answers, strict=True) if got.paced]
        paced = await self._fetch_paced(handed_back, validators, concurrency)
        prepared = []
        for url, got in zip(urls, answers, strict=True):
            if got.paced:
                prepared.append(paced[url])
            elif got.fetched is None:
                error = got.error or "no fetch"
                prepared.append(Prepared(url, result=UrlResult(url, "error", error=error)))
            elif got.parsed is not None:
                prepared.append(self._parsed(url, got.fetched, got.parsed))
            else:
                prepared.append(await self._unparsed(url, got.fetched))
        return prepared

    async def _fetch_paced(
        self, jobs: Sequence[FetchJob], validators: dict[str, Validators], concurrency: int
    ) -> dict[str, Prepared]:
        """The pages the fetching processes handed back, their hosts being paced: fetched
        here, where the pacing is (`scraper.pipeline.fetchparse`), and parsed on the worker
        thread (they come slowly)."""
        for host in sorted({urlsplit(job.address).hostname or "" for job in jobs}):
            if host not in self._paced_hosts:
                self._paced_hosts.add(host)
                log.info("crawl.host_paced_here", host=host)
        urls = [job.url for job in jobs]
        return dict(zip(urls, await self._fetch_here(urls, validators, concurrency), strict=True))

    def _fetching_parsers(self) -> FetchingParsers:
        if self._fetching is None:
            assert self._fetch_in_parsers is not None
            self._fetching = FetchingParsers(self.parse_workers, self._fetch_in_parsers, self.site)
        return self._fetching

    async def _parse(self, url: str, address: str, fetched: FetchResult, body: bytes) -> Prepared:
        """Parse and pack a fetched page, in a parser process if there are any (but not the
        fetching ones: what they hand back is parsed on the worker thread)."""
        source = page_url(fetched, address, self.site)
        in_pool = self.parse_workers > 0 and self._fetch_in_parsers is None
        job = ParseJob(body, source, fetched.fetched_at, relay_logs=in_pool)
        parsed: Parsed
        if in_pool:
            if self._pool is None:
                self._pool = start_pool(self.parse_workers)
            pool = self._pool
            try:
                parsed = await asyncio.get_running_loop().run_in_executor(pool, parse_job, job)
            except BrokenProcessPool:  # this page fails; the next one gets a new pool
                if self._pool is pool:
                    kill_pool(pool)
                    self._pool = None
                raise
        else:
            parsed = await self._in_worker(parse_job, job)
        relay(parsed.logs)
        return self._parsed(url, fetched, parsed)

    def _parsed(self, url: str, fetched: FetchResult, parsed: Parsed) -> Prepared:
        """A parsed page as the batch keeps it: a soft 404 or a parse error is its `error`."""
        prepared = Prepared(url, fetched=fetched, article=parsed.article, page=parsed.page)
        if parsed.soft_not_found:  # a 200 that says the page is gone: logged as a 404
            log.warning("crawl.soft_not_found", url=url, error=parsed.error)
            prepared.fetched = replace(fetched, outcome=FetchOutcome.NOT_FOUND, body=None)
            prepared.error = f"{FetchOutcome.NOT_FOUND}: soft 404 ({parsed.error})"
        elif parsed.error is not None:
            log.warning("crawl.parse_failed", url=url, error=parsed.error)
            prepared.error = f"parse: {parsed.error}"
        return prepared

    async def _unparsed(self, url: str, fetched: FetchResult) -> Prepared:
        """A page with no body to parse: a 304 (with its stored article, which `validators`
        found for the batch, or looked up here should a duplicate URL have taken it) or a
        failed fetch (its `error`)."""
        if fetched.outcome == FetchOutcome.NOT_MODIFIED:
            known = self._known.pop(url, None) or await self._in_worker(self._find, url)
            return Prepared(url, fetched=fetched, known=known)
        prepared = Prepared(url, fetched=fetched)
        outcome = str(fetched.outcome)
        prepared.error = f"{outcome}: {fetched.error}" if fetched.error else outcome
        log.warning("crawl.fetch_failed", url=url, outcome=outcome, status=fetched.status)
        return prepared

    def _find(self, url: str) -> Known | None:
        try:
            found = self.store.find_article(url)
        except DwscrapeError:
            return None
        if found is None:
            return None
        return Known(found.id, found.article.dw_id, found.article.title)
