"""Discovery over real sockets against the fake DW site: feeds, sitemaps, since, short links,
and XML that tries to hurt us (billion laughs, XXE)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from structlog.testing import capture_logs

from scraper.dates import parse_any as parse_date
from scraper.discovery import (
    DiscoveredUrl,
    Site,
    discover,
    fetch_feed,
    fetch_sitemaps,
    parse_feed,
    parse_sitemap,
    parse_xml,
    resolve_short_link,
)
from scraper.errors import ConfigError
from scraper.fetching import Fetcher
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock
from tests.support.payloads import XML_BOMB, xxe_document

T = TypeVar("T")
EN1 = "https://www.dw.com/en/germany-tests-the-fake-site/a-9000001"
EN2 = "https://www.dw.com/en/a-classic-page-for-tests/a-9000002"
DE3 = "https://www.dw.com/de/ein-test-f%C3%BCr-die-fake-seite/a-9000003"
GALLERY = "https://www.dw.com/en/a-gallery-for-tests/g-9000005"
VIDEO = "https://www.dw.com/en/a-video-for-tests/av-9000004"
OLD = "https://www.dw.com/en/an-old-story-from-2019/a-9000010"
UTC = dt.UTC


@pytest.fixture
def own_site() -> Iterator[FaultSite]:
    """The fake site without the golden DW pages, so found sets are exact."""
    with FaultSite(dw_pages=None) as site:
        yield site


def run(site: FaultSite, job: Callable[[Fetcher, Site], Awaitable[T]]) -> T:
    clock = FakeClock()

    async def main() -> T:
        async with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
            return await job(fetcher, Site(site.base_url))

    return asyncio.run(main())


def urls(found: list[DiscoveredUrl]) -> list[str]:
    return [d.url for d in found]


def test_rss_feed_content_urls_stripped_deduplicated_newest_first(own_site: FaultSite) -> None:
    found = run(own_site, lambda f, s: discover(f, langs=["en"], sources=["rss"], site=s))
    assert urls(found) == [
        EN1,
        VIDEO,  # listed by the site from its page's datePublished
        GALLERY,
        EN2,
        OLD,  # "not a date": kept, last
    ]
    assert found[0].lastmod == dt.datetime(2024, 1, 30, 8, 15, tzinfo=UTC)
    assert found[3].lastmod == dt.datetime(2020, 1, 19, 13, 0, tzinfo=UTC)  # +0100 -> UTC
    assert found[4].lastmod is None
    assert found[0].source == "rss"
    assert all("maca" not in u and "utm_" not in u for u in urls(found))


def test_since_filters_old_entries(own_site: FaultSite) -> None:
    since = dt.datetime(2023, 1, 1, tzinfo=UTC)
    found = run(
        own_site, lambda f, s: discover(f, langs=["en"], sources=["rss"], since=since, site=s)
    )
    assert EN2 not in urls(found) and EN1 in urls(found)


def test_rdf_and_atom_feeds(own_site: FaultSite) -> None:
    found = run(own_site, lambda f, s: discover(f, langs=["en"], sources=["rdf"], site=s))
    assert urls(found) == [EN1, GALLERY]
    assert {d.source for d in found} == {"rdf"}
    atom = run(own_site, lambda f, s: fetch_feed(f, own_site.base_url + "/atom/en-all", site=s))
    assert urls(atom) == [EN1, EN2]
    assert atom[0].source == "atom"


def test_sitemaps_via_robots_index_and_per_language(own_site: FaultSite) -> None:
    found = run(own_site, lambda f, s: discover(f, langs=["en"], sources=["sitemap"], site=s))
    assert set(urls(found)) == {
        EN1,
        EN2,
        GALLERY,
        VIDEO,
        OLD,
    }
    by_url = {d.url: d for d in found}
    assert by_url[EN2].lastmod == dt.datetime(2020, 1, 19, tzinfo=UTC)  # date-only lastmod
    gallery = by_url[GALLERY]
    assert gallery.lastmod == dt.datetime(2023, 6, 1, 10, 0, tzinfo=UTC)
    assert by_url[VIDEO].lastmod == (
        dt.datetime(2024, 1, 29, 18, 0, tzinfo=UTC)  # news:publication_date
    )
    assert own_site.hits("/sitemap-index.xml") == 1
    assert own_site.hits("/en/article-sitemap.xml") == 1  # listed twice, fetched once
    assert own_site.hits("/de/article-sitemap.xml") == 0  # other language: not fetched
    assert own_site.hits("/robots.txt") == 1


def test_since_skips_old_child_sitemaps(own_site: FaultSite) -> None:
    since = dt.datetime(2024, 1, 1, tzinfo=UTC)
    found = run(
        own_site,
        lambda f, s: discover(f, langs=["en", "de"], sources=["sitemap"], since=since, site=s),
    )
    assert set(urls(found)) == {EN1, VIDEO}
    assert own_site.hits("/en/archive-2019-sitemap.xml") == 0


def test_all_sources_two_languages(own_site: FaultSite) -> None:
    found = run(own_site, lambda f, s: discover(f, langs=["en", "de"], site=s))
    assert DE3 in urls(found) and EN1 in urls(found)
    assert len(urls(found)) == len(set(urls(found)))


def test_gzipped_sitemap(own_site: FaultSite) -> None:
    body = (own_site.root / "en" / "archive-2019-sitemap.xml").read_bytes()
    own_site.set_page("/en/old.xml.gz", gzip.compress(body), "application/x-gzip")
    found = run(
        own_site, lambda f, s: fetch_sitemaps(f, [own_site.base_url + "/en/old.xml.gz"], site=s)
    )
    assert urls(found) == [OLD]


def test_feed_served_by_fixture_pages_lists_them(shared_site: FaultSite) -> None:
    """Pages added to the site (fixtures/dw) appear in its feeds, so a crawl finds them."""
    shared_site.set_page(
        "/en/an-added-page/a-9000123",
        '<html><head><script type="application/ld+json">{"@type":"NewsArticle",'
        '"datePublished":"2024-02-01T10:00:00Z"}</script></head><body></body></html>',
    )
    found = run(shared_site, lambda f, s: discover(f, langs=["en"], sources=["rss"], site=s))
    added = [d for d in found if d.url.endswith("/a-9000123")]
    assert added and added[0].lastmod == dt.datetime(2024, 2, 1, 10, 0, tzinfo=UTC)


def test_billion_laughs_is_refused_not_expanded(own_site: FaultSite) -> None:
    started = time.perf_counter()
    with capture_logs() as logs:
        assert parse_feed(XML_BOMB) == []
    assert time.perf_counter() - started < 1.0
    assert any(e["event"] == "discover.unsafe_xml" for e in logs)
    served = run(own_site, lambda f, s: fetch_feed(f, own_site.base_url + "/_fault/xml-bomb"))
    assert served == []


def test_xxe_reads_no_file_and_makes_no_request(own_site: FaultSite) -> None:
    probe = own_site.base_url + "/_fault/xxe-probe"
    with capture_logs() as logs:
        assert parse_feed(xxe_document(probe)) == []
    assert any(e["event"] == "discover.unsafe_xml" for e in logs)
    served = run(own_site, lambda f, s: fetch_feed(f, own_site.base_url + "/_fault/xxe"))
    assert served == []
    assert own_site.hits("/_fault/xxe") == 1
    assert own_site.hits("/_fault/xxe-probe") == 0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<rss><channel><item><link>x</link>",
        b"\x1f\x8bnot gzip",
        b"<html></html>",
        b"\xff\xfe",
    ],
)
def test_garbage_xml_never_raises(data: bytes) -> None:
    assert parse_feed(data) == []
    assert parse_sitemap(data) is None


def test_gzip_bomb_sitemap_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (5 * 1024 * 1024) + b"</urlset>")
    assert parse_xml(bomb, max_bytes=1024 * 1024) is None
    assert parse_xml(bomb, max_bytes=6 * 1024 * 1024) is not None


def test_short_links_resolve_to_canonical_article_urls(own_site: FaultSite) -> None:
    async def job(f: Fetcher, s: Site) -> list[Any]:
        return [
            await resolve_short_link(f, "https://p.dw.com/p/4FAKE1", site=s),
            await resolve_short_link(f, "4FAKE3", site=s),
            await resolve_short_link(f, "https://p.dw.com/p/4GONE", site=s),
            await resolve_short_link(f, "https://example.com/p/x", site=s),
        ]

    assert run(own_site, job) == [EN1, DE3, None, None]


def test_site_mapping() -> None:
    site = Site("http://127.0.0.1:8765/")
    assert (
        site.map(EN1 + "?maca=x")
        == "http://127.0.0.1:8765/en/germany-tests-the-fake-site/a-9000001?maca=x"
    )
    assert site.map("https://rss.dw.com/xml/rss-en-all") == "http://127.0.0.1:8765/xml/rss-en-all"
    assert site.map("https://p.dw.com/p/4boRv") == "http://127.0.0.1:8765/p/4boRv"
    assert site.map("https://example.com/x") == "https://example.com/x"
    assert site.unmap(site.map(EN1)) == EN1
    assert site.unmap(site.map("https://p.dw.com/p/4boRv")) == "https://p.dw.com/p/4boRv"
    assert site.feed_url("de", "rdf") == "http://127.0.0.1:8765/rdf/rss-de-all"
    live = Site()
    assert live.is_live and live.map(EN1) == EN1
    assert live.feed_url("en") == "https://rss.dw.com/xml/rss-en-all"
    assert live.sitemap_urls("en") == [
        "https://www.dw.com/en/article-sitemap.xml",
        "https://www.dw.com/en/news-sitemap.xml",
    ]
    for bad in ("ftp://nope", "http://127.0.0.1:8765/some/prefix", "127.0.0.1:8765"):
        with pytest.raises(ConfigError):
            Site(bad)


def test_parse_date_forms() -> None:
    assert parse_date("Tue, 30 Jan 2024 08:15:00 GMT") == dt.datetime(
        2024, 1, 30, 8, 15, tzinfo=UTC
    )
    assert parse_date("2024-01-30T09:15:00+01:00") == dt.datetime(2024, 1, 30, 8, 15, tzinfo=UTC)
    assert parse_date("2024-01-30") == dt.datetime(2024, 1, 30, tzinfo=UTC)
    assert parse_date("garbage") is None and parse_date(None) is None and parse_date(" ") is None


def test_unknown_source_is_a_config_error(own_site: FaultSite) -> None:
    with pytest.raises(ConfigError):
        run(own_site, lambda f, s: discover(f, langs=["en"], sources=["twitter"], site=s))


def test_discovery_is_polite_too(own_site: FaultSite) -> None:
    """Feeds and sitemaps go through the same politeness slot: 1 s between requests."""
    clock = FakeClock()

    async def main() -> list[DiscoveredUrl]:
        settings = dataclasses.replace(FAST, per_host_delay=1.0)
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            return await discover(
                fetcher, langs=["en"], sources=["rss"], site=Site(own_site.base_url)
            )

    asyncio.run(main())
    assert clock.sleeps == [1.0]  # robots.txt, then the feed


def test_random_bytes_never_crash_the_parsers() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
    def check(data: bytes) -> None:
        parse_feed(data)
        parse_sitemap(data)
        parse_feed(b"<rss><channel><item><link>" + data + b"</link></item></channel></rss>")

    check()


def test_discovery_finds_every_golden_fixture_page_and_nothing_else(
    shared_site: FaultSite,
) -> None:
    from scraper.urls import is_content_url, language_from_url

    langs = ["en", "de"]
    found = set(urls(run(shared_site, lambda f, s: discover(f, langs=langs, site=s))))
    served = ["https://www.dw.com" + p for p in shared_site.page_paths()]
    content = {
        u
        for u in served
        if is_content_url(u)
        and not u.startswith("https://www.dw.com/private/")
        and language_from_url(u) in langs  # the fake site has feeds for these only
    }
    assert content <= found
    assert not any("/t-" in u or "/local/" in u or "/private/" in u for u in found)
