"""Bytes to an lxml tree: decoding and parsing, once per page.

The tree is built once per page with lxml (the fast path: a bare parse of a real DW page costs
1-2 ms); BeautifulSoup is used only for `UnicodeDammit` when bytes carry no usable encoding.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import Any

from lxml import etree
from lxml.etree import _Element as HtmlElement  # the layout parsers' name for tree elements

from scraper import charset
from scraper.errors import MalformedPageError, PageLimitError

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
#: libxml2 stops parsing a document nested deeper than 256 elements and returns the tree built
#: so far; it reports that as a resource limit (an internal error before 2.13), always, even
#: past its cap on reported errors.
_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_INTERNAL_ERROR = etree.ErrorTypes.ERR_INTERNAL_ERROR
_DEPTH_MESSAGE = "Excessive depth"
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
    """The codec a page without headers declares (`scraper.charset.detect`: a ``<meta>``
    charset in the first 4 KiB, else ``utf-8``; callers handle a BOM before asking)."""
    return charset.detect(html)


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
    spaces = _ASCII_SPACE.match(html)  # zero or more: it always matches
    start = spaces.end() if spaces else 0
    if start == len(html) or html[start] >= 0x80 or html[start : start + 5].lower() == b"<?xml":
        return None  # blank, non-ASCII leading character (maybe a space) or XML: general path
    parser = _parser()
    try:
        root = etree.fromstring(html, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    errors = parser.error_log
    _refuse_cut_tree(errors, url)
    if root is None or len(errors) >= _TRUSTED_LOG_SIZE:
        return None
    if any(entry.type == _BAD_UTF8 for entry in errors):
        return None  # not UTF-8 after all: the general path guesses the encoding
    return root


def _refuse_cut_tree(errors: Any, url: str | None) -> None:
    """`PageLimitError` when libxml2 gave up on the page (too deep) and left a cut tree."""
    for entry in errors:
        kind = entry.type  # the message is read only for the two kinds that can say "too deep"
        if kind == _RESOURCE_LIMIT or (kind == _INTERNAL_ERROR and _DEPTH_MESSAGE in entry.message):
            raise PageLimitError(f"page not parsed to its end: {entry.message.strip()}", url=url)


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
    parser = _parser()
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedPageError(f"HTML could not be parsed: {exc}", url=url) from exc
    _refuse_cut_tree(parser.error_log, url)
    if root is None:  # what `lxml.html.document_fromstring` reports as ParserError
        raise MalformedPageError("HTML could not be parsed: Document is empty", url=url)
    return root
