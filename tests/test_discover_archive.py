"""Walking a language's archive sitemaps for a backfill: date order, a since/until window, a
per-walk cap, and resuming after the sitemaps a caller has recorded as finished."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from scraper.discovery import (
    ArchiveChunk,
    ArchiveWindow,
    DiscoveryReport,
    Site,
    SourceKind,
    walk_archive,
)
from scraper.fetching import Fetcher
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock

MONTHS = 36
RECENT = "https://www.dw.com/fr/article-sitemap-recent.xml"


@pytest.fixture
def site() -> Iterator[FaultSite]:
    with FaultSite(dw_pages=None, archive={"fr": MONTHS}) as fake:
        yield fake


def walk(
    site: FaultSite,
    *,
    finished: set[str] | None = None,
    stop_after: int | None = None,
    report: DiscoveryReport | None = None,
    window: ArchiveWindow | None = None,
    max_sitemaps: int = 200,
    newest_first: bool = True,
) -> list[ArchiveChunk]:
    """The chunks of one walk; ``stop_after`` abandons it after that many chunks (a kill)."""
    clock = FakeClock()
    chunks: list[ArchiveChunk] = []

    async def main() -> None:
        async with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
            async for chunk in walk_archive(
                fetcher,
                "FR",
                site=Site(site.base_url),
                finished=finished if finished is not None else set(),
                report=report,
                window=window,
                max_sitemaps=max_sitemaps,
                newest_first=newest_first,
            ):
                chunks.append(chunk)
                if chunk.final and finished is not None:
                    finished.add(chunk.sitemap_url)
                if stop_after is not None and len(chunks) >= stop_after:
                    return

    asyncio.run(main())
    return chunks


def archived(site: FaultSite) -> set[str]:
    return set(site.archives["fr"].urls())


def test_the_archive_is_walked_newest_first_and_completely(site: FaultSite) -> None:
    chunks = walk(site)
    names = [c.sitemap_url.rsplit("/", 1)[-1] for c in chunks]
    assert names[:3] == [
        "article-sitemap-recent.xml",
        "article-sitemap-2023-12.xml",
        "article-sitemap-2023-11.xml",
    ]
    assert len(chunks) == MONTHS + 1 and all(c.final for c in chunks)
    months = [c for c in chunks if c.sitemap_url != RECENT]
    assert [c.period for c in months] == sorted((c.period for c in months), reverse=True)
    urls = [d.url for c in months for d in c.urls]
    assert len(urls) == len(set(urls)) and set(urls) == archived(site)
    oldest_first = walk(site, newest_first=False)
    assert oldest_first[0].sitemap_url.endswith("-2021-01.xml")
    assert oldest_first[-1].sitemap_url == RECENT


def test_since_and_until_pick_the_months_and_their_urls(site: FaultSite) -> None:
    since, until = dt.date(2022, 3, 1), dt.date(2022, 5, 31)
    window = ArchiveWindow(since, until)
    chunks = walk(site, window=window)
    assert [c.period for c in chunks] == [
        dt.date(2022, 5, 1),
        dt.date(2022, 4, 1),
        dt.date(2022, 3, 1),
    ]
    dates = {d.lastmod.date() for c in chunks for d in c.urls if d.lastmod}
    assert dates and all(since <= day <= until for day in dates)
    assert site.hits("/fr/article-sitemap-2022-06.xml") == 0  # outside: never fetched


def test_a_capped_killed_walk_resumes_where_it_stopped(site: FaultSite) -> None:
    finished: set[str] = set()
    first = walk(site, finished=finished, max_sitemaps=5)
    assert len(first) == 5 and len(finished) == 5
    report = DiscoveryReport.for_languages(["fr"])
    killed = walk(site, finished=finished, stop_after=3, report=report)
    assert len(killed) == 3 and len(finished) == 8
    seen = [d.url for c in first + killed for d in c.urls]
    while True:
        more = walk(site, finished=finished, max_sitemaps=7)
        if not more:
            break
        seen += [d.url for c in more for d in c.urls]
    assert len(finished) == MONTHS + 1
    months = [u for u in seen if "/archive-story-" in u]
    assert len(months) == len(set(months)) and set(months) == archived(site)
    for year, month in site.archives["fr"].months:
        assert site.hits(f"/fr/article-sitemap-{year}-{month:02d}.xml") == 1
    assert walk(site, finished=finished) == []  # a finished backfill reads nothing new


def test_a_failed_sitemap_is_reported_and_not_finished(site: FaultSite) -> None:
    site.remove_page("/fr/article-sitemap-2022-02.xml")
    finished: set[str] = set()
    report = DiscoveryReport.for_languages(["fr"])
    chunks = walk(site, finished=finished, report=report)
    assert len(chunks) == MONTHS
    assert "https://www.dw.com/fr/article-sitemap-2022-02.xml" not in finished
    failures = report.languages["fr"].failures
    assert [(f.kind, f.url.rsplit("/", 1)[-1]) for f in failures] == [
        (SourceKind.ARCHIVE_SITEMAPS, "article-sitemap-2022-02.xml")
    ]
    assert not report.all_failed("fr")
    assert report.languages["fr"].sources[SourceKind.ARCHIVE_SITEMAPS].urls == (MONTHS - 1) * 3 + 2


def test_a_language_without_an_index_is_its_one_sitemap(site: FaultSite) -> None:
    clock = FakeClock()

    async def main() -> list[ArchiveChunk]:
        async with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
            walk_ = walk_archive(fetcher, "pt-002", site=Site(site.base_url))
            return [chunk async for chunk in walk_]

    chunks = asyncio.run(main())
    assert [c.sitemap_url for c in chunks] == ["https://www.dw.com/pt-002/article-sitemap.xml"]
    assert {d.url.split("/")[3] for d in chunks[0].urls} == {"pt-002"}
