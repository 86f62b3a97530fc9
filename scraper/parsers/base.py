"""What every layout parser shares: decoding, the lxml tree, text helpers, the base class.

The tree is built once per page with lxml (the fast path: a bare parse of a real DW page costs
1-2 ms); BeautifulSoup is used only for `UnicodeDammit` when bytes carry no usable encoding.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from lxml import etree
from lxml.etree import _Element as HtmlElement  # the layout parsers' name for tree elements

from scraper.errors import MalformedPageError
from scraper.normalize.build import RawArticle

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Leading characters `str.strip()` removes that are ASCII (``\x1c``-``\x1f`` included).
_ASCII_SPACE = re.compile(rb"[\t\n\x0b\x0c\r\x1c-\x1f ]*")
#: libxml2 >= 2.14 decodes its input before tokenising and logs every invalid UTF-8 sequence
#: as ERR_INVALID_ENCODING, wherever it stands (text, attribute, script, comment): checked
#: against Python's strict decoder on thousands of corrupted DW pages, no disagreement.
_LIBXML_FLAGS_BAD_UTF8 = etree.LIBXML_VERSION >= (2, 14)
_BAD_UTF8 = etree.ErrorTypes.ERR_INVALID_ENCODING
#: libxml2 stops reporting errors after 100 (XML_MAX_ERRORS); below this many log entries
#: none can have been dropped.
_TRUSTED_LOG_SIZE = 50
_local = threading.local()


def _parser() -> Any:
    """This thread's parser (its error log is read after a parse, so it is not shared).

    A plain `etree.HTMLParser`, not `lxml.html`'s: the latter looks up a Python element
    class for every element proxy it hands out (a Python call per element touched, about a
    third of a full-tree walk). Same libxml2 parser, same tree."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(encoding="utf-8")
    return parser


def decode_html(html: bytes | str) -> str:
    """Bytes -> text: BOM, then a declared ``<meta charset>``, then UTF-8, then
    `UnicodeDammit`'s guess. Never raises for bytes input (falls back to replacement)."""
    if isinstance(html, str):
        return html
    return _decode(html)[0]


