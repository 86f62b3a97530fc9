"""Discovery runs: DW's feeds and sitemaps for some languages, and short links.

`stream_discovery` is the run itself: it hands found URLs on source by source (``on_chunk``),
so a caller can put them into its frontier while later sitemaps are still being read, and
returns a `DiscoveryReport`. `discover` and `discover_with_report` collect the chunks into one
de-duplicated list, newest first, for callers that want everything at once.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import structlog

from scraper.discovery.collect import Collector, DiscoveredUrl, UrlFilter
from scraper.discovery.feeds import read_feed
from scraper.discovery.plan import FeedPlan
from scraper.discovery.report import DiscoveryReport, SourceKind, UrlChunk
from scraper.discovery.site import Site
from scraper.discovery.sitemaps import (
    MAX_SITEMAPS,
    SitemapTarget,
    child_target,
    walk_sitemaps,
)
from scraper.errors import ConfigError
from scraper.urls import canonicalize, language_from_url, short_link, short_link_code

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

SOURCES = frozenset({"rss", "rdf", "sitemap"})
_CODE = re.compile(r"^[A-Za-z0-9]{3,12}$")

#: Receives each chunk of found URLs; may be a coroutine function.
ChunkCallback = Callable[[UrlChunk], Awaitable[None] | None]


class Discovery(NamedTuple):
    """Everything a run found (de-duplicated, newest first) and its report."""

    urls: list[DiscoveredUrl]
    report: DiscoveryReport


async def stream_discovery(
    fetcher: Fetcher,
    *,
    langs: Sequence[str],
    on_chunk: ChunkCallback,
    sources: Sequence[str] = ("rss", "sitemap"),
    since: dt.datetime | None = None,
    site: Site | None = None,
    feeds: FeedPlan | None = None,
    max_sitemaps: int = MAX_SITEMAPS,
) -> DiscoveryReport:
    """Read the feeds (``rss``, ``rdf``) and sitemaps (``sitemap``: robots.txt's Sitemap lines
    plus ``/{lang}/article-sitemap.xml`` and ``/{lang}/news-sitemap.xml``, at most
    ``max_sitemaps``) of the given languages, handing each source's content URLs to
    ``on_chunk`` as soon as it is read. Never raises on bad feeds or sitemaps: they are logged
    and listed in the report. Language codes are matched case-insensitively; one missing from
    the table is read through its sitemaps only (the CLI rejects unknown codes before this:
    `scraper.languages.resolve`)."""
    site = site or Site()
    feeds = feeds or FeedPlan()
    unknown = set(sources) - SOURCES
    if unknown:
        raise ConfigError(f"unknown discovery source(s): {', '.join(sorted(unknown))}")
    langs = list(dict.fromkeys(lang.strip().lower() for lang in langs))
    report = DiscoveryReport.for_languages(langs)
    keep = UrlFilter(site, langs, since)
    for lang, url in _feeds_to_read(langs, sources, feeds, report):
        read = await read_feed(fetcher, site.map(url), keep)
        if read.error is not None:
            report.fail(lang, SourceKind.FEED, url, read.error)
            continue
        report.read(lang, SourceKind.FEED)
        chunk = UrlChunk(lang, SourceKind.FEED, url, read.urls)
        report.count(chunk)
        await _deliver(on_chunk, chunk)
    if "sitemap" in sources:
        roots = [_robots_target(u) for u in await fetcher.robots_sitemaps(site.robots_root())]
        for lang in langs:
            article, news = (site.unmap(url) for url in site.sitemap_urls(lang))
            roots.append(SitemapTarget(article, lang, SourceKind.ARTICLE_SITEMAP))
            roots.append(SitemapTarget(news, lang, SourceKind.NEWS_SITEMAP))
        walk = walk_sitemaps(fetcher, roots, keep, max_sitemaps=max_sitemaps, report=report)
        async for chunk in walk:  # counted by the walk
            await _deliver(on_chunk, chunk)
    log.info(
        "discover.done", langs=langs, sources=list(sources), urls=report.urls, **report.to_dict()
    )
    return report


def _feeds_to_read(
    langs: Sequence[str], sources: Sequence[str], feeds: FeedPlan, report: DiscoveryReport
) -> list[tuple[str | None, str]]:
    """(language, DW address) of each language's feed from the plan, then the extra feeds
    (no language of their own); a language without a known feed is flagged in the report."""
    wanted: list[tuple[str | None, str]] = []
    for lang in langs:
        named = [feeds.feed_url(lang, kind) for kind in ("rss", "rdf") if kind in sources]
        if any(named):
            wanted += [(lang, url) for url in named if url]
        elif named:
            report.languages[lang].feed_unknown = True
            if "sitemap" in sources:
                log.info("discover.feed_unknown", lang=lang)
            else:  # nothing at all will be read for it: say so, it is not an empty news day
                log.warning(
                    "discover.no_source",
                    lang=lang,
                    reason="no known feed for this language and sitemaps not asked for; "
                    "use --source all or --feed LANG=URL",
                )
    if "rss" in sources:
        wanted += [(None, url) for url in feeds.extra]
    return wanted


async def _deliver(on_chunk: ChunkCallback, chunk: UrlChunk) -> None:
    outcome = on_chunk(chunk)
    if inspect.isawaitable(outcome):
        await outcome


def _robots_target(url: str) -> SitemapTarget:
    """A Sitemap line of robots.txt: a language's sitemap if its URL names one, else the
    site-wide index."""
    root = SitemapTarget(url, None, SourceKind.SITEMAP_INDEX)
    return child_target(url, root) if language_from_url(url) else root


async def discover_with_report(
    fetcher: Fetcher,
    *,
    langs: Sequence[str],
    sources: Sequence[str] = ("rss", "sitemap"),
    since: dt.datetime | None = None,
    site: Site | None = None,
    feeds: FeedPlan | None = None,
    max_sitemaps: int = MAX_SITEMAPS,
) -> Discovery:
    """`stream_discovery` collected: every URL found (de-duplicated, newest first) and the
    report."""
    collector = Collector()
    report = await stream_discovery(
        fetcher,
        langs=langs,
        on_chunk=lambda chunk: collector.add_all(chunk.urls),
        sources=sources,
        since=since,
        site=site,
        feeds=feeds,
        max_sitemaps=max_sitemaps,
    )
    return Discovery(collector.result(), report)


async def discover(
    fetcher: Fetcher,
    *,
    langs: Sequence[str],
    sources: Sequence[str] = ("rss", "sitemap"),
    since: dt.datetime | None = None,
    site: Site | None = None,
    feeds: FeedPlan | None = None,
    max_sitemaps: int = MAX_SITEMAPS,
) -> list[DiscoveredUrl]:
    """Content URLs of the given languages from DW's feeds and sitemaps, newest first (see
    `stream_discovery`)."""
    found = await discover_with_report(
        fetcher,
        langs=langs,
        sources=sources,
        since=since,
        site=site,
        feeds=feeds,
        max_sitemaps=max_sitemaps,
    )
    return found.urls


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
