"""The relaunch layout (React server-side rendering, 2023+): see ``../shared/dw-markup.md``.

Order of trust, per field: embedded JSON (Apollo state, JSON-LD) -> ``data-tracking-name``
hooks -> stable semantic classes (``kicker``, ``author-details``, ``teaser-text``,
``rich-text``, ``img-caption``, ``copyright``) -> tags. Styled-components classes (``sc-…``)
are never used. The embedded JSON is parsed once, in `__init__`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urljoin

from lxml import etree

from scraper.article import Author, ContentType, DateValue, Video
from scraper.errors import NotArticleError
from scraper.normalize.build import RawArticle, RawBlock, RawImage
from scraper.normalize.labels import APOLLO_LANGUAGES, is_boilerplate_text, is_read_more
from scraper.normalize.page_dates import (
    is_relative_date,
    parse_day,
    parse_iso_datetime,
    parse_relative,
)
from scraper.normalize.text import clean_text, first_nonempty
from scraper.parsers.base import (
    HtmlElement,
    LayoutParser,
    class_value_has,
    has_class,
    has_xpath_class,
    hrefs_under,
    html_lang,
    load_json,
    raw_decode_after,
    text_of,
    text_with_breaks,
    xpath_class,
)
from scraper.parsers.common import (
    DW_BASE,
    absolute_url,
    canonical_or_none,
    duration_seconds,
    extract_credit_line,
    language_code,
    reject_non_content,
    short_url_from,
)
from scraper.urls import content_type_from_url, dw_content_id

_X = etree.XPath

#: Apollo entity types of article-like pages -> content type.
APOLLO_CONTENT_TYPES: dict[str, ContentType] = {
    "Article": "article",
    "Video": "video",
    "Audio": "audio",
    "ImageGallery": "gallery",
    "Liveblog": "liveblog",
    "LiveBlog": "liveblog",
}
JSONLD_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "VideoObject",
        "AudioObject",
        "ImageGallery",
        "MediaGallery",
    }
)


class RelaunchParser(LayoutParser):
    LAYOUT = "relaunch"

    # Recognition: div#root plus a DW-relaunch-only hook: the Apollo state or the
    # data-tracking-name section hooks. JSON-LD, h1 or div.rich-text alone prove nothing
    # (other publishers have them too).
    ROOT_ID = "root"
    TRACKING_HOOK = ".//*[@data-tracking-name]"
    APOLLO_MARK = "__APOLLO_STATE__"

    CONTENT_AREA = _X(".//div[" + xpath_class("content-area") + "]")
    TITLE = _X(".//h1")
    # The kicker: //div[@data-tracking-name='content-detail-kicker'] (see `with_attr`).
    KICKER_FALLBACK = _X(".//div[" + xpath_class("kicker") + "]")
    AUTHOR_DETAILS = _X(".//*[" + xpath_class("author-details") + "]")
    AUTHOR_SPANS = _X(".//span[" + xpath_class("author") + "]")
    TIME_AREA = _X(".//*[" + xpath_class("time-area") + "]//time | .//time")
    TEASER = _X(".//p[" + xpath_class("teaser-text") + "]")
    SHORT_LINK = _X(
        "//section[@data-tracking-name='sharing-icons-inline']"
        "//*[" + xpath_class("copy-button-wrapper") + "]/span"
    )
    SHARE_LINKS = _X("//section[@data-tracking-name='sharing-icons-inline']//a/@href")
    SHARE_LINKS_INNER = _X(".//a/@href")
    SHORT_LINK_INNER = _X(".//*[" + xpath_class("copy-button-wrapper") + "]/span")
    RELATED_TOPICS_INNER = _X(".//a[contains(@href, '/t-')]")
    RELATED_TOPICS = _X(
        "//section[@data-tracking-name='section-related-topics']//a[contains(@href, '/t-')]"
    )

    #: Containers inside the article that are never body content.
    SKIP_CLASSES = frozenset(
        {
            "advertisement",
            "rich-text-ad",
            "gpt-slot",
            "feedback",
            "feedback-sidebar",
            "vjs-no-js",
            "sr-only",
            "quick-item",
            "newsletter",
            "cookie",
            "title-prefix",
            "counter",
            "duration",
        }
    )
    #: Containers whose content is the body (the gallery has no div.rich-text).
    BODY_CLASSES = ("rich-text", "image-gallery", "liveblog-post", "live-blog-post")
    #: data-tracking-name hooks whose element is content, not a related/sharing section.
    CONTENT_TRACKING = frozenset({"embedded-video", "image-gallery", "embedded-audio"})

    def __init__(
        self, root: HtmlElement, url: str | None = None, fetched_at: dt.datetime | None = None
    ) -> None:
        super().__init__(root, url, fetched_at)
        self.warnings: list[str] = []
        self.apollo: dict[str, Any] = self._load_apollo()
        self.content: dict[str, Any] = self._apollo_content()
        self.jsonld: dict[str, Any] = self._load_jsonld()
        # The first <article> of the page. (This was the XPath union
        # "(//h1/ancestor::article)[1] | (//article)[1]", whose first node in document order
        # is always the first <article>.)
        self.article: HtmlElement | None = next(root.iter("article"), None)
        self.header: HtmlElement | None = (
            next(self.article.iterdescendants("header"), None) if self.article is not None else None
        )
        self._kicker: HtmlElement | None = None
        self._kicker_found = False

    @classmethod
    def matches(cls, root: HtmlElement) -> bool:
        if next(cls.with_id(root, "div", cls.ROOT_ID), None) is None:
            return False
        # The Apollo script first: a handful of <script> elements against a walk of the
        # whole tree in Python for the hook (both tests are pure, so the order is free).
        return (
            cls.script_text(root, cls.APOLLO_MARK) is not None
            or cls.first_lazy(root, cls.TRACKING_HOOK) is not None
        )

    # -- embedded JSON, parsed once ---------------------------------------------------------

    def _load_apollo(self) -> dict[str, Any]:
        text = self.script_text(self.root, self.APOLLO_MARK)
        state = raw_decode_after(text, self.APOLLO_MARK) if text is not None else None
        return state if isinstance(state, dict) else {}

    def _apollo_content(self) -> dict[str, Any]:
        query = self.apollo.get("ROOT_QUERY")
        if not isinstance(query, dict):
            return {}
        for key, value in query.items():
            if key.startswith("content(") and isinstance(value, dict):
                entity = self.resolve(value)
                if isinstance(entity, dict):
                    return entity
        return {}

    def resolve(self, value: Any) -> Any:
        """Follow an Apollo ``{"__ref": "Article:1"}`` reference (one level)."""
        if isinstance(value, dict) and "__ref" in value:
            return self.apollo.get(str(value["__ref"]))
        return value

    def _load_jsonld(self) -> dict[str, Any]:
        for script in self.root.iter("script"):
            if script.get("type") != "application/ld+json":
                continue
            data = load_json(script.text)
            candidates = data if isinstance(data, list) else [data]
            for item in list(candidates):
                if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                    candidates.extend(item["@graph"])
            for item in candidates:
                if not isinstance(item, dict):
                    continue
                types = item.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(t in JSONLD_TYPES for t in types):
                    return item
        return {}

    def _header_first(self, tag: str, class_: str | None = None) -> HtmlElement | None:
        """The first ``.//tag`` (with ``[xpath_class(class_)]``; ``*``: any element) of the
        article header, else of the article: the first node of the XPath constant named
        where it is called, by a walk that stops there (an XPath evaluates every node of
        the header, and on an element other than the root lxml first builds a stand-in
        document for it). `tests/test_parser_walks.py` holds each to its XPath."""
        scope = self.header if self.header is not None else self.article
        return None if scope is None else self.first_descendant(scope, tag, class_)

    # -- fields ------------------------------------------------------------------------------

    def parse(self) -> RawArticle:
        canonical = self.canonical_url()
        reject_non_content(canonical or self.url, self.content.get("__typename"), url=self.url)
        raw = RawArticle(layout="relaunch", url=self.url, canonical_url=canonical)
        raw.dw_id = self.dw_id(canonical)
        raw.content_type = self.content_type(canonical)
        raw.language = self.language(canonical)
        raw.title = self.title()
        raw.kicker_parts = self.kicker_parts()
        raw.topics = self.topics()
        raw.teaser = self.teaser()
        raw.published_at, raw.modified_at = self.dates(raw.language)
        raw.authors = self.authors()
        raw.short_url = self.short_url()
        raw.lead_images, raw.blocks = self.body()
        raw.credit_line = extract_credit_line(raw.blocks)
        self.add_main_video(raw)
        if raw.title is None and not raw.blocks:
            raise NotArticleError(
                "no article found: looked for an h1 inside <article>, JSON-LD headline and "
                "Apollo content title, and for div.rich-text body",
                url=self.url,
            )
        raw.warnings.extend(self.warnings)
        return raw

    def canonical_url(self) -> str | None:
        for href in self.canonical_hrefs(self.root):
            value = clean_text(str(href))
            if value:
                return value
        candidates = [
            self.meta("og:url"),
            self.content.get("canonicalUrl"),
            _jsonld_id(self.jsonld.get("mainEntityOfPage")),
        ]
        named = self.content.get("namedUrl")
        if isinstance(named, str):
            candidates.append(urljoin(DW_BASE, named))
        for candidate in candidates:
            canon = canonical_or_none(candidate)
            if canon:
                return canon
        return canonical_or_none(self.url)

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
                return found  # type: ignore[return-value]
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
        return language_code(canonical, self.url, html_lang(self.root))

    def title(self) -> str | None:
        h1 = self._header_first("h1")  # TITLE
        return first_nonempty(
            [
                text_of(h1) if h1 is not None else None,
                _str(self.jsonld.get("headline")),
                _str(self.content.get("title")),
            ]
        )

    def kicker_element(self) -> HtmlElement | None:
        if not self._kicker_found:  # looked up once: kicker parts and topics both need it
            hooked = self.with_attr(self.root, "div", "data-tracking-name", KICKER_HOOK)
            found = next(hooked, None)  # the first: the walk stops there
            self._kicker = found if found is not None else self._header_first("div", "kicker")
            self._kicker_found = True
        return self._kicker

    def kicker_parts(self) -> list[str]:
        kicker = self.kicker_element()
        if kicker is not None:
            pieces = [clean_text(text_of(c)) for c in kicker if isinstance(c.tag, str)]
            found = [p for p in pieces if p]
            if not found:
                whole = clean_text(text_of(kicker))
                found = [whole] if whole else []
            if found:
                return found
        parts: list[str] = []
        category = self.content.get("thematicFocusCategory")
        if isinstance(category, dict) and _str(category.get("name")):
            parts.append(str(category["name"]))
        for region in self._apollo_regions():
            if _str(region.get("alignedName")):
                parts.append(str(region["alignedName"]))
                break
        kicker_text = _str(self.content.get("kicker"))
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
            topics.extend(text_of(a) for a in kicker.iter("a") if "/t-" in (a.get("href") or ""))
        related = self.under_marked(
            self.root,
            "section",
            "data-tracking-name",
            "section-related-topics",
            _topic_links,  # RELATED_TOPICS_INNER
            self.RELATED_TOPICS,
        )
        topics.extend(text_of(a) for a in related)
        if topics:
            return topics
        # No DOM topics: Apollo's region topic and related auto topics.
        for region in self._apollo_regions():
            corresponding = region.get("correspondingContent")
            if (
                isinstance(corresponding, dict)
                and corresponding.get("__typename") == "AutoTopic"
                and _str(region.get("alignedName"))
            ):
                topics.append(str(region["alignedName"]))
        for ref in self.content.get("relatedAutoTopics") or []:
            topic = self.resolve(ref)
            if isinstance(topic, dict) and _str(topic.get("name")):
                topics.append(str(topic["name"]))
        return topics

    def teaser(self) -> str | None:
        return first_nonempty(self._teaser_candidates())

    def _teaser_candidates(self) -> Iterator[str | None]:
        """In order of trust, produced lazily (the meta lookup only when needed)."""
        p = self._header_first("p", "teaser-text")  # TEASER
        yield text_of(p) if p is not None else None
        yield _str(self.content.get("teaser"))
        yield self.meta("description")
        yield _str(self.jsonld.get("description"))

    def dates(self, language: str | None) -> tuple[DateValue | None, DateValue | None]:
        published: DateValue | None = parse_iso_datetime(
            _str(self.jsonld.get("datePublished"))
        ) or parse_iso_datetime(_str(self.content.get("firstPublicationDate")))
        modified = parse_iso_datetime(_str(self.jsonld.get("dateModified"))) or parse_iso_datetime(
            _str(self.content.get("lastModifiedDate"))
        )
        if published is None:
            published = self.visible_date(language)
        return published, modified

    def visible_date(self, language: str | None) -> DateValue | None:
        """The DOM fallback: ``<time datetime>``, an absolute display date, or a relative one
        ("2 hours ago") against `fetched_at` — never when embedded JSON has a date."""
        time_el = self._header_first("time")  # TIME_AREA: its second half holds every time
        if time_el is None:
            return None
        attr = time_el.get("datetime")
        if attr and (parsed := parse_iso_datetime(attr)):
            return parsed
        texts = [text_of(time_el)]
        parent = time_el.getparent()
        if parent is not None:
            texts.append(text_of(parent))
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
            if isinstance(person, dict) and _str(person.get("fullName")):
                named = _str(person.get("namedUrl"))
                apollo.append(
                    Author(str(person["fullName"]), absolute_url(named) if named else None)
                )
        by_name = {a.name.casefold(): a.url for a in apollo}
        dom: list[Author] = []
        details = self._header_first("*", "author-details")  # AUTHOR_DETAILS
        if details is not None:
            spans = [s for s in details.iterdescendants("span") if has_xpath_class(s, "author")]
            for span in spans:  # AUTHOR_SPANS
                name = clean_text(text_of(span))
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
            Author(str(a["name"]), absolute_url(_str(a.get("url"))) if _str(a.get("url")) else None)
            for a in authors
            if isinstance(a, dict) and a.get("@type") == "Person" and _str(a.get("name"))
        ]

    def short_url(self) -> str | None:
        # Lazily: the share links are only searched when the first two sources fail.
        return short_url_from(
            itertools.chain(
                (text_of(el) for el in self._sharing(_copy_button_spans, self.SHORT_LINK)),
                [_str(self.content.get("permaLinkUrl"))],
                self._share_links(),
            )
        )

    def _share_links(self) -> Iterator[str]:
        for href in self._sharing(hrefs_under, self.SHARE_LINKS):  # SHARE_LINKS_INNER
            yield unquote(str(href))

    def _sharing(
        self, inner: Callable[[HtmlElement], Iterable[Any]], whole: etree.XPath
    ) -> list[Any]:
        return self.under_marked(
            self.root, "section", "data-tracking-name", "sharing-icons-inline", inner, whole
        )

    # -- body --------------------------------------------------------------------------------

    def body(self) -> tuple[list[RawImage], list[RawBlock]]:
        """(lead images, body blocks). The body is ``div.rich-text`` (several on live blogs
        and galleries); figures and players of the content area outside it, before the
        first body element, are the lead (hero) media; any after it are body blocks."""
        if self.article is None:
            return [], []
        area = self.first_descendant(self.article, "div", "content-area")  # CONTENT_AREA
        scope = area if area is not None else self.article
        walked: list[RawBlock] = []
        self._walk(scope, walked)
        lead: list[RawImage] = []
        blocks: list[RawBlock] = []
        for block in walked:
            if not blocks and not block.in_body and block.type == "image" and block.image:
                lead.append(block.image)
            else:
                blocks.append(block)
        self._hero_credit_fallback(lead or [b.image for b in blocks if b.image][:1])
        return lead, blocks

    #: Elements that are never body content, whatever their attributes.
    SKIP_TAGS = frozenset(
        {"header", "footer", "nav", "aside", "script", "style", "noscript", "svg", "button", "form"}
    )

    def _skip(self, el: HtmlElement, classes: str | None) -> bool:
        """Whether ``el`` (its ``class`` given: the walk reads it once) is no body content:
        a skipped class, a section hook other than content, ``aria-hidden``. (Its tag is
        tested first, against `SKIP_TAGS`.)"""
        if classes and not self.SKIP_CLASSES.isdisjoint(classes.split()):
            return True
        names = el.keys()  # most elements carry none of the other two: one call, not two
        if "data-tracking-name" in names:
            tracking = el.get("data-tracking-name")
            if tracking and tracking not in self.CONTENT_TRACKING:
                return True
        return "aria-hidden" in names and el.get("aria-hidden") == "true"

    def _walk(
        self,
        node: HtmlElement,
        out: list[RawBlock],
        in_body: bool = False,
        classes: str | None = None,
    ) -> None:
        """Blocks of ``node``'s children; ``classes``: its ``class`` (when read already)."""
        start = len(out)
        if not in_body:
            if classes is None:
                classes = node.get("class")
            in_body = bool(classes) and not _BODY_CLASSES.isdisjoint(classes.split())
        self._walk_children(node, out, in_body)
        if in_body:
            for block in out[start:]:
                block.in_body = True

    def _walk_children(self, node: HtmlElement, out: list[RawBlock], in_body: bool) -> None:
        for el in node:
            tag = el.tag
            if not isinstance(tag, str) or tag in self.SKIP_TAGS:
                continue
            classes = el.get("class")
            if self._skip(el, classes):
                continue
            if tag == "p":
                text = text_with_breaks(el)
                plain = clean_text(text)
                if plain and not is_boilerplate_text(plain, clean=True) and not is_read_more(plain):
                    out.append(RawBlock("paragraph", text, cleaned=plain))
            elif tag in ("h2", "h3", "h4", "h5", "h6"):
                out.append(RawBlock("heading", text_of(el), level=int(tag[1])))
            elif tag == "figure":
                caption = FigureCaption(el)
                if caption.slide_title is not None:  # gallery slide: its title is a heading
                    out.append(RawBlock("heading", text_of(caption.slide_title), level=2))
                image = self.figure_image(el, caption)
                if image is not None:
                    out.append(RawBlock("image", image=image))
            elif tag in ("ul", "ol"):
                items = [text_of(li) for li in el if li.tag == "li"]
                out.append(RawBlock("list", items=items))
            elif tag == "blockquote":
                out.append(RawBlock("quote", text_of(el)))
            elif tag == "iframe":
                src = el.get("src")
                if src:
                    out.append(
                        RawBlock("video", video=Video(url=absolute_url(src), title=el.get("title")))
                    )
            elif tag == "video" or "vjs-wrapper" in (classes or "").split():  # has_class
                video = self.player_video(el)
                if video is not None:
                    out.append(RawBlock("video", video=video))
            elif tag in ("div", "section", "span", "article", "picture", "a", "main"):
                self._walk(el, out, in_body, classes)

    def figure_image(
        self, figure: HtmlElement, captions: FigureCaption | None = None
    ) -> RawImage | None:
        """The image of a ``<figure>`` (``captions``: its `FigureCaption`, when found
        already). A figure is a handful of elements: walking it beats evaluating one XPath
        each (IMG, FIGCAPTION, COPYRIGHT, SLIDE_DESCRIPTION give the same first matches)."""
        if captions is None:
            captions = FigureCaption(figure)
        img = next(figure.iter("img"), None)
        cap = captions.first
        caption: str | None = None
        credit: str | None = None
        if cap is not None:
            copyright_el = captions.copyright
            credit = text_of(copyright_el) if copyright_el is not None else None
            if captions.description is not None:
                caption = text_of(captions.description)
            else:
                caption = _text_without(cap, CAPTION_EXCLUDED)
        url = self.image_url(figure, img)
        alt = img.get("alt") if img is not None else None
        if url is None and not caption and not alt:
            return None
        return RawImage(url=url, caption=caption, credit=credit, alt=alt)

    def image_url(self, figure: HtmlElement, img: HtmlElement | None) -> str | None:
        if img is not None:
            template = img.get("data-url")
            if template and "${formatId}" in template:
                return absolute_url(template.replace("${formatId}", "600"))
            src = img.get("src")
            if src and src.strip():
                return absolute_url(src.strip())
            srcset = img.get("srcset")
            if srcset:
                return _pick_srcset(srcset)
            data_id = img.get("data-id")
            if data_id and data_id.isdigit():
                return f"https://static.dw.com/image/{data_id}_600.jpg"
        for source in figure.iter("source"):
            srcset = source.get("srcset") if source.get("type") == "image/jpeg" else None
            if srcset is None:
                continue
            picked = _pick_srcset(srcset)
            if picked:
                return picked
        return None

    def player_video(self, wrapper: HtmlElement) -> Video | None:
        video_el = wrapper if wrapper.tag == "video" else next(wrapper.iter("video"), None)
        url: str | None = None
        duration: int | None = None
        title: str | None = None
        if video_el is not None:
            url = video_el.get("src") or video_el.get("data-src")
            if not url:
                sources = [s for s in video_el.iter("source") if s.get("src")]
                # A progressive MP4 (type video/mp4, or a .mp4 file) beats an HLS playlist,
                # whose URL may also contain ".mp4" (``…,.mp4.csmil/index.m3u8``).
                mp4 = [
                    s
                    for s in sources
                    if (s.get("type") or "").lower() == "video/mp4"
                    or (s.get("src") or "").split("?")[0].endswith(".mp4")
                ]
                chosen = (mp4 or sources or [None])[0]
                url = chosen.get("src") if chosen is not None else None
            title = video_el.get("title") or video_el.get("aria-label")
            duration = duration_seconds(
                video_el.get("data-duration") or wrapper.get("data-duration")
            )
        heading = next((h for h in wrapper.iter("h2", "h3") if isinstance(h.tag, str)), None)
        if heading is not None and clean_text(text_of(heading)):
            title = text_of(heading)
        entity = self._apollo_video(wrapper)
        if entity:
            url = url or _str(entity.get("mp4Src")) or _str(entity.get("hlsVideoSrc"))
            title = title or _str(entity.get("title")) or _str(entity.get("name"))
            if duration is None:
                duration = duration_seconds(entity.get("duration"))
        if duration is None:
            for el in wrapper.iter():
                if isinstance(el.tag, str) and has_class(el, "vjs-duration-display"):
                    duration = duration_seconds(text_of(el))
        if not url and not title:
            return None
        return Video(url=absolute_url(url) if url else None, title=title, duration_s=duration)

    def _apollo_video(self, wrapper: HtmlElement) -> dict[str, Any] | None:
        for el in wrapper.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("data-id", "data-media-id", "data-video-id"):
                value = el.get(attr)
                if value and value.isdigit():
                    entity = self.apollo.get(f"Video:{value}")
                    if isinstance(entity, dict):
                        return entity
        return None

    def add_main_video(self, raw: RawArticle) -> None:
        """A video page's own video, from Apollo/JSON-LD, when the player markup has none."""
        if raw.content_type not in ("video", "audio") or any(b.type == "video" for b in raw.blocks):
            return
        url = (
            _str(self.content.get("mp4Src"))
            or _str(self.content.get("hlsVideoSrc"))
            or _str(self.jsonld.get("contentUrl"))
            or _str(self.jsonld.get("embedUrl"))
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
        credit = _str(target.get("licenserSupplement")) if isinstance(target, dict) else None
        hero = images[0]
        if hero.credit is None and credit:
            hero.credit = credit
        if hero.caption is None:
            hero.caption = _str(link.get("description"))


KICKER_HOOK = "content-detail-kicker"
_BODY_CLASSES = frozenset(RelaunchParser.BODY_CLASSES)


def _copy_button_spans(section: HtmlElement) -> list[HtmlElement]:
    """`RelaunchParser.SHORT_LINK_INNER` by a walk: the spans (document order) whose parent,
    inside ``section``, carries ``copy-button-wrapper``."""
    return [
        span
        for span in section.iterdescendants("span")
        if (parent := span.getparent()) is not section
        and parent is not None
        and has_xpath_class(parent, "copy-button-wrapper")
    ]


def _topic_links(section: HtmlElement) -> list[HtmlElement]:
    """`RelaunchParser.RELATED_TOPICS_INNER` by a walk: links whose href holds ``/t-``."""
    return [a for a in section.iterdescendants("a") if "/t-" in (a.get("href") or "")]


class FigureCaption:
    """What a ``<figure>``'s captions hold, found in one pass over them: ``first`` (its
    first ``figcaption``), ``copyright`` (the first ``small.copyright`` inside that one)
    and, inside any figcaption, the first ``.description`` and ``.slide-title`` (XPath
    ``.//figcaption//*[class]``: the first figcaption, in document order, whose subtree
    holds a match holds the first match of all)."""

    __slots__ = ("copyright", "description", "first", "slide_title")

    def __init__(self, figure: HtmlElement) -> None:
        self.first: HtmlElement | None = None
        self.copyright: HtmlElement | None = None
        self.description: HtmlElement | None = None
        self.slide_title: HtmlElement | None = None
        for caption in figure.iter("figcaption"):
            in_first = self.first is None
            if in_first:
                self.first = caption
            for el in caption.iterdescendants():
                classes = el.get("class") if isinstance(el.tag, str) else None
                if not classes:
                    continue
                if (
                    in_first
                    and self.copyright is None
                    and el.tag == "small"
                    and class_value_has(classes, "copyright")
                ):
                    self.copyright = el
                if self.description is None and class_value_has(classes, "description"):
                    self.description = el
                if self.slide_title is None and class_value_has(classes, "slide-title"):
                    self.slide_title = el
            if self.description is not None and self.slide_title is not None:
                break


def _text_without(el: HtmlElement, excluded_classes: frozenset[str]) -> str:
    """Text of ``el`` minus the subtrees carrying one of ``excluded_classes`` (the credit,
    a gallery counter or slide title inside a figcaption); comments excluded."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not (
            set((child.get("class") or "").split()) & excluded_classes
        ):
            parts.append(_text_without(child, excluded_classes))
        parts.append(child.tail or "")
    return "".join(parts)


CAPTION_EXCLUDED = frozenset({"copyright", "counter", "slide-title", "sr-only"})


_WIDTH = re.compile(r"(\d+)w")
_FORMAT_600 = re.compile(r"_600\.(?:jpg|webp)$")


def _pick_srcset(srcset: str) -> str | None:
    """A jpg from a srcset: the ``_600`` format when offered, else the widest candidate."""
    candidates: list[tuple[int, str]] = []
    for entry in srcset.split(","):
        pieces = entry.split()
        if not pieces:
            continue
        width = 0
        if len(pieces) > 1 and (m := _WIDTH.match(pieces[1])):
            width = int(m[1])
        candidates.append((width, pieces[0]))
    for _, url in candidates:
        if _FORMAT_600.search(url):
            return absolute_url(url)
    if not candidates:
        return None
    return absolute_url(max(candidates)[1])


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _jsonld_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return _str(value.get("@id")) or _str(value.get("url"))
    return _str(value)
