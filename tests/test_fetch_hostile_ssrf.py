"""Safe by default: redirects cannot steer the fetcher at internal services (origins compared
by scheme, host and port; loopback, link-local and private addresses refused before any
connection unless the operator named them), credentials in URLs are never sent or returned,
and NUL in a page's JSON-LD never reaches a record."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from urllib.parse import quote, urlsplit

import httpx
import pytest

from scraper.fetching import Fetcher, FetchOutcome, FetchResult, FetchSettings
from scraper.fetching.redirects import Resolver, is_internal_address, origin_of
from scraper.parsers import parse_page
from scraper.urls import canonicalize, strip_userinfo
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock, fetch_one

ARTICLE = "/en/germany-tests-the-fake-site/a-9000001"


def redirect(site: FaultSite, target: str) -> str:
    return site.base_url + "/_fault/redirect-to?url=" + quote(target, safe="")


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real transport, recording every URL a request was sent to."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def fetch_recorded(
    url: str, settings: FetchSettings = FAST, resolve: Resolver | None = None
) -> tuple[FetchResult, list[str]]:
    transport = RecordingTransport()
    clock = FakeClock()

    async def run() -> FetchResult:
        fetcher = Fetcher(
            settings, transport=transport, clock=clock, sleep=clock.sleep, resolve=resolve
        )
        async with fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run()), transport.sent


def test_a_redirect_to_another_port_of_loopback_is_refused(site: FaultSite) -> None:
    with FaultSite() as internal:
        target = internal.base_url + ARTICLE
        result = fetch_one(redirect(site, target))
        assert result.outcome is FetchOutcome.REDIRECT_OFFSITE
        assert "127.0.0.1 is a loopback, link-local or private address" in (result.error or "")
        assert result.final_url == target and result.body is None
        assert internal.hits(ARTICLE) == 0 and internal.hits("/robots.txt") == 0
        # the operator named that origin: allowed
        named = dataclasses.replace(FAST, allowed_origins=(internal.base_url,))
        assert fetch_one(redirect(site, target), named).outcome is FetchOutcome.OK
        assert internal.hits(ARTICLE) == 1


def test_same_origin_redirects_are_followed(shared_site: FaultSite) -> None:
    result = fetch_one(redirect(shared_site, ARTICLE))
    assert result.outcome is FetchOutcome.OK
    assert result.final_url == shared_site.base_url + ARTICLE


@pytest.mark.parametrize(
    "target", ["http://10.255.255.1/x", "http://169.254.169.254/latest/meta-data/"]
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    shared_site: FaultSite, target: str
) -> None:
    host = urlsplit(target).hostname or ""
    settings = dataclasses.replace(FAST, allowed_hosts=(host,))  # even an allowed host
    result, sent = fetch_recorded(redirect(shared_site, target), settings)
    assert result.outcome is FetchOutcome.REDIRECT_OFFSITE
    assert f"{host} is a loopback, link-local or private address" in (result.error or "")
    assert [urlsplit(url).hostname for url in sent] == ["127.0.0.1"] * 2  # robots, redirect


def test_an_allowed_host_resolving_to_a_private_address_is_refused(
    shared_site: FaultSite,
) -> None:
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["192.168.7.7"]

    target = "https://www.dw.com/en/some-article/a-1"  # dw.com is allowed by default
    result, sent = fetch_recorded(redirect(shared_site, target), resolve=resolve)
    assert asked == [("www.dw.com", 443)]
    assert result.outcome is FetchOutcome.REDIRECT_OFFSITE
    assert "192.168.7.7" in (result.error or "")
    assert [urlsplit(url).hostname for url in sent] == ["127.0.0.1"] * 2  # robots, redirect


def test_address_classes() -> None:
    for internal in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254"):
        assert is_internal_address(internal), internal
    for internal in ("::1", "fe80::1%eth0", "fd00::1", "::ffff:127.0.0.1", "0.0.0.0", "bogus"):
        assert is_internal_address(internal), internal
    for public in ("93.184.216.34", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"):
        assert not is_internal_address(public), public
    assert origin_of("HTTP://WWW.dw.com./x") == ("http", "www.dw.com", 80)
    assert origin_of("https://u:p@127.0.0.1:8443/") == ("https", "127.0.0.1", 8443)
    assert origin_of("ftp://x/") is None and origin_of("http://h:99999/") is None


def test_credentials_are_neither_sent_nor_returned(site: FaultSite) -> None:
    netloc = site.base_url.removeprefix("http://")
    target = f"http://u2:second-secret@{netloc}{ARTICLE}"
    url = redirect(site, target).replace("http://", "http://user:first-secret@", 1)
    result = fetch_one(url)
    assert result.outcome is FetchOutcome.OK
    assert result.requested_url == strip_userinfo(url) and "@" not in result.requested_url
    assert result.final_url == site.base_url + ARTICLE
    assert not [r for r in site.requests if "authorization" in {k.lower() for k in r.headers}]


def test_canonical_urls_carry_no_credentials() -> None:
    assert canonicalize("https://user:pw@www.dw.com/en/x/a-1?maca=1") == (
        "https://www.dw.com/en/x/a-1"
    )
    assert strip_userinfo("http://a@b@127.0.0.1:81/p@q?x=@") == "http://127.0.0.1:81/p@q?x=@"
    assert strip_userinfo("https://www.dw.com/en/a@b") == "https://www.dw.com/en/a@b"


def test_nul_in_json_ld_never_reaches_the_record(shared_site: FaultSite) -> None:
    result = fetch_one(shared_site.base_url + "/_fault/nul-jsonld")
    assert result.outcome is FetchOutcome.OK and result.body is not None
    assert b'"headline":"\\u0000' in result.body
    article = parse_page(result.body, "https://www.dw.com/en/x/a-66797777")
    assert article.title and article.title.startswith("Putin")
    record = json.dumps(article.to_dict())
    assert "\\u0000" not in record and "\x00" not in record