def _decode(html: bytes) -> tuple[str, bool]:
    """(text, whether ``html`` itself is clean UTF-8 without a BOM)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if html.startswith(bom):
            return html[len(bom) :].decode(encoding, errors="replace"), False
    name = _declared_charset(html)
    if name and name != "utf-8":
        try:
            return html.decode(name), False
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return html.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    from bs4.dammit import UnicodeDammit  # only for pages with no usable declared encoding

    guessed = UnicodeDammit(html, ["utf-8", "windows-1252"]).unicode_markup
    if guessed is None:
        guessed = html.decode("utf-8", errors="replace")
    return guessed, False


def _declared_charset(html: bytes) -> str:
    """The codec name of a ``<meta charset>`` in the first 4 KiB ('' when absent or unknown)."""
    # endpos, not a slice: a 4 KiB copy is a large malloc, and right after a freed tree
    # glibc first consolidates its free lists of small chunks (measured: ~4 % of a parse).
    declared = _META_CHARSET.search(html, 0, 4096)
    if not declared:
        return ""
    try:
        return codecs.lookup(declared.group(1).decode("ascii", "ignore").lower()).name
    except LookupError:
        return ""


def load_tree(html: bytes | str, url: str | None = None) -> HtmlElement:
    """Decode (see `decode_html`) and parse a page once; libxml2 always gets UTF-8 bytes
    (faster than a Python str). Clean UTF-8 input goes to lxml as it is, without a copy."""
    if isinstance(html, bytes):
        root = _parse_plain_utf8(html, url)
        if root is not None:
            return root
        text, clean_utf8 = _decode(html)
        if clean_utf8 and b"\x00" not in html and text.lstrip()[:5].lower() != "<?xml":
            if not text.strip():
                raise MalformedPageError("empty document: no HTML to parse", url=url)
            return _parse_utf8(html, url)
        return build_tree(text, url)
    return build_tree(html, url)


def _parse_plain_utf8(html: bytes, url: str | None) -> HtmlElement | None:
    """The common case without decoding the page in Python first: bytes with no BOM, no
    other declared charset, no NUL, no XML declaration, something to parse. libxml2 parses
    them as UTF-8 and its error log says whether they were valid UTF-8 (a whole-page
    ``bytes.decode`` costs 15-30 % of the parse itself on non-ASCII pages). None means "take
    the general path" (`_decode`), which then decides exactly as it always did."""
    if not _LIBXML_FLAGS_BAD_UTF8 or html.startswith(_BOMS) or b"\x00" in html:
        return None
    name = _declared_charset(html)
    if name and name != "utf-8":
        return None
    start = _ASCII_SPACE.match(html).end()  # type: ignore[union-attr]
    if start == len(html) or html[start] >= 0x80 or html[start : start + 5].lower() == b"<?xml":
        return None  # blank, non-ASCII leading character (maybe a space) or XML: general path
    parser = _parser()
    try:
        root = etree.fromstring(html, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    errors = parser.error_log
    if root is None or len(errors) >= _TRUSTED_LOG_SIZE:
        return None
    if any(entry.type == _BAD_UTF8 for entry in errors):
        return None  # not UTF-8 after all: the general path guesses the encoding
    return root


def build_tree(text: str, url: str | None = None) -> HtmlElement:
    """The lxml tree of a page given as text; `MalformedPageError` when there is nothing
    to parse."""
    if text.lstrip()[:5].lower() == "<?xml":
        text = _XML_DECL.sub("", text, count=1)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise MalformedPageError("empty document: no HTML to parse", url=url)
    # Lone surrogates (only possible in str input) become "?".
    return _parse_utf8(text.encode("utf-8", errors="replace"), url)


def _parse_utf8(data: bytes, url: str | None) -> HtmlElement:
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedPageError(f"HTML could not be parsed: {exc}", url=url) from exc
    if root is None:  # what `lxml.html.document_fromstring` reports as ParserError
        raise MalformedPageError("HTML could not be parsed: Document is empty", url=url)
    return root


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


def hrefs_under(el: HtmlElement) -> list[str]:
    """XPath ``.//a/@href`` (every ``href``, empty ones too), by a walk."""
    return [href for a in el.iterdescendants("a") if (href := a.get("href")) is not None]


def links_under(el: HtmlElement) -> list[HtmlElement]:
    """XPath ``.//a``."""
    return list(el.iterdescendants("a"))


def has_class(el: HtmlElement, name: str) -> bool:
    return name in (el.get("class") or "").split()


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


def load_json(text: str | None) -> Any:
    """Parse JSON; None when it is not valid JSON (never raises)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def raw_decode_after(text: str, marker: str) -> Any:
    """The JSON value following ``marker`` in ``text`` (``window.__APOLLO_STATE__=``), read
    with `json.JSONDecoder.raw_decode` so trailing JavaScript does not matter."""
    start = text.find(marker)
    if start < 0:
        return None
    pos = start + len(marker)
    while pos < len(text) and text[pos] in " \t\r\n=":
        pos += 1
    try:
        value, _ = json.JSONDecoder().raw_decode(text, pos)
    except (ValueError, RecursionError):
        return None
    return value


#: The divs the layouts look up document-wide, as (attribute, value) with the attribute
#: ``id`` or ``data-tracking-name`` (`PageIndex` reads those two): the relaunch root, the
#: classic body, the relaunch kicker, the classic breadcrumbs and share bar. Layout
#: detection and parsing would otherwise walk the divs of a page several times to find them.
MARKED_DIVS: tuple[tuple[str, str], ...] = (
    ("id", "root"),
    ("id", "bodyContent"),
    ("data-tracking-name", "content-detail-kicker"),
    ("id", "navPath"),
    ("id", "sharing-bar"),
)
_MARKED = frozenset(MARKED_DIVS)
_MARKED_IDS = tuple(v for a, v in MARKED_DIVS if a == "id")
_MARKED_HOOKS = tuple(v for a, v in MARKED_DIVS if a != "id")
#: libxml2's ID table: the first element (document order) whose ``id`` (or ``<a name>``) is
#: the value. One expression per value: without a variable to bind, a call costs less.
_BY_ID = {value: etree.XPath(f"id('{value}')") for value in _MARKED_IDS}
_scan = threading.local()
#: `PageIndex`'s "not known (yet)": compared by identity.
_ASK_THE_WALK: Any = object()


class PageIndex:
    """Lookups that layout detection and the layout parser share within one parse, as a
    context manager (``with PageIndex(root):``; the tree must not change meanwhile):

    - The `MARKED_DIVS`: one walk over the divs, lazy — it goes only as far as the match
      asked for (the relaunch root is the first div of a page, the kicker about the
      thirtieth) and serves every key at once.
    - With ``ids_indexed`` (the tree comes straight from `load_tree`, whose parser fills
      libxml2's ID table with every ``id`` attribute, first one wins) an ``id`` lookup asks
      the table first: no entry means no such element at all — on a classic page the walk
      would otherwise have to cover every div to prove there is no relaunch root — and an
      entry that is a div with that very ``id`` is the first such div. Anything else (an
      ``<a name>``, a span first) falls back to the walk. The page's first div is read
      before asking: the relaunch root is that div.
    - The text of the first script containing given markers (the Apollo state is sought
      by the layout check and read by the parser: decoded once).

    Outside the block, `LayoutParser.with_attr` and `LayoutParser.script_text` walk
    afresh on every call."""

    def __init__(self, root: HtmlElement, *, ids_indexed: bool = False) -> None:
        self.root = root
        self.ids_indexed = ids_indexed
        self._divs: Iterator[HtmlElement] | None = None  # the walk, begun when first needed
        self._walked = False
        self._by_id: dict[str, list[HtmlElement]] = {v: [] for v in _MARKED_IDS}
        self._by_hook: dict[str, list[HtmlElement]] = {v: [] for v in _MARKED_HOOKS}
        self._id_answers: dict[str, HtmlElement | None] = {}  # see `_first_div_with_id`
        self._first_div: HtmlElement | None = _ASK_THE_WALK  # read when first needed
        self._scripts: dict[tuple[str, ...], str | None] = {}
        self._previous: PageIndex | None = None

    def __enter__(self) -> PageIndex:
        self._previous = getattr(_scan, "index", None)
        _scan.index = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _scan.index = self._previous

    def marked_divs(self, attr: str, value: str) -> Iterator[HtmlElement]:
        """``//div[@attr=value]`` in document order, for a `MARKED_DIVS` key."""
        found = (self._by_id if attr == "id" else self._by_hook)[value]
        index = 0
        if attr == "id" and self.ids_indexed:
            first = self._first_div_with_id(value)
            if first is None:
                return
            if first is not _ASK_THE_WALK:
                yield first  # also the walk's first match, once it gets there
                index = 1
        while True:
            while index >= len(found) and not self._walked:
                self._walk_to_next_match()
            if index >= len(found):
                return
            yield found[index]
            index += 1

    def _first_div_with_id(self, value: str) -> HtmlElement | None:
        """The first div whose ``id`` is ``value``, None when no element has that id, or
        `_ASK_THE_WALK`. The page's first div (the relaunch root) is read directly: an
        XPath call costs several microseconds on a fresh document."""
        if value not in self._id_answers:
            if self._first_div is _ASK_THE_WALK:
                self._first_div = next(self.root.iter("div"), None)
            div = self._first_div
            if div is None or div.get("id") != value:
                hits = _BY_ID[value](self.root)
                div = hits[0] if hits else None
                if div is not None and (div.tag != "div" or div.get("id") != value):
                    div = _ASK_THE_WALK  # an <a name>, a span first: the walk knows
            self._id_answers[value] = div
        return self._id_answers[value]

    def _walk_to_next_match(self) -> None:
        if self._divs is None:
            self._divs = self.root.iter("div")
        for el in self._divs:
            # One attribute-name list per div instead of two attribute reads: most divs
            # carry neither attribute.
            names = el.keys()
            hit = False
            if "id" in names:
                found = self._by_id.get(el.get("id"))
                if found is not None:
                    found.append(el)
                    hit = True
            if "data-tracking-name" in names:
                found = self._by_hook.get(el.get("data-tracking-name"))
                if found is not None:
                    found.append(el)
                    hit = True
            if hit:
                return
        self._walked = True

    def script_text(self, needles: tuple[str, ...]) -> str | None:
        if needles not in self._scripts:
            self._scripts[needles] = _script_text(self.root, needles)
        return self._scripts[needles]


def _script_text(root: HtmlElement, needles: tuple[str, ...]) -> str | None:
    for script in root.iter("script"):
        text = script.text
        if text:
            for needle in needles:
                if needle in text:
                    return text
    return None


def _page_index(root: HtmlElement) -> PageIndex | None:
    index: PageIndex | None = getattr(_scan, "index", None)
    return index if index is not None and index.root is root else None


class LayoutParser:
    """One DW layout era. Subclasses set `LAYOUT`, implement `matches` (markup only, never the
    date or host) and `parse` (fill a `RawArticle`; `scraper.normalize.build_article` turns it
    into an `Article`)."""

    LAYOUT: ClassVar[str]

    def __init__(
        self, root: HtmlElement, url: str | None = None, fetched_at: dt.datetime | None = None
    ) -> None:
        self.root = root
        self.url = url
        self.fetched_at = fetched_at
        self._meta: dict[str, str] = {}
        self._metas: Iterator[HtmlElement] | None = None  # begun by the first `meta` call

    @classmethod
    def matches(cls, root: HtmlElement) -> bool:
        raise NotImplementedError

    def parse(self) -> RawArticle:
        raise NotImplementedError

    # -- small shared helpers -------------------------------------------------------------

    def first(self, xpath: etree.XPath, node: HtmlElement | None = None) -> Any:
        found = xpath(self.root if node is None else node)
        if isinstance(found, list):
            return found[0] if found else None
        return found

    @staticmethod
    def first_lazy(root: HtmlElement, path: str) -> HtmlElement | None:
        """The first match of an ElementPath, stopping there (XPath would scan the whole
        document before answering)."""
        return next(root.iterfind(path), None)

    @staticmethod
    def with_attr(root: HtmlElement, tag: str, attr: str, value: str) -> Iterator[HtmlElement]:
        """XPath ``//tag[@attr=value]`` (document order), lazily: lxml's tag-filtered `iter`
        walks the tree in C, only the few ``tag`` elements reach Python (an XPath ``//``
        step or an ElementPath predicate costs two to three times as much). Inside
        a `PageIndex` block, the `MARKED_DIVS` come from its shared lookups."""
        if tag == "div" and (attr, value) in _MARKED:
            index = _page_index(root)
            if index is not None:
                return index.marked_divs(attr, value)
        return (el for el in root.iter(tag) if el.get(attr) == value)

    @classmethod
    def with_id(cls, root: HtmlElement, tag: str, id_: str) -> Iterator[HtmlElement]:
        """XPath ``//tag[@id=id_]``, lazily (see `with_attr`)."""
        return cls.with_attr(root, tag, "id", id_)

    @staticmethod
    def first_descendant(scope: HtmlElement, tag: str, class_: str | None = None) -> Any:
        """The first match of XPath ``.//tag`` (with ``[xpath_class(class_)]``) under
        ``scope``, stopping there instead of collecting every match."""
        for el in scope.iterdescendants(tag):
            if class_ is None or has_xpath_class(el, class_):
                return el
        return None

    @staticmethod
    def under_marked(
        root: HtmlElement,
        tag: str,
        attr: str,
        value: str,
        inner: Callable[[HtmlElement], Iterable[Any]],
        whole: etree.XPath,
    ) -> list[Any]:
        """``whole`` is ``//tag[@attr=value]`` followed by a relative ``.//…`` path, which
        ``inner`` evaluates (the XPath or a walk that finds the same): find the marked
        container by C tag iteration and evaluate ``inner`` in it alone. With several
        containers (nested ones could interleave their matches) the whole-document XPath
        is the answer, so the result is always exactly ``whole``'s."""
        found = list(LayoutParser.with_attr(root, tag, attr, value))
        if not found:
            return []
        return list(inner(found[0]) if len(found) == 1 else whole(root))

    @staticmethod
    def canonical_hrefs(root: HtmlElement) -> Iterator[str]:
        """XPath ``//link[@rel='canonical']/@href``, without the XPath ``//`` step's cost,
        lazily (the first usable one is taken: the other links are not read)."""
        return (
            href
            for link in root.iter("link")
            if link.get("rel") == "canonical" and (href := link.get("href")) is not None
        )

    @staticmethod
    def script_text(root: HtmlElement, *needles: str) -> str | None:
        """The text of the first inline ``<script>`` that contains one of ``needles``."""
        index = _page_index(root)
        if index is not None:
            return index.script_text(needles)
        return _script_text(root, needles)

    #: The content of the first ``<meta>`` (document order) named ``$key`` by its ``name`` or
    #: ``property`` and having a ``content``: inside the first ``<head>``, else anywhere.
    #: (What `meta` answers; `tests/test_parser_walks.py` holds them to it.)
    _HEAD_META = etree.XPath(
        "(head[1]/descendant::meta[(@name=$key or @property=$key) and @content])[1]/@content",
        smart_strings=False,
    )
    _ANY_META = etree.XPath(
        "(descendant-or-self::meta[(@name=$key or @property=$key) and @content])[1]/@content",
        smart_strings=False,
    )

    def meta(self, key: str) -> str | None:
        """``<meta name=key>`` or ``<meta property=key>`` content (first one wins; see
        `_HEAD_META`). The metas are read in document order only as far as needed, each
        once for all keys: a classic head holds a hundred (``fb:pages``…), over which each
        XPath evaluation cost more than the rest of the head fields together."""
        if self._metas is None:
            head = next(self.root.iterchildren("head"), None)  # XPath head[1]
            self._metas = (self.root if head is None else head).iter("meta")
        while key not in self._meta:
            for el in self._metas:
                content = el.get("content")
                if content is None:
                    continue
                name = el.get("name")
                prop = el.get("property")
                if name is not None:
                    self._meta.setdefault(name, content)
                if prop is not None:
                    self._meta.setdefault(prop, content)
                if name == key or prop == key:
                    break
            else:
                break  # all read (a spent iterator stays spent: later calls read nothing)
        return self._meta.get(key)
