"""Languages at the command line: `dwscrape languages`, `run --lang` checked against DW's
table (case-insensitive, a typo is exit 2), `--feed`, and discovery failures as exit codes
(1: every source of some language failed; 5: every source of every language), kept with the
run for `stats`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from db.repository import Repository
from scraper import languages
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.faultsite import FaultSite

MISSING_FEED = "https://rss.dw.com/xml/rss-no-such-feed"


@pytest.fixture
def site() -> Iterator[FaultSite]:
    with FaultSite(dw_pages=None) as fake:
        yield fake


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run(db_url: str, site: FaultSite, *extra: str) -> Any:
    return invoke("run", "--db", db_url, "--site", site.base_url, "--delay", "0", *extra)


def test_languages_lists_every_service_with_its_feed() -> None:
    result = invoke("languages", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["segment"] for r in rows] == [lang.segment for lang in languages.LANGUAGES]
    spanish = next(r for r in rows if r["segment"] == "es")
    assert spanish["feed_url"] == "https://rss.dw.com/xml/rss-sp-all" and spanish["verified"]
    assert {"segment", "name", "feed_url", "verified", "evidence"} <= set(spanish)
    table = invoke("languages").output
    assert "rss-chi-all" in table and "pt-002" in table and "sitemaps only" in table


@pytest.mark.parametrize("option", [["--lang", "xx"], ["--lang", "en,klingon"]])
def test_an_unknown_language_is_a_usage_error_naming_the_known_ones(
    tmp_path: Any, option: list[str]
) -> None:
    result = invoke("run", "--db", f"sqlite:///{tmp_path / 'x.db'}", *option)
    assert result.exit_code == ExitCode.USAGE
    assert "unknown language" in result.output and "pt-002" in result.output


@pytest.mark.parametrize("feed", ["xx=https://example.org/feed", "de=not-a-url", "ftp://x/y"])
def test_a_bad_feed_is_a_usage_error(tmp_path: Any, feed: str) -> None:
    result = invoke("run", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--feed", feed)
    assert result.exit_code == ExitCode.USAGE, result.output


def test_language_codes_are_case_insensitive(
    db_url: str, site: FaultSite, repo: Repository
) -> None:
    result = run(db_url, site, "--lang", "PT-002", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["counts"]["discovered"] == 2
    assert {s.article.language for s in repo.iter_articles()} == {"pt-002"}


def test_every_source_of_every_language_failed_exits_5(db_url: str, site: FaultSite) -> None:
    result = run(db_url, site, "--lang", "de", "--source", "rss", "--feed", f"de={MISSING_FEED}")
    assert result.exit_code == ExitCode.FAILED, result.output
    stats = json.loads(invoke("stats", "--db", db_url, "--format", "json").output)
    assert stats["runs"][0]["status"] == "failed"


def test_every_source_of_one_language_failed_exits_1_and_stats_show_it(
    db_url: str, site: FaultSite
) -> None:
    args = ["--lang", "en,DE", "--source", "rss", "--feed", f"de={MISSING_FEED}", "--json"]
    result = run(db_url, site, *args)
    assert result.exit_code == ExitCode.PARTIAL, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    found = summary["discovery"]["languages"]
    assert found["en"]["sources"]["feed"] > 0 and not found["en"]["failed"]
    assert found["de"]["failed"] and MISSING_FEED in found["de"]["failed"][0]
    stats = json.loads(invoke("stats", "--db", db_url, "--format", "json").output)
    stored = stats["runs"][0]["discovery"]["languages"]
    assert stored["en"]["sources"]["feed"] == found["en"]["sources"]["feed"]
    assert stored["de"]["failed"] == found["de"]["failed"]
    table = invoke("stats", "--db", db_url).output
    assert "en: feed" in table


def test_an_extra_feed_is_read_too(db_url: str, site: FaultSite) -> None:
    extra = "https://rss.dw.com/xml/rss-en-all"  # a second feed listing English pages
    args = ["--lang", "en", "--source", "rss", "--feed", extra, "--json"]
    result = run(db_url, site, *args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["discovery"]["site_wide"]["sources"]["feed"] > 0


def test_max_sitemaps_caps_the_sitemaps_read(db_url: str, site: FaultSite) -> None:
    result = run(
        db_url, site, "--lang", "en", "--source", "sitemap", "--max-sitemaps", "1", "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["discovery"]["sitemaps_skipped"] >= 1
