"""The classic layout (until mid-2023): see ``../shared/dw-markup.md``.

``#bodyContent`` holds ``div.col3`` (the article) and ``div.col1.dim`` (right column). Fields
come from the first ``ul.smallList`` facts box (labels in the site's language, see
`scraper.normalize.labels`), the ``h1``/``h4.artikel``/``p.intro`` head, the outer
``div.longText`` body (`scraper.parsers.classic_body`) and the tracking object ``dwInitialTrackingInfo`` / ``dwXT`` (a JavaScript literal, read with a
regular expression, never evaluated). Classic pages carry no JSON-LD.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from scraper.article import Author, ContentType, DateValue
from scraper.errors import NotArticleError
from scraper.normalize.build import TEXT_BLOCK_TYPES, RawArticle, RawBlock, RawImage
from scraper.normalize.bylines import extract_bylines
from scraper.normalize.labels import FACT_LABELS, label_key
from scraper.normalize.page_dates import parse_day
from scraper.normalize.text import clean_text, first_nonempty
from scraper.parsers import classic_body
from scraper.parsers import fastpaths as fp
from scraper.parsers.base import HtmlElement
from scraper.parsers.classic_media import Player, own_player
from scraper.parsers.common import (
    absolute_url,
    extract_credit_line,
    language_code,
    reject_non_content,
    short_url_from,
    url_language,
)
from scraper.parsers.layout import LayoutParser
from scraper.parsers.page import Page
from scraper.urls import content_type_from_url, dw_content_id

#: ``key: "value"``, ``key: 'value'`` or ``key: word`` in the tracking object. The quoted
#: strings are written as a run of plain characters between escapes (the same strings as
#: ``(?:[^"\\]|\\.)*``; the regex engine loops over a character class in one go).
_TRACKING_PAIR = re.compile(
    r"""(\w+)\s*:\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|(\w+))"""
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||/|\bund\b|\band\b|\bet\b|\by\b|\be\b|&)\s*")


class ClassicParser(LayoutParser):
    LAYOUT = "classic"

    BODY_CONTENT_ID = "bodyContent"
    TRACKING_MARKS = ("dwInitialTrackingInfo", "dwXT")

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.tracking = self._load_tracking()
        self._media_items: list[HtmlElement] | None = None
        self.col3: HtmlElement | None = fp.first_col3(self.body_contents())
        self.facts: dict[str, HtmlElement] = self.field(
            "facts", lambda: self._load_facts(self.body_contents()), {}
        )

    def body_contents(self) -> Iterator[HtmlElement]:
        """The ``div#bodyContent`` elements in document order, lazily: a page has one, and
        the search for another stops as soon as the first holds what is looked for."""
        return self.page.with_id("div", self.BODY_CONTENT_ID)

    @classmethod
    def matches(cls, page: Page) -> bool:
        body = next(page.with_id("div", cls.BODY_CONTENT_ID), None)
        if body is None:
            return False
        # div.col3 or p.intro anywhere inside: stop at the first (an XPath union would
        # collect and sort them all).
        has_marker = any(
            fp.has_xpath_class(el, "col3" if el.tag == "div" else "intro")
            for el in body.iterdescendants("div", "p")
        )
        return has_marker or page.script_text(*cls.TRACKING_MARKS) is not None

    # -- parsed once -------------------------------------------------------------------------

    def _load_tracking(self) -> dict[str, str]:
        text = self.page.script_text(*self.TRACKING_MARKS) or ""
        for marker in self.TRACKING_MARKS:
            start = text.find(marker)
            open_ = text.find("{", start) if start >= 0 else -1
            close = text.find("}", open_) if open_ >= 0 else -1
            if close < 0:
                continue
            return {
                m[1]: (m[2] if m[2] is not None else m[3] if m[3] is not None else m[4])
                for m in _TRACKING_PAIR.finditer(text[open_ + 1 : close])
            }
        return {}

    def _load_facts(self, body_contents: Iterable[HtmlElement]) -> dict[str, HtmlElement]:
        """Facts-box items by field (``date``, ``author``, ``topics``, ``keywords``,
        ``permalink``, ``duration``), found by their bold label in any DW language: the
        ``li`` children of the first ``ul.smallList`` inside ``div#bodyContent``."""
        facts: dict[str, HtmlElement] = {}
        box = fp.first_in(body_contents, "ul", lambda ul: fp.has_xpath_class(ul, "smallList"))
        for li in box if box is not None else ():
            if li.tag != "li":
                continue
            strong = fp.first_strong(li)
            if strong is None:
                continue
            field = FACT_LABELS.get(label_key(fp.text_of(strong)))
            if field and field not in facts:
                facts[field] = li
        return facts

    def fact_text(self, field: str) -> str | None:
        """The text of a facts-box item after its label."""
        li = self.facts.get(field)
        if li is None:
            return None
        strong = fp.first_strong(li)
        label = fp.text_of(strong) if strong is not None else ""
        text = fp.text_of(li)
        index = text.find(label)
        rest = text[index + len(label) :] if index >= 0 else text
        return clean_text(rest.lstrip(" :\n\t"))

    def fact_links(self, field: str) -> list[HtmlElement]:
        li = self.facts.get(field)
        return [] if li is None else list(li.iter("a"))

    # -- fields ------------------------------------------------------------------------------

    def parse(self) -> RawArticle:
        canonical = self.field("canonical_url", self.canonical_url, None)
        reject_non_content(canonical or self.url, url=self.url)
        if self.col3 is None:
            self.check_soft_404(has_body=False)
            raise NotArticleError(
                "no article found: looked for div#bodyContent > div.col3 with an h1", url=self.url
            )
        raw = RawArticle(layout="classic", url=self.url, canonical_url=canonical)
        field = self.field
        no_dates: tuple[DateValue | None, DateValue | None] = (None, None)
        raw.dw_id = field("dw_id", lambda: self.dw_id(canonical), None)
        raw.language = field("language", lambda: self.language(canonical), None)
        raw.title = field("title", self.title, None)
        raw.kicker_parts = field("kicker", self.kicker_parts, [])
        raw.topics = field("topics", self.topics, [])
        raw.teaser = field("teaser", self.teaser, None)
        raw.published_at, raw.modified_at = field("dates", self.dates, no_dates)
        raw.authors = field("authors", self.authors, [])
        raw.short_url = field("short_url", self.short_url, None)
        raw.lead_images = field("lead_images", self.lead_images, [])
        raw.blocks = field("body", self.blocks, [])
        self.check_soft_404(has_body=bool(raw.blocks) or bool(self.media_items()))
        bylines = field("bylines", lambda: extract_bylines(raw.blocks), None)
        raw.credit_line = field("credit_line", lambda: extract_credit_line(raw.blocks), None)
        raw.content_type = field(
            "content_type", lambda: self.content_type(canonical, raw), "article"
        )
        field("own_player", lambda: self.add_own_player(raw), None)
        if bylines is not None:
            raw.authors.extend(bylines.author_records())
            raw.credit_line = bylines.credit_line(raw.credit_line)
        raw.warnings.extend(self.warnings)
        return raw

    def named_urls(self) -> list[Any]:
        return [self.meta("og:url"), unquote(self.tracking.get("fullUrl", ""))]

    def named_ids(self) -> list[Any]:
        return [self.tracking.get("pageId")]

    def heading(self) -> HtmlElement | None:
        return fp.first_descendant(self.col3, "h1") if self.col3 is not None else None

    def dw_id(self, canonical: str | None) -> int | None:
        for candidate in (canonical, self.url):
            if candidate and (found := dw_content_id(candidate)) is not None:
                return found
        page_id = self.tracking.get("pageId", "")
        return int(page_id) if page_id.isdigit() else None

    def content_type(self, canonical: str | None, raw: RawArticle) -> ContentType:
        """By the URL's id prefix; a page without one, or an ``a-`` item, by its own player
        (`classic_media`): the ``a-`` item only when the player is the item's content —
        the body has no text of its own (the byline lines are out by now) or the player
        names the item's own id — so an article with a clip above its text stays one."""
        found: ContentType | None = None
        for candidate in (canonical, self.url):
            found = content_type_from_url(candidate) if candidate else None
            if found:
                break
        if found in (None, "video") and self.col3 is not None:
            for item in self.media_items():
                if fp.in_long_text(item):
                    continue
                player = classic_body.hidden_inputs(item).get("player_type")
                if player == "audio":
                    return "audio"
                if player == "video" and found is None and self.long_text() is None:
                    return "video"
        if found in (None, "article"):
            # With text, only a player container can name the item's id: the other kinds
            # of player are not even looked for.
            has_text = any(b.type in TEXT_BLOCK_TYPES for b in raw.blocks)
            own = self.own_player(items_only=has_text)
            names_item = own is not None and own.media_id is not None and own.media_id == raw.dw_id
            if own is not None and (not has_text or names_item):
                return own.kind
        return found or "article"

    def own_player(self, *, items_only: bool = False) -> Player | None:
        if self.col3 is None:
            return None
        return own_player(self.col3, self.media_items(), items_only=items_only)

    def add_own_player(self, raw: RawArticle) -> None:
        """An audio or video item's own media as its first block, when its player sits
        outside the text body (which was all the body walk read)."""
        if raw.content_type not in ("audio", "video") or any(b.type == "video" for b in raw.blocks):
            return
        own = self.own_player()
        if own is not None and own.video is not None:
            raw.blocks.insert(0, RawBlock("video", video=own.video))

    def language(self, canonical: str | None) -> str | None:
        lang = fp.html_lang(self.root)
        # The meta tag is the last candidate: looked up only when no URL names the language.
        return url_language(canonical, self.url, lang) or language_code(
            canonical, self.url, lang, self.meta("language")
        )

    def title(self) -> str | None:
        assert self.col3 is not None
        h1 = fp.first_descendant(self.col3, "h1")
        found = first_nonempty([fp.text_of(h1) if h1 is not None else None])
        if found:
            return found
        og = self.meta("og:title")  # only when the h1 is empty
        return first_nonempty([og.split(" | DW | ")[0] if og else None])

    def kicker_parts(self) -> list[str]:
        assert self.col3 is not None
        kicker = fp.first_descendant(self.col3, "h4", "artikel")
        if kicker is not None and clean_text(fp.text_of(kicker)):
            return [fp.text_of(kicker)]
        nav = self.page.under_marked(
            "div",
            "id",
            "navPath",
            fp.links_under,
            fp.CLASSIC_NAV_PATH,
        )
        crumbs = [fp.text_of(a) for a in nav]
        return [crumbs[-1]] if crumbs and clean_text(crumbs[-1]) else []

    def topics(self) -> list[str]:
        return [fp.text_of(a) for a in self.fact_links("topics") + self.fact_links("keywords")]

    def teaser(self) -> str | None:
        assert self.col3 is not None
        intro = fp.first_descendant(self.col3, "p", "intro")
        found = first_nonempty([fp.text_of(intro) if intro is not None else None])
        return found or first_nonempty([self.meta("description")])

    def dates(self) -> tuple[DateValue | None, DateValue | None]:
        """Day precision only: the facts-box date, then the tracking object's
        ``firstPublicationDate`` / ``articleChangeDateShort``, then a media item's date."""
        changed = parse_day(self.tracking.get("articleChangeDateShort"))
        published = (
            parse_day(self.fact_text("date"))
            or parse_day(self.tracking.get("firstPublicationDate"))
            or changed
        )
        if published is None and self.col3 is not None:
            for item in self.media_items():
                published = parse_day(classic_body.hidden_inputs(item).get("display_date"))
                if published:
                    break
        return published, changed

    def authors(self) -> list[Author]:
        li = self.facts.get("author")
        if li is None:
            return []
        links = [a for a in li.iter("a") if clean_text(fp.text_of(a))]
        if links:
            return [Author(fp.text_of(a), absolute_url(a.get("href"))) for a in links]
        text = self.fact_text("author") or ""
        return [Author(name) for name in _AUTHOR_SPLIT.split(text) if clean_text(name)]

    def short_url(self) -> str | None:
        # Lazily: the share links are only searched when the facts box has no permalink.
        return short_url_from(itertools.chain([self.fact_text("permalink")], self._share_links()))

    def _share_links(self) -> Iterator[str]:
        for href in self.page.under_marked(
            "div", "id", "sharing-bar", fp.hrefs_under, fp.CLASSIC_SHARE_LINKS
        ):
            yield unquote(str(href))

    # -- body --------------------------------------------------------------------------------

    def lead_images(self) -> list[RawImage]:
        """The picture above the body (``div.picBox`` before ``div.longText``)."""
        assert self.col3 is not None
        images = []
        for pic in self.hero_boxes():
            if not fp.in_long_text(pic):
                image = classic_body.picbox_image(pic)
                if image is not None:
                    images.append(image)
        return images

    def blocks(self) -> list[RawBlock]:
        assert self.col3 is not None
        blocks: list[RawBlock] = []
        long_text = self.long_text()
        if long_text is not None:
            classic_body.walk(long_text, blocks)
        else:
            # Video/audio pages: the page's own media item sits in col3 itself.
            for item in self.media_items():
                video = classic_body.media_video(item)
                if video is not None:
                    blocks.append(RawBlock("video", video=video))
            for slide in self.gallery_slides():
                classic_body.gallery_slide(slide, blocks)
        return blocks

    def long_text(self) -> HtmlElement | None:
        """The outer ``div.longText`` of col3 (`fastpaths.long_text`)."""
        assert self.col3 is not None
        return fp.long_text(self.col3)

    def media_items(self) -> list[HtmlElement]:
        """The ``div.mediaItem`` of col3 (`fastpaths.media_items`), found once."""
        assert self.col3 is not None
        if self._media_items is None:
            self._media_items = fp.media_items(self.col3)
        return self._media_items

    def hero_boxes(self) -> list[HtmlElement]:
        assert self.col3 is not None
        return fp.hero_boxes(self.col3)

    def gallery_slides(self) -> list[HtmlElement]:
        assert self.col3 is not None
        return fp.gallery_slides(self.col3)
