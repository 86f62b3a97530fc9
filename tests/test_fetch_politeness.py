"""Politeness: robots.txt once per host, Crawl-delay, per-host delay and concurrency, global
limit, backing off a host that keeps refusing. Delays are asserted on a fake clock."""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import quote

import httpx

from scraper.fetching import Fetcher, FetchOutcome, FetchResult, FetchSettings
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock

PAGES = [
    "/en/germany-tests-the-fake-site/a-9000001",
    "/en/a-classic-page-for-tests/a-9000002",
    "/de/ein-test-f%C3%BCr-die-fake-seite/a-9000003",
]


def fetch_many(
    urls: list[str], settings: FetchSettings, clock: FakeClock | None = None, gather: bool = False
) -> list[FetchResult]:
    clock = clock or FakeClock()

    async def run() -> list[FetchResult]:
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            if gather:
                return list(await asyncio.gather(*(fetcher.fetch(u) for u in urls)))
            return [await fetcher.fetch(u) for u in urls]

    return asyncio.run(run())


def test_robots_txt_is_fetched_once_per_host_and_obeyed(site: FaultSite) -> None:
    urls = [site.base_url + p for p in PAGES] + [site.base_url + "/private/a-secret-page/a-9000009"]
    results = fetch_many(urls * 2, dataclasses.replace(FAST, global_concurrency=4), gather=True)
    assert [r.outcome for r in results[:3]] == [FetchOutcome.OK] * 3
    assert results[3].outcome is FetchOutcome.ROBOTS_DISALLOWED
    assert site.hits("/robots.txt") == 1
    assert site.hits("/private/a-secret-page/a-9000009") == 0  # never requested
    # robots off: the same page is fetched
    off = fetch_many(urls[3:], dataclasses.replace(FAST, obey_robots=False))
    assert off[0].outcome is FetchOutcome.OK


def test_per_host_delay_between_requests(site: FaultSite) -> None:
    clock = FakeClock()
    settings = dataclasses.replace(FAST, per_host_delay=1.0)
    results = fetch_many([site.base_url + p for p in PAGES], settings, clock)
    assert all(r.ok for r in results)
    # robots.txt, then three pages: each waits out the delay after the previous request
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_crawl_delay_from_robots_is_honoured(site: FaultSite) -> None:
    site.set_page("/robots.txt", "User-agent: *\nCrawl-delay: 5\n", "text/plain")
    clock = FakeClock()
    settings = dataclasses.replace(FAST, per_host_delay=1.0)
    fetch_many([site.base_url + p for p in PAGES[:2]], settings, clock)
    assert clock.sleeps == [1.0, 5.0]  # robots.txt -> page 1 before the delay was known
    capped = FakeClock()
    fetch_many(
        [site.base_url + p for p in PAGES[:2]],
        dataclasses.replace(settings, max_crawl_delay=2.0),
        capped,
    )
    assert capped.sleeps == [1.0, 2.0]


def test_a_crawl_delay_means_one_request_at_a_time_whatever_the_concurrency(
    site: FaultSite,
) -> None:
    site.set_page("/robots.txt", "User-agent: *\nCrawl-delay: 2\n", "text/plain")
    clock = FakeClock()
    settings = dataclasses.replace(FAST, per_host_concurrency=4, global_concurrency=4)
    results = fetch_many([site.base_url + p for p in PAGES], settings, clock, gather=True)
    assert all(r.ok for r in results)
    # the first page right after robots.txt (its delay not yet known), then one delay apart,
    # not all three at once through the four slots
    assert clock.sleeps == [2.0, 2.0]


def test_crawl_delay_for_our_agent(site: FaultSite) -> None:
    site.set_page(
        "/robots.txt",
        "User-agent: dwscrape\nCrawl-delay: 3\nDisallow: /en/a-classic\n\nUser-agent: *\nDisallow:\n",
        "text/plain",
    )
    clock = FakeClock()
    results = fetch_many([site.base_url + p for p in PAGES], FAST, clock)
    assert [r.outcome for r in results] == [
        FetchOutcome.OK,
        FetchOutcome.ROBOTS_DISALLOWED,
        FetchOutcome.OK,
    ]
    assert 3.0 in clock.sleeps


