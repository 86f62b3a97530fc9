"""The crawl pipeline: fetch → parse → store, for one URL and for the scheduled run.

Two entry points, both used by the CLI and both free of printing:

- `crawl(repo, urls, settings)` — the one-off crawl of any http(s) URLs; one `UrlResult` each.
- `run(repo, options, settings)` — the scheduled job: discover (feeds, sitemaps), enqueue in the
  repository's frontier, lease batches, fetch them concurrently with the conditional-GET
  validators of the last fetch, parse, store, and record a crawl run with its counts and the
  per-field fill rates of what was parsed.

Nothing that goes wrong with one URL stops the others: every fetch outcome, `ParseError`,
`StorageError` and even an unexpected exception becomes a failed `UrlResult`, logged and
counted. The repository writes an article with its links and revision in one transaction, so
a failure (or a SIGKILL) never leaves half an article behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import structlog

from scraper import parse_page
from scraper.article import Article
from scraper.errors import DwscrapeError, ParseError
from scraper.outcomes import REPORTED_COUNTS, RUN_COUNTS

if TYPE_CHECKING:
    from db.repository import Repository
    from scraper.discover import Site
    from scraper.fetch import FetchResult, FetchSettings

log = structlog.get_logger(__name__)
_T = TypeVar("_T")


UrlStatus = Literal["new", "changed", "unchanged", "error"]

#: Fields whose fill rate is tracked per run (share of parsed articles where it is non-empty).
#: A sharp drop of one of them between runs means DW changed its markup (`dwscrape stats`).
FILL_FIELDS: tuple[str, ...] = (
    "canonical_url",
    "short_url",
    "dw_id",
    "language",
    "title",
    "kicker",
    "topics",
    "teaser",
    "published_at",
    "modified_at",
    "authors",
    "text",
    "images",
    "credit_line",
    "agencies",
)


@dataclass(frozen=True, slots=True)
class UrlResult:
    """What happened to one URL: stored new/changed/unchanged, or an error with its reason."""

    url: str
    status: UrlStatus
    outcome: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    dw_id: int | None = None
    title: str | None = None
    article_id: int | None = None
    error: str | None = None
    article: Article | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status != "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "dw_id": self.dw_id,
            "title": self.title,
            "article_id": self.article_id,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What `dwscrape run` does; the CLI fills it from its options."""

    langs: tuple[str, ...] = ("en",)
    sources: tuple[str, ...] = ("rss", "sitemap")
    since: dt.datetime | None = None
    max_articles: int | None = None
    max_duration_s: float | None = None
    refresh_older_than: dt.timedelta | None = None
    site: str | None = None
    concurrency: int = 4
    max_failure_rate: float = 0.2
    lease_s: float = 300.0
    command: str = "run"


@dataclass(slots=True)
class RunReport:
    """The outcome of a run: its id, status, counts and fill rates (also stored in the DB)."""

    run_id: int
    status: str = "running"
    counts: Counter[str] = field(default_factory=Counter)
    fill_rates: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    duration_s: float = 0.0
    stopped_by: str | None = None

    @property
    def attempted(self) -> int:
        return (
            self.counts["new"]
            + self.counts["changed"]
            + self.counts["unchanged"]
            + self.counts["failed"]
        )

    @property
    def failure_rate(self) -> float:
        return self.counts["failed"] / self.attempted if self.attempted else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "counts": {k: self.counts[k] for k in REPORTED_COUNTS},
            "failure_rate": round(self.failure_rate, 4),
            "fill_rates": self.fill_rates,
            "duration_s": round(self.duration_s, 3),
            "stopped_by": self.stopped_by,
        }


class FillRates:
    """Counts, per field of `FILL_FIELDS`, how many parsed articles had it filled."""

    def __init__(self) -> None:
        self.total = 0
        self.filled: Counter[str] = Counter()

    def add(self, article: Article) -> None:
        self.total += 1
        for name in FILL_FIELDS:
            value = getattr(article, name)
            if value not in (None, "", (), []):
                self.filled[name] += 1

    def rates(self) -> dict[str, float]:
        if not self.total:
            return {}
        return {name: round(self.filled[name] / self.total, 4) for name in FILL_FIELDS}


ResultCallback = Callable[[UrlResult], None]


@dataclass(slots=True)
class _Prepared:
    """One URL after fetch and parse, before anything is written: its fetch, and either the
    parsed article, an `error`, or (304) what is known of its stored article. `result` is
    set once the URL's outcome is final."""

    url: str
    base: dict[str, Any]
    fetched: FetchResult | None = None
    article: Article | None = None
    error: str | None = None
    known: tuple[int | None, str | None, int | None] | None = None
    result: UrlResult | None = None
    fetch_id: int | None = None


