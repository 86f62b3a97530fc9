"""Which feeds a discovery run reads: each language's feed from DW's language table, the
user's replacements (``--feed LANG=URL``) and extra feeds (``--feed URL``: a section feed such
as ``https://rss.dw.com/xml/rss-en-bus``, or any feed listing DW pages).

A language whose feed id is unknown gets no feed at all (its sitemaps still run): a guessed
``rss-<segment>-all`` would read a feed that does not exist on dw.com.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scraper import languages
from scraper.errors import ConfigError
from scraper.languages import BY_SEGMENT, Language

_LANG_SPEC = re.compile(r"^(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?)=(?P<url>.+)$")


@dataclass(frozen=True)
class FeedPlan:
    """The language table discovery reads feeds from, plus feeds named by the user."""

    table: Mapping[str, Language] = field(default_factory=lambda: BY_SEGMENT)
    extra: tuple[str, ...] = ()

    @classmethod
    def from_specs(cls, specs: Iterable[str]) -> FeedPlan:
        """Parse ``--feed`` values: ``URL`` adds a feed, ``LANG=URL`` replaces the feed of a
        language (case-insensitive; an unknown language raises `UnknownLanguageError`)."""
        overrides: dict[str, str] = {}
        extra: list[str] = []
        for spec in specs:
            spec = spec.strip()
            match = _LANG_SPEC.match(spec)
            url = match.group("url").strip() if match else spec
            if not re.match(r"^https?://\S+$", url, re.I):
                raise ConfigError(f"--feed needs URL or LANG=URL with an http(s) URL, got {spec!r}")
            if match:
                overrides[languages.get(match.group("lang")).segment] = url
            elif url not in extra:
                extra.append(url)
        return cls(languages.with_feeds(overrides), tuple(extra))

    def feed_url(self, lang: str, kind: str = "rss") -> str | None:
        """The DW address of a language's feed (``rss``: RSS 2.0 under ``/xml/``; ``rdf``: RSS
        1.0 under ``/rdf/``, known ids only), or None when no feed is known (a language
        missing from the table included: validating codes is the caller's job)."""
        entry = self.table.get(lang.strip().lower())
        if entry is None:
            return None
        if entry.custom_feed:
            return entry.custom_feed if kind == "rss" else None
        if entry.feed_id is None:
            return None
        folder = "rdf" if kind == "rdf" else "xml"
        return f"https://{languages.RSS_HOST}/{folder}/{entry.feed_id}"
