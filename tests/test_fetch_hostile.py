"""The fetcher against a hostile server: time budgets, minimum transfer rate, truncated bodies,
huge and mislabelled robots.txt. Every case runs on the fault site's real socket and asserts
its outcome and a wall-time bound (a correctness check with at least 3x headroom, not a
benchmark)."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from scraper.errors import ConfigError
from scraper.fetching import Fetcher, FetchOutcome, FetchResult, FetchSettings
from scraper.parsers import parse_page
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock, fetch_one

ARTICLE = "/en/germany-tests-the-fake-site/a-9000001"
#: Timeouts far beyond the cases' bounds, so that only the budget or the rate can end them.
PATIENT = dataclasses.replace(FAST, read_timeout=60.0, total_timeout=60.0, min_rate_bytes_s=0)


def timed(url: str, settings: FetchSettings) -> tuple[FetchResult, float]:
    started = time.monotonic()
    result = fetch_one(url, settings)
    return result, time.monotonic() - started


def test_url_budget_covers_every_attempt(shared_site: FaultSite) -> None:
    # a byte every 0.2 s beats any read timeout; 10 attempts of it would take minutes
    settings = dataclasses.replace(PATIENT, url_budget_s=1.0, max_attempts=10)
    url = shared_site.base_url + "/_fault/slow-drip?delay=0.2&chunks=300&key=budget"
    result, wall = timed(url, settings)
    assert result.outcome is FetchOutcome.TIMEOUT
    assert "URL budget of 1 s spent" in (result.error or "")
    assert result.attempts == 1  # a spent budget is not retried
    assert wall < 3 * 1.0 + 1.0


def test_budget_counts_the_waits_between_retries(shared_site: FaultSite) -> None:
    # the backoff waits (1 s, then 2 s: fake, instant) are spent from the budget: after the
    # first, 1.5 s are left, too little for the second wait, so no third attempt
    settings = dataclasses.replace(FAST, url_budget_s=2.5, max_attempts=10)
    result = fetch_one(shared_site.base_url + "/_fault/status?code=503&key=budget-wait", settings)
    assert result.outcome is FetchOutcome.HTTP_ERROR
    assert result.attempts == 2


def test_a_drip_below_the_minimum_rate_is_abandoned(shared_site: FaultSite) -> None:
    settings = dataclasses.replace(
        PATIENT, min_rate_bytes_s=100, min_rate_window_s=0.5, max_attempts=2
    )
    url = shared_site.base_url + "/_fault/slow-drip?delay=1&chunks=60&key=rate"
    result, wall = timed(url, settings)
    assert result.outcome is FetchOutcome.TIMEOUT
    assert "slower than 100 bytes/s" in (result.error or "")
    assert result.attempts == 2  # a slow transfer is retried like a timeout
    assert wall < 3 * (2 * 0.5) + 1.0


def test_a_stall_after_the_headers_is_abandoned(shared_site: FaultSite) -> None:
    settings = dataclasses.replace(
        PATIENT, min_rate_bytes_s=1, min_rate_window_s=0.5, max_attempts=1
    )
    result, wall = timed(shared_site.base_url + "/_fault/stall?hold=30", settings)
    assert result.outcome is FetchOutcome.TIMEOUT
    assert wall < 3 * 0.5 + 1.0


def test_a_slow_url_holds_its_host_no_longer_than_its_budget(site: FaultSite) -> None:
    settings = dataclasses.replace(PATIENT, url_budget_s=1.0, per_host_concurrency=1)

    async def run() -> tuple[FetchResult, FetchResult, float]:
        clock = FakeClock()
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            slow = asyncio.create_task(fetcher.fetch(site.base_url + "/_fault/stall?hold=30"))
            while not site.hits("/_fault/stall"):  # the stall holds the host's one slot
                await asyncio.sleep(0.02)
            started = time.monotonic()
            page = await fetcher.fetch(site.base_url + ARTICLE)
            waited = time.monotonic() - started
            return await slow, page, waited

    slow, page, waited = asyncio.run(run())
    assert slow.outcome is FetchOutcome.TIMEOUT and "URL budget" in (slow.error or "")
    assert page.outcome is FetchOutcome.OK
    assert waited < 3 * 1.0


def test_short_content_length_is_truncated_and_the_connection_dropped(site: FaultSite) -> None:
    """The page's tail stays on the connection: the next request must not read it."""
    settings = dataclasses.replace(FAST, global_concurrency=1)

    async def run() -> list[FetchResult]:
        clock = FakeClock()
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            results = [await fetcher.fetch(site.base_url + "/_fault/length?kind=short")]
            for _ in range(3):
                results.append(await fetcher.fetch(site.base_url + ARTICLE))
            return results

    short, *pages = asyncio.run(run())
    assert short.outcome is FetchOutcome.TRUNCATED
    assert short.body is None and short.status == 200
    assert short.attempts == FAST.max_attempts  # retried like a transient error
    assert "</html>" in (short.error or "")
    assert [(p.outcome, p.attempts) for p in pages] == [(FetchOutcome.OK, 1)] * 3
    assert all(p.body and p.body.rstrip().endswith(b"</html>") for p in pages)


