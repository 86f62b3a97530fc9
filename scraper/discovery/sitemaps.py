"""Sitemaps and sitemap indexes (news sitemaps included), followed breadth-first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from xml.etree.ElementTree import Element

import structlog

from scraper.dates import parse_any
from scraper.discovery.collect import Collector, DiscoveredUrl
from scraper.discovery.safexml import child_text, local_name, parse_xml
from scraper.discovery.site import Site
from scraper.urls import language_from_url

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

#: Sitemaps followed per discovery run at most (an index can list thousands).
MAX_SITEMAPS = 200


class SitemapEntry(NamedTuple):
    """A ``<loc>`` and its date: the later of ``lastmod`` and ``news:publication_date``."""

    loc: str
    lastmod: dt.datetime | None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``index`` (entries are sitemaps) or ``urlset`` (entries are pages)."""

    kind: str
    entries: list[SitemapEntry]


def _entry(el: Element) -> SitemapEntry | None:
    loc = child_text(el, "loc")
    if not loc:
        return None
    dates = [parse_any(child_text(el, "lastmod"))]
    dates += [parse_any(c.text) for c in el.iter() if local_name(c.tag) == "publication_date"]
    known = [d for d in dates if d is not None]
    return SitemapEntry(loc, max(known) if known else None)


def parse_sitemap(data: bytes, *, source: str = "") -> Sitemap | None:
    """Sitemap index or urlset; None (logged) for anything else."""
    root = parse_xml(data, source=source)
    if root is None:
        return None
    kind = {"sitemapindex": "index", "urlset": "urlset"}.get(local_name(root.tag))
    if kind is None:
        log.warning("discover.not_a_sitemap", source=source, root=local_name(root.tag))
        return None
    entries = (_entry(el) for el in root if local_name(el.tag) in ("sitemap", "url"))
    return Sitemap(kind, [entry for entry in entries if entry is not None])


async def fetch_sitemaps(
    fetcher: Fetcher,
    urls: Iterable[str],
    *,
    site: Site | None = None,
    langs: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    max_sitemaps: int = MAX_SITEMAPS,
) -> list[DiscoveredUrl]:
    """Content URLs from sitemaps and sitemap indexes (followed breadth-first; children of an
    index older than ``since`` or in other languages are skipped)."""
    collector = Collector(site or Site(), langs, since)
    await collect_sitemaps(fetcher, list(urls), collector, max_sitemaps)
    return collector.result()


async def collect_sitemaps(
    fetcher: Fetcher, queue: list[str], collector: Collector, max_sitemaps: int
) -> None:
    """Follow the sitemaps in ``queue`` (and the indexes' children), at most ``max_sitemaps``
    of them, handing their pages to ``collector``; failures are logged."""
    seen: set[str] = set()
    while queue and len(seen) < max_sitemaps:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        result = await fetcher.fetch(url, expect="xml")
        if not result.ok or result.body is None:
            log.warning(
                "discover.sitemap_failed", url=url, outcome=str(result.outcome), error=result.error
            )
            continue
        sitemap = parse_sitemap(result.body, source=url)
        if sitemap is None:
            continue
        for loc, lastmod in sitemap.entries:
            if sitemap.kind == "urlset":
                collector.add(loc, lastmod, "sitemap")
            elif collector.wants(lastmod, language_from_url(loc)):
                queue.append(collector.site.map(loc))
        log.info("discover.sitemap", url=url, kind=sitemap.kind, entries=len(sitemap.entries))
    if queue:
        log.warning("discover.sitemap_limit", skipped=len(queue), limit=max_sitemaps)
