"""The client loop: one polite, resilient HTTP GET.

`Fetcher.fetch(url)` returns a `FetchResult` whose ``outcome`` says what happened; it never
raises an httpx exception (or any other) to the caller, so a crawl of thousands of URLs
survives every way a server or network can misbehave. Each hop of a fetch is: back-off and
robots.txt check, politeness slot, the request with retries, then either the next redirect
hop or the classification of the answer. The pieces live beside this module (redirects,
retry, decoders, content, robots, politeness); this one only strings them together.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog

from scraper import eventloop
from scraper.fetching.body import (
    SlowTransfer,
    Truncated,
    discard_connection,
    read_body,
)
from scraper.fetching.budget import UrlBudget
from scraper.fetching.content import cut_html
from scraper.fetching.decoders import DecodeError, TooLarge, UnsupportedEncoding
from scraper.fetching.gates import HostGate
from scraper.fetching.politeness import Politeness
from scraper.fetching.redirects import RedirectChain, Resolver, is_http_url, resolve_host
from scraper.fetching.result import (
    Exchange,
    Expect,
    FetchRequest,
    FetchResult,
    build_result,
    classify,
)
from scraper.fetching.retry import Sleep, parse_retry_after, retrying
from scraper.fetching.robots import RobotsCache
from scraper.fetching.settings import FetchSettings
from scraper.fetching.statuses import REDIRECT_STATUSES, RETRY_AFTER_STATUSES
from scraper.outcomes import FetchOutcome
from scraper.urls import strip_userinfo

log = structlog.get_logger(__name__)

Clock = Callable[[], float]


class _HandBack(Exception):
    """A hop of a request for unpaced hosts reached a paced host (`Fetcher.fetch_unpaced`)."""


class Fetcher:
    """Async HTTP fetcher: ``async with Fetcher(settings) as f: result = await f.fetch(url)``.

        One Fetcher is one run: robots.txt is fetched once per host (again after
        ``robots_max_age``, or ``robots_failure_max_age`` after a failure), politeness state (delays,
        backed-off hosts) lives as long as the Fetcher; a ``gate`` shares each host's pacing with other
    processes (`scraper.fetching.gates`). ``transport`` (e.g. ``httpx.MockTransport``),
        ``sleep``, ``clock`` and ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        resolve: Resolver | None = None,
        gate: HostGate | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._transport = transport
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._rng = rng or random.Random()
        self._resolve: Resolver = resolve or resolve_host
        self._client: httpx.AsyncClient | None = None
        self._politeness = Politeness(
            self.settings, clock=self._clock, sleep=self._sleep, gate=gate
        )
        self._robots = RobotsCache(
            self._fetch_robots,
            agent=self.settings.robots_agent,
            clock=self._clock,
            max_age=self.settings.robots_max_age,
            failure_max_age=self.settings.robots_failure_max_age,
            max_bytes=self.settings.robots_max_bytes,
        )

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.total_timeout,
            ),
            limits=httpx.Limits(
                max_connections=s.global_concurrency,
                max_keepalive_connections=s.global_concurrency,
            ),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            trust_env=s.trust_env,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ------------------------------------------------------------------ public

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        expect: Expect = "html",
    ) -> FetchResult:
        """GET ``url`` politely; ``etag``/``last_modified`` from the last fetch make it a
        conditional GET. ``expect`` is the content wanted: ``html`` (pages), ``xml`` (feeds,
        sitemaps) or ``any``. Never raises (except cancellation, and misuse outside
        ``async with``)."""
        request = FetchRequest(strip_userinfo(url), expect, etag, last_modified)
        result = await self._guarded(request)
        assert result is not None  # only a request for unpaced hosts is handed back
        return result

    async def fetch_unpaced(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult | None:
        """`fetch` a page, or None as soon as a hop's host turns out to be paced (a delay,
        its Crawl-delay, or a Retry-After in this run: `Politeness.paced`), before anything
        but its robots.txt is sent to it. A backed-off host is refused, as by `fetch`.

        For a fetching parser process (`scraper.pipeline.fetchparse`), whose requests are
        not paced together with the other processes': it hands such a page back to the main
        process, which fetches it again from the start, paced. A redirect into a paced host
        is handed back at that hop."""
        request = FetchRequest(strip_userinfo(url), "html", etag, last_modified, unpaced=True)
        return await self._guarded(request)

    async def _guarded(self, request: FetchRequest) -> FetchResult | None:
        """`_fetch` under the contract: failures become results, a hand-back is None."""
        if self._client is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(settings) as fetcher:`")
        url = request.url  # credentials are neither sent nor returned (`strip_userinfo`)
        try:
            result = await self._fetch(request)
        except _HandBack:
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the contract: nothing escapes to the crawler
            log.exception("fetch.unexpected_error", url=url)
            error = f"unexpected {type(exc).__name__}: {exc}"
            result = build_result(FetchOutcome.HTTP_ERROR, request, Exchange(url, error=error))
        log.debug(
            "fetch.done",
            url=url,
            outcome=str(result.outcome),
            status=result.status,
            attempts=result.attempts,
            duration_s=round(result.duration_s, 3),
        )
        return result

    async def robots_sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` lines of the robots.txt of ``url``'s host (fetched if needed)."""
        return await self._robots.sitemaps(url)

    # ------------------------------------------------------------------ the hops

    async def _fetch(self, request: FetchRequest, *, check_robots: bool = True) -> FetchResult:
        if not is_http_url(request.url):
            error = f"not an http(s) URL: {request.url}"
            return build_result(
                FetchOutcome.HTTP_ERROR, request, Exchange(request.url, error=error)
            )
        chain = RedirectChain(request.url, self.settings, self._resolve)
        budget = UrlBudget(self.settings.url_budget_s)
        conditional = request.conditional_headers()
        current = request.url
        last = Exchange(url=current)
        sent = 0  # requests sent on earlier hops of the redirect chain
        for _hop in range(self.settings.max_redirects + 1):
            refused = await self._refusal(request, current, check_robots=check_robots)
            if refused is not None:
                return refused
            if budget.spent:
                last.outcome, last.error = FetchOutcome.TIMEOUT, budget.message()
                return build_result(FetchOutcome.TIMEOUT, request, last)
            ex = last = await self._get_with_retries(current, conditional, request, budget)
            ex.attempt += sent
            sent = ex.attempt
            if ex.outcome is not None:
                return build_result(ex.outcome, request, ex)
            target = chain.follow(current, ex)
            if target is not None and await chain.refuse_internal(target, ex):
                target = None
            if ex.outcome is not None:  # a redirect that may not be followed
                return build_result(ex.outcome, request, ex)
            if target is None:
                return classify(request, ex)
            current = target
        last.error = f"more than {self.settings.max_redirects} redirects"
        return build_result(FetchOutcome.HTTP_ERROR, request, last)

    async def _refusal(
        self, request: FetchRequest, url: str, *, check_robots: bool
    ) -> FetchResult | None:
        """The result when ``url`` may not be asked at all (host backed off, robots.txt),
        else None; also applies the host's Crawl-delay, and hands a request for unpaced
        hosts back (`_HandBack`) when the host is paced."""
        host = urlsplit(url).hostname or ""
        if self._politeness.is_backed_off(host):
            error = f"host {host} backed off for this run after repeated 403/429"
            return build_result(FetchOutcome.BLOCKED, request, Exchange(url, error=error))
        if check_robots and self.settings.obey_robots:
            verdict = await self._robots.check(url)
            if not verdict.allowed:
                # an unreachable host is reported as such, not as a robots verdict
                outcome = FetchOutcome(verdict.failure or FetchOutcome.ROBOTS_DISALLOWED)
                return build_result(outcome, request, Exchange(url, error=verdict.reason))
            delay = self._robots.crawl_delay(url)
            if delay:
                self._politeness.set_crawl_delay(host, delay)
        if request.unpaced and self._politeness.paced(host):
            raise _HandBack(host)
        return None

    async def _fetch_robots(self, robots_url: str) -> FetchResult:
        """robots.txt through the same machinery (politeness, retries, caps), minus robots."""
        request = FetchRequest(robots_url, "any", body_cap=self.settings.robots_max_bytes)
        return await self._fetch(request, check_robots=False)

    # ------------------------------------------------------------------ one request

    async def _get_with_retries(
        self, url: str, headers: dict[str, str], request: FetchRequest, budget: UrlBudget
    ) -> Exchange:
        counter = 0

        async def attempt() -> Exchange:
            nonlocal counter
            counter += 1
            ex = await self._attempt(url, headers, request.body_cap, budget)
            ex.attempt = counter
            return ex

        retry = retrying(self.settings, self._rng, self._sleep, url, budget)
        result: Exchange = await retry(attempt)
        return result

    async def _attempt(
        self, url: str, headers: dict[str, str], body_cap: int | None, budget: UrlBudget
    ) -> Exchange:
        host = urlsplit(url).hostname or ""
        async with self._politeness.slot(host):
            started = time.perf_counter()
            try:
                ex = await self._exchange(url, headers, body_cap, budget)
            finally:
                budget.spend(time.perf_counter() - started)
        self._politeness.record(host, ex.status)
        if ex.status is None or ex.outcome is not None:
            return ex
        ex.retryable = ex.status in self.settings.retry_statuses
        retry_after = parse_retry_after(ex.headers.get("retry-after"))
        if retry_after is not None and ex.status in RETRY_AFTER_STATUSES:
            cap = self.settings.retry_after_cap
            ex.retry_after = retry_after
            # every request to the host waits, not just this one (at most the cap, so a
            # server asking for hours cannot stall the whole run; it gets backed off)
            await self._politeness.retry_after(host, min(retry_after, cap))
            if retry_after > cap:
                ex.retryable = False
                ex.error = f"Retry-After {retry_after:.0f}s exceeds the cap"
        return ex

    async def _exchange(
        self, url: str, headers: dict[str, str], body_cap: int | None, budget: UrlBudget
    ) -> Exchange:
        """One GET with the body streamed under the size cap, the request deadline and what
        is left of the URL's budget; failures become data."""
        assert self._client is not None, "use Fetcher as an async context manager"
        ex = Exchange(url=url)
        by_budget = budget.left < self.settings.total_timeout
        deadline = asyncio.timeout(min(self.settings.total_timeout, max(budget.left, 0.0)))
        try:
            async with deadline, self._client.stream("GET", url, headers=headers) as response:
                ex.status = response.status_code
                ex.headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                    return ex
                ex.body = await read_body(response, self.settings, body_cap)
                if 200 <= ex.status < 300 and cut_html(ex.body, ex.headers.get("content-type")):
                    # the rest of the page may still come on this connection, where the
                    # next response belongs: it is not used again
                    await discard_connection(response)
                    raise Truncated("HTML ends before </html>")
        except Exception as exc:
            failure = _failure(exc, self.settings.max_bytes)
            if failure is None:
                raise
            ex.outcome, ex.error, ex.retryable = failure
            if deadline.expired() and by_budget:
                ex.error, ex.retryable = f"{budget.message()} ({ex.error})", False
            if ex.outcome not in (FetchOutcome.TOO_LARGE, FetchOutcome.TRUNCATED):
                ex.status = None
            ex.body = None
        return ex


def _failure(exc: Exception, max_bytes: int) -> tuple[FetchOutcome, str, bool] | None:
    """(outcome, error, retryable) for a request that failed with ``exc``; None when ``exc``
    is not a way a request fails (a bug: `Fetcher.fetch` reports it as such)."""
    named = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TooLarge):
        return FetchOutcome.TOO_LARGE, f"body over {max_bytes} bytes", False
    if isinstance(exc, Truncated):
        return FetchOutcome.TRUNCATED, f"truncated: {exc}", True
    if isinstance(exc, SlowTransfer):
        return FetchOutcome.TIMEOUT, str(exc), True
    if isinstance(exc, UnsupportedEncoding):
        return FetchOutcome.HTTP_ERROR, f"unsupported Content-Encoding {exc}", False
    if isinstance(exc, DecodeError | httpx.DecodingError):
        return FetchOutcome.HTTP_ERROR, f"undecodable body: {exc}", False
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return FetchOutcome.TIMEOUT, named.rstrip(": "), True
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchOutcome.HTTP_ERROR, named, False
    if isinstance(exc, httpx.TransportError | OSError):
        return FetchOutcome.CONNECTION_ERROR, named.rstrip(": "), True
    if isinstance(exc, httpx.HTTPError):
        return FetchOutcome.HTTP_ERROR, named, False
    return None


def fetch_sync(url: str, settings: FetchSettings | None = None, **kw: Any) -> FetchResult:
    """Fetch one URL from synchronous code (the CLI's one-off commands). ``kw`` go to
    `Fetcher.fetch` (``etag``, ``last_modified``, ``expect``)."""

    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kw)

    return eventloop.run(run())
