"""Finding article URLs: DW's RSS/RDF/Atom feeds, (news) sitemaps, and short links.

Everything goes through a `Fetcher` (politeness, robots.txt, retries) and a `Site`, which maps
DW's addresses onto another base URL: the live site and a local copy of it take the same code
path, only ``Site(base)`` differs. In reading order:

* `site`: the `Site` mapping;
* `safexml`: XML parsed without entity expansion or external references;
* `feeds` and `sitemaps`: each source read into dated links;
* `collect`: the one place links are normalised, filtered by language and date, merged;
* `discover`: a whole discovery run, and short links.
"""

from __future__ import annotations

from scraper.discovery.collect import DiscoveredUrl
from scraper.discovery.discover import SOURCES, discover, resolve_short_link
from scraper.discovery.feeds import FeedItem, fetch_feed, parse_feed
from scraper.discovery.safexml import parse_xml
from scraper.discovery.site import RSS_HOST, Site
from scraper.discovery.sitemaps import (
    MAX_SITEMAPS,
    Sitemap,
    SitemapEntry,
    fetch_sitemaps,
    parse_sitemap,
)

__all__ = [
    "MAX_SITEMAPS",
    "RSS_HOST",
    "SOURCES",
    "DiscoveredUrl",
    "FeedItem",
    "Site",
    "Sitemap",
    "SitemapEntry",
    "discover",
    "fetch_feed",
    "fetch_sitemaps",
    "parse_feed",
    "parse_sitemap",
    "parse_xml",
    "resolve_short_link",
]
