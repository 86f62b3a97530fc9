"""Tree walks that stand in for XPath expressions, each beside the XPath it answers.

Why walks: an XPath ``//`` step or predicate is evaluated on every node in scope, and on an
element other than the document root lxml first builds a stand-in document for it; lxml's
tag-filtered ``iter``/``iterdescendants`` walk the tree in C and hand only the few matching
elements to Python, and a walk can stop at the first match. On DW pages that makes these
lookups two to twenty times cheaper than the XPath.

Why the XPath stays: it is the specification. Every walk here sits next to the XPath constant
it answers (or says which XPath in its docstring), and the equivalence tests
(`tests/test_parser_walks.py`) hold each walk to its XPath on every fixture, every real page
and generated markup with the awkward cases (nesting, duplicates, missing attributes).
The layout parsers use the walks, never the constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from scraper.parsers.base import HtmlElement

_X = etree.XPath


def xpath_class(name: str) -> str:
    """XPath predicate for a whole-word class match. The plain substring test first: it
    is implied by the whole-word test and spares building a string for most elements."""
    return (
        f"(contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"
    )


def has_xpath_class(el: HtmlElement, name: str) -> bool:
    """`xpath_class` in Python: classes split on XML whitespace only (as
    ``normalize-space`` does), unlike `has_class`, which splits on any Unicode space."""
    value = el.get("class")
    return bool(value) and class_value_has(value, name)


def class_value_has(value: str, name: str) -> bool:
    """`has_xpath_class` for a ``class`` attribute value read already."""
    if name not in value:
        return False
    return name in value.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" ")


def has_class(el: HtmlElement, name: str) -> bool:
    return name in (el.get("class") or "").split()


# -- text ---------------------------------------------------------------------------------


def text_of(el: Any) -> str:
    """All text inside ``el`` (comments such as React's ``<!-- -->`` excluded), raw.

    The text serialisation is libxml2's node content, exactly what ``text_content()`` (an
    XPath ``string()``) returns, at under half the cost of an XPath evaluation."""
    if el is None:
        return ""
    if isinstance(el, str):
        return el
    try:
        if not len(el):
            # No child elements, comments or PIs (most headings, captions and paragraphs):
            # the node content is its text nodes, which is ``.text`` — at a third of the
            # cost of a serialisation through a libxml2 buffer.
            return el.text or ""
        return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))
    except (ValueError, TypeError, AttributeError):
        return ""


def text_with_breaks(el: HtmlElement) -> str:
    """Text of ``el`` with ``<br>`` kept as newlines (credit lines sometimes follow a br);
    comments, scripts and styles excluded."""
    if (
        isinstance(el.tag, str)
        and el.tag not in _NOT_TEXT
        and (not len(el) or next(el.iterdescendants(*_NOT_TEXT), None) is None)
    ):
        # Nothing to treat specially inside: libxml2's text content is the same string.
        return text_of(el)
    out: list[str] = []
    _collect(el, out)
    return "".join(out)


_NOT_TEXT = ("br", "script", "style")


def _collect(node: HtmlElement, out: list[str]) -> None:
    tag = node.tag
    if tag == "br":
        out.append("\n")
        return
    if not isinstance(tag, str) or tag in ("script", "style"):
        return
    out.append(node.text or "")
    for child in node:
        _collect(child, out)
        out.append(child.tail or "")


#: The page's ``lang`` attribute (what `html_lang` reads).
HTML_LANG = etree.XPath("/html/@lang")


def html_lang(el: HtmlElement) -> str | None:
    """XPath `HTML_LANG` (any element of the document as context): the document element's
    ``lang`` when it is the ``html`` element."""
    if el.getparent() is not None:
        el = el.getroottree().getroot()
    return el.get("lang") if el.tag == "html" else None


#: What `hrefs_under` answers.
HREFS = _X(".//a/@href")


def hrefs_under(el: HtmlElement) -> list[str]:
    """`HREFS`: every ``href`` under ``el``, empty ones too."""
    return [href for a in el.iterdescendants("a") if (href := a.get("href")) is not None]


#: What `links_under` answers.
LINKS = _X(".//a")


def links_under(el: HtmlElement) -> list[HtmlElement]:
    """`LINKS`."""
    return list(el.iterdescendants("a"))


def first_descendant(scope: HtmlElement, tag: str, class_: str | None = None) -> Any:
    """The first match of XPath ``.//tag`` (with ``[xpath_class(class_)]``; ``*``: any
    element) under ``scope``, stopping there instead of collecting every match."""
    for el in scope.iterdescendants(tag):
        if class_ is None or has_xpath_class(el, class_):
            return el
    return None


def first_in(scopes: Iterable[HtmlElement], tag: str, accept: Any) -> HtmlElement | None:
    """The first ``tag`` element (document order) strictly inside any of ``scopes`` (given in
    document order) that ``accept`` takes: the first scope holding one holds the first."""
    for scope in scopes:
        for el in scope.iterdescendants(tag):
            if accept(el):
                return el
    return None


#: What `canonical_hrefs` answers.
CANONICAL_HREFS = _X("//link[@rel='canonical']/@href")


def canonical_hrefs(root: HtmlElement) -> Iterator[str]:
    """`CANONICAL_HREFS`, lazily (the first usable one is taken: the others are not read)."""
    return (
        href
        for link in root.iter("link")
        if link.get("rel") == "canonical" and (href := link.get("href")) is not None
    )


#: The content of the first ``<meta>`` (document order) named ``$key`` by its ``name`` or
#: ``property`` and having a ``content``: inside the first ``<head>``, else anywhere. What
#: `scraper.parsers.page.Page.meta` answers, reading the metas once for all keys.
HEAD_META = _X(
    "(head[1]/descendant::meta[(@name=$key or @property=$key) and @content])[1]/@content",
    smart_strings=False,
)
ANY_META = _X(
    "(descendant-or-self::meta[(@name=$key or @property=$key) and @content])[1]/@content",
    smart_strings=False,
)


#: The whole-document form of a lookup inside a marked container (see
#: `scraper.parsers.page.Page.under_marked`), which answers these by walking the one
#: container; with several containers, whose matches could interleave, the XPath itself.
RELAUNCH_SHORT_LINK = _X(
    "//section[@data-tracking-name='sharing-icons-inline']"
    "//*[" + xpath_class("copy-button-wrapper") + "]/span"
)
RELAUNCH_SHARE_LINKS = _X("//section[@data-tracking-name='sharing-icons-inline']//a/@href")
RELAUNCH_RELATED_TOPICS = _X(
    "//section[@data-tracking-name='section-related-topics']//a[contains(@href, '/t-')]"
)
CLASSIC_NAV_PATH = _X("//div[@id='navPath']//a")
CLASSIC_SHARE_LINKS = _X("//div[@id='sharing-bar']//a/@href")


# -- relaunch -----------------------------------------------------------------------------

#: The lookups in the relaunch article header (else the article), each answered by
#: `first_descendant` with the arguments beside it: the first node of the XPath.
RELAUNCH_HEADER_LOOKUPS: tuple[tuple[tuple[str, ...], etree.XPath], ...] = (
    (("h1",), _X(".//h1")),
    (("div", "kicker"), _X(".//div[" + xpath_class("kicker") + "]")),
    (("*", "author-details"), _X(".//*[" + xpath_class("author-details") + "]")),
    # Its second half holds every time element, so the first match is the first <time>.
    (("time",), _X(".//*[" + xpath_class("time-area") + "]//time | .//time")),
    (("p", "teaser-text"), _X(".//p[" + xpath_class("teaser-text") + "]")),
    (("div", "content-area"), _X(".//div[" + xpath_class("content-area") + "]")),
)

#: What `author_spans` answers.
AUTHOR_SPANS = _X(".//span[" + xpath_class("author") + "]")


def author_spans(details: HtmlElement) -> list[HtmlElement]:
    """`AUTHOR_SPANS`."""
    return [s for s in details.iterdescendants("span") if has_xpath_class(s, "author")]


#: What `copy_button_spans` answers.
SHORT_LINK_INNER = _X(".//*[" + xpath_class("copy-button-wrapper") + "]/span")


def copy_button_spans(section: HtmlElement) -> list[HtmlElement]:
    """`SHORT_LINK_INNER`: the spans (document order) whose parent, inside ``section``,
    carries ``copy-button-wrapper``."""
    return [
        span
        for span in section.iterdescendants("span")
        if (parent := span.getparent()) is not section
        and parent is not None
        and has_xpath_class(parent, "copy-button-wrapper")
    ]


#: What `topic_links` answers.
RELATED_TOPICS_INNER = _X(".//a[contains(@href, '/t-')]")


def topic_links(section: HtmlElement) -> list[HtmlElement]:
    """`RELATED_TOPICS_INNER`: links whose href holds ``/t-``."""
    return [a for a in section.iterdescendants("a") if "/t-" in (a.get("href") or "")]


class FigureCaption:
    """What a ``<figure>``'s captions hold, found in one pass over them: ``first`` (its
    first ``figcaption``, XPath ``.//figcaption``), ``copyright`` (the first
    ``small.copyright`` inside that one) and, inside any figcaption, the first
    ``.description`` and ``.slide-title`` (XPath ``.//figcaption//*[class]``: the first
    figcaption, in document order, whose subtree holds a match holds the first match of
    all)."""

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


# -- classic ------------------------------------------------------------------------------


def first_strong(li: HtmlElement) -> HtmlElement | None:
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


def first_col3(body_contents: Iterable[HtmlElement]) -> HtmlElement | None:
    """XPath ``//div[@id='bodyContent']//div[col3][not(relatedContent)][.//h1][1]``, first
    result: the first such div of all is also the first of its siblings."""
    return first_in(body_contents, "div", _is_article_col3)


def in_long_text(el: HtmlElement) -> bool:
    """XPath ``ancestor::div[xpath_class('longText')]`` is not empty."""
    return any(has_xpath_class(a, "longText") for a in el.iterancestors("div"))


#: What `long_text` answers (its first node).
LONG_TEXT = _X(
    ".//div[" + xpath_class("longText") + "][not(ancestor::div[" + xpath_class("longText") + "])]"
)


def long_text(col3: HtmlElement) -> HtmlElement | None:
    """``LONG_TEXT(col3)[0]`` (or None): the first ``div.longText`` in col3 is the outer
    one, unless col3 itself sits in one — then every candidate does."""
    first = first_descendant(col3, "div", "longText")
    return None if first is None or in_long_text(first) else first


#: What `media_items` answers.
MEDIA_ITEMS = _X(".//div[" + xpath_class("mediaItem") + "]")


def media_items(col3: HtmlElement) -> list[HtmlElement]:
    """`MEDIA_ITEMS`."""
    return [d for d in col3.iterdescendants("div") if has_xpath_class(d, "mediaItem")]


#: What `hero_boxes` answers.
HERO = _X(
    "./div[contains(@class, 'picBox')] | ./div["
    + xpath_class("group")
    + "]/div[contains(@class, 'picBox')]"
)


def hero_boxes(col3: HtmlElement) -> list[HtmlElement]:
    """`HERO`: child divs with ``picBox`` in their class, and those of child ``div.group``s,
    in document order (a child comes before its own children)."""
    boxes = []
    for child in col3.iterchildren("div"):
        if "picBox" in (child.get("class") or ""):
            boxes.append(child)
        if has_xpath_class(child, "group"):
            boxes.extend(d for d in child.iterchildren("div") if "picBox" in (d.get("class") or ""))
    return boxes


#: What `gallery_slides` answers.
GALLERY_SLIDES = _X(".//div[" + xpath_class("gallery") + "]//li")


def gallery_slides(col3: HtmlElement) -> list[HtmlElement]:
    """`GALLERY_SLIDES`: the ``li`` with a ``div.gallery`` ancestor inside col3."""
    slides = []
    for li in col3.iterdescendants("li"):
        for ancestor in li.iterancestors("div"):
            if ancestor is col3:
                break
            if has_xpath_class(ancestor, "gallery"):
                slides.append(li)
                break
    return slides


#: The lookups in a classic ``col3`` (or a picture box, for the image), each answered by
#: `first_descendant` with the arguments beside it: the first node of the XPath.
CLASSIC_LOOKUPS: tuple[tuple[tuple[str, ...], etree.XPath], ...] = (
    (("h1",), _X(".//h1")),
    (("h4", "artikel"), _X(".//h4[" + xpath_class("artikel") + "]")),
    (("p", "intro"), _X(".//p[" + xpath_class("intro") + "]")),
    (("img",), _X(".//img")),
)
