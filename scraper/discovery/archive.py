"""A language's archive, sitemap by sitemap, for a backfill that can stop and resume.

DW's ``/{lang}/article-sitemap.xml`` is a sitemap index whose children are dated sitemaps
(hundreds per language). `walk_archive` reads the index, orders its children by date (the date
in a child's name, ``…-2019-03.xml``, else its ``lastmod``; undated children last), skips those
outside the ``since``/``until`` window and those the caller has already finished, and reads at
most ``max_sitemaps`` of them, handing on each one's URLs in chunks tagged with the sitemap's
address. A caller records a sitemap as finished when its ``final`` chunk has been stored, so a
walk stopped half-way (even by SIGKILL) resumes at the first unfinished sitemap.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import AsyncIterator, Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from scraper import languages
from scraper.discovery.collect import DiscoveredUrl, UrlFilter
from scraper.discovery.report import DiscoveryReport, SourceKind
from scraper.discovery.site import Site
from scraper.discovery.sitemaps import (
    CHUNK_SIZE,
    MAX_SITEMAPS,
    SitemapEntry,
    SitemapTarget,
    chunks_of,
    read_sitemap,
)
from scraper.urls import url_path

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?!\d)")
#: Indexes inside indexes are followed this deep at most.
_MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class ArchiveWindow:
    """The dates a backfill covers, both ends included; None: open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return (self.since is None or end >= self.since) and (
            self.until is None or start <= self.until
        )

    def url_filter(self, site: Site, lang: str) -> UrlFilter:
        since = until = None
        if self.since is not None:
            since = dt.datetime.combine(self.since, dt.time.min, dt.UTC)
        if self.until is not None:
            until = dt.datetime.combine(self.until, dt.time.max, dt.UTC)
        return UrlFilter(site, [lang], since, until)


@dataclass(frozen=True, slots=True)
class ArchiveChunk:
    """Some URLs of one archive sitemap; ``final``: the sitemap's last chunk."""

    lang: str
    sitemap_url: str
    period: dt.date | None
    urls: list[DiscoveredUrl]
    final: bool


@dataclass(frozen=True, slots=True)
class _Child:
    url: str
    start: dt.date | None
    end: dt.date | None


def child_period(entry: SitemapEntry) -> _Child:
    """A child sitemap's dates: the month (or day) its name gives, else its lastmod's day."""
    matches = list(_PERIOD.finditer(url_path(entry.loc).rsplit("/", 1)[-1]))
    if matches:
        match = matches[-1]
        year, month = int(match[1]), int(match[2])
        if match[3]:
            day = dt.date(year, month, int(match[3]))
            return _Child(entry.loc, day, day)
        last = calendar.monthrange(year, month)[1]
        return _Child(entry.loc, dt.date(year, month, 1), dt.date(year, month, last))
    when = entry.lastmod.date() if entry.lastmod else None
    return _Child(entry.loc, when, when)


def ordered_children(
    entries: list[SitemapEntry], window: ArchiveWindow, newest_first: bool
) -> list[_Child]:
    """The children inside the window, by date (undated last)."""
    children = [child_period(e) for e in entries]
    kept = [
        c for c in children if c.start is None or c.end is None or window.overlaps(c.start, c.end)
    ]
    dated = sorted(
        (c for c in kept if c.start), key=lambda c: (c.start, c.url), reverse=newest_first
    )
    return dated + sorted((c for c in kept if c.start is None), key=lambda c: c.url)


class _Walk:
    """One archive walk's state: the budget of sitemaps and what to skip."""

    def __init__(
        self,
        fetcher: Fetcher,
        lang: str,
        site: Site,
        window: ArchiveWindow,
        finished: Container[str],
        max_sitemaps: int,
        report: DiscoveryReport,
        newest_first: bool,
        chunk_size: int,
    ) -> None:
        self.fetcher, self.lang, self.site, self.window = fetcher, lang, site, window
        self.finished, self.budget, self.report = finished, max_sitemaps, report
        self.newest_first, self.chunk_size = newest_first, chunk_size
        self.keep = window.url_filter(site, lang)

    async def sitemap(
        self, url: str, period: dt.date | None, depth: int
    ) -> AsyncIterator[ArchiveChunk]:
        """One sitemap: an urlset's URLs, or an index's children in order."""
        target = SitemapTarget(url, self.lang, SourceKind.ARCHIVE_SITEMAPS)
        sitemap = await read_sitemap(self.fetcher, target, self.site, self.report)
        if sitemap is None:
            return
        if sitemap.kind == "urlset":
            self.budget -= 1
            found = self.keep.chunk(sitemap.entries, "sitemap")
            for part in chunks_of(target, found, self.chunk_size):
                self.report.count(part)
                yield ArchiveChunk(self.lang, url, period, part.urls, part.final)
            return
        if depth >= _MAX_DEPTH:
            log.warning("discover.archive_too_deep", url=url)
            return
        for child in ordered_children(sitemap.entries, self.window, self.newest_first):
            loc = self.site.unmap(child.url)
            if loc in self.finished:
                continue
            if self.budget <= 0:
                self.report.sitemaps_skipped += 1
                continue
            async for chunk in self.sitemap(loc, child.start, depth + 1):
                yield chunk


async def walk_archive(
    fetcher: Fetcher,
    lang: str,
    *,
    site: Site | None = None,
    window: ArchiveWindow | None = None,
    finished: Container[str] = frozenset(),
    max_sitemaps: int = MAX_SITEMAPS,
    index_url: str | None = None,
    newest_first: bool = True,
    report: DiscoveryReport | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[ArchiveChunk]:
    """The URLs of ``lang``'s archive sitemaps (children of ``index_url``, by default
    ``https://www.dw.com/{lang}/article-sitemap.xml``), sitemap by sitemap in date order
    (newest first unless ``newest_first=False``), skipping sitemaps in ``finished`` (their DW
    addresses) and reading at most ``max_sitemaps`` of them (indexes are not counted).
    Failures are logged and listed in ``report``; a failed sitemap is simply not finished."""
    site = site or Site()
    lang = languages.get(lang).segment
    report = report if report is not None else DiscoveryReport.for_languages([lang])
    walk = _Walk(
        fetcher,
        lang,
        site,
        window or ArchiveWindow(),
        finished,
        max_sitemaps,
        report,
        newest_first,
        chunk_size,
    )
    index = index_url or site.unmap(site.sitemap_urls(lang)[0])
    async for chunk in walk.sitemap(index, None, 0):
        yield chunk
    if report.sitemaps_skipped:
        log.info("discover.archive_limit", lang=lang, skipped=report.sitemaps_skipped)
