"""Leasing from the frontier: the loop `run` and `worker` share (the recovery of the runs
whose process died, before a run leases, is `scraper.pipeline.recovery`).

A process leases a batch, fetches and parses it, and stores it while the next batch is already
leased and being fetched. Its leases are renewed by a heartbeat while they are in flight (also
the run row's sign of life), so a slow batch never outlives them, and a process never takes its
own leases over. Whatever is still leased when it stops (a limit, a signal, an error) goes back
to the frontier at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TypeVar

import structlog

from scraper.errors import DwscrapeError
from scraper.pipeline.batch import Pipeline
from scraper.pipeline.prepared import batch_size
from scraper.pipeline.recovery import Owner
from scraper.pipeline.report import RunOptions, RunReport, UrlResult, WorkerOptions, count_result
from scraper.pipeline.stopping import Stop
from scraper.pipeline.storage import Completion, Store

_T = TypeVar("_T")

log = structlog.get_logger("scraper.pipeline")

#: A worker with nothing to do looks again after this long at first, then less often.
POLL_MIN_S = 0.5
POLL_MAX_S = 10.0


@dataclass(frozen=True, slots=True)
class LeaseLimits:
    """When a lease loop stops on its own; `idle_exit_s` only for loops that wait for work."""

    batch_size: int
    concurrency: int
    lease_s: float
    max_articles: int | None = None
    deadline: float | None = None  # time.monotonic() value
    wait_for_work: bool = False
    idle_exit_s: float | None = None

    @classmethod
    def of(
        cls, options: RunOptions | WorkerOptions, report: RunReport, max_body_bytes: int
    ) -> LeaseLimits:
        """The limits of a `run` or a `worker`: batches sized for `max_body_bytes`, the
        deadline counted from the run's start; a worker waits for work."""
        worker = options if isinstance(options, WorkerOptions) else None
        return cls(
            batch_size=batch_size(options.concurrency, max_body_bytes, options.max_batch_bytes),
            concurrency=options.concurrency,
            lease_s=options.lease_s,
            max_articles=options.max_articles,
            deadline=(
                report.started + options.max_duration_s
                if options.max_duration_s is not None
                else None
            ),
            wait_for_work=worker is not None,
            idle_exit_s=worker.idle_exit_s if worker is not None else None,
        )