def test_long_content_length_and_cut_html_are_truncated(shared_site: FaultSite) -> None:
    long = fetch_one(shared_site.base_url + "/_fault/length?kind=long&key=t")
    assert long.outcome is FetchOutcome.TRUNCATED and long.body is None
    assert "expected" in (long.error or "") and long.attempts == FAST.max_attempts
    cut = fetch_one(shared_site.base_url + "/_fault/cut-html")
    assert cut.outcome is FetchOutcome.TRUNCATED and cut.body is None
    assert cut.attempts == FAST.max_attempts


def test_a_huge_robots_txt_is_read_up_to_its_cap(site: FaultSite) -> None:
    site.robots_route = "robots-huge"
    settings = dataclasses.replace(FAST, max_attempts=1)

    async def run() -> tuple[FetchResult, FetchResult]:
        clock = FakeClock()
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            page = await fetcher.fetch(site.base_url + ARTICLE)
            private = await fetcher.fetch(site.base_url + "/private/x")
            return page, private

    started = time.monotonic()
    page, private = asyncio.run(run())
    wall = time.monotonic() - started
    # the rules at its start hold; the "Disallow: /" after 50 MiB is never read
    assert page.outcome is FetchOutcome.OK
    assert private.outcome is FetchOutcome.ROBOTS_DISALLOWED
    assert site.hits("/robots.txt") == 1
    assert wall < 10.0


def test_robots_txt_with_a_bogus_charset(site: FaultSite) -> None:
    site.robots_route = "robots-charset"
    assert fetch_one(site.base_url + ARTICLE).outcome is FetchOutcome.OK
    private = fetch_one(site.base_url + "/private/x")
    assert private.outcome is FetchOutcome.ROBOTS_DISALLOWED


def test_pages_with_bogus_charsets_decode(shared_site: FaultSite) -> None:
    for label in ("undefined", "x-no-such-charset", "rot13", "utf-7", "base64", "'"):
        result = fetch_one(shared_site.base_url + f"/_fault/bogus-charset?label={label}")
        assert result.outcome is FetchOutcome.OK, label
        assert "recovered" in result.text(), label
        assert result.encoding in ("utf-8", "cp1252"), label


def test_articles_with_bogus_charsets_parse(shared_site: FaultSite) -> None:
    head, tail = shared_site.article_halves()
    page = head + tail
    url = "https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
    expected = parse_page(page, url)
    for label in (b"undefined", b"x-no-such-charset", b"rot13", b"utf-7", b"base64"):
        mislabelled = page.replace(b'<meta charset="utf-8">', b'<meta charset="%s">' % label)
        assert mislabelled != page
        assert parse_page(mislabelled, url) == expected, label


def test_the_settings_refuse_nan_and_infinity() -> None:
    for name in ("url_budget_s", "read_timeout", "per_host_delay", "min_rate_window_s"):
        for value in (float("nan"), float("inf"), -1.0):
            with pytest.raises(ConfigError, match=name):
                FetchSettings(**{name: value})
