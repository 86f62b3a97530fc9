"""Discovery of every DW language service against the fake site, which serves each language's
feed under the feed id of the evidence file `../shared/dw-site.md` (read here, so the code,
the language table and the fake site cannot drift together from what is known about DW)."""

from __future__ import annotations

import asyncio
import os
import re
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from scraper import parse_page
from scraper.discovery import (
    Discovery,
    DiscoveryReport,
    FeedPlan,
    Site,
    SourceKind,
    UrlChunk,
    discover_with_report,
    stream_discovery,
)
from scraper.errors import ConfigError
from scraper.fetching import Fetcher
from scraper.languages import BY_SEGMENT, LANGUAGES, UnknownLanguageError
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock

T = TypeVar("T")
SITE_MD = Path(__file__).resolve().parent.parent.parent / "shared" / "dw-site.md"
FEED_LANGS = [lang.segment for lang in LANGUAGES if lang.feed_id]
SITEMAP_ONLY = [lang.segment for lang in LANGUAGES if not lang.feed_id]


@pytest.fixture(scope="module")
def evidence_feeds() -> dict[str, str]:
    """The evidence file's feed table: page language segment -> feed id."""
    if not SITE_MD.is_file():
        if os.environ.get("DWSCRAPE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{SITE_MD} is missing but DWSCRAPE_REQUIRE_SHARED=1")
        pytest.skip(f"{SITE_MD} not present")
    text = SITE_MD.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)`[^|]*\| `(rss-[a-z]+-all)` \|", text, re.M))
    assert len(rows) >= 18
    return rows


@pytest.fixture(scope="module")
def site() -> Iterator[FaultSite]:
    with FaultSite(dw_pages=None) as fake:
        yield fake


def run(site: FaultSite, job: Callable[[Fetcher, Site], Awaitable[T]]) -> T:
    clock = FakeClock()

    async def main() -> T:
        async with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
            return await job(fetcher, Site(site.base_url))

    return asyncio.run(main())


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def discovered(site: FaultSite, lang: str, sources: tuple[str, ...]) -> Discovery:
    return run(site, lambda f, s: discover_with_report(f, langs=[lang], sources=sources, site=s))


def fetch_body(site: FaultSite, url: str) -> bytes:
    with urllib.request.urlopen(Site(site.base_url).map(url), timeout=5) as response:
        return bytes(response.read())


# --------------------------------------------------------------------------- the fake site


def test_the_fake_site_serves_the_evidence_feed_names(
    site: FaultSite, evidence_feeds: dict[str, str]
) -> None:
    for segment, feed_id in evidence_feeds.items():
        assert status(f"{site.base_url}/xml/{feed_id}") == 200, feed_id
        if feed_id != f"rss-{segment}-all":
            assert status(f"{site.base_url}/xml/rss-{segment}-all") == 404, segment
    for segment in SITEMAP_ONLY:
        assert segment not in evidence_feeds
        assert status(f"{site.base_url}/xml/rss-{segment}-all") == 404, segment


def test_every_language_has_pages_and_both_sitemaps(site: FaultSite) -> None:
    paths = site.page_paths() + site.sample_paths()
    for lang in LANGUAGES:
        mine = [p for p in paths if p.startswith(f"/{lang.segment}/")]
        assert mine, lang.segment
        for name in ("article-sitemap.xml", "news-sitemap.xml"):
            assert status(f"{site.base_url}/{lang.segment}/{name}") == 200, (lang.segment, name)


# --------------------------------------------------------------------------- discovery


@pytest.mark.parametrize("lang", FEED_LANGS)
def test_a_language_with_a_known_feed_is_found_through_it(site: FaultSite, lang: str) -> None:
    feed_id = BY_SEGMENT[lang].feed_id
    before = site.hits(f"/xml/{feed_id}"), site.hits(f"/xml/rss-{lang}-all")
    found = discovered(site, lang, ("rss",))
    assert found.urls, lang
    assert all(f"/{lang}/" in d.url for d in found.urls)
    assert site.hits(f"/xml/{feed_id}") == before[0] + 1
    if feed_id != f"rss-{lang}-all":
        assert site.hits(f"/xml/rss-{lang}-all") == before[1]  # DW's name only
    report = found.report.languages[lang]
    assert report.sources[SourceKind.FEED].urls == len(found.urls)
    assert not report.failures and not report.feed_unknown


@pytest.mark.parametrize("lang", SITEMAP_ONLY)
def test_a_language_without_a_feed_is_found_through_its_sitemaps(
    site: FaultSite, lang: str
) -> None:
    guessed = site.hits(f"/xml/rss-{lang}-all")
    found = discovered(site, lang, ("rss", "sitemap"))
    expected = {"https://www.dw.com" + p for p in site.sample_paths() if p.startswith(f"/{lang}/")}
    assert expected and {d.url for d in found.urls} == expected
    report = found.report.languages[lang]
    assert report.feed_unknown and SourceKind.FEED not in report.sources
    assert report.sources[SourceKind.ARTICLE_SITEMAP].urls == len(expected)
    assert report.sources[SourceKind.NEWS_SITEMAP].urls >= 1
    assert site.hits(f"/xml/rss-{lang}-all") == guessed  # never guessed


@pytest.mark.parametrize("lang", ["pt-002", "zh-hant"])
def test_digit_and_script_segments_round_trip_with_their_language(
    site: FaultSite, lang: str
) -> None:
    found = discovered(site, lang.upper(), ("sitemap",))
    assert len(found.urls) == 2
    for item in found.urls:
        article = parse_page(fetch_body(site, item.url), url=item.url)
        assert article.language == lang, item.url
    bare = [d.url for d in found.urls if "without-language-data" in d.url]
    body = fetch_body(site, bare[0])
    assert b"lang=" not in body and b"inLanguage" not in body and b"canonical" not in body


def test_chunks_are_handed_on_per_source(site: FaultSite) -> None:
    chunks: list[UrlChunk] = []

    async def on_chunk(chunk: UrlChunk) -> None:
        chunks.append(chunk)

    report = run(
        site,
        lambda f, s: stream_discovery(f, langs=["es", "bg"], on_chunk=on_chunk, site=s),
    )
    by_source = {(c.lang, c.kind): c for c in chunks}
    assert by_source[("es", SourceKind.FEED)].source_url == "https://rss.dw.com/xml/rss-sp-all"
    assert ("bg", SourceKind.FEED) not in by_source
    assert by_source[("bg", SourceKind.ARTICLE_SITEMAP)].source_url == (
        "https://www.dw.com/bg/article-sitemap.xml"
    )
    assert report.urls == sum(len(c.urls) for c in chunks)
    assert not report.failed_languages() and not report.every_language_failed()


# --------------------------------------------------------------------------- user feeds


def test_a_user_feed_replaces_a_language_feed_and_extra_feeds_are_read(site: FaultSite) -> None:
    site.set_page(
        "/xml/rss-en-bus",
        '<rss version="2.0"><channel><item>'
        "<link>https://www.dw.com/en/business-story/a-9000777</link></item>"
        "</channel></rss>",
        "application/xml",
    )
    site.set_page(
        "/elsewhere/pt-africa.xml",
        '<rss version="2.0"><channel><item>'
        "<link>https://www.dw.com/pt-002/uma-historia/a-9000778</link></item>"
        "</channel></rss>",
        "application/xml",
    )
    plan = FeedPlan.from_specs(
        ["https://rss.dw.com/xml/rss-en-bus", f"PT-002={site.base_url}/elsewhere/pt-africa.xml"]
    )
    found = run(
        site,
        lambda f, s: discover_with_report(
            f, langs=["en", "pt-002"], sources=["rss"], site=s, feeds=plan
        ),
    )
    urls = {d.url for d in found.urls}
    assert "https://www.dw.com/en/business-story/a-9000777" in urls
    assert "https://www.dw.com/pt-002/uma-historia/a-9000778" in urls
    assert found.report.site_wide.sources[SourceKind.FEED].urls == 1  # the section feed
    assert found.report.languages["pt-002"].sources[SourceKind.FEED].urls == 1
    assert not found.report.languages["pt-002"].feed_unknown


def test_feed_specs_are_validated() -> None:
    with pytest.raises(UnknownLanguageError, match="known: .*pt-002"):
        FeedPlan.from_specs(["xx=https://example.org/feed.xml"])
    with pytest.raises(ConfigError):
        FeedPlan.from_specs(["not a url"])
    plan = FeedPlan.from_specs(["https://a.example/f.xml", "https://a.example/f.xml"])
    assert plan.extra == ("https://a.example/f.xml",)
    assert plan.feed_url("es") == "https://rss.dw.com/xml/rss-sp-all"
    assert plan.feed_url("es", "rdf") == "https://rss.dw.com/rdf/rss-sp-all"
    assert plan.feed_url("bg") is None and plan.feed_url("xx") is None
    assert Site("http://127.0.0.1:9").feed_url("zh") == "http://127.0.0.1:9/xml/rss-chi-all"
    assert Site().feed_url("pt-002") is None


# --------------------------------------------------------------------------- failures


def test_a_language_whose_every_source_failed_is_named(site: FaultSite) -> None:
    plan = FeedPlan.from_specs([f"fr={site.base_url}/_fault/status?code=500&key=fr-feed"])
    for name in ("article-sitemap.xml", "news-sitemap.xml"):
        site.remove_page(f"/fr/{name}")
    try:
        found = run(
            site,
            lambda f, s: discover_with_report(f, langs=["fr", "es"], site=s, feeds=plan),
        )
    finally:
        site.gone.clear()
    report = found.report
    assert report.all_failed("fr") and not report.all_failed("es")
    assert report.failed_languages() == ["fr"] and not report.every_language_failed()
    kinds = {f.kind for f in report.languages["fr"].failures}
    assert kinds == {SourceKind.FEED, SourceKind.ARTICLE_SITEMAP, SourceKind.NEWS_SITEMAP}
    assert all(u.startswith("https://www.dw.com/es/") for u in (d.url for d in found.urls))
    assert report.languages["fr"].to_dict()["failed"]
    counts = report.flat_counts()
    assert counts["discover.fr.failed"] == 3 and counts["discover.es.feed"] >= 1


def test_a_run_where_everything_failed_says_so() -> None:
    async def main() -> DiscoveryReport:
        async with Fetcher(FAST) as fetcher:
            found = await discover_with_report(
                fetcher, langs=["de", "zh-hant"], site=Site("http://127.0.0.1:9")
            )
            return found.report

    report = asyncio.run(main())
    assert report.every_language_failed() and report.failed_languages() == ["de", "zh-hant"]
    assert report.urls == 0


def test_rss_only_for_a_language_without_a_feed_warns_that_nothing_is_read(
    site: FaultSite,
) -> None:
    """`run --source rss --lang sq` would read nothing for Albanian: a warning says so (and how
    to read it), where with sitemaps as well the missing feed is only noted."""
    from structlog.testing import capture_logs

    lang = SITEMAP_ONLY[0]
    with capture_logs() as logs:
        found = discovered(site, lang, ("rss",))
    assert not list(found.urls)
    warned = [e for e in logs if e["event"] == "discover.no_source"]
    assert [(e["log_level"], e["lang"]) for e in warned] == [("warning", lang)]
    assert "--source all" in warned[0]["reason"]
    with capture_logs() as logs:
        discovered(site, lang, ("rss", "sitemap"))
    assert not [e for e in logs if e["event"] == "discover.no_source"]
    assert [e["log_level"] for e in logs if e["event"] == "discover.feed_unknown"] == ["info"]
