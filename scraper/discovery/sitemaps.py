"""Sitemaps and sitemap indexes (news sitemaps included), followed breadth-first.

`walk_sitemaps` hands each sitemap's URLs on as soon as that sitemap is read (in chunks of at
most ``chunk_size``), so memory stays flat however many sitemaps an index lists: nothing here
holds more than one sitemap's entries and the addresses of the sitemaps still to read. How many
sitemaps one walk reads is the caller's to set (``max_sitemaps``): DW's indexes list hundreds
of archive sitemaps per language.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from xml.etree.ElementTree import Element

import structlog

from scraper.dates import parse_any
from scraper.discovery.collect import Collector, DiscoveredUrl, UrlFilter
from scraper.discovery.report import DiscoveryReport, SourceKind, UrlChunk
from scraper.discovery.safexml import child_text, local_name, parse_xml
from scraper.discovery.site import Site
from scraper.urls import language_from_url, url_path

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

#: Sitemaps followed per discovery run unless the caller sets another cap.
MAX_SITEMAPS = 200
#: URLs per chunk handed on (a sitemap may list 50,000).
CHUNK_SIZE = 5000


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


class SitemapTarget(NamedTuple):
    """A sitemap to read: its DW address, the language it belongs to (None: site-wide) and
    which kind of source it is."""

    url: str
    lang: str | None
    kind: SourceKind


def child_target(loc: str, parent: SitemapTarget) -> SitemapTarget:
    """An index's child: a language's news or article sitemap by its name, else an archive
    sitemap of the language its URL (or its index) names."""
    name = url_path(loc).rsplit("/", 1)[-1]
    lang = language_from_url(loc) or parent.lang
    if name.startswith("news-sitemap"):
        return SitemapTarget(loc, lang, SourceKind.NEWS_SITEMAP)
    if name.startswith("article-sitemap.xml"):
        return SitemapTarget(loc, lang, SourceKind.ARTICLE_SITEMAP)
    return SitemapTarget(loc, lang, SourceKind.ARCHIVE_SITEMAPS)


async def read_sitemap(
    fetcher: Fetcher, target: SitemapTarget, site: Site, report: DiscoveryReport
) -> Sitemap | None:
    """Fetch and parse one sitemap; a failure is logged and reported, never raised."""
    url = site.map(target.url)
    result = await fetcher.fetch(url, expect="xml")
    if not result.ok or result.body is None:
        log.warning(
            "discover.sitemap_failed", url=url, outcome=str(result.outcome), error=result.error
        )
        report.fail(target.lang, target.kind, target.url, str(result.outcome))
        return None
    sitemap = parse_sitemap(result.body, source=url)
    if sitemap is None:
        report.fail(target.lang, target.kind, target.url, "bad_xml")
        return None
    report.read(target.lang, target.kind)
    log.info("discover.sitemap", url=url, kind=sitemap.kind, entries=len(sitemap.entries))
    return sitemap


def chunks_of(
    target: SitemapTarget, urls: list[DiscoveredUrl], chunk_size: int
) -> Iterable[UrlChunk]:
    """A sitemap's kept URLs in chunks; the last one has ``final`` set (even if empty), so a
    caller knows the sitemap is done."""
    for start in range(0, max(len(urls), 1), chunk_size):
        part = urls[start : start + chunk_size]
        yield UrlChunk(
            target.lang, target.kind, target.url, part, final=start + chunk_size >= len(urls)
        )


async def walk_sitemaps(
    fetcher: Fetcher,
    roots: Iterable[SitemapTarget],
    keep: UrlFilter,
    *,
    max_sitemaps: int = MAX_SITEMAPS,
    report: DiscoveryReport | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[UrlChunk]:
    """The URLs of the sitemaps in ``roots`` and of the indexes' children (breadth-first, each
    sitemap read once, at most ``max_sitemaps``), one sitemap's worth at a time. Children of an
    index dated outside the filter's range or in other languages are not read."""
    report = report if report is not None else DiscoveryReport()
    queue = collections.deque(roots)
    seen: set[str] = set()
    while queue and len(seen) < max_sitemaps:
        target = queue.popleft()
        if target.url in seen:
            continue
        seen.add(target.url)
        sitemap = await read_sitemap(fetcher, target, keep.site, report)
        if sitemap is None:
            continue
        if sitemap.kind == "index":
            for loc, lastmod in sitemap.entries:
                child = child_target(keep.site.unmap(loc), target)
                if child.url not in seen and keep.wants(lastmod, child.lang):
                    queue.append(child)
            continue
        found = keep.chunk(sitemap.entries, "sitemap")
        del sitemap
        for chunk in chunks_of(target, found, chunk_size):
            report.count(chunk)
            yield chunk
    if queue:
        report.sitemaps_skipped += len(queue)
        log.warning("discover.sitemap_limit", skipped=len(queue), limit=max_sitemaps)


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
    site = site or Site()
    keep = UrlFilter(site, langs, since)
    roots = [
        child_target(site.unmap(u), SitemapTarget(u, None, SourceKind.SITEMAP_INDEX)) for u in urls
    ]
    collector = Collector()
    async for chunk in walk_sitemaps(fetcher, roots, keep, max_sitemaps=max_sitemaps):
        collector.add_all(chunk.urls)
    return collector.result()
