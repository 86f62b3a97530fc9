"""robots.txt: fetched once per host, kept for a while, asked before every request.

robots.txt is fetched through the fetcher itself (politeness, retries, caps) and kept for
``max_age`` (RFC 9309: at most 24 hours). A 4xx means "no rules"; a 5xx or an unreachable
server means "assume everything is disallowed", a verdict kept only ``failure_max_age`` so
that a long run recovers from an outage. Only the first ``max_bytes`` (500 KiB, as RFC 9309
allows) are read and parsed, up to their last complete line: a huge robots.txt costs neither
memory nor the host. Its text is decoded by the one charset detector, bogus labels and
undecodable bytes included (replaced), so no robots.txt can raise. Rules are parsed with protego, scrapy's robots
parser, which understands wildcards, ``Allow`` and ``Crawl-delay``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import structlog
from protego import Protego

from scraper import charset
from scraper.fetching.result import FetchResult
from scraper.outcomes import FetchOutcome

log = structlog.get_logger(__name__)


class RobotsVerdict(NamedTuple):
    """Whether a URL may be fetched; ``reason`` says why not, ``failure`` is the outcome
    (timeout, connection_error) when robots.txt itself was unreachable."""

    allowed: bool
    reason: str | None = None
    failure: str | None = None


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
        max_bytes: int = 500 * 1024,
    ) -> None:
        self._fetch = fetch
        self.agent = agent
        self._clock = clock or time.monotonic
        self.max_age = max_age
        self.failure_max_age = failure_max_age
        self.max_bytes = max_bytes
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
        result = await self._fetch(robots_url)
        if result.outcome is FetchOutcome.OK and result.body is not None:
            text = self._text(result, robots_url)
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

    def _text(self, result: FetchResult, robots_url: str) -> str:
        body = result.body or b""
        if len(body) >= self.max_bytes:
            body = body[: self.max_bytes]
            body = body[: body.rfind(b"\n") + 1]  # a line cut in two is no rule
            log.warning("robots.cut", url=robots_url, parsed_bytes=len(body))
        encoding = result.encoding or charset.detect(body, result.content_type)
        try:
            return body.decode(encoding, errors="replace")
        except LookupError:  # defensive: the detector only names codecs Python has
            return body.decode("utf-8", errors="replace")

    async def check(self, url: str) -> RobotsVerdict:
        """May ``url`` be fetched (loading its host's robots.txt first if needed)?"""
        robots = await self._get(url)
        if robots.disallow_all:
            return RobotsVerdict(False, robots.reason, robots.failure)
        if robots.parser is None or robots.parser.can_fetch(url, self.agent):
            return RobotsVerdict(True)
        return RobotsVerdict(False, f"disallowed by robots.txt for {self.agent}")

    def crawl_delay(self, url: str) -> float | None:
        """Crawl-delay of the (already loaded) robots.txt for ``url``'s host."""
        robots = self._cache.get(self._key(url))
        if robots is None or robots.parser is None:
            return None
        delay = robots.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None

    async def sitemaps(self, url: str) -> list[str]:
        """``Sitemap:`` lines of the robots.txt for ``url``'s host."""
        return list((await self._get(url)).sitemaps)
