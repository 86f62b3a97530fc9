"""Discovery runs: DW's feeds and sitemaps for some languages, and short links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import structlog

from scraper.discovery.collect import Collector, DiscoveredUrl
from scraper.discovery.feeds import collect_feed
from scraper.discovery.site import Site
from scraper.discovery.sitemaps import MAX_SITEMAPS, collect_sitemaps
from scraper.errors import ConfigError
from scraper.urls import canonicalize, short_link, short_link_code

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

SOURCES = frozenset({"rss", "rdf", "sitemap"})
_CODE = re.compile(r"^[A-Za-z0-9]{3,12}$")


async def discover(
    fetcher: Fetcher,
    *,
    langs: Sequence[str],
    sources: Sequence[str] = ("rss", "sitemap"),
    since: dt.datetime | None = None,
    site: Site | None = None,
) -> list[DiscoveredUrl]:
    """Content URLs of the given languages from DW's feeds (``rss``, ``rdf``) and sitemaps
    (``sitemap``: robots.txt's Sitemap lines plus ``/{lang}/article-sitemap.xml`` and
    ``/{lang}/news-sitemap.xml``), newest first. Never raises on bad feeds: they are logged."""
    site = site or Site()
    unknown = set(sources) - SOURCES
    if unknown:
        raise ConfigError(f"unknown discovery source(s): {', '.join(sorted(unknown))}")
    collector = Collector(site, langs, since)
    for lang in langs:
        for kind in ("rss", "rdf"):
            if kind in sources:
                await collect_feed(fetcher, site.feed_url(lang, kind), collector)
    if "sitemap" in sources:
        roots = [site.map(u) for u in await fetcher.robots_sitemaps(site.robots_root())]
        for lang in langs:
            roots.extend(site.sitemap_urls(lang))
        await collect_sitemaps(fetcher, roots, collector, MAX_SITEMAPS)
    found = collector.result()
    log.info("discover.done", langs=list(langs), sources=list(sources), urls=len(found))
    return found


async def resolve_short_link(
    fetcher: Fetcher, link_or_code: str, *, site: Site | None = None
) -> str | None:
    """The canonical article URL a short link (``https://p.dw.com/p/4boRv`` or ``4boRv``)
    redirects to, or None when it does not lead to a page."""
    site = site or Site()
    code = short_link_code(site.unmap(link_or_code))
    if code is None and _CODE.match(link_or_code.strip()):
        code = link_or_code.strip()
    if code is None:
        return None
    result = await fetcher.fetch(site.map(short_link(code)))
    if not result.ok:
        log.info("discover.short_link_failed", code=code, outcome=str(result.outcome))
        return None
    return canonicalize(site.unmap(result.final_url))
