"""Politeness towards the sites we crawl: robots.txt, per-host pacing, backing off.

Kept apart from `scraper.fetch` so the rules are readable in one place:

* robots.txt is fetched once per host and kept for ``max_age`` (RFC 9309: at most 24 hours;
  a 4xx means "no rules", a 5xx or an unreachable server means "assume everything is
  disallowed", a verdict kept only ``failure_max_age`` so that a long run recovers from an
  outage) and parsed with protego, scrapy's robots parser, which understands wildcards,
  ``Allow`` and ``Crawl-delay``.
* one request at a time per host (configurable), with a minimum pause between the end of one
  request and the start of the next: ``max(per_host_delay, Crawl-delay)``;
* a global limit on requests in flight;
* ``Retry-After`` pushes the host's next slot back for every request, not just the retried one;
* a host that answers 403/429 several times in a row is left alone for the rest of the run.

The clock and sleep are injected (tests advance a fake clock instead of waiting).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog
from protego import Protego

if TYPE_CHECKING:
    from scraper.fetch import FetchResult, FetchSettings

log = structlog.get_logger(__name__)

#: Statuses that count as "the host does not want us" towards backing off.
_STRIKE_STATUSES = frozenset({403, 429, 451})


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    next_at: float = 0.0
    crawl_delay: float = 0.0
    strikes: int = 0
    backed_off: bool = False


class Politeness:
    """Per-host pacing and a global concurrency limit for one run."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
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

    def record(self, host: str, status: int | None) -> None:
        """Count 403/429 answers in a row; back the host off after too many."""
        state = self._state(host)
        if status in _STRIKE_STATUSES:
            state.strikes += 1
            if state.strikes >= self.settings.host_backoff_after and not state.backed_off:
                state.backed_off = True
                log.warning("politeness.host_backed_off", host=host, strikes=state.strikes)
        elif status is not None and status < 400:
            state.strikes = 0

    def is_backed_off(self, host: str) -> bool:
        return self._state(host).backed_off

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots (waiting out its delay), then a global slot.

        The host slot is taken first so that waiting for a slow host's delay never holds a
        global slot other hosts could use.
        """
        state = self._state(host)
        async with state.slots:
            wait = state.next_at - self._clock()
            if wait > 0:
                log.debug("politeness.wait", host=host, wait_s=round(wait, 3))
                await self._sleep(wait)
            async with self._global:
                try:
                    yield
                finally:
                    state.next_at = max(state.next_at, self._clock() + self.delay(host))


@dataclass
class _Robots:
    parser: Protego | None  # None: no rules (everything allowed)
    disallow_all: bool = False
    reason: str | None = None
    #: how fetching robots.txt failed (timeout, connection_error): the host is unreachable
    failure: str | None = None
    sitemaps: list[str] = field(default_factory=list)
    #: clock reading after which robots.txt is fetched again
    expires_at: float = float("inf")


class RobotsCache:
    """robots.txt per scheme+host, fetched through the fetcher itself and kept ``max_age``
    seconds (``failure_max_age`` when it could not be fetched) by ``clock``."""

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[FetchResult]],
        *,
        agent: str = "dwscrape",
        clock: Callable[[], float] | None = None,
        max_age: float = 24 * 3600.0,
        failure_max_age: float = 600.0,
    ) -> None:
        self._fetch = fetch
        self.agent = agent
        self._clock = clock or time.monotonic
        self.max_age = max_age
        self.failure_max_age = failure_max_age
        self._cache: dict[str, _Robots] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @staticmethod
    def _key(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def _fresh(self, key: str) -> _Robots | None:
        robots = self._cache.get(key)
        if robots is not None and self._clock() < robots.expires_at:
            return robots
        return None

    async def _get(self, url: str) -> _Robots:
        key = self._key(url)
        robots = self._fresh(key)
        if robots is not None:
            return robots
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            robots = self._fresh(key)
            if robots is None:
                robots = await self._load(key + "/robots.txt")
                age = self.failure_max_age if robots.disallow_all else self.max_age
                robots.expires_at = self._clock() + age
                self._cache[key] = robots
        return robots

    async def _load(self, robots_url: str) -> _Robots:
        from scraper.fetch import FetchOutcome  # runtime import: fetch imports this module

        result = await self._fetch(robots_url)
        if result.outcome is FetchOutcome.OK and result.body is not None:
            text = result.body.decode(result.encoding or "utf-8", errors="replace")
            try:
                parser = Protego.parse(text)
            except Exception as exc:  # protego on garbage: treat as no rules, say so
                log.warning("robots.unparseable", url=robots_url, error=str(exc))
                return _Robots(parser=None)
            log.info("robots.loaded", url=robots_url)
            return _Robots(parser=parser, sitemaps=list(parser.sitemaps))
        status = result.status
        if status is not None and 400 <= status < 500:
            log.info("robots.absent", url=robots_url, status=status)
            return _Robots(parser=None)
        reason = f"robots.txt unavailable ({result.outcome}: {result.error or status})"
        log.warning("robots.unavailable", url=robots_url, outcome=str(result.outcome))
        failure = None if status is not None else str(result.outcome)
        return _Robots(parser=None, disallow_all=True, reason=reason, failure=failure)

    async def allowed(self, url: str) -> tuple[bool, str | None]:
        """(allowed, reason when not)."""
        robots = await self._get(url)
        return self._verdict(robots, url)

    async def check(self, url: str) -> tuple[bool, str | None, str | None]:
        """(allowed, reason when not, failure outcome when robots.txt was unreachable)."""
        robots = await self._get(url)
        allowed, reason = self._verdict(robots, url)
        return allowed, reason, robots.failure

    def _verdict(self, robots: _Robots, url: str) -> tuple[bool, str | None]:
        if robots.disallow_all:
            return False, robots.reason
        if robots.parser is None:
            return True, None
        if robots.parser.can_fetch(url, self.agent):
            return True, None
        return False, f"disallowed by robots.txt for {self.agent}"

    def crawl_delay(self, url: str) -> float | None:
        """Crawl-delay of the (already loaded) robots.txt for ``url``'s host."""
        robots = self._cache.get(self._key(url))
        if robots is None or robots.parser is None:
            return None
        delay: Any = robots.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None

    async def sitemaps(self, url: str) -> list[str]:
        """``Sitemap:`` lines of the robots.txt for ``url``'s host."""
        return list((await self._get(url)).sitemaps)
