"""Discovery's memory stays flat in the size of sitemaps: a sitemap index whose children list
200,000 URLs costs a walk no more peak memory than one listing 50,000, because each child's
URLs are handed on (and dropped) before the next child is read.

Peak RSS (``VmHWM``: unlike ``ru_maxrss`` it does not inherit the forking test process's
peak) is measured in a fresh subprocess per walk (the fake site runs in this process, so
its work does not count); the walk is the one a pipeline streams into its frontier
(`walk_sitemaps` with a consumer that keeps a count only). Collecting every URL in one list
instead is measured too, so the test shows it would notice the difference."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest

from scraper.demo.site import FIXTURE_LAST_MODIFIED, XML_TYPE, Page, make_page
from tests.support.cli import python
from tests.support.faultsite import FaultSite

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/self/status"
)

PER_CHILD = 5000
CHILDREN = 45  # the index lists more than any walk here reads: the cap decides
_CHILD = re.compile(r"^/en/big-sitemap-(\d+)\.xml$")

WALK = """
import asyncio, re, sys
from scraper.discovery import Site, SourceKind, UrlFilter, fetch_sitemaps, walk_sitemaps
from scraper.discovery.sitemaps import SitemapTarget
from scraper.fetching import Fetcher
from tests.support.fetch import FAST

base, cap, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
index = "https://www.dw.com/en/big-sitemap-index.xml"

async def main() -> int:
    site = Site(base)
    async with Fetcher(FAST) as fetcher:
        if mode == "collect":
            return len(await fetch_sitemaps(fetcher, [site.map(index)], site=site, max_sitemaps=cap))
        count = 0
        root = SitemapTarget(index, "en", SourceKind.ARTICLE_SITEMAP)
        async for chunk in walk_sitemaps(fetcher, [root], UrlFilter(site, ["en"]), max_sitemaps=cap):
            count += len(chunk.urls)
        return count

found = asyncio.run(main())
with open("/proc/self/status") as status:  # VmHWM: this process image's peak, in KiB
    peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
print(found, peak)
"""


class BigSitemapSite(FaultSite):
    """The fault site with a large English sitemap index, made on request."""

    def resolve(self, path: str) -> Page | None:
        if path == "/en/big-sitemap-index.xml":
            rows = "".join(
                f"<sitemap><loc>https://www.dw.com/en/big-sitemap-{i}.xml</loc></sitemap>"
                for i in range(CHILDREN)
            )
            return self._xml(f'<sitemapindex xmlns="{_NS}">{rows}</sitemapindex>')
        match = _CHILD.match(path)
        if match:
            i = int(match.group(1))
            rows = "".join(
                f"<url><loc>https://www.dw.com/en/big-story-{i}-{k}/a-{10_000_000 + i * PER_CHILD + k}"
                "</loc><lastmod>2024-01-01T00:00:00Z</lastmod></url>\n"
                for k in range(PER_CHILD)
            )
            return self._xml(f'<urlset xmlns="{_NS}">{rows}</urlset>')
        return super().resolve(path)

    @staticmethod
    def _xml(text: str) -> Page:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode()
        return make_page(body, XML_TYPE, FIXTURE_LAST_MODIFIED)


_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.fixture(scope="module")
def big_site() -> Iterator[BigSitemapSite]:
    with BigSitemapSite(dw_pages=None) as site:
        yield site


def peak_rss_kib(site: BigSitemapSite, urls: int, mode: str = "stream") -> int:
    cap = 1 + urls // PER_CHILD  # the index, then that many children
    proc = python("-c", WALK, site.base_url, str(cap), mode, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found, rss = proc.stdout.split()[-2:]
    assert int(found) == urls
    return int(rss)


def test_peak_memory_is_flat_from_50k_to_200k_sitemap_urls(big_site: BigSitemapSite) -> None:
    small = peak_rss_kib(big_site, 50_000)
    large = peak_rss_kib(big_site, 200_000)
    collected = peak_rss_kib(big_site, 200_000, mode="collect")
    growth = max(large - small, 0)
    # holding 150,000 more URLs costs tens of MiB; streaming may grow by a third of that at most
    assert collected - small >= 3 * max(growth, 4096), (small, large, collected)
    assert large <= small * 1.15, (small, large)
