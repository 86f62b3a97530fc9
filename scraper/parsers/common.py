"""Helpers both DW layouts use: URLs, short links, languages, durations, the credit line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from scraper.article import CreditLine
from scraper.errors import NotArticleError
from scraper.normalize.build import RawBlock
from scraper.normalize.credits import parse_credit_line
from scraper.normalize.text import clean_text
from scraper.urls import (
    NON_CONTENT_PREFIXES,
    PATH_SAFE,
    canonicalize,
    is_dw_host,
    language_from_url,
    short_link,
    type_and_id,
)

DW_BASE = "https://www.dw.com/"
DW_ORIGIN = "https://www.dw.com"
STATIC_ORIGIN = "https://static.dw.com"
#: A root-relative path of printable ASCII with no ``?``, ``#``, ``;`` (params), ``\\``
#: or empty segment: what `urljoin` leaves as it is (dot segments are tested apart).
_PLAIN_DW_PATH = re.compile(r"/(?:[A-Za-z0-9_.~%!$&'()*+,=:@-]+/)*[A-Za-z0-9_.~%!$&'()*+,=:@-]*")
_SHORT_IN_TEXT = re.compile(r"p\.dw\.com/p/([A-Za-z0-9]+)")
_LANG_ATTR = re.compile(r"^[a-z]{2,3}(?:[-_][a-z]{2,4})?$", re.I)

#: Apollo entity types of pages that are not article-like.
NON_CONTENT_TYPENAMES = frozenset(
    {"AutoTopic", "Navigation", "Person", "Program", "UnifiedProgram", "Topic", "Section"}
)


def absolute_url(href: str | None) -> str | None:
    """An absolute URL for a DW-relative ``href`` (``/image/1_303.jpg``); path-encoded when
    it points at dw.com so author and image URLs compare equal across pages."""
    if not href or not href.strip():
        return None
    href = href.strip()
    if href.startswith(("javascript:", "#", "mailto:")):
        return None
    if _PLAIN_DW_PATH.fullmatch(href) and "/." not in href:
        # The common case, a root-relative path without query, fragment, params, "//" or
        # dot segments: `urljoin` then `canonicalize` give "https://www.dw.com" + the path
        # percent-encoded, which is what this builds without splitting the URL four times.
        return DW_ORIGIN + quote(unquote(href), safe=PATH_SAFE)
    if href.startswith(STATIC_ORIGIN) and _PLAIN_DW_PATH.fullmatch(href, len(STATIC_ORIGIN)):
        # An image URL as the page has it (srcset, data-url): `urljoin` hands back any URL
        # with a host unchanged, and static.dw.com is not canonicalised.
        return href
    try:
        full = urljoin(DW_BASE, href)
    except ValueError:  # "Invalid IPv6 URL": a stray "[" in the host part
        return None
    try:
        host = urlsplit(full).hostname or ""
    except ValueError:
        return full
    return canonicalize(full) if is_dw_host(host) and not host.startswith("static.") else full


def canonical_or_none(url: str | None) -> str | None:
    """`canonicalize` for a dw.com URL; None for anything else (or nothing)."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not is_dw_host(parts.hostname):
        return None
    return canonicalize(url)


def reject_non_content(
    page_url: str | None, typename: Any = None, *, url: str | None = None
) -> None:
    """Raise `NotArticleError` for DW topic, section, author and programme pages, judged by
    the page's canonical URL type and the embedded content's type name."""
    err_url = url
    if isinstance(typename, str) and typename in NON_CONTENT_TYPENAMES:
        raise NotArticleError(
            f"not an article-like page: the embedded content is of type {typename} "
            "(looked for Article, Video, Audio, ImageGallery or Liveblog)",
            url=err_url,
        )
    found = type_and_id(page_url) if page_url else None
    if found and found[0] in NON_CONTENT_PREFIXES:
        raise NotArticleError(
            f"not an article-like page: URL type '{found[0]}-' (looked for a-, av-, video-, "
            "audio-, g- or live- pages)",
            url=err_url,
        )


def short_url_from(candidates: Iterable[str | None]) -> str | None:
    """The first ``p.dw.com/p/CODE`` found in any candidate text or URL, as the canonical
    https short link."""
    for candidate in candidates:
        if not candidate:
            continue
        match = _SHORT_IN_TEXT.search(candidate)
        if match:
            return short_link(match.group(1))
    return None


def language_code(*candidates: str | None) -> str | None:
    """The page language: the first DW URL language segment among the candidates, else a
    ``lang`` attribute value (``de``, ``pt-BR`` -> ``pt-br``)."""
    found = url_language(*candidates)
    if found:
        return found
    for candidate in candidates:
        if candidate and "/" not in candidate and _LANG_ATTR.match(candidate.strip()):
            return candidate.strip().lower().replace("_", "-")
    return None


def url_language(*candidates: str | None) -> str | None:
    """The first DW URL language segment among the candidates (`language_code`'s first
    choice)."""
    for candidate in candidates:
        if candidate and "/" in candidate:
            found = language_from_url(candidate)
            if found:
                return found
    return None


_SECONDS = re.compile(r"\d+(?:\.\d+)?")
_ISO_DURATION = re.compile(r"P(?:T)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", re.I)
_CLOCK_DURATION = re.compile(r"\b(?:(\d{1,2}):)?(\d{1,3}):(\d{2})\b")


def duration_seconds(value: Any) -> int | None:
    """Seconds from ``137``, ``"137"``, ``"PT26M1S"``, ``"26:01"``, ``"26:01 Min."``,
    ``"1:02:03"``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    text = clean_text(str(value)) or ""
    if _SECONDS.fullmatch(text):
        return int(float(text))
    m = _ISO_DURATION.fullmatch(text)
    if m and any(m.groups()):
        return int(m[1] or 0) * 3600 + int(m[2] or 0) * 60 + int(float(m[3] or 0))
    if m := _CLOCK_DURATION.search(text):
        return int(m[1] or 0) * 3600 + int(m[2]) * 60 + int(m[3])
    return None


def extract_credit_line(blocks: list[RawBlock]) -> CreditLine | None:
    """Find DW's closing credit line where it ends the body and take it out of ``blocks``.

    The line is recognised by its shape (`scraper.normalize.credits.parse_credit_line`), looking at
    the last text block, past trailing images and videos; it may also be the last line of
    the last paragraph after a ``<br>``. Returns the line parsed (recognising it is parsing
    it), or None.
    """
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.type in ("image", "video"):
            continue
        if block.type != "paragraph" or not block.text:
            return None
        parsed = parse_credit_line(block.text)
        if parsed is not None:
            del blocks[index]
            return parsed
        lines = [line for line in block.text.splitlines() if line.strip()]
        if len(lines) > 1 and (parsed := parse_credit_line(lines[-1])) is not None:
            block.text = "\n".join(lines[:-1])
            block.cleaned = None
            return parsed
        return None
    return None


def nonblank(value: Any) -> str | None:
    """``value`` when it is a string with something in it (embedded JSON values)."""
    return value if isinstance(value, str) and value.strip() else None