Validators = dict[str, tuple[str | None, str | None]]


class Pipeline:
    """fetch → parse → store for batches of URLs, over one fetcher and one repository.

    A batch is fetched concurrently on the event loop; each page is parsed on the pipeline's
    one worker thread as soon as it arrives (so parsing overlaps fetching); then the whole
    batch is written at once (`store_batch`): one transaction for its fetch log, one for its
    articles. Per-URL database round trips are what made small runs slow."""

    def __init__(
        self,
        repo: Repository,
        fetcher: Any,
        *,
        run_id: int | None = None,
        on_result: ResultCallback | None = None,
        site: Site | None = None,
    ) -> None:
        self.repo = repo
        self.fetcher = fetcher
        self.run_id = run_id
        self.on_result = on_result
        self.site = site
        self.fill = FillRates()
        self._executor: ThreadPoolExecutor | None = None
        # URL -> (DW id, title, article id) of the current batch's URLs with a stored article
        self._known: dict[str, tuple[int | None, str | None, int | None]] = {}

    async def crawl_url(self, url: str) -> UrlResult:
        """Fetch, parse and store one URL; never raises (an error is a result)."""
        return (await self.crawl_batch([url], concurrency=1))[0]

    async def crawl_batch(self, urls: Sequence[str], *, concurrency: int = 4) -> list[UrlResult]:
        """Fetch and parse `urls` concurrently, then store what parsed in one transaction.

        One result per URL, in order; never raises. Storing a batch at once lets the
        repository write every table with one statement per batch; should the batch fail, each
        article is stored on its own so that one bad record costs only itself."""
        prepared = await self.fetch_batch(urls, self.validators(urls), concurrency=concurrency)
        results = await self._blocking(self.store_batch, prepared)
        self.report(results)
        return results

    def validators(self, urls: Sequence[str]) -> Validators:
        """The conditional-GET validators of the last fetch of each URL, and (for the 304s to
        come) which URLs lead to a stored article: two queries per batch, not per URL."""
        try:
            validators = self.repo.validators_many(urls)
        except DwscrapeError as exc:  # no validators: an unconditional GET is still correct
            log.warning("store.validators_failed", count=len(urls), error=str(exc))
            return {}
        try:
            known = self.repo.known_urls([u for u in urls if u in validators])
        except DwscrapeError:
            known = {}  # each 304 then looks its article up on its own
        self._known.update({u: (dw_id, title, i) for u, (i, dw_id, title) in known.items()})
        return validators

    async def fetch_batch(
        self, urls: Sequence[str], validators: Validators, *, concurrency: int = 4
    ) -> list[_Prepared]:
        """Fetch (conditional GET) and parse `urls`, `concurrency` at a time; nothing is
        written. One `_Prepared` per URL, in order; never raises."""
        sem = asyncio.Semaphore(max(1, concurrency))

        async def prepare(url: str) -> _Prepared:
            async with sem:
                try:
                    return await self._prepare(url, validators.get(url, (None, None)))
                except Exception as exc:  # a bug or an unforeseen failure: logged, counted
                    log.exception("crawl.unexpected_error", url=url)
                    error = f"unexpected {exc.__class__.__name__}: {exc}"
                    return _Prepared(url, {}, result=UrlResult(url, "error", error=error))

        try:
            return list(await asyncio.gather(*(prepare(u) for u in urls)))
        finally:
            for url in urls:  # what was not a 304 is not needed any more
                self._known.pop(url, None)

    def report(self, results: Sequence[UrlResult]) -> None:
        """Fill rates and the caller's callback, on the event loop's thread."""
        for result in results:
            if result.article is not None and result.ok:
                self.fill.add(result.article)
            if self.on_result is not None:
                self.on_result(result)

    async def _prepare(self, url: str, validators: tuple[str | None, str | None]) -> _Prepared:
        """Fetch (conditional GET) and parse one URL."""
        etag, last_modified = validators
        address = self.site.map(url) if self.site else url
        fetched: FetchResult = await self.fetcher.fetch(
            address, etag=etag, last_modified=last_modified
        )
        known = None
        if fetched.outcome == "not_modified":
            known = self._known.pop(url, None) or await self._blocking(self._find, url)
            if known is None:
                # Not modified since a fetch whose article was never stored (its parse or
                # its store failed): the validators must not hide the page, fetch it whole.
                log.info("crawl.refetch_unstored", url=url)
                fetched = await self.fetcher.fetch(address)
        if fetched.outcome == "ok" and fetched.body is not None:
            return await self._blocking(self._parse, url, address, fetched)
        return self._unparsed(url, fetched, known)

    async def _blocking(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run parsing and database work on the pipeline's one worker thread, so the event
        loop keeps fetching meanwhile (and the database sees one writer at a time). A second
        thread for parsing was measured: no faster (the GIL), and the event loop's fetches
        waited longer for it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="dwscrape-store")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    @staticmethod
    def _base(fetched: FetchResult) -> dict[str, Any]:
        return {
            "outcome": str(getattr(fetched.outcome, "value", fetched.outcome)),
            "http_status": fetched.status,
            "final_url": fetched.final_url,
        }

    def _parse(self, url: str, address: str, fetched: FetchResult) -> _Prepared:
        prepared = _Prepared(url, self._base(fetched), fetched=fetched)
        assert fetched.body is not None
        try:
            source_url = fetched.final_url or address
            if self.site is not None:  # a mirror's address stands for the DW URL it maps
                source_url = self.site.unmap(source_url)
            prepared.article = parse_page(
                fetched.body, url=source_url, fetched_at=fetched.fetched_at
            )
        except ParseError as exc:
            log.warning("crawl.parse_failed", url=url, error=str(exc))
            prepared.error = f"parse: {exc.message}"
        return prepared

    def _unparsed(
        self,
        url: str,
        fetched: FetchResult,
        known: tuple[int | None, str | None, int | None] | None,
    ) -> _Prepared:
        prepared = _Prepared(url, self._base(fetched), fetched=fetched, known=known)
        outcome = prepared.base["outcome"]
        if outcome != "not_modified":
            prepared.error = f"{outcome}: {fetched.error}" if fetched.error else outcome
            log.warning("crawl.fetch_failed", url=url, outcome=outcome, status=fetched.status)
        return prepared

    def store_batch(self, prepared: Sequence[_Prepared]) -> list[UrlResult]:
        """Write a fetched batch: its fetch log (one transaction), the last-fetch time of the
        304s, the parsed articles (one transaction); results in the order of `prepared`."""
        self._record_fetches(prepared)
        not_modified = []
        for p in prepared:
            if p.result is not None:
                continue
            if p.error is not None:
                p.result = UrlResult(p.url, "error", error=p.error, **p.base)
            elif p.article is None:  # 304 Not Modified
                not_modified.append(p)
        self._not_modified(not_modified)
        return self._store(prepared)

    def _record_fetches(self, prepared: Sequence[_Prepared]) -> None:
        todo = [p for p in prepared if p.result is None and p.fetched is not None]
        rows = [self._fetch_row(p) for p in todo]
        try:
            ids: list[int | None] = list(self.repo.record_fetches(rows))
        except DwscrapeError as exc:  # the batch failed: log each on its own
            log.warning("store.fetch_batch_failed", size=len(rows), error=str(exc))
            ids = []
            for p, row in zip(todo, rows, strict=True):
                try:
                    ids.append(self.repo.record_fetch(**row))
                except DwscrapeError as one_exc:
                    log.error("store.fetch_failed", url=p.url, error=str(one_exc))
                    error = f"storing the fetch failed: {one_exc}"
                    p.result = UrlResult(p.url, "error", error=error, **p.base)
                    ids.append(None)
        for p, fetch_id in zip(todo, ids, strict=True):
            p.fetch_id = fetch_id

    def _fetch_row(self, p: _Prepared) -> dict[str, Any]:
        fetched = p.fetched
        assert fetched is not None
        return {
            "url": p.url,
            "outcome": p.base["outcome"],
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

    def _not_modified(self, prepared: Sequence[_Prepared]) -> None:
        """304s: fetched and found unchanged, so `--refresh-older-than` counts from now."""
        marks = []
        for p in prepared:
            log.info("crawl.not_modified", url=p.url)
            assert p.fetched is not None
            known = p.known
            if known is not None and known[2] is not None:
                marks.append((known[2], p.fetched.fetched_at))
            p.result = UrlResult(
                p.url,
                "unchanged",
                dw_id=known[0] if known else None,
                title=known[1] if known else None,
                article_id=known[2] if known else None,
                **p.base,
            )
        try:
            self.repo.mark_fetched_many(marks)
        except DwscrapeError as exc:
            log.error("store.mark_fetched_failed", count=len(marks), error=str(exc))

    def _store(self, prepared: Sequence[_Prepared]) -> list[UrlResult]:
        """Store every parsed article of a batch; results in the order of `prepared`."""
        from db.repository import StoreRequest

        todo = [p for p in prepared if p.result is None and p.article is not None]
        stored: dict[int, Any] = {}
        if todo:
            requests = [
                StoreRequest(p.article, p.fetched.body, p.fetch_id, p.fetched.fetched_at)
                for p in todo
                if p.article is not None and p.fetched is not None
            ]
            try:
                for p, res in zip(
                    todo, self.repo.store_articles(requests, run_id=self.run_id), strict=True
                ):
                    stored[id(p)] = res
            except Exception as exc:  # the batch failed: isolate the culprit
                log.warning("store.batch_failed", size=len(todo), error=str(exc))
                for p, req in zip(todo, requests, strict=True):
                    try:
                        stored[id(p)] = self.repo.store_articles([req], run_id=self.run_id)[0]
                    except Exception as one_exc:
                        log.error("store.failed", url=p.url, error=str(one_exc))
                        stored[id(p)] = one_exc
        results = []
        for p in prepared:
            if p.result is not None:
                results.append(p.result)
                continue
            assert p.article is not None
            res = stored[id(p)]
            if isinstance(res, Exception):
                error = f"store: {res}"
                results.append(UrlResult(p.url, "error", error=error, article=p.article, **p.base))
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
                    **p.base,
                )
            )
        return results

    def _find(self, url: str) -> tuple[int | None, str | None, int | None] | None:
        try:
            found = self.repo.find_article(url)
        except DwscrapeError:
            return None
        if found is None:
            return None
        return found.article.dw_id, found.article.title, found.id


