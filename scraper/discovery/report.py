"""What a discovery run found, per language and per source, and what failed.

A run reads, per language, up to four kinds of source: the language's feed, its news sitemap,
its article sitemap, and the archive sitemaps an index lists. `DiscoveryReport` counts the URLs
each kind gave (after filtering; one URL named by two sources counts for both) and lists every
source that could not be read, so a caller can tell "nothing new" from "nothing reachable":
`all_failed(lang)` is true when every source of a language that was tried failed,
`every_language_failed()` when that holds for every language. Site-wide sources (robots.txt's
sitemap index, user-named extra feeds) are reported apart: they belong to no one language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from scraper.discovery.collect import DiscoveredUrl


class SourceKind(StrEnum):
    FEED = "feed"
    NEWS_SITEMAP = "news_sitemap"
    ARTICLE_SITEMAP = "article_sitemap"
    ARCHIVE_SITEMAPS = "archive_sitemaps"
    SITEMAP_INDEX = "sitemap_index"  # robots.txt's site-wide index: no language of its own


@dataclass(frozen=True, slots=True)
class FailedSource:
    """A feed or sitemap that could not be read: its address and why (fetch outcome or
    ``bad_xml``)."""

    kind: SourceKind
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class UrlChunk:
    """URLs handed on as soon as one source (a feed, one sitemap) is read: ``source_url`` is the
    feed or sitemap they came from, ``lang`` the language it belongs to (None: site-wide)."""

    lang: str | None
    kind: SourceKind
    source_url: str
    urls: list[DiscoveredUrl]
    #: The last chunk of its source: a caller may record the source as finished.
    final: bool = True


@dataclass(slots=True)
class SourceTally:
    """One kind of source of one language: URLs given, sources read, sources failed."""

    urls: int = 0
    read: int = 0
    failed: int = 0

    @property
    def tried(self) -> bool:
        return self.read + self.failed > 0


@dataclass(slots=True)
class LanguageReport:
    lang: str
    sources: dict[SourceKind, SourceTally] = field(default_factory=dict)
    failures: list[FailedSource] = field(default_factory=list)
    #: No feed is known for the language (and none was named by the user): sitemaps only.
    feed_unknown: bool = False

    def tally(self, kind: SourceKind) -> SourceTally:
        return self.sources.setdefault(kind, SourceTally())

    @property
    def urls(self) -> int:
        return sum(t.urls for t in self.sources.values())

    @property
    def all_failed(self) -> bool:
        """Some source was tried and none of them could be read."""
        tried = [t for t in self.sources.values() if t.tried]
        return bool(tried) and all(t.read == 0 for t in tried)

    def to_dict(self) -> dict[str, object]:
        return {
            "urls": self.urls,
            "sources": {str(kind): t.urls for kind, t in self.sources.items() if t.tried},
            "failed": [f"{f.kind}: {f.url} ({f.reason})" for f in self.failures],
            "feed_unknown": self.feed_unknown,
        }


@dataclass(slots=True)
class DiscoveryReport:
    """Per language, per source: URL counts and failures of one discovery run."""

    languages: dict[str, LanguageReport] = field(default_factory=dict)
    #: Site-wide sources: robots.txt's sitemap index, user-named extra feeds.
    site_wide: LanguageReport = field(default_factory=lambda: LanguageReport(""))
    #: Sitemaps left unread because the per-run cap (``max_sitemaps``) was reached.
    sitemaps_skipped: int = 0

    @classmethod
    def for_languages(cls, langs: Sequence[str]) -> DiscoveryReport:
        return cls({lang: LanguageReport(lang) for lang in langs})

    def of(self, lang: str | None) -> LanguageReport:
        if lang is None or lang not in self.languages:
            return self.site_wide
        return self.languages[lang]

    def count(self, chunk: UrlChunk) -> None:
        self.of(chunk.lang).tally(chunk.kind).urls += len(chunk.urls)

    def read(self, lang: str | None, kind: SourceKind) -> None:
        self.of(lang).tally(kind).read += 1

    def fail(self, lang: str | None, kind: SourceKind, url: str, reason: str) -> None:
        report = self.of(lang)
        report.tally(kind).failed += 1
        report.failures.append(FailedSource(kind, url, reason))

    def all_failed(self, lang: str) -> bool:
        """Every source of ``lang`` that was tried failed (exit 1 territory for a CLI)."""
        return self.languages[lang].all_failed

    def failed_languages(self) -> list[str]:
        return [lang for lang, report in self.languages.items() if report.all_failed]

    def every_language_failed(self) -> bool:
        """Every language's every source failed (and robots' index gave nothing either)."""
        if not self.languages or self.site_wide.urls:
            return False
        return all(report.all_failed for report in self.languages.values())

    @property
    def urls(self) -> int:
        return self.site_wide.urls + sum(r.urls for r in self.languages.values())

    @property
    def failures(self) -> list[FailedSource]:
        out = list(self.site_wide.failures)
        for report in self.languages.values():
            out.extend(report.failures)
        return out

    def flat_counts(self) -> dict[str, int]:
        """Counters for a run's stats: ``discover.<lang>.<kind>`` (URLs) and
        ``discover.<lang>.failed`` (sources); site-wide sources under ``discover.site``."""
        counts: dict[str, int] = {}
        for name, report in [("site", self.site_wide), *self.languages.items()]:
            for kind, tally in report.sources.items():
                if tally.tried:
                    counts[f"discover.{name}.{kind}"] = tally.urls
            if report.failures:
                counts[f"discover.{name}.failed"] = len(report.failures)
        return counts

    def to_dict(self) -> dict[str, object]:
        """Plain data for the run's log and stats."""
        return {
            "languages": {lang: r.to_dict() for lang, r in self.languages.items()},
            "site_wide": self.site_wide.to_dict(),
            "sitemaps_skipped": self.sitemaps_skipped,
        }