def test_one_request_at_a_time_per_host(site: FaultSite) -> None:
    urls = [site.base_url + f"/_fault/slow?delay=0.15&key={i}" for i in range(4)]
    results = fetch_many(urls, FAST, gather=True)
    assert all(r.ok for r in results)
    assert site.max_in_flight == 1


def test_per_host_limit_can_be_raised(site: FaultSite) -> None:
    urls = [site.base_url + f"/_fault/slow?delay=0.15&key={i}" for i in range(4)]
    fetch_many(urls, FAST.unthrottled(4), gather=True)
    assert site.max_in_flight >= 2


def test_global_concurrency_limit(site: FaultSite) -> None:
    urls = [site.base_url + f"/_fault/slow?delay=0.15&key={i}" for i in range(6)]
    settings = dataclasses.replace(FAST, per_host_concurrency=6, global_concurrency=2)
    fetch_many(urls, settings, gather=True)
    assert site.max_in_flight == 2


def test_host_answering_403_is_backed_off_for_the_run(site: FaultSite) -> None:
    settings = dataclasses.replace(FAST, host_backoff_after=3)
    urls = [site.base_url + f"/_fault/status?code=403&key={i}" for i in range(3)]
    urls.append(site.base_url + PAGES[0])
    results = fetch_many(urls, settings)
    assert [r.outcome for r in results] == [FetchOutcome.BLOCKED] * 4
    assert "backed off" in (results[3].error or "")
    assert site.hits(PAGES[0]) == 0


def test_unavailable_robots_txt_disallows_the_host() -> None:
    """RFC 9309: robots.txt answering 5xx means "assume full disallow" (MockTransport: the
    fake site's robots.txt is a file)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(503)
        return httpx.Response(200, text="<html></html>", headers={"content-type": "text/html"})

    async def run() -> FetchResult:
        clock = FakeClock()
        async with Fetcher(
            FAST, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep
        ) as f:
            return await f.fetch("http://mock.test/en/x/a-1")

    result = asyncio.run(run())
    assert result.outcome is FetchOutcome.ROBOTS_DISALLOWED
    assert "/en/x/a-1" not in seen
    assert seen.count("/robots.txt") == 3  # retried like any 5xx, then given up


def test_missing_robots_txt_allows_everything() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(
            200,
            text="<html><div class='rich-text'></div></html>",
            headers={"content-type": "text/html"},
        )

    async def run() -> FetchResult:
        clock = FakeClock()
        async with Fetcher(
            FAST, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep
        ) as f:
            return await f.fetch("http://mock.test/en/x/a-1")

    assert asyncio.run(run()).outcome is FetchOutcome.OK


def _robots_then_pages(robots_statuses: list[int]) -> tuple[list[str], httpx.MockTransport]:
    """A transport whose robots.txt answers the given statuses in turn (the last one from
    then on); every page is a tiny DW-like page. Returns the request log and the transport."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            status = robots_statuses.pop(0) if len(robots_statuses) > 1 else robots_statuses[0]
            return httpx.Response(status, text="User-agent: *\nAllow: /\n")
        return httpx.Response(200, text="<html></html>", headers={"content-type": "text/html"})

    return seen, httpx.MockTransport(handler)


def test_failed_robots_txt_is_tried_again_after_its_max_age() -> None:
    """A robots.txt outage disallows the host only for `robots_failure_max_age`, so a long
    run recovers; before that the verdict is cached (no robots.txt request per page)."""
    settings = dataclasses.replace(FAST, max_attempts=1, robots_failure_max_age=600.0)
    seen, transport = _robots_then_pages([503, 200])
    clock = FakeClock()

    async def run() -> list[FetchOutcome]:
        async with Fetcher(settings, transport=transport, clock=clock, sleep=clock.sleep) as f:
            outcomes = [(await f.fetch("http://mock.test/en/x/a-1")).outcome]
            clock.now += 599.0
            outcomes.append((await f.fetch("http://mock.test/en/x/a-2")).outcome)
            clock.now += 2.0
            outcomes.append((await f.fetch("http://mock.test/en/x/a-3")).outcome)
            return outcomes

    outcomes = asyncio.run(run())
    assert outcomes == [
        FetchOutcome.ROBOTS_DISALLOWED,
        FetchOutcome.ROBOTS_DISALLOWED,
        FetchOutcome.OK,
    ]
    assert seen == ["/robots.txt", "/robots.txt", "/en/x/a-3"]


