"""The classic layout (until mid-2023): see ``../shared/dw-markup.md``.

``#bodyContent`` holds ``div.col3`` (the article) and ``div.col1.dim`` (right column). Fields
come from the first ``ul.smallList`` facts box (labels in the site's language, see
`scraper.labels`), the ``h1``/``h4.artikel``/``p.intro`` head, the outer ``div.longText`` body
and the tracking object ``dwInitialTrackingInfo`` / ``dwXT`` (a JavaScript literal, read with a
regular expression, never evaluated). Classic pages carry no JSON-LD.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote

from lxml import etree

from scraper.article import Author, ContentType, DateValue, Video
from scraper.errors import NotArticleError
from scraper.normalize.build import RawArticle, RawBlock, RawImage
from scraper.normalize.credits import split_alt_credit
from scraper.normalize.labels import FACT_LABELS, is_boilerplate_text, is_read_more, label_key
from scraper.normalize.page_dates import parse_day
from scraper.normalize.text import clean_text, first_nonempty
from scraper.parsers.base import (
    HtmlElement,
    LayoutParser,
    has_xpath_class,
    hrefs_under,
    html_lang,
    links_under,
    text_of,
    text_with_breaks,
    xpath_class,
)
from scraper.parsers.common import (
    absolute_url,
    canonical_or_none,
    duration_seconds,
    extract_credit_line,
    language_code,
    reject_non_content,
    short_url_from,
    url_language,
)
from scraper.urls import content_type_from_url, dw_content_id

_X = etree.XPath
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
    TITLE = _X(".//h1")
    KICKER = _X(".//h4[" + xpath_class("artikel") + "]")
    NAV_PATH = _X("//div[@id='navPath']//a")
    NAV_PATH_INNER = _X(".//a")
    TEASER = _X(".//p[" + xpath_class("intro") + "]")
    SHARE_LINKS = _X("//div[@id='sharing-bar']//a/@href")
    SHARE_LINKS_INNER = _X(".//a/@href")
    LONG_TEXT = _X(
        ".//div["
        + xpath_class("longText")
        + "][not(ancestor::div["
        + xpath_class("longText")
        + "])]"
    )
    HERO = _X(
        "./div[contains(@class, 'picBox')] | ./div["
        + xpath_class("group")
        + "]/div[contains(@class, 'picBox')]"
    )
    MEDIA_ITEMS = _X(".//div[" + xpath_class("mediaItem") + "]")
    GALLERY_SLIDES = _X(".//div[" + xpath_class("gallery") + "]//li")
    IMG = _X(".//img")

    #: Containers in the body that are never body content (the newsletter plug and
    #: "Read more" lines are recognised by their text).
    SKIP_CLASSES = frozenset(
        {
            "gallery",
            "slideshow",
            "relatedContent",
            "linkList",
            "sharing-bar",
            "shareInfo",
            "teaserContentWrap",
            "playButtonArea",
            "advertisement",
            "adContainer",
        }
    )

    def __init__(
        self, root: HtmlElement, url: str | None = None, fetched_at: dt.datetime | None = None
    ) -> None:
        super().__init__(root, url, fetched_at)
        self.tracking = self._load_tracking()
        self._media_items: list[HtmlElement] | None = None
        self.col3: HtmlElement | None = _first_col3(self.body_contents())
        self.facts = self._load_facts(self.body_contents())

    def body_contents(self) -> Iterator[HtmlElement]:
        """The ``div#bodyContent`` elements in document order, lazily: a page has one, and
        the search for another stops as soon as the first holds what is looked for."""
        return self.with_id(self.root, "div", self.BODY_CONTENT_ID)

    @classmethod
    def matches(cls, root: HtmlElement) -> bool:
        body = next(cls.with_id(root, "div", cls.BODY_CONTENT_ID), None)
        if body is None:
            return False
        # div.col3 or p.intro anywhere inside: stop at the first (an XPath union would
        # collect and sort them all).
        has_marker = any(
            has_xpath_class(el, "col3" if el.tag == "div" else "intro")
            for el in body.iterdescendants("div", "p")
        )
        return has_marker or cls.script_text(root, *cls.TRACKING_MARKS) is not None

    # -- parsed once -------------------------------------------------------------------------

    def _load_tracking(self) -> dict[str, str]:
        text = self.script_text(self.root, *self.TRACKING_MARKS) or ""
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
        box = _first_descendant(body_contents, "ul", lambda ul: has_xpath_class(ul, "smallList"))
        for li in box if box is not None else ():
            if li.tag != "li":
                continue
            strong = _first_strong(li)
            if strong is None:
                continue
            field = FACT_LABELS.get(label_key(text_of(strong)))
            if field and field not in facts:
                facts[field] = li
        return facts

    def fact_text(self, field: str) -> str | None:
        """The text of a facts-box item after its label."""
        li = self.facts.get(field)
        if li is None:
            return None
        strong = _first_strong(li)
        label = text_of(strong) if strong is not None else ""
        text = text_of(li)
        index = text.find(label)
        rest = text[index + len(label) :] if index >= 0 else text
        return clean_text(rest.lstrip(" :\n\t"))

    def fact_links(self, field: str) -> list[HtmlElement]:
        li = self.facts.get(field)
        return [] if li is None else list(li.iter("a"))

    # -- fields ------------------------------------------------------------------------------

    def parse(self) -> RawArticle:
        canonical = self.canonical_url()
        reject_non_content(canonical or self.url, url=self.url)
        if self.col3 is None:
            raise NotArticleError(
                "no article found: looked for div#bodyContent > div.col3 with an h1", url=self.url
            )
        raw = RawArticle(layout="classic", url=self.url, canonical_url=canonical)
        raw.dw_id = self.dw_id(canonical)
        raw.language = self.language(canonical)
        raw.title = self.title()
        raw.kicker_parts = self.kicker_parts()
        raw.topics = self.topics()
        raw.teaser = self.teaser()
        raw.published_at, raw.modified_at = self.dates()
        raw.authors = self.authors()
        raw.short_url = self.short_url()
        raw.lead_images = self.lead_images()
        raw.blocks = self.blocks()
        raw.content_type = self.content_type(canonical)
        raw.credit_line = extract_credit_line(raw.blocks)
        return raw

    def canonical_url(self) -> str | None:
        for href in self.canonical_hrefs(self.root):
            value = clean_text(str(href))
            if value:
                return value
        for candidate in (self.meta("og:url"), unquote(self.tracking.get("fullUrl", "")), self.url):
            canon = canonical_or_none(candidate)
            if canon:
                return canon.replace("http://", "https://", 1)
        return None

    def dw_id(self, canonical: str | None) -> int | None:
        for candidate in (canonical, self.url):
            if candidate and (found := dw_content_id(candidate)) is not None:
                return found
        page_id = self.tracking.get("pageId", "")
        return int(page_id) if page_id.isdigit() else None

    def content_type(self, canonical: str | None) -> ContentType:
        found: str | None = None
        for candidate in (canonical, self.url):
            found = content_type_from_url(candidate) if candidate else None
            if found:
                break
        if found in (None, "video") and self.col3 is not None:
            for item in self.media_items():
                if _in_long_text(item):
                    continue
                player = _hidden_inputs(item).get("player_type")
                if player == "audio":
                    return "audio"
                if player == "video" and found is None and self.long_text() is None:
                    return "video"
        return found or "article"  # type: ignore[return-value]

    def language(self, canonical: str | None) -> str | None:
        lang = html_lang(self.root)
        # The meta tag is the last candidate: looked up only when no URL names the language.
        return url_language(canonical, self.url, lang) or language_code(
            canonical, self.url, lang, self.meta("language")
        )

    def title(self) -> str | None:
        assert self.col3 is not None
        h1 = self.first_descendant(self.col3, "h1")  # TITLE
        found = first_nonempty([text_of(h1) if h1 is not None else None])
        if found:
            return found
        og = self.meta("og:title")  # only when the h1 is empty
        return first_nonempty([og.split(" | DW | ")[0] if og else None])

    def kicker_parts(self) -> list[str]:
        assert self.col3 is not None
        kicker = self.first_descendant(self.col3, "h4", "artikel")  # KICKER
        if kicker is not None and clean_text(text_of(kicker)):
            return [text_of(kicker)]
        nav = self.under_marked(
            self.root,
            "div",
            "id",
            "navPath",
            links_under,
            self.NAV_PATH,  # NAV_PATH_INNER
        )
        crumbs = [text_of(a) for a in nav]
        return [crumbs[-1]] if crumbs and clean_text(crumbs[-1]) else []

    def topics(self) -> list[str]:
        return [text_of(a) for a in self.fact_links("topics") + self.fact_links("keywords")]

    def teaser(self) -> str | None:
        assert self.col3 is not None
        intro = self.first_descendant(self.col3, "p", "intro")  # TEASER
        found = first_nonempty([text_of(intro) if intro is not None else None])
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
                published = parse_day(_hidden_inputs(item).get("display_date"))
                if published:
                    break
        return published, changed

    def authors(self) -> list[Author]:
        li = self.facts.get("author")
        if li is None:
            return []
        links = [a for a in li.iter("a") if clean_text(text_of(a))]
        if links:
            return [Author(text_of(a), absolute_url(a.get("href"))) for a in links]
        text = self.fact_text("author") or ""
        return [Author(name) for name in _AUTHOR_SPLIT.split(text) if clean_text(name)]

    def short_url(self) -> str | None:
        # Lazily: the share links are only searched when the facts box has no permalink.
        return short_url_from(itertools.chain([self.fact_text("permalink")], self._share_links()))

    def _share_links(self) -> Iterator[str]:
        for href in self.under_marked(
            self.root, "div", "id", "sharing-bar", hrefs_under, self.SHARE_LINKS
        ):
            yield unquote(str(href))

    # -- body --------------------------------------------------------------------------------

    def lead_images(self) -> list[RawImage]:
        """The picture above the body (``div.picBox`` before ``div.longText``)."""
        assert self.col3 is not None
        images = []
        for pic in self.hero_boxes():
            if not _in_long_text(pic):
                image = self.picbox_image(pic)
                if image is not None:
                    images.append(image)
        return images

    def blocks(self) -> list[RawBlock]:
        assert self.col3 is not None
        blocks: list[RawBlock] = []
        long_text = self.long_text()
        if long_text is not None:
            self._walk(long_text, blocks)
        else:
            # Video/audio pages: the page's own media item sits in col3 itself.
            for item in self.media_items():
                video = self.media_video(item)
                if video is not None:
                    blocks.append(RawBlock("video", video=video))
            for slide in self.gallery_slides():
                self._gallery_slide(slide, blocks)
        return blocks

    # The XPath constants above say what these walks find (XPath evaluates its predicates on
    # every node of col3, ten to twenty times the cost): `tests/test_parser_walks.py` checks
    # that they agree.

    def long_text(self) -> HtmlElement | None:
        """``LONG_TEXT(col3)[0]`` (or None): the first ``div.longText`` in col3 is the
        outer one, unless col3 itself sits in one — then every candidate does."""
        assert self.col3 is not None
        first = self.first_descendant(self.col3, "div", "longText")
        return None if first is None or _in_long_text(first) else first

    def media_items(self) -> list[HtmlElement]:
        """``MEDIA_ITEMS(col3)``."""
        assert self.col3 is not None
        if self._media_items is None:
            self._media_items = [
                d for d in self.col3.iterdescendants("div") if has_xpath_class(d, "mediaItem")
            ]
        return self._media_items

    def hero_boxes(self) -> list[HtmlElement]:
        """``HERO(col3)``: child divs with ``picBox`` in their class, and those of child
        ``div.group``s, in document order (a child comes before its own children)."""
        assert self.col3 is not None
        boxes = []
        for child in self.col3.iterchildren("div"):
            if "picBox" in (child.get("class") or ""):
                boxes.append(child)
            if has_xpath_class(child, "group"):
                boxes.extend(
                    d for d in child.iterchildren("div") if "picBox" in (d.get("class") or "")
                )
        return boxes

    def gallery_slides(self) -> list[HtmlElement]:
        """``GALLERY_SLIDES(col3)``: the ``li`` with a ``div.gallery`` ancestor inside col3."""
        assert self.col3 is not None
        col3 = self.col3
        slides = []
        for li in col3.iterdescendants("li"):
            for ancestor in li.iterancestors("div"):
                if ancestor is col3:
                    break
                if has_xpath_class(ancestor, "gallery"):
                    slides.append(li)
                    break
        return slides

    #: Elements in the body that are never content, whatever their class.
    SKIP_TAGS = frozenset({"script", "style", "noscript", "form", "input"})

    def _walk(self, node: HtmlElement, out: list[RawBlock]) -> None:
        for el in node:
            tag = el.tag
            if not isinstance(tag, str) or tag in self.SKIP_TAGS:
                continue
            classes = el.get("class") or ""  # read once for the skip and the div tests
            if classes and not self.SKIP_CLASSES.isdisjoint(classes.split()):
                continue
            if tag == "p":
                self._paragraph(el, out)
            elif tag in ("h2", "h3", "h4", "h5", "h6"):
                out.append(RawBlock("heading", text_of(el), level=int(tag[1])))
            elif tag in ("ul", "ol"):
                out.append(RawBlock("list", items=[text_of(li) for li in el if li.tag == "li"]))
            elif tag == "blockquote":
                out.append(RawBlock("quote", text_of(el)))
            elif tag == "iframe":
                src = el.get("src")
                if src:
                    out.append(
                        RawBlock("video", video=Video(url=absolute_url(src), title=el.get("title")))
                    )
            elif tag == "div" and "picBox" in classes:
                image = self.picbox_image(el)
                if image is not None:
                    out.append(RawBlock("image", image=image))
            elif tag == "div" and "mediaItem" in classes.split():  # has_class
                video = self.media_video(el)
                if video is not None:
                    out.append(RawBlock("video", video=video))
            elif tag in ("div", "span", "section"):
                self._walk(el, out)

    def _paragraph(self, p: HtmlElement, out: list[RawBlock]) -> None:
        text = text_with_breaks(p)
        plain = clean_text(text)
        if not plain or is_read_more(plain) or is_boilerplate_text(plain, clean=True):
            return
        if not len(p):  # no child element: neither of the two shapes below
            out.append(RawBlock("paragraph", text, cleaned=plain))
            return
        links = list(p.iter("a"))
        if len(links) == 1 and "newsletter" in (links[0].get("href") or ""):
            link_text = clean_text(text_of(links[0]))
            if link_text == plain:
                return  # the newsletter plug: a paragraph that is only a newsletter link
        # English classic subheadings: a p holding only <strong>/<b>.
        strong = [c for c in p if isinstance(c.tag, str)]
        if (
            len(strong) == 1
            and strong[0].tag in ("strong", "b")
            and not clean_text(p.text)
            and not clean_text(strong[0].tail)
            and clean_text(text_of(strong[0])) == plain
        ):
            out.append(RawBlock("heading", text_of(strong[0]), level=2))
            return
        out.append(RawBlock("paragraph", text, cleaned=plain))

    def picbox_image(self, box: HtmlElement) -> RawImage | None:
        img = self.first_descendant(box, "img")  # IMG
        captions = [c for c in box if c.tag == "p"]
        caption = text_of(captions[0]) if captions else None
        if img is None:
            return None
        alt, credit = split_alt_credit(img.get("alt") or img.get("title"))
        if credit is None:
            _, credit = split_alt_credit(img.get("title"))
        return RawImage(url=absolute_url(img.get("src")), caption=caption, credit=credit, alt=alt)

    def media_video(self, item: HtmlElement) -> Video | None:
        inputs = _hidden_inputs(item)
        url = inputs.get("file_name")
        title = inputs.get("media_title")
        if not url and not title:
            return None
        return Video(
            url=absolute_url(url) if url else None,
            title=title,
            duration_s=duration_seconds(inputs.get("file_duration")),
        )

    def _gallery_slide(self, slide: HtmlElement, out: list[RawBlock]) -> None:
        img = self.first_descendant(slide, "img")  # IMG
        heading = next(slide.iter("h2"), None)
        paragraph = next(slide.iter("p"), None)
        if heading is not None:
            out.append(RawBlock("heading", text_of(heading), level=2))
        if img is not None:
            alt, credit = split_alt_credit(img.get("alt") or img.get("title"))
            caption = text_of(paragraph) if paragraph is not None else None
            out.append(
                RawBlock(
                    "image", image=RawImage(absolute_url(img.get("src")), caption, credit, alt)
                )
            )


def _first_descendant(
    scopes: Iterable[HtmlElement], tag: str, accept: Callable[[HtmlElement], bool]
) -> HtmlElement | None:
    """The first ``tag`` element (document order) strictly inside any of ``scopes`` (given in
    document order) that ``accept`` takes: the first scope holding one holds the first."""
    for scope in scopes:
        for el in scope.iterdescendants(tag):
            if accept(el):
                return el
    return None


def _first_strong(li: HtmlElement) -> HtmlElement | None:
    """``next(li.iter("strong"), None)``: the label is mostly the first child, which comes
    first in document order (spares setting up a tag-matching iterator)."""
    if len(li) and li[0].tag == "strong":
        return li[0]
    return next(li.iter("strong"), None)


def _is_article_col3(div: HtmlElement) -> bool:
    return (
        has_xpath_class(div, "col3")
        and not has_xpath_class(div, "relatedContent")
        and next(div.iter("h1"), None) is not None
    )


def _first_col3(body_contents: Iterable[HtmlElement]) -> HtmlElement | None:
    """XPath ``//div[@id='bodyContent']//div[col3][not(relatedContent)][.//h1][1]``, first
    result: the first such div of all is also the first of its siblings."""
    return _first_descendant(body_contents, "div", _is_article_col3)


def _in_long_text(el: HtmlElement) -> bool:
    """XPath ``ancestor::div[xpath_class('longText')]`` is not empty."""
    return any(has_xpath_class(a, "longText") for a in el.iterancestors("div"))


def _hidden_inputs(item: HtmlElement) -> dict[str, str]:
    """A classic media item's hidden inputs (``file_name``, ``file_duration``, …)."""
    return {
        str(i.get("name")): str(i.get("value") or "")
        for i in item.iter("input")
        if i.get("name") and i.get("type") == "hidden"
    }
