"""Per-host pacing and backing off: how dwscrape stays a welcome visitor.

* one request at a time per host (configurable), with a minimum pause between the end of one
  request and the start of the next: ``max(per_host_delay, Crawl-delay)``; a host whose
  robots.txt has a Crawl-delay gets one request at a time whatever ``per_host_concurrency``
  says (it asked for that pause between requests, not between waves of them);
* a global limit on requests in flight;
* ``Retry-After`` pushes the host's next slot back for every request, not just the retried one;
* a host that answers 403/429/451 several times in a row is left alone for the rest of the run;
* with a `HostGate` (other processes fetch for the same database), each request also waits for
  the host's next slot shared with them, and a ``Retry-After`` is shared too. A host paced at
  delay 0 (your own mirror) is not asked about: there is nothing to share.

The clock and sleep are injected (tests advance a fake clock instead of waiting).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field

import structlog

from scraper.fetching.gates import HostGate
from scraper.fetching.settings import FetchSettings
from scraper.fetching.statuses import BLOCK_STATUSES

log = structlog.get_logger(__name__)


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    #: Held as well as a slot while the host has a Crawl-delay: one request at a time.
    serial: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    crawl_delay: float = 0.0
    strikes: int = 0
    backed_off: bool = False
    #: The host answered with a Retry-After at least once in this run.
    deferred: bool = False


class Politeness:
    """Per-host pacing and a global concurrency limit for one run."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        gate: HostGate | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._gate = gate
        self._hosts: dict[str, _HostState] = {}
        self._global = asyncio.Semaphore(settings.global_concurrency)

    def _state(self, host: str) -> _HostState:
        host = host.lower()
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(slots=asyncio.Semaphore(self.settings.per_host_concurrency))
            self._hosts[host] = state
        return state

    def delay(self, host: str) -> float:
        """The pause between requests to ``host``: the larger of our delay and Crawl-delay."""
        return max(self.settings.per_host_delay, self._state(host).crawl_delay)

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        self._state(host).crawl_delay = min(max(0.0, seconds), self.settings.max_crawl_delay)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (a Retry-After)."""
        state = self._state(host)
        state.next_at = max(state.next_at, self._clock() + seconds)
        state.deferred = True

    async def retry_after(self, host: str, seconds: float) -> None:
        """A ``Retry-After``: `defer` here, and for every process sharing the gate."""
        self.defer(host, seconds)
        if self._gate is None:
            return
        try:
            await self._gate.defer(host, seconds)
        except Exception as exc:  # the shared gate is a courtesy on top of the local pacing
            log.warning("politeness.gate_failed", host=host, error=str(exc))

    async def _shared_wait(self, host: str) -> None:
        """Wait for the host's next slot shared with other processes (if any are)."""
        delay = self.delay(host)
        if self._gate is None or delay <= 0:
            return
        try:
            wait = await self._gate.reserve(host, delay)
        except Exception as exc:  # the shared gate is a courtesy on top of the local pacing
            log.warning("politeness.gate_failed", host=host, error=str(exc))
            return
        if wait > 0:
            log.debug("politeness.shared_wait", host=host, wait_s=round(wait, 3))
            await self._sleep(wait)

    def record(self, host: str, status: int | None) -> None:
        """Count 403/429/451 answers in a row; back the host off after too many."""
        state = self._state(host)
        if status in BLOCK_STATUSES:
            state.strikes += 1
            if state.strikes >= self.settings.host_backoff_after and not state.backed_off:
                state.backed_off = True
                log.warning("politeness.host_backed_off", host=host, strikes=state.strikes)
        elif status is not None and status < 400:
            state.strikes = 0

    def is_backed_off(self, host: str) -> bool:
        return self._state(host).backed_off

    def paced(self, host: str) -> bool:
        """Whether ``host`` is paced: a delay between its requests (ours or its Crawl-delay),
        or it has asked us to wait (a Retry-After) in this run. (A backed-off host is not
        paced but refused: `is_backed_off`.)"""
        return self.delay(host) > 0 or self._state(host).deferred

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots (waiting out its delay), then a global slot.

        The host slot is taken first so that waiting for a slow host's delay never holds a
        global slot other hosts could use.
        """
        state = self._state(host)
        async with state.slots, state.serial if state.crawl_delay > 0 else nullcontext():
            wait = state.next_at - self._clock()
            if wait > 0:
                log.debug("politeness.wait", host=host, wait_s=round(wait, 3))
                await self._sleep(wait)
            await self._shared_wait(host)
            async with self._global:
                try:
                    yield
                finally:
                    state.next_at = max(state.next_at, self._clock() + self.delay(host))
