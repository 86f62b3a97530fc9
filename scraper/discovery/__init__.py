"""Finding article URLs: DW's RSS/RDF/Atom feeds, (news) sitemaps, archives, and short links.

Everything goes through a `Fetcher` (politeness, robots.txt, retries) and a `Site`, which maps
DW's addresses onto another base URL: the live site and a local copy of it take the same code
path, only ``Site(base)`` differs. Which feed a language reads comes from DW's language table
(`scraper.languages`) through a `FeedPlan`. In reading order:

* `site`: the `Site` mapping;
* `safexml`: XML parsed without entity expansion or external references;
* `collect`: the one place links are normalised, filtered by language and date, merged;
* `report`: what a run found per language and source, and what failed;
* `plan`: which feeds a run reads (the table, the user's replacements and extra feeds);
* `feeds` and `sitemaps`: each source read into dated links, sitemaps chunk by chunk;
* `discover`: a whole discovery run, and short links;
* `archive`: a language's archive sitemaps walked in date order, for a backfill.
"""

from __future__ import annotations

from scraper.discovery.archive import ArchiveChunk, ArchiveWindow, walk_archive
from scraper.discovery.collect import DiscoveredUrl, UrlFilter
from scraper.discovery.discover import (
    SOURCES,
    ChunkCallback,
    Discovery,
    discover,
    discover_with_report,
    resolve_short_link,
    stream_discovery,
)
from scraper.discovery.feeds import FeedItem, fetch_feed, parse_feed
from scraper.discovery.plan import FeedPlan
from scraper.discovery.report import (
    DiscoveryReport,
    FailedSource,
    LanguageReport,
    SourceKind,
    UrlChunk,
)
from scraper.discovery.safexml import parse_xml
from scraper.discovery.site import RSS_HOST, Site
from scraper.discovery.sitemaps import (
    MAX_SITEMAPS,
    Sitemap,
    SitemapEntry,
    fetch_sitemaps,
    parse_sitemap,
    walk_sitemaps,
)

__all__ = [
    "MAX_SITEMAPS",
    "RSS_HOST",
    "SOURCES",
    "ArchiveChunk",
    "ArchiveWindow",
    "ChunkCallback",
    "DiscoveredUrl",
    "Discovery",
    "DiscoveryReport",
    "FailedSource",
    "FeedItem",
    "FeedPlan",
    "LanguageReport",
    "Site",
    "Sitemap",
    "SitemapEntry",
    "SourceKind",
    "UrlChunk",
    "UrlFilter",
    "discover",
    "discover_with_report",
    "fetch_feed",
    "fetch_sitemaps",
    "parse_feed",
    "parse_sitemap",
    "parse_xml",
    "resolve_short_link",
    "stream_discovery",
    "walk_archive",
    "walk_sitemaps",
]
