"""Every way a page can come back, over real sockets against the fake DW site."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path

import httpx
import pytest

from scraper.fetching import Fetcher, FetchOutcome, default_user_agent, fetch_sync
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock, fetch_one

ARTICLE = "/en/germany-tests-the-fake-site/a-9000001"


def test_article_ok_with_validators_and_honest_user_agent(site: FaultSite) -> None:
    result = fetch_one(site.base_url + ARTICLE)
    assert result.outcome is FetchOutcome.OK and result.ok
    assert result.status == 200
    assert result.final_url == site.base_url + ARTICLE
    assert b"Germany tests the fake site" in (result.body or b"")
    assert result.body == site.page(ARTICLE).body  # gzip transfer decoded back to the page
    assert result.etag and result.last_modified
    assert result.content_type == "text/html; charset=utf-8"
    assert result.encoding == "utf-8"
    assert result.fetched_at.tzinfo is dt.UTC
    assert result.attempts == 1
    request = [r for r in site.requests if r.path == ARTICLE][0]
    assert request.headers["User-Agent"] == default_user_agent()
    assert default_user_agent().startswith("dwscrape/") and "+https://" in default_user_agent()
    assert "gzip" in request.headers["Accept-Encoding"]


def test_conditional_get_answers_not_modified_until_the_page_changes(site: FaultSite) -> None:
    first = fetch_one(site.base_url + ARTICLE)
    again = fetch_one(site.base_url + ARTICLE, etag=first.etag, last_modified=first.last_modified)
    assert again.outcome is FetchOutcome.NOT_MODIFIED
    assert again.status == 304 and again.body is None
    assert again.etag == first.etag
    sent = [r for r in site.requests if r.path == ARTICLE][-1]
    assert sent.headers["If-None-Match"] == first.etag
    assert sent.headers["If-Modified-Since"] == first.last_modified
    # Last-Modified alone works too
    by_date = fetch_one(site.base_url + ARTICLE, last_modified=first.last_modified)
    assert by_date.outcome is FetchOutcome.NOT_MODIFIED
    # the article is edited: a conditional GET now gets the new page
    site.set_page(ARTICLE, site.page(ARTICLE).body.replace(b"fake site", b"edited site"))
    changed = fetch_one(site.base_url + ARTICLE, etag=first.etag, last_modified=first.last_modified)
    assert changed.outcome is FetchOutcome.OK
    assert changed.etag != first.etag
    assert b"edited site" in (changed.body or b"")


def test_not_found_and_gone(site: FaultSite) -> None:
    missing = fetch_one(site.base_url + "/en/nothing-here/a-1")
    assert missing.outcome is FetchOutcome.NOT_FOUND and missing.status == 404
    assert missing.attempts == 1  # a 404 is never retried
    site.remove_page(ARTICLE)
    gone = fetch_one(site.base_url + ARTICLE)
    assert gone.outcome is FetchOutcome.NOT_FOUND and gone.status == 410


def test_short_link_redirects_to_the_article(shared_site: FaultSite) -> None:
    result = fetch_one(shared_site.base_url + "/p/4FAKE1")
    assert result.outcome is FetchOutcome.OK
    assert result.requested_url == shared_site.base_url + "/p/4FAKE1"
    assert result.final_url == shared_site.base_url + ARTICLE
    assert result.attempts == 2  # the short link's redirect, then the article


@pytest.mark.parametrize(
    ("route", "outcome"),
    [
        ("/_fault/status?code=403", FetchOutcome.BLOCKED),
        ("/_fault/status?code=451", FetchOutcome.BLOCKED),
        ("/_fault/status?code=401", FetchOutcome.HTTP_ERROR),
        ("/_fault/status?code=418", FetchOutcome.HTTP_ERROR),
        ("/_fault/status?code=410", FetchOutcome.NOT_FOUND),
        ("/_fault/consent?kind=consent", FetchOutcome.BLOCKED),
        ("/_fault/consent?kind=challenge", FetchOutcome.BLOCKED),
        ("/_fault/consent?kind=captcha", FetchOutcome.BLOCKED),
        ("/_fault/consent?kind=denied", FetchOutcome.BLOCKED),
        ("/_fault/not-html", FetchOutcome.NOT_HTML),
        ("/_fault/no-content-type", FetchOutcome.OK),
        ("/_fault/oversized", FetchOutcome.TOO_LARGE),
        ("/_fault/oversized?no_length=1", FetchOutcome.TOO_LARGE),
        ("/_fault/gzip-bomb", FetchOutcome.TOO_LARGE),
        ("/_fault/brotli-bomb", FetchOutcome.TOO_LARGE),
        ("/_fault/bad-gzip", FetchOutcome.HTTP_ERROR),
        ("/_fault/redirect-loop", FetchOutcome.HTTP_ERROR),
        ("/_fault/redirect-chain?n=3", FetchOutcome.OK),
        ("/_fault/redirect-chain?n=9", FetchOutcome.HTTP_ERROR),
        ("/_fault/offsite-redirect", FetchOutcome.REDIRECT_OFFSITE),
        ("/_fault/robots-disallowed", FetchOutcome.ROBOTS_DISALLOWED),
        ("/private/a-secret-page/a-9000009", FetchOutcome.ROBOTS_DISALLOWED),
    ],
)
def test_fault_routes_map_to_outcomes(
    shared_site: FaultSite, route: str, outcome: FetchOutcome
) -> None:
    result = fetch_one(shared_site.base_url + route)
    assert result.outcome is outcome, result.error
    if outcome is not FetchOutcome.OK:
        assert result.error
    if outcome in (FetchOutcome.BLOCKED,) and result.status == 200:
        assert result.body  # the block page is kept as evidence


def test_redirect_details(shared_site: FaultSite) -> None:
    loop = fetch_one(shared_site.base_url + "/_fault/redirect-loop")
    assert "loop" in (loop.error or "")
    chain = fetch_one(shared_site.base_url + "/_fault/redirect-chain?n=9")
    assert "more than 5 redirects" in (chain.error or "")
    assert chain.attempts == 6  # every hop sent counts
    assert fetch_one(shared_site.base_url + "/_fault/redirect-chain?n=3").attempts == 4
    offsite = fetch_one(shared_site.base_url + "/_fault/offsite-redirect")
    assert offsite.final_url == "https://evil.example.com/phish"
    assert offsite.body is None


def test_size_cap_counts_decompressed_bytes(shared_site: FaultSite) -> None:
    page = shared_site.page(ARTICLE).body
    small = dataclasses.replace(FAST, max_bytes=len(page) - 1)
    result = fetch_one(shared_site.base_url + ARTICLE, small)
    assert result.outcome is FetchOutcome.TOO_LARGE  # the gzip transfer itself is smaller
    roomy = dataclasses.replace(FAST, max_bytes=len(page))
    assert fetch_one(shared_site.base_url + ARTICLE, roomy).outcome is FetchOutcome.OK


def test_wrong_charsets_are_decoded_sensibly(shared_site: FaultSite) -> None:
    for kind in ("latin1-label", "cp1252-body", "bogus"):
        result = fetch_one(shared_site.base_url + f"/_fault/wrong-charset?kind={kind}")
        assert result.outcome is FetchOutcome.OK
        text = result.text()
        assert "Grüße aus Köln" in text, (kind, result.encoding)
        assert "„Anführungszeichen“" in text


def test_xml_expected_for_feeds(shared_site: FaultSite) -> None:
    feed = shared_site.base_url + "/xml/rss-en-all"
    assert fetch_one(feed, expect="xml").outcome is FetchOutcome.OK
    assert fetch_one(feed, expect="html").outcome is FetchOutcome.NOT_HTML
    page = fetch_one(shared_site.base_url + ARTICLE, expect="xml")
    assert page.outcome is FetchOutcome.NOT_HTML


def test_timeouts_resets_and_truncation(shared_site: FaultSite) -> None:
    quick = dataclasses.replace(FAST, read_timeout=0.2, max_attempts=2)
    drip = fetch_one(shared_site.base_url + "/_fault/slow-drip?delay=0.5&chunks=2", quick)
    assert drip.outcome is FetchOutcome.TIMEOUT and drip.attempts == 2
    # a drip that beats the read timeout still hits the total deadline
    deadline = dataclasses.replace(FAST, read_timeout=1.0, total_timeout=0.4, max_attempts=1)
    slow = fetch_one(shared_site.base_url + "/_fault/slow-drip?delay=0.1&chunks=20", deadline)
    assert slow.outcome is FetchOutcome.TIMEOUT
    reset = fetch_one(shared_site.base_url + "/_fault/reset")
    assert reset.outcome is FetchOutcome.CONNECTION_ERROR and reset.attempts == 3
    truncated = fetch_one(shared_site.base_url + "/_fault/truncated")
    assert truncated.outcome is FetchOutcome.TRUNCATED
    assert "20000" in (truncated.error or "")


def test_unreachable_host_is_a_connection_error() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fetch_one(f"http://127.0.0.1:{port}/en/x/a-1")
    assert result.outcome is FetchOutcome.CONNECTION_ERROR
    no_robots = dataclasses.replace(FAST, obey_robots=False)
    assert fetch_one(f"http://127.0.0.1:{port}/x", no_robots).outcome is (
        FetchOutcome.CONNECTION_ERROR
    )


@pytest.mark.parametrize("url", ["ftp://example.com/x", "not a url", "http://", "http://[::1"])
def test_bad_urls_become_outcomes_not_exceptions(url: str) -> None:
    result = fetch_one(url)
    assert result.outcome is FetchOutcome.HTTP_ERROR
    assert result.error


def test_mock_transport_exceptions_never_escape() -> None:
    """httpx.MockTransport supplements the socket tests: exotic transport failures."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/timeout":
            raise httpx.ConnectTimeout("no route", request=request)
        if request.url.path == "/proto":
            raise httpx.RemoteProtocolError("garbage", request=request)
        raise RuntimeError("a bug in the transport")

    async def run() -> list[FetchOutcome]:
        clock = FakeClock()
        transport = httpx.MockTransport(handler)
        async with Fetcher(FAST, transport=transport, clock=clock, sleep=clock.sleep) as f:
            return [
                (await f.fetch(f"http://mock.test/{p}")).outcome
                for p in ("timeout", "proto", "bug")
            ]

    assert asyncio.run(run()) == [
        FetchOutcome.TIMEOUT,
        FetchOutcome.CONNECTION_ERROR,
        FetchOutcome.HTTP_ERROR,
    ]


