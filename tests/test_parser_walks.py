"""The tree walks that replace XPath evaluations find exactly what the XPath expressions
(kept as class constants, the specification) find: on every fixture and real page, and on
generated markup with the awkward cases (nesting, duplicates, missing attributes)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from scraper.parsers import fastpaths as fp
from scraper.parsers.base import load_tree
from scraper.parsers.classic import _TRACKING_PAIR
from scraper.parsers.fastpaths import (
    HTML_LANG,
    FigureCaption,
    has_xpath_class,
    hrefs_under,
    html_lang,
    links_under,
    text_of,
)
from scraper.parsers.page import MARKED_DIVS, Page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "fixtures" / "dw").glob("*.html")) + sorted(
    (ROOT.parent / "shared" / "dw-pages").glob("*.html")
)


def check_classic_walks(root: Any) -> None:
    """The classic body walks against their XPath constants, for every ``div.col3`` (and
    other divs) of ``root`` taken as col3."""
    for col3 in itertools.islice(root.iter("div"), 60):
        long_texts = fp.LONG_TEXT(col3)
        assert fp.long_text(col3) is (long_texts[0] if long_texts else None)
        assert fp.media_items(col3) == fp.MEDIA_ITEMS(col3)
        assert fp.hero_boxes(col3) == fp.HERO(col3)
        assert fp.gallery_slides(col3) == fp.GALLERY_SLIDES(col3)
        for args, xpath in fp.CLASSIC_LOOKUPS:
            found = xpath(col3)
            assert fp.first_descendant(col3, *args) is (found[0] if found else None), xpath


def check_relaunch_walks(root: Any) -> None:
    """The relaunch header lookups and the container walks against their XPath constants,
    for every element taken as the header (and as the article, without a header)."""
    for scope in itertools.islice(root.iter(), 80):
        if not isinstance(scope.tag, str):
            continue
        for args, xpath in fp.RELAUNCH_HEADER_LOOKUPS:
            found = xpath(scope)
            assert fp.first_descendant(scope, *args) is (found[0] if found else None), xpath
        assert fp.copy_button_spans(scope) == fp.SHORT_LINK_INNER(scope)
        assert fp.topic_links(scope) == fp.RELATED_TOPICS_INNER(scope)
        assert hrefs_under(scope) == fp.HREFS(scope)
        assert links_under(scope) == fp.LINKS(scope)
        assert fp.author_spans(scope) == fp.AUTHOR_SPANS(scope)


def reference_in_figcaption(figure: Any, class_name: str) -> Any:
    """The straightforward figure lookup (the reference): one walk per class."""
    for caption in figure.iter("figcaption"):
        for el in caption.iterdescendants():
            if isinstance(el.tag, str) and has_xpath_class(el, class_name):
                return el
    return None


def check_figure_captions(root: Any) -> None:
    for figure in itertools.islice(root.iter(), 80):
        if not isinstance(figure.tag, str):
            continue
        found = FigureCaption(figure)
        first = next(figure.iter("figcaption"), None)
        assert found.first is first
        copyright_el = (
            next((s for s in first.iter("small") if has_xpath_class(s, "copyright")), None)
            if first is not None
            else None
        )
        assert found.copyright is copyright_el
        assert found.description is reference_in_figcaption(figure, "description")
        assert found.slide_title is reference_in_figcaption(figure, "slide-title")


def check_first_strong(root: Any) -> None:
    for li in root.iter("li", "p", "div"):
        assert fp.first_strong(li) is next(li.iter("strong"), None)


def check_text_of(root: Any) -> None:
    """`text_of` against the serialisation, `html_lang` against `HTML_LANG`, with every
    element as the context."""
    for el in root.iter():
        expected = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
        assert text_of(el) == expected
        if isinstance(el.tag, str):
            langs = HTML_LANG(el)
            assert html_lang(el) == (str(langs[0]) if langs else None)


def check_meta(root: Any) -> None:
    keys = {v for m in root.iter("meta") for v in (m.get("name"), m.get("property")) if v}
    keys |= {"description", "og:url", "language", "nope", ""}
    head = root.find("head")
    xpath = fp.HEAD_META if head is not None else fp.ANY_META
    for order in (sorted(keys), sorted(keys, reverse=True)):
        page = Page(root)
        for key in order:
            found = xpath(root, key=key)
            assert page.meta(key) == (str(found[0]) if found else None), key


def check_marked_divs(root: Any) -> None:
    """`Page` lookups (ID table and lazy walk) against a plain walk, consumed fully,
    one at a time and interleaved."""
    # Elements compare by identity; lxml hands out one proxy per node while it is alive.
    expected = {
        key: [el for el in root.iter("div") if el.get(key[0]) == key[1]] for key in MARKED_DIVS
    }
    for ids_indexed in (True, False):
        page = Page(root, ids_indexed=ids_indexed)
        firsts = {key: next(page.with_attr("div", *key), None) for key in MARKED_DIVS}
        for key in reversed(MARKED_DIVS):
            assert list(page.with_attr("div", *key)) == expected[key]
        for key, first in firsts.items():
            assert (first is None) == (not expected[key])
            assert first is None or first is expected[key][0]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_walks_on_pages(path: Path) -> None:
    root = load_tree(path.read_bytes())
    check_classic_walks(root)
    check_relaunch_walks(root)
    check_figure_captions(root)
    check_first_strong(root)
    check_text_of(root)
    check_meta(root)
    check_marked_divs(root)


CLASSES = st.sampled_from(
    ["", "longText", "longText x", "x longText", "longTextual", "mediaItem", "gallery",
     "group", "picBox", "picBoxed", "xpicBox", "col3", "a\tlongText", "GALLERY", "kicker",
     "author-details", "author", "time-area", "teaser-text", "copy-button-wrapper",
     "description", "slide-title", "copyright", "x copyright"]
)  # fmt: skip
ATTRS = st.sampled_from(
    ['id="root"', 'id="bodyContent"', 'id="navPath"', 'id="sharing-bar"', 'id=" root"',
     'ID="root"', 'id="r&#111;ot"', 'id="root" id="x"', 'id="x" id="root"', 'xml:id="root"',
     'data-tracking-name="content-detail-kicker"', "data-tracking-name=content-detail-kicker",
     'name="root"', 'id=""', ""]
)  # fmt: skip
TAGS = st.sampled_from(
    [
        "div",
        "div",
        "div",
        "li",
        "span",
        "span",
        "a",
        "ul",
        "p",
        "section",
        "h1",
        "time",
        "figure",
        "figcaption",
        "figcaption",
        "small",
    ]
)


@st.composite
def markup(draw: Any, depth: int = 0) -> str:
    """Random nested markup from the pieces above."""
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        tag = draw(TAGS)
        href = draw(st.sampled_from(["", ' href="/en/t-1"', ' href=""', ' href="/a"']))
        attrs = f'class="{draw(CLASSES)}" {draw(ATTRS)}{href}'
        inner = draw(markup(depth + 1))
        text = draw(st.sampled_from(["", "x", "a&amp;b", "<!-- c -->", "<br>", "y <b>z</b>"]))
        parts.append(f"<{tag} {attrs}>{text}{inner}</{tag}>")
        if draw(st.booleans()):
            parts.append(f'<meta name="{draw(CLASSES)}" content="{draw(CLASSES)}">')
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(markup(), st.booleans())
def test_walks_on_generated_markup(body: str, with_head: bool) -> None:
    head = '<head><meta property="og:url" content="u"><meta name="a"></head>' if with_head else ""
    lang = ' lang="de"' if with_head else ""
    root = load_tree(f"<html{lang}>{head}<body>{body}</body></html>".encode())
    check_classic_walks(root)
    check_relaunch_walks(root)
    check_figure_captions(root)
    check_first_strong(root)
    check_text_of(root)
    check_meta(root)
    check_marked_divs(root)


def test_id_table_is_asked_only_when_told() -> None:
    """A tree changed after parsing: its ID table no longer tells the truth, so without
    ``ids_indexed`` the divs are walked."""
    root = load_tree(b"<html><body><div id='a'>x</div></body></html>")
    div = next(root.iter("div"))
    etree.strip_attributes(div, "id")
    div.attrib["id"] = "bodyContent"
    page = Page(root)
    assert list(page.with_attr("div", "id", "bodyContent")) == [div]


#: The straightforward tracking-object pattern (alternation inside the repetition): the
#: reference for `_TRACKING_PAIR`.
TRACKING_PAIR_BEFORE = re.compile(
    r"""(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\w+))"""
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ['a: "x"', "b:'y'", "c : d", '"', "'", "\\", '\\"', "\n", ",", " ", ":", "é"]
        ),
        max_size=20,
    ).map("".join)
)
def test_tracking_pattern_as_before(text: str) -> None:
    def pairs(pattern: re.Pattern[str]) -> list[Any]:
        return [m.groups() for m in pattern.finditer(text)]

    assert pairs(_TRACKING_PAIR) == pairs(TRACKING_PAIR_BEFORE)
