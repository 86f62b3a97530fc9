"""DW's language services: URL segment, name, and the all-news feed where it is known.

This table is the one place discovery, URL parsing, the CLI and the fake site learn which
languages exist and which feed each reads. It is data, not guesswork: every feed id below was
seen in public feed lists (news aggregators, feed readers, research crawlers), recorded with
its strength in the project's evidence file `dw-site.md`. A feed id is NOT always
``rss-<segment>-all`` (Spanish is ``rss-sp-all``, Chinese ``rss-chi-all``, Persian
``rss-per-all``), so nothing may derive one from the segment. Where no public evidence names a
service's feed, ``feed_id`` is None: discovery then relies on that language's sitemaps, and a
user can name a feed themselves (``--feed LANG=URL``).

``verified`` means "a feed id seen in at least one public source", not "fetched from dw.com
today": this project cannot reach dw.com, and the live site may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scraper.errors import DwscrapeError

RSS_HOST = "rss.dw.com"
FEED_BASE = f"https://{RSS_HOST}/xml/"


@dataclass(frozen=True, slots=True)
class Language:
    """One DW language service."""

    segment: str  # the first path segment of its pages: en, pt-br, pt-002, zh-hant, fa-ir
    name: str
    feed_id: str | None = None  # the all-news feed's id under https://rss.dw.com/xml/
    evidence: str = ""  # how strong the public evidence for feed_id is
    custom_feed: str | None = None  # a feed URL the user named instead (``--feed LANG=URL``)

    @property
    def verified(self) -> bool:
        """A feed id seen in public sources (a user's own feed is not "verified")."""
        return self.feed_id is not None and self.custom_feed is None

    @property
    def feed_url(self) -> str | None:
        if self.custom_feed:
            return self.custom_feed
        return FEED_BASE + self.feed_id if self.feed_id else None

    def to_dict(self) -> dict[str, object]:
        return {
            "segment": self.segment,
            "name": self.name,
            "feed_id": self.feed_id,
            "feed_url": self.feed_url,
            "verified": self.verified,
            "evidence": self.evidence,
        }


_MANY = "many public sources"
_ONE = "one public source"
_TWO = "two public sources"

LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "rss-en-all", _MANY),
    Language("de", "German", "rss-de-all", _MANY),
    Language("es", "Spanish", "rss-sp-all", _MANY),
    Language("fr", "French", "rss-fr-all", _TWO),
    Language("pt-br", "Portuguese (Brazil)", "rss-br-all", _MANY),
    Language("ar", "Arabic", "rss-ar-all", _ONE),
    Language("zh", "Chinese (simplified)", "rss-chi-all", _MANY),
    Language("ru", "Russian", "rss-ru-all", _ONE),
    Language("uk", "Ukrainian", "rss-ukr-all", _ONE),
    Language("tr", "Turkish", "rss-tur-all", _ONE),
    Language("pl", "Polish", "rss-pol-all", _ONE),
    Language("ro", "Romanian", "rss-rom-all", _ONE),
    Language("el", "Greek", "rss-gre-all", _ONE),
    Language("fa-ir", "Persian", "rss-per-all", _ONE),
    Language("hi", "Hindi", "rss-hin-all", _TWO),
    Language("am", "Amharic", "rss-amh-all", _ONE),
    Language("sw", "Kiswahili", "rss-sw-all", _ONE),
    Language("id", "Indonesian", "rss-id-all", _ONE),
    Language("sq", "Albanian"),
    Language("bn", "Bengali"),
    Language("bs", "Bosnian"),
    Language("bg", "Bulgarian"),
    Language("zh-hant", "Chinese (traditional)"),
    Language("hr", "Croatian"),
    Language("fa-af", "Dari"),
    Language("ha", "Hausa"),
    Language("mk", "Macedonian"),
    Language("ps", "Pashto"),
    Language("pt-002", "Portuguese for Africa"),
    Language("sr", "Serbian"),
    Language("ur", "Urdu"),
    Language("vi", "Vietnamese"),
)

BY_SEGMENT: Mapping[str, Language] = {lang.segment: lang for lang in LANGUAGES}
#: The language whose all-news feed each known feed id is.
BY_FEED_ID: Mapping[str, Language] = {lang.feed_id: lang for lang in LANGUAGES if lang.feed_id}


class UnknownLanguageError(DwscrapeError, ValueError):
    """A language code that is not one of DW's services (nor added by configuration)."""


def get(code: str, table: Mapping[str, Language] = BY_SEGMENT) -> Language:
    """The service for a code, case-insensitive (``EN`` means ``en``); raises
    `UnknownLanguageError` naming the known codes."""
    key = code.strip().lower()
    try:
        return table[key]
    except KeyError:
        known = ", ".join(sorted(table))
        raise UnknownLanguageError(f"unknown language {code!r}; known: {known}") from None


def resolve(codes: Iterable[str], table: Mapping[str, Language] = BY_SEGMENT) -> list[str]:
    """Validated, lower-cased, de-duplicated segments in the order given."""
    seen: dict[str, None] = {}
    for code in codes:
        seen.setdefault(get(code, table).segment)
    return list(seen)


def with_feeds(overrides: Mapping[str, str]) -> dict[str, Language]:
    """The table with each named language's feed replaced by the user's URL
    (``--feed LANG=URL``)."""
    table = dict(BY_SEGMENT)
    for code, url in overrides.items():
        lang = get(code, table)
        table[lang.segment] = Language(
            lang.segment, lang.name, lang.feed_id, "named by the user", custom_feed=url
        )
    return table