def test_fetch_sync_for_one_off_use(shared_site: FaultSite) -> None:
    result = fetch_sync(shared_site.base_url + ARTICLE, dataclasses.replace(FAST))
    assert result.outcome is FetchOutcome.OK


def test_real_dw_pages_are_not_mistaken_for_block_pages(shared_pages: Path) -> None:
    """Real DW pages mention reCAPTCHA and consent in their scripts: still not blocked."""
    from scraper.fetching import block_reason
    from tests.support.payloads import BLOCK_PAGES

    pages = sorted(shared_pages.glob("*.html"))
    assert pages
    for page in pages:
        body = page.read_bytes()
        assert b"captcha" in body.lower()
        assert block_reason(body) is None, page.name
    for kind, html in BLOCK_PAGES.items():
        assert block_reason(html.encode()) is not None, kind


@pytest.mark.parametrize("route", ["/_fault/gzip-bomb", "/_fault/brotli-bomb"])
def test_decompression_bombs_cost_at_most_the_cap(shared_site: FaultSite, route: str) -> None:
    """64 MiB of zeros behind a few KiB of gzip/brotli: the bounded decoder stops at the
    10 MiB cap, so Python never holds anything near 64 MiB (httpx's own decoders would)."""
    import tracemalloc

    from tests.support.payloads import Bombs

    Bombs.get("gzip" if "gzip" in route else "brotli")  # built before measuring
    tracemalloc.start()
    try:
        result = fetch_one(shared_site.base_url + route)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome is FetchOutcome.TOO_LARGE
    assert peak < 32 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
