"""fetch → parse → store for batches of URLs: the `Pipeline` that `run`, `worker` and `crawl`
drive.

A batch is fetched and parsed by the pipeline's `Preparer` (`scraper.pipeline.preparing`:
each page parsed and packed as soon as it arrives, so parsing overlaps fetching), then written
at once on the pipeline's one worker thread by its `BatchWriter` (`scraper.pipeline.writing`):
one transaction for its fetch log, one for its articles. Per-URL database round trips are what
made small runs slow. `drive` overlaps the batches: the next one is fetched and parsed while
the last one is written.

Nothing that goes wrong with one URL stops the others: every fetch outcome, `ParseError`,
`StorageError` and even an unexpected exception becomes a failed `UrlResult`, logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import structlog

from scraper.discovery import Site
from scraper.fetching import FetchSettings
from scraper.pipeline.prepared import PageFetcher, Prepared
from scraper.pipeline.preparing import Preparer
from scraper.pipeline.report import FillRates, ResultCallback, UrlResult
from scraper.pipeline.storage import Store
from scraper.pipeline.writing import BatchWriter

log = structlog.get_logger("scraper.pipeline")
_T = TypeVar("_T")


#: Wraps a batch's fetch; None when a stop cut it short (`scraper.pipeline.stopping.Stop`).
Interruptible = Callable[[Awaitable[list[Prepared]]], Awaitable[list[Prepared] | None]]


class Pipeline:
    """fetch → parse → store for batches of URLs, over one fetcher and one store.

    Used as ``async with Pipeline(store, fetcher, …) as pipeline`` inside the fetcher's own
    ``async with``: leaving it stops the worker thread and the parser processes.
    `parse_workers` is the number of parser processes (0: parse on the worker thread); given
    the `fetch_settings` of a run whose hosts are not paced, they fetch too
    (`scraper.pipeline.fetchparse`)."""

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
        fetch_settings: FetchSettings | None = None,
    ) -> None:
        self.store = store
        self.writer = BatchWriter(store, run_id)
        self.on_result = on_result
        self.fill = fill if fill is not None else FillRates()
        self._executor: ThreadPoolExecutor | None = None
        self.preparer = Preparer(
            store,
            fetcher,
            site=site,
            parse_workers=parse_workers,
            fetch_settings=fetch_settings,
            in_worker=self._in_worker,
        )

    async def __aenter__(self) -> Pipeline:
        self.preparer.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.preparer.close()
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
        """Crawl the batches `take` hands out until it hands out none, three at a time: while
        one batch is written (one transaction, on the worker thread, followed by `then`
        there), the next one is fetched and parsed, and the one after it is already taken and
        started, so the network, the parsers and the database never wait for each other (the
        fetching parser processes find their next share waiting, instead of idling while the
        batch's last share is fetched and the next is taken). The fetcher's limits hold
        across the batches in flight. `account` gets each batch's results, in order, on the
        event loop's thread; nothing is kept after that.

        The one loop of every command that fetches. A worker passes `refill`, asked (and
        awaited: it may poll the frontier) for the first batch and whenever `take` has none;
        and `interruptible`, which wraps each batch's fetch and gives None when a stop cut it
        short: the loop then ends, the cut batches unwritten (their leases go back)."""
        storing: asyncio.Future[list[UrlResult]] | None = None
        first = await refill() if refill is not None else take()
        current = self._start_batch(first, concurrency)
        following: asyncio.Task[list[Prepared]] | None = None
        try:
            while current is not None:
                if storing is not None:  # the last batch's write ends while this one is fetched
                    account(await storing)
                    storing = None
                # the worker thread is idle: no write contends with this lease
                following = self._start_batch(take(), concurrency)
                prepared = await (interruptible(current) if interruptible else current)
                if prepared is None:
                    break
                storing = asyncio.ensure_future(self.write(prepared, then))
                if following is None and refill is not None:
                    account(await storing)
                    storing = None
                    following = self._start_batch(await refill(), concurrency)
                current, following = following, None
        finally:
            await _cancelled(current, following)
            if storing is not None:
                account(await storing)

    def _start_batch(
        self, batch: Sequence[str], concurrency: int
    ) -> asyncio.Task[list[Prepared]] | None:
        """`batch` fetched and parsed in a task of its own, or None for no batch."""
        if not batch:
            return None
        validators = self.preparer.validators(batch)
        fetching = self.preparer.fetch_batch(batch, validators, concurrency=concurrency)
        return asyncio.ensure_future(fetching)

    async def write(
        self,
        prepared: Sequence[Prepared],
        then: Callable[[list[UrlResult]], None] | None = None,
    ) -> list[UrlResult]:
        """Store a fetched batch (`store_batch`) on the worker thread, then call `then` with
        its results there too (a run completes the batch's leases this way)."""

        def write_batch() -> list[UrlResult]:
            results = self.writer.store_batch(prepared)
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

    async def _in_worker(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run parsing and database work on the pipeline's one worker thread, so the event
        loop keeps fetching meanwhile (and the database sees one writer at a time). A second
        thread for parsing was measured: no faster (the GIL), and the event loop's fetches
        waited longer for it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="dwscrape-store")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)


async def _cancelled(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel the batches still being fetched (a stop, a deadline) and wait until they are."""
    pending = [t for t in tasks if t is not None and not t.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