def test_fetched_robots_txt_is_refreshed_after_its_max_age() -> None:
    settings = dataclasses.replace(FAST, robots_max_age=3600.0)
    seen, transport = _robots_then_pages([200])
    clock = FakeClock()

    async def run() -> None:
        async with Fetcher(settings, transport=transport, clock=clock, sleep=clock.sleep) as f:
            await f.fetch("http://mock.test/en/x/a-1")
            clock.now += 3000.0
            await f.fetch("http://mock.test/en/x/a-2")
            clock.now += 700.0
            await f.fetch("http://mock.test/en/x/a-3")

    asyncio.run(run())
    assert seen == [
        "/robots.txt",
        "/en/x/a-1",
        "/en/x/a-2",
        "/robots.txt",
        "/en/x/a-3",
    ]


def test_a_paced_host_is_handed_back_for_a_delay_a_crawl_delay_or_a_retry_after(
    site: FaultSite,
) -> None:
    """`Fetcher.fetch_unpaced`: what makes a fetching parser process hand a page back."""
    page = site.base_url + PAGES[0]

    async def handed_back(
        robots: str | None, settings: FetchSettings, first: str | None = None
    ) -> bool:
        if robots is not None:
            site.set_page("/robots.txt", robots, "text/plain")
        clock = FakeClock()
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            if first is not None:
                await fetcher.fetch(first)
            return await fetcher.fetch_unpaced(page) is None

    unpaced = dataclasses.replace(FAST, per_host_delay=0.0)
    before = site.hits(PAGES[0])
    assert not asyncio.run(handed_back("User-agent: *\nDisallow:\n", unpaced))
    assert site.hits(PAGES[0]) == before + 1
    assert asyncio.run(handed_back(None, dataclasses.replace(FAST, per_host_delay=1.0)))
    assert asyncio.run(handed_back("User-agent: *\nCrawl-delay: 2\n", unpaced))
    site.set_page("/robots.txt", "User-agent: *\nDisallow:\n", "text/plain")
    retry_after = site.base_url + "/_fault/429-retry-after?seconds=1&key=paced"
    assert asyncio.run(handed_back(None, unpaced, first=retry_after))
    assert site.hits(PAGES[0]) == before + 1  # a page handed back was never asked for

    async def backed_off() -> FetchResult | None:
        settings = dataclasses.replace(unpaced, host_backoff_after=1)
        async with Fetcher(settings, clock=FakeClock()) as fetcher:
            await fetcher.fetch(site.base_url + "/_fault/status?code=403&key=paced")
            return await fetcher.fetch_unpaced(page)

    refused = asyncio.run(backed_off())  # refused here as in the main process, not handed back
    assert refused is not None and refused.outcome is FetchOutcome.BLOCKED
    assert site.hits(PAGES[0]) == before + 1


def test_a_redirect_into_a_paced_host_is_handed_back_at_that_hop(site: FaultSite) -> None:
    """The pacing is checked at every hop: a fetching process must not follow a redirect to a
    host whose Crawl-delay only the main process keeps."""
    with FaultSite() as paced:
        paced.set_page("/robots.txt", "User-agent: *\nCrawl-delay: 2\n", "text/plain")
        other = f"http://localhost:{paced.port}"  # another host name for the same loopback
        start = site.base_url + "/_fault/redirect-to?url=" + quote(other + PAGES[0], safe="")
        settings = dataclasses.replace(
            FAST, per_host_delay=0.0, allowed_hosts=("localhost",), allowed_origins=(other,)
        )
        clock = FakeClock()

        async def run() -> tuple[FetchResult | None, FetchResult]:
            async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
                handed = await fetcher.fetch_unpaced(start)
                return handed, await fetcher.fetch(start)

        handed, fetched = asyncio.run(run())
        assert handed is None
        assert fetched.outcome is FetchOutcome.OK  # `fetch` follows it, paced
        assert fetched.final_url == other + PAGES[0]
        assert paced.hits(PAGES[0]) == 1 and paced.hits("/robots.txt") == 1