def worker_id() -> str:
    """Lease owner name: host, pid and a start stamp, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


async def crawl_async(
    repo: Repository,
    urls: Sequence[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    command: str = "crawl",
    site: str | None = None,
) -> tuple[list[UrlResult], RunReport]:
    """The one-off crawl: every URL fetched, parsed and stored; recorded as a crawl run.
    `site` maps dw.com addresses onto a mirror, as for `run`."""
    from scraper.discover import Site
    from scraper.fetch import Fetcher, FetchSettings

    report = RunReport(run_id=repo.start_run(command))
    pipeline = Pipeline(
        repo, None, run_id=report.run_id, on_result=on_result, site=Site(site) if site else None
    )
    results: list[UrlResult] = []
    status = "failed"
    try:
        async with Fetcher(settings or FetchSettings()) as fetcher:
            pipeline.fetcher = fetcher
            for url in urls:
                result = await pipeline.crawl_url(url)
                _count(report, result)
                results.append(result)
        status = "ok" if all(r.ok for r in results) else "partial"
    finally:
        pipeline.close()
        report.fill_rates = pipeline.fill.rates()
        _finish(repo, report, status)
    return results, report


def crawl(
    repo: Repository,
    urls: Sequence[str],
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    site: str | None = None,
) -> tuple[list[UrlResult], RunReport]:
    """Synchronous wrapper of `crawl_async` for the CLI."""
    return asyncio.run(crawl_async(repo, urls, settings, on_result=on_result, site=site))


def _count(report: RunReport, result: UrlResult) -> None:
    report.counts["fetched"] += 1
    if result.status == "error":
        report.counts["failed"] += 1
    else:
        report.counts[result.status] += 1
    if result.outcome == "not_modified":
        report.counts["not_modified"] += 1


def _finish(repo: Repository, report: RunReport, status: str) -> None:
    report.status = status
    report.duration_s = time.monotonic() - report.started
    try:
        counts = {k: report.counts[k] for k in RUN_COUNTS}
        repo.finish_run(report.run_id, status, counts, report.fill_rates)
    except DwscrapeError as exc:
        log.error("store.finish_run_failed", run_id=report.run_id, error=str(exc))
    log.info("run.finished", **report.to_dict())


async def run_async(
    repo: Repository,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunReport:
    """The scheduled run: discover → enqueue → lease → fetch/parse/store → record the run.

    The caller holds the run lock (`db.lock.run_lock`) around this.
    """
    from scraper.discover import Site, discover
    from scraper.fetch import Fetcher, FetchSettings

    report = RunReport(run_id=repo.start_run(options.command))
    owner = worker_id()
    deadline = (
        report.started + options.max_duration_s if options.max_duration_s is not None else None
    )
    status = "failed"
    site = Site(options.site) if options.site else None
    pipeline = Pipeline(repo, None, run_id=report.run_id, on_result=on_result, site=site)
    try:
        async with Fetcher(settings or FetchSettings()) as fetcher:
            pipeline.fetcher = fetcher
            found = await discover(
                fetcher,
                langs=list(options.langs),
                sources=tuple(options.sources),
                since=options.since,
                site=site,
            )
            report.counts["discovered"] = len(found)
            log.info("run.discovered", count=len(found))
            planned = _schedule(repo, found, options)
            if on_planned is not None:
                on_planned(planned)
            await _work(repo, pipeline, report, options, owner, deadline)
        status = "failed" if report.failure_rate > options.max_failure_rate else "ok"
    finally:
        pipeline.close()
        report.fill_rates = pipeline.fill.rates()
        _finish(repo, report, status)
    return report


def _schedule(repo: Repository, found: Sequence[Any], options: RunOptions) -> int:
    """Put discovered URLs and stale stored articles into the frontier.

    Discovered URLs that were fetched before are put back to pending (`requeue`): they are
    fetched again with the validators of their last fetch, so an unchanged page costs a 304.
    Leases of crashed runs that have run out are returned to the queue first."""
    now = dt.datetime.now(dt.UTC)
    released = repo.release_expired()
    if released:
        log.info("run.released_expired_leases", count=released)
    by_source: dict[str, list[str]] = {}
    for item in found:
        by_source.setdefault(str(item.source), []).append(item.url)
    queued = 0
    for source, urls in sorted(by_source.items()):
        queued += repo.enqueue(urls, requeue=True, priority=10, not_before=now, source=source)
    if options.refresh_older_than is not None:
        cutoff = now - options.refresh_older_than
        stale = [
            s.article.canonical_url or s.article.url
            for s in repo.iter_articles()
            if s.last_fetched_at < cutoff
        ]
        queued += repo.enqueue(stale, requeue=True, priority=0, not_before=now, source="refresh")
        log.info("run.refresh", count=len(stale))
    log.info("run.scheduled", queued=queued)
    return queued


async def _work(
    repo: Repository,
    pipeline: Pipeline,
    report: RunReport,
    options: RunOptions,
    owner: str,
    deadline: float | None,
) -> None:
    """Lease batches from the frontier and crawl them until done or a limit.

    Two batches overlap: while one batch is written (articles, fetch log, frontier) on the
    worker thread, the next one is already leased and being fetched, so the network, the
    parser and the database are never idle waiting for each other. Leasing (a short write)
    and reading the validators happen on the event loop between two writes of the worker."""
    batch_size = max(8, options.concurrency * 4)
    taken = 0

    def lease() -> list[str]:
        nonlocal taken
        if deadline is not None and time.monotonic() >= deadline:
            report.stopped_by = "max_duration"
            return []
        room = batch_size
        if options.max_articles is not None:
            room = min(room, options.max_articles - taken)
            if room <= 0:
                report.stopped_by = "max_articles"
                return []
        urls = [item.url for item in repo.lease(owner, room, options.lease_s)]
        taken += len(urls)
        return urls

    def store_and_complete(prepared: list[_Prepared]) -> list[UrlResult]:
        results = pipeline.store_batch(prepared)
        done: list[tuple[str, Literal["done", "failed"], str | None]] = [
            (r.url, "done" if r.ok else "failed", r.error) for r in results
        ]
        try:
            repo.complete_many(done, owner=owner)
        except DwscrapeError as exc:
            log.error("store.complete_failed", count=len(done), error=str(exc))
        return results

    def account(results: list[UrlResult]) -> None:
        pipeline.report(results)
        for result in results:
            _count(report, result)

    storing: asyncio.Future[list[UrlResult]] | None = None
    leased = lease()
    try:
        while leased:
            validators = pipeline.validators(leased)
            prepared = await pipeline.fetch_batch(
                leased, validators, concurrency=options.concurrency
            )
            if storing is not None:
                account(await storing)
                storing = None
            leased = lease()  # the worker is idle: no write contends with this one
            storing = asyncio.ensure_future(pipeline._blocking(store_and_complete, prepared))
    finally:
        if storing is not None:
            account(await storing)


def run(
    repo: Repository,
    options: RunOptions,
    settings: FetchSettings | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunReport:
    """Synchronous wrapper of `run_async` for the CLI."""
    return asyncio.run(
        run_async(repo, options, settings, on_result=on_result, on_planned=on_planned)
    )
