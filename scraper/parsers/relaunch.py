"""The relaunch layout (React server-side rendering, 2023+): see ``../shared/dw-markup.md``.

Order of trust, per field: embedded JSON (Apollo state, JSON-LD) -> ``data-tracking-name``
hooks -> stable semantic classes (``kicker``, ``author-details``, ``teaser-text``,
``rich-text``, ``img-caption``, ``copyright``) -> tags. Styled-components classes (``sc-…``)
are never used. The embedded JSON is parsed once, in `__init__` (`relaunch_json`); the body
is `relaunch_body`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urljoin

from lxml import etree

from scraper.article import Author, ContentType, DateValue, Video
from scraper.errors import NotArticleError
from scraper.normalize.build import RawArticle, RawBlock, RawImage
from scraper.normalize.labels import APOLLO_LANGUAGES
from scraper.normalize.page_dates import (
    is_relative_date,
    parse_day,
    parse_iso_datetime,
    parse_relative,
)
from scraper.normalize.text import clean_text, first_nonempty
from scraper.parsers import fastpaths as fp
from scraper.parsers.base import HtmlElement
from scraper.parsers.common import (
    DW_BASE,
    absolute_url,
    duration_seconds,
    extract_credit_line,
    language_code,
    nonblank,
    reject_non_content,
    short_url_from,
)
from scraper.parsers.layout import LayoutParser
from scraper.parsers.page import Page
from scraper.parsers.relaunch_body import BodyWalker
from scraper.parsers.relaunch_json import APOLLO_CONTENT_TYPES, EmbeddedJson
from scraper.urls import content_type_from_url, dw_content_id


class RelaunchParser(LayoutParser):
    LAYOUT = "relaunch"

    # Recognition: div#root plus a DW-relaunch-only hook: the Apollo state or the
    # data-tracking-name section hooks. JSON-LD, h1 or div.rich-text alone prove nothing
    # (other publishers have them too).
    ROOT_ID = "root"
    TRACKING_HOOK = ".//*[@data-tracking-name]"
    APOLLO_MARK = "__APOLLO_STATE__"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        embedded = EmbeddedJson(page, self.APOLLO_MARK)
        self.apollo: dict[str, Any] = embedded.apollo
        self.content: dict[str, Any] = embedded.content
        self.jsonld: dict[str, Any] = embedded.jsonld
        self.resolve = embedded.resolve
        # The first <article> of the page: also the first node, in document order, of the
        # XPath union "(//h1/ancestor::article)[1] | (//article)[1]".
        self.article: HtmlElement | None = next(self.root.iter("article"), None)
        self.header: HtmlElement | None = (
            next(self.article.iterdescendants("header"), None) if self.article is not None else None
        )
        self._kicker: HtmlElement | None = None
        self._kicker_found = False

    @classmethod
    def matches(cls, page: Page) -> bool:
        if next(page.with_id("div", cls.ROOT_ID), None) is None:
            return False
        # The Apollo script first: a handful of <script> elements against a walk of the
        # whole tree in Python for the hook (both tests are pure, so the order is free).
        return (
            page.script_text(cls.APOLLO_MARK) is not None
            or next(page.root.iterfind(cls.TRACKING_HOOK), None) is not None
        )

    def _header_first(self, tag: str, class_: str | None = None) -> HtmlElement | None:
        """The first ``.//tag`` (with ``[xpath_class(class_)]``; ``*``: any element) of the
        article header, else of the article (`fastpaths.RELAUNCH_HEADER_LOOKUPS` lists
        the XPath each call answers)."""
        scope = self.header if self.header is not None else self.article
        return None if scope is None else fp.first_descendant(scope, tag, class_)

    # -- fields ------------------------------------------------------------------------------

    def parse(self) -> RawArticle:
        field = self.field
        no_dates: tuple[DateValue | None, DateValue | None] = (None, None)
        no_body: tuple[list[RawImage], list[RawBlock]] = ([], [])
        canonical = field("canonical_url", self.canonical_url, None)
        reject_non_content(canonical or self.url, self.content.get("__typename"), url=self.url)
        raw = RawArticle(layout="relaunch", url=self.url, canonical_url=canonical)
        raw.dw_id = field("dw_id", lambda: self.dw_id(canonical), None)
        raw.content_type = field("content_type", lambda: self.content_type(canonical), "article")
        raw.language = field("language", lambda: self.language(canonical), None)
        raw.title = field("title", self.title, None)
        raw.kicker_parts = field("kicker", self.kicker_parts, [])
        raw.topics = field("topics", self.topics, [])
        raw.teaser = field("teaser", self.teaser, None)
        raw.published_at, raw.modified_at = field(
            "dates", lambda: self.dates(raw.language), no_dates
        )
        raw.authors = field("authors", self.authors, [])
        raw.short_url = field("short_url", self.short_url, None)
        raw.lead_images, raw.blocks = field("body", self.body, no_body)
        self.check_soft_404(has_body=bool(raw.blocks))
        raw.credit_line = field("credit_line", lambda: extract_credit_line(raw.blocks), None)
        field("main_video", lambda: self.add_main_video(raw), None)
        if raw.title is None and not raw.blocks:
            raise NotArticleError(
                "no article found: looked for an h1 inside <article>, JSON-LD headline and "
                "Apollo content title, and for div.rich-text body",
                url=self.url,
            )
        raw.warnings.extend(self.warnings)
        return raw

    def named_urls(self) -> list[Any]:
        named = self.content.get("namedUrl")
        return [
            self.meta("og:url"),
            self.content.get("canonicalUrl"),
            _jsonld_id(self.jsonld.get("mainEntityOfPage")),
            urljoin(DW_BASE, named) if isinstance(named, str) else None,
            self.jsonld.get("url"),
        ]

    def named_ids(self) -> list[Any]:
        return [self.content.get("id")]

    def heading(self) -> HtmlElement | None:
        return self._header_first("h1")

    def dw_id(self, canonical: str | None) -> int | None:
        for candidate in (canonical, self.url):
            if candidate and (found := dw_content_id(candidate)) is not None:
                return found
        value = self.content.get("id")
        return value if isinstance(value, int) else None

    def content_type(self, canonical: str | None) -> ContentType:
        typename = self.content.get("__typename")
        if isinstance(typename, str) and typename in APOLLO_CONTENT_TYPES:
            return APOLLO_CONTENT_TYPES[typename]
        for candidate in (canonical, self.url):
            found = content_type_from_url(candidate) if candidate else None
            if found:
                return found
        types = self.jsonld.get("@type")
        if types == "VideoObject":
            return "video"
        if types == "LiveBlogPosting":
            return "liveblog"
        return "article"

    def language(self, canonical: str | None) -> str | None:
        enum = self.content.get("language")
        if isinstance(enum, str) and enum in APOLLO_LANGUAGES:
            return APOLLO_LANGUAGES[enum]
        return language_code(canonical, self.url, fp.html_lang(self.root))

    def title(self) -> str | None:
        h1 = self._header_first("h1")
        return first_nonempty(
            [
                fp.text_of(h1) if h1 is not None else None,
                nonblank(self.jsonld.get("headline")),
                nonblank(self.content.get("title")),
            ]
        )

    def kicker_element(self) -> HtmlElement | None:
        if not self._kicker_found:  # looked up once: kicker parts and topics both need it
            hooked = self.page.with_attr("div", "data-tracking-name", KICKER_HOOK)
            found = next(hooked, None)  # the first: the walk stops there
            self._kicker = found if found is not None else self._header_first("div", "kicker")
            self._kicker_found = True
        return self._kicker

    def kicker_parts(self) -> list[str]:
        kicker = self.kicker_element()
        if kicker is not None:
            pieces = [clean_text(fp.text_of(c)) for c in kicker if isinstance(c.tag, str)]
            found = [p for p in pieces if p]
            if not found:
                whole = clean_text(fp.text_of(kicker))
                found = [whole] if whole else []
            if found:
                return found
        parts: list[str] = []
        category = self.content.get("thematicFocusCategory")
        if isinstance(category, dict) and nonblank(category.get("name")):
            parts.append(str(category["name"]))
        for region in self._apollo_regions():
            if nonblank(region.get("alignedName")):
                parts.append(str(region["alignedName"]))
                break
        kicker_text = nonblank(self.content.get("kicker"))
        if not parts and kicker_text:
            parts.append(kicker_text)
        return parts

    def _apollo_regions(self) -> list[dict[str, Any]]:
        for key, value in self.content.items():
            if key.startswith("regions(") and isinstance(value, list):
                return [r for r in (self.resolve(v) for v in value) if isinstance(r, dict)]
        return []

    def topics(self) -> list[str]:
        topics: list[str] = []
        kicker = self.kicker_element()
        if kicker is not None:
            topics.extend(fp.text_of(a) for a in kicker.iter("a") if "/t-" in (a.get("href") or ""))
        related = self.page.under_marked(
            "section",
            "data-tracking-name",
            "section-related-topics",
            fp.topic_links,
            fp.RELAUNCH_RELATED_TOPICS,
        )
        topics.extend(fp.text_of(a) for a in related)
        if topics:
            return topics
        # No DOM topics: Apollo's region topic and related auto topics.
        for region in self._apollo_regions():
            corresponding = region.get("correspondingContent")
            if (
                isinstance(corresponding, dict)
                and corresponding.get("__typename") == "AutoTopic"
                and nonblank(region.get("alignedName"))
            ):
                topics.append(str(region["alignedName"]))
        for ref in self.content.get("relatedAutoTopics") or []:
            topic = self.resolve(ref)
            if isinstance(topic, dict) and nonblank(topic.get("name")):
                topics.append(str(topic["name"]))
        return topics

    def teaser(self) -> str | None:
        return first_nonempty(self._teaser_candidates())

    def _teaser_candidates(self) -> Iterator[str | None]:
        """In order of trust, produced lazily (the meta lookup only when needed)."""
        p = self._header_first("p", "teaser-text")
        yield fp.text_of(p) if p is not None else None
        yield nonblank(self.content.get("teaser"))
        yield self.meta("description")
        yield nonblank(self.jsonld.get("description"))

    def dates(self, language: str | None) -> tuple[DateValue | None, DateValue | None]:
        published: DateValue | None = parse_iso_datetime(
            nonblank(self.jsonld.get("datePublished"))
        ) or parse_iso_datetime(nonblank(self.content.get("firstPublicationDate")))
        modified = parse_iso_datetime(
            nonblank(self.jsonld.get("dateModified"))
        ) or parse_iso_datetime(nonblank(self.content.get("lastModifiedDate")))
        if published is None:
            published = self.visible_date(language)
        return published, modified

    def visible_date(self, language: str | None) -> DateValue | None:
        """The DOM fallback: ``<time datetime>``, an absolute display date, or a relative one
        ("2 hours ago") against `fetched_at` — never when embedded JSON has a date."""
        time_el = self._header_first("time")
        if time_el is None:
            return None
        attr = time_el.get("datetime")
        if attr and (parsed := parse_iso_datetime(attr)):
            return parsed
        texts = [fp.text_of(time_el)]
        parent = time_el.getparent()
        if parent is not None:
            texts.append(fp.text_of(parent))
        for text in texts:
            if is_relative_date(text):
                when = parse_relative(text, self.fetched_at)
                if when is None:
                    self.warnings.append(
                        f"relative date {clean_text(text)!r} and no fetched_at: published_at left null"
                    )
                return when
            day = parse_day(text, language=language)
            if day is not None:
                return day
        return None

    def authors(self) -> list[Author]:
        apollo: list[Author] = []
        for ref in self.content.get("persons") or []:
            person = self.resolve(ref)
            if isinstance(person, dict) and nonblank(person.get("fullName")):
                named = nonblank(person.get("namedUrl"))
                apollo.append(
                    Author(str(person["fullName"]), absolute_url(named) if named else None)
                )
        by_name = {a.name.casefold(): a.url for a in apollo}
        dom: list[Author] = []
        details = self._header_first("*", "author-details")
        if details is not None:
            for span in fp.author_spans(details):
                name = clean_text(fp.text_of(span))
                if not name:
                    continue
                link = next(iter(span.iterancestors("a")), None)
                if link is None:
                    link = next(span.iter("a"), None)
                href = link.get("href") if link is not None else None
                url = absolute_url(href) if href else by_name.get(name.casefold())
                dom.append(Author(name, url))
        if dom:
            return dom
        if apollo:
            return apollo
        authors = self.jsonld.get("author")
        authors = authors if isinstance(authors, list) else [authors]
        return [
            Author(
                str(a["name"]),
                absolute_url(nonblank(a.get("url"))) if nonblank(a.get("url")) else None,
            )
            for a in authors
            if isinstance(a, dict) and a.get("@type") == "Person" and nonblank(a.get("name"))
        ]

    def short_url(self) -> str | None:
        # Lazily: the share links are only searched when the first two sources fail.
        return short_url_from(
            itertools.chain(
                (
                    fp.text_of(el)
                    for el in self._sharing(fp.copy_button_spans, fp.RELAUNCH_SHORT_LINK)
                ),
                [nonblank(self.content.get("permaLinkUrl"))],
                self._share_links(),
            )
        )

    def _share_links(self) -> Iterator[str]:
        for href in self._sharing(fp.hrefs_under, fp.RELAUNCH_SHARE_LINKS):
            yield unquote(str(href))

    def _sharing(
        self, inner: Callable[[HtmlElement], Iterable[Any]], whole: etree.XPath
    ) -> list[Any]:
        return self.page.under_marked(
            "section", "data-tracking-name", "sharing-icons-inline", inner, whole
        )

    # -- body --------------------------------------------------------------------------------

    def body(self) -> tuple[list[RawImage], list[RawBlock]]:
        """(lead images, body blocks). The body is ``div.rich-text`` (several on live blogs
        and galleries); figures and players of the content area outside it, before the
        first body element, are the lead (hero) media; any after it are body blocks."""
        if self.article is None:
            return [], []
        area = fp.first_descendant(self.article, "div", "content-area")
        scope = area if area is not None else self.article
        walked = BodyWalker(self.apollo).blocks(scope)
        lead: list[RawImage] = []
        blocks: list[RawBlock] = []
        for block in walked:
            if not blocks and not block.in_body and block.type == "image" and block.image:
                lead.append(block.image)
            else:
                blocks.append(block)
        self._hero_credit_fallback(lead or [b.image for b in blocks if b.image][:1])
        return lead, blocks

    def add_main_video(self, raw: RawArticle) -> None:
        """A video page's own video, from Apollo/JSON-LD, when the player markup has none."""
        if raw.content_type not in ("video", "audio") or any(b.type == "video" for b in raw.blocks):
            return
        url = (
            nonblank(self.content.get("mp4Src"))
            or nonblank(self.content.get("hlsVideoSrc"))
            or nonblank(self.jsonld.get("contentUrl"))
            or nonblank(self.jsonld.get("embedUrl"))
        )
        duration = duration_seconds(self.content.get("duration")) or duration_seconds(
            self.jsonld.get("duration")
        )
        if url or duration:
            raw.blocks.insert(
                0, RawBlock("video", video=Video(url=url, title=raw.title, duration_s=duration))
            )

    def _hero_credit_fallback(self, images: list[RawImage]) -> None:
        """Only the hero image's Apollo entity carries its credit: use it when the DOM lost it."""
        link = self.resolve(self.content.get("mainContentImageLink"))
        if not isinstance(link, dict) or not images:
            return
        target = self.resolve(link.get("target"))
        credit = nonblank(target.get("licenserSupplement")) if isinstance(target, dict) else None
        hero = images[0]
        if hero.credit is None and credit:
            hero.credit = credit
        if hero.caption is None:
            hero.caption = nonblank(link.get("description"))


KICKER_HOOK = "content-detail-kicker"


def _jsonld_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return nonblank(value.get("@id")) or nonblank(value.get("url"))
    return nonblank(value)