class LeaseLoop:
    """Leases batches from the frontier and crawls them until done, a limit, or a stop.

    Three batches overlap (`Pipeline.drive`): while one batch is written (articles, fetch
    log, frontier) on the pipeline's worker thread, the next one is being fetched and the
    one after it is already leased, so the network, the parser and the database are never
    idle waiting for each other. `guard` is
    called before every lease (the run lock's check: it raises when the lock is lost)."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline,
        report: RunReport,
        limits: LeaseLimits,
        *,
        owner: Owner,
        stop: Stop | None = None,
        guard: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.report = report
        self.limits = limits
        self.owner = owner
        self.stop = stop or Stop()
        self.guard = guard
        self.taken = 0
        #: Why the loop must stop with an error (a lost run lock), raised once the batches in
        #: flight are stored and the leases handed back.
        self.failure: DwscrapeError | None = None

    async def work(self) -> None:
        beat = asyncio.ensure_future(self._heartbeat())
        try:
            await self.pipeline.drive(
                self.lease,
                self.account,
                concurrency=self.limits.concurrency,
                then=self.complete,
                refill=self.next_batch,
                interruptible=self._interruptible,
            )
        finally:
            beat.cancel()
            with suppress(asyncio.CancelledError):
                await beat
            self.release_all()
        if self.failure is not None:
            raise self.failure
        if self.stop.requested:
            self.report.stopped_by = "signal"

    async def _interruptible(self, fetching: Awaitable[_T]) -> _T | None:
        """A batch's fetch, cut short (None) by a stop signal or by the run's deadline: a slow
        server cannot hold a run past `--max-duration` for longer than it takes to hand the
        batch's URLs back (the fetches in flight are cancelled; `release_all` returns them)."""
        if self.limits.deadline is None:
            return await self.stop.interruptible(fetching)
        left = max(0.0, self.limits.deadline - time.monotonic())
        try:
            return await asyncio.wait_for(self.stop.interruptible(fetching), timeout=left)
        except TimeoutError:
            log.info("run.deadline", action="fetches in flight cancelled and handed back")
            self.report.stopped_by = "max_duration"
            return None

    def stopping(self) -> bool:
        """A stop was requested or a limit reached (and noted in the report)."""
        if self.stop.requested or self.failure is not None:
            return True
        if self.limits.deadline is not None and time.monotonic() >= self.limits.deadline:
            self.report.stopped_by = "max_duration"
            return True
        if self.limits.max_articles is not None and self.taken >= self.limits.max_articles:
            self.report.stopped_by = "max_articles"
            return True
        return False

    def lease(self) -> list[str]:
        """The next batch of URLs, or none once a limit is reached."""
        if self.stopping():
            return []
        if self.guard is not None:
            try:
                self.guard()
            except DwscrapeError as exc:
                log.error("run.guard_failed", error=str(exc))
                self.failure = exc
                return []
        room = self.limits.batch_size
        if self.limits.max_articles is not None:
            room = min(room, self.limits.max_articles - self.taken)
        leased = self.store.lease(self.owner.name, room, self.limits.lease_s)
        urls = [item.url for item in leased]
        self.taken += len(urls)
        return urls

    async def next_batch(self) -> list[str]:
        """The next batch; a loop that waits for work polls an empty frontier (less and less
        often) until work comes, a limit, a stop, or `idle_exit_s` without anything due."""
        leased = self.lease()
        if leased or not self.limits.wait_for_work:
            return leased
        idle_since = time.monotonic()
        poll = POLL_MIN_S
        while not leased and not self.stopping():
            idle = time.monotonic() - idle_since
            if self.limits.idle_exit_s is not None and idle >= self.limits.idle_exit_s:
                self.report.stopped_by = "idle"
                return []
            wait = poll
            if self.limits.idle_exit_s is not None:
                wait = min(wait, self.limits.idle_exit_s - idle)
            if self.limits.deadline is not None:
                wait = min(wait, self.limits.deadline - time.monotonic())
            if await self.stop.sleep(wait):
                break
            poll = min(poll * 2, POLL_MAX_S)
            leased = self.lease()
        return leased

    def complete(self, results: list[UrlResult]) -> None:
        """Finish the batch's leases (on the pipeline's worker thread, after its write)."""
        done = [Completion(r.url, "done" if r.ok else "failed", r.error) for r in results]
        try:
            self.store.complete_many(done, owner=self.owner.name)
        except DwscrapeError as exc:
            log.error("store.complete_failed", count=len(done), error=str(exc))

    def account(self, results: Sequence[UrlResult]) -> None:
        self.pipeline.report(results)
        for result in results:
            count_result(self.report, result)

    def release_all(self) -> None:
        """Hand back every lease this process still holds (what it did not finish)."""
        try:
            released = self.store.release(self.owner.name)
        except DwscrapeError as exc:  # they come back after the lease time instead
            log.error("run.release_failed", error=str(exc))
            return
        if released:
            log.info("run.released", count=released)

    async def _heartbeat(self) -> None:
        """Renew this process's leases and the run's heartbeat, every third of a lease."""
        every = max(0.2, min(60.0, self.limits.lease_s / 3))
        while True:
            await asyncio.sleep(every)
            try:
                renewed = await asyncio.to_thread(
                    self.store.heartbeat, self.report.run_id, self.owner.name, self.limits.lease_s
                )
            except DwscrapeError as exc:
                log.warning("run.heartbeat_failed", error=str(exc))
                continue
            log.debug("run.heartbeat", renewed=renewed)
