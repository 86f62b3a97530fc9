"""Fetching parser processes: where no host is paced, the parser processes fetch too.

Parser processes alone leave the fetching in the main process: robots.txt, retries, httpx and
the event loop cost about as much CPU per page as parsing does, so by Amdahl's law parser
processes could not take a run past 1.2-1.4x one process, on any number of cores. When no
host is paced (``--delay 0``: your own mirror, a backfill from one), fetching can leave the
main process as well: each parser process runs an event loop and a `Fetcher` of its own,
fetches its share of a batch, parses and packs each page as it arrives and hands back only
the results. The main process leases, writes and keeps the run's books, as before; the batch,
its transactions, the 304 handling and the results are the `Pipeline`'s, unchanged.

Only without a delay, because the pacing of a host lives in one process (its `Politeness`, and
on PostgreSQL the shared gate on the main process's connection); with a delay, the pacing and
not the CPU bounds a run, so fetching stays in the process that paces. For the same reason a
host that paces itself is handed back: a fetching process asks for no page of a host whose
robots.txt has a ``Crawl-delay``, or that has sent it a ``Retry-After``, and returns the job
unfetched (`Fetched.paced`, `Fetcher.fetch_unpaced`), also when a redirect leads to such a host;
the main process fetches those pages itself from the start, paced once for all processes (and
through the gate). Each fetching process still reads the host's robots.txt once, and a
``Retry-After`` reaches each of them (at most one request each) before they hand the host
back. A host backed off in a fetching process (repeated 403/429) is refused there, as it is in
the main process.

A stop (a signal, the deadline) cancels the main process's wait for a batch and sets an event
every fetching process watches: their fetches in flight are dropped at once, so the pool shuts
down in moments, not after the slowest fetch (the batch's leases go back, as always).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

import structlog
import structlog.testing

from scraper import eventloop
from scraper.discovery import Site
from scraper.fetching import Fetcher, FetchResult, FetchSettings
from scraper.outcomes import FetchOutcome
from scraper.pipeline.parsing import (
    Parsed,
    ParseJob,
    kill_pool,
    parse_job,
    pool_context,
    relay,
    start_forkserver,
    start_pool,
    warm,
)
from scraper.pipeline.prepared import page_url

log = structlog.get_logger("scraper.pipeline")

#: How often a fetching process looks at the stop event while it fetches (seconds).
STOP_POLL_S = 0.05


def fetches_in_parsers(settings: FetchSettings, parse_workers: int) -> bool:
    """Whether a run with these settings fetches in its parser processes: only when there are
    some and no host is paced (see the module's docstring)."""
    return parse_workers > 0 and settings.per_host_delay == 0


def prestart_parsers(settings: FetchSettings, parse_workers: int) -> None:
    """At a command's start: if its parser processes will fetch, start their forkserver now
    (`scraper.pipeline.parsing.start_forkserver`), while the command opens its database and
    discovers; `FetchingParsers.start` then finds it ready."""
    if fetches_in_parsers(settings, parse_workers):
        start_forkserver()


@dataclass(frozen=True, slots=True)
class FetchJob:
    """One URL to fetch and parse: the URL as stored, the address to fetch (a mirror's), and
    the validators of its last fetch (only where a stored article stands behind them:
    `Preparer.validators`)."""

    url: str
    address: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch and, for a page that came, its parse (the page's bytes then travel packed, in
    `Parsed.page`, not twice); `error` when the fetch itself broke unexpectedly."""

    fetched: FetchResult | None
    parsed: Parsed | None = None
    error: str | None = None
    #: Not fetched: the host is paced, and the main process fetches its pages.
    paced: bool = False


class FetchingParsers:
    """The pool of fetching parser processes of one `Pipeline`."""

    def __init__(self, workers: int, settings: FetchSettings, site: Site | None) -> None:
        self.workers = workers
        self._settings = replace(
            settings,
            global_concurrency=_share(settings.global_concurrency, workers),
            per_host_concurrency=_share(settings.per_host_concurrency, workers),
        )
        self._site = site.base if site is not None else None
        self._context = pool_context()
        self._stop = self._context.Event()
        self._pool: ProcessPoolExecutor | None = None

    async def fetch(self, jobs: Sequence[FetchJob], concurrency: int) -> list[Fetched]:
        """Fetch and parse `jobs`, shared out round robin, `concurrency` in flight in all; one
        `Fetched` per job, in order."""
        if not jobs:
            return []
        pool = self._pool_started()
        n = min(self.workers, len(jobs))
        per_process = _share(concurrency, n)
        loop = asyncio.get_running_loop()
        try:
            calls = [
                loop.run_in_executor(pool, fetch_share, list(jobs[i::n]), per_process)
                for i in range(n)
            ]
            answers = await asyncio.gather(*calls)
        except asyncio.CancelledError:
            self._stop.set()  # the batch is given up: the processes drop their fetches
            raise
        except BrokenProcessPool as exc:
            # A process died under the batch (the OOM killer, a crash in C): its URLs fail and
            # are retried as failures are (so do those of a batch queued behind it); the next
            # batch gets a new pool.
            log.error("crawl.parser_process_died", count=len(jobs), error=str(exc))
            if self._pool is pool:
                kill_pool(pool)
                self._pool = None
            return [Fetched(None, error=f"a fetching parser process died: {exc}")] * len(jobs)
        results: list[Fetched] = [Fetched(None)] * len(jobs)
        for i, (fetched, logs) in enumerate(answers):
            relay(logs)
            results[i::n] = fetched
        return results

    def start(self) -> None:
        """Start the processes now, in the background, so that they are ready for the first
        batch (`scraper.pipeline.parsing.warm`)."""
        warm(self._pool_started(), self.workers)

    def _pool_started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = start_pool(
                self.workers,
                context=self._context,
                setup=_start,
                setup_args=(self._settings, self._site, self._stop, eventloop.loop_name()),
            )
        return self._pool

    def close(self) -> None:
        """Stop the processes' fetches and shut the pool down (for good: the stop stays set)."""
        if self._pool is not None:
            self._stop.set()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _share(total: int, parts: int) -> int:
    return max(1, math.ceil(total / max(1, parts)))


class _FetchingProcess:
    """What a fetching parser process keeps between batches: its event loop and its fetcher
    (connections, robots.txt, pacing and back-off last as long as the process)."""

    def __init__(self, settings: FetchSettings, site: str | None, stop: Any, loop: str) -> None:
        self.loop = eventloop.new_loop(loop)
        self.fetcher = Fetcher(settings)
        self.loop.run_until_complete(self.fetcher.__aenter__())
        self.site = Site(site) if site else None
        self.stop = stop

    async def fetch_all(self, jobs: Sequence[FetchJob], concurrency: int) -> list[Fetched]:
        """Every job, `concurrency` at a time; none at all once the stop is set."""
        sem = asyncio.Semaphore(concurrency)

        async def one(job: FetchJob) -> Fetched:
            async with sem:
                try:
                    return await self.fetch_one(job)
                except Exception as exc:  # a bug or an unforeseen failure: the URL fails
                    log.exception("crawl.unexpected_error", url=job.url)
                    return Fetched(None, error=f"unexpected {exc.__class__.__name__}: {exc}")

        work = asyncio.ensure_future(asyncio.gather(*(one(job) for job in jobs)))
        while not work.done():
            await asyncio.wait({work}, timeout=STOP_POLL_S)
            if self.stop.is_set():
                work.cancel()
                with suppress(asyncio.CancelledError):
                    await work
                return []
        return work.result()

    async def fetch_one(self, job: FetchJob) -> Fetched:
        fetched = await self.fetcher.fetch_unpaced(
            job.address, etag=job.etag, last_modified=job.last_modified
        )
        if fetched is None:
            return Fetched(None, paced=True)  # see the module's docstring
        if fetched.outcome != FetchOutcome.OK or fetched.body is None:
            return Fetched(fetched)
        source = page_url(fetched, job.address, self.site)
        parsed = parse_job(ParseJob(fetched.body, source, fetched.fetched_at))
        return Fetched(replace(fetched, body=None), parsed)


_process: _FetchingProcess | None = None


def _start(settings: FetchSettings, site: str | None, stop: Any, loop: str) -> None:
    global _process
    _process = _FetchingProcess(settings, site, stop, loop)


def fetch_share(
    jobs: list[FetchJob], concurrency: int
) -> tuple[list[Fetched], tuple[dict[str, Any], ...]]:
    """In a fetching parser process: fetch and parse `jobs`; the results and the log events
    of the share (debug events left out), for the main process to log again."""
    if _process is None:
        raise RuntimeError("fetch_share runs only in a fetching parser process")
    with structlog.testing.capture_logs() as events:
        fetched = _process.loop.run_until_complete(_process.fetch_all(jobs, concurrency))
    return fetched, tuple(dict(e) for e in events if e.get("log_level") != "debug")
