"""The fake DW site is consistent: every content URL its feeds and sitemaps list, it serves as
a DW page (so a run or `dwscrape demo` against it has no failures); the one deliberately
broken entry lives only in the fault feed ``/xml/rss-en-broken``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from scraper import parse_page
from scraper.discovery import DiscoveredUrl, Site, discover, fetch_feed
from scraper.fetching import Fetcher, FetchResult
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST


@pytest.fixture(params=["with_dw_pages", "site_pages_only"])
def any_site(request: pytest.FixtureRequest) -> Iterator[FaultSite]:
    kwargs = {} if request.param == "with_dw_pages" else {"dw_pages": None}
    with FaultSite(**kwargs) as site:  # type: ignore[arg-type]
        yield site


def crawl_listed(
    site: FaultSite, feed: str | None = None
) -> list[tuple[DiscoveredUrl, FetchResult]]:
    """Discover from every feed and sitemap (or only `feed`) and fetch each found URL."""
    mapping = Site(site.base_url)

    async def main() -> list[tuple[DiscoveredUrl, FetchResult]]:
        async with Fetcher(FAST) as fetcher:
            if feed is None:
                found = await discover(
                    fetcher, langs=["en", "de"], sources=["rss", "rdf", "sitemap"], site=mapping
                )
            else:
                found = await fetch_feed(fetcher, site.base_url + feed, site=mapping)
            return [(d, await fetcher.fetch(mapping.map(d.url))) for d in found]

    return asyncio.run(main())


def test_every_listed_page_is_served_and_parses(any_site: FaultSite) -> None:
    listed = crawl_listed(any_site)
    assert len(listed) >= 5
    for found, fetched in listed:
        assert fetched.status == 200, (found.url, fetched.status, fetched.error)
        assert fetched.body is not None
        article = parse_page(fetched.body, url=found.url)
        assert article.dw_id is not None, found.url
    kinds = {found.url.rsplit("/", 1)[-1].split("-", 1)[0] for found, _ in listed}
    assert {"a", "av", "g"} <= kinds  # articles, a video page and a gallery


def test_the_fault_feed_lists_exactly_one_missing_page(shared_site: FaultSite) -> None:
    listed = crawl_listed(shared_site, "/xml/rss-en-broken")
    assert [(f.url, r.status) for f, r in listed] == [
        ("https://www.dw.com/en/a-live-blog-for-tests/live-9000006", 404)
    ]
