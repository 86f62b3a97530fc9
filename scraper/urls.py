"""DW URL knowledge in one place: canonical form, content id, page type, language, short links.

Used by the parser (canonical URL, dw_id), discovery (which URLs are content, tracking queries
stripped) and storage (URL aliases). Pure functions, no network.

DW URLs look like ``https://www.dw.com/{lang}/{slug}/{type}-{id}``; short links like
``https://p.dw.com/p/{code}``. See ``../shared/dw-markup.md``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from scraper.article import ContentType

DW_HOST = "www.dw.com"
SHORT_LINK_HOST = "p.dw.com"

#: Query parameters that only track where a click came from; never part of a canonical URL.
TRACKING_PARAMS = frozenset(
    {"maca", "ref", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "xtor"}
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")

#: Page-type prefix of the last path segment -> content type of the record.
CONTENT_PREFIXES: dict[str, ContentType] = {
    "a": "article",
    "av": "video",  # classic video/audio page; audio is told apart by the markup
    "video": "video",
    "audio": "audio",
    "g": "gallery",
    "live": "liveblog",
}
#: DW pages that are not article-like (topic, section, author, programme pages).
NON_CONTENT_PREFIXES = frozenset({"t", "s", "person", "program", "p", "show"})

#: Characters a canonical path keeps unencoded (DW's ``link[rel=canonical]`` form).
PATH_SAFE = "/-._~!$&'()*+,;=:@"

_TYPE_ID = re.compile(r"^(?P<type>[a-z]+)-(?P<id>\d+)$")
#: An https://www.dw.com URL whose path ends the URL: no query, fragment, control
#: character or space (which `urlsplit` strips at the ends or removes).
_PLAIN_DW_URL = re.compile(r"https://www\.dw\.com(/[^?#\x00-\x20]*)?")
_SHORT_PATH = re.compile(r"^/p/(?P<code>[A-Za-z0-9]+)/?$")
#: The ``user:pass@`` of a URL with an authority (up to the last ``@`` before the path).
_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,4})?$")  # en, pt-br, zh-hant, pt-002


def is_dw_host(host: str | None) -> bool:
    """True for dw.com and any of its subdomains (www, p, rss, static, …)."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return host == "dw.com" or host.endswith(".dw.com")


def strip_userinfo(url: str) -> str:
    """``url`` without its ``user:pass@``: credentials in a URL are never sent, stored or
    printed (only the URL's text is looked at, so it works on any string)."""
    if "@" not in url:
        return url
    return _USERINFO.sub(r"\1", url, count=1)


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters (``?maca=…``, ``utm_*``) and the fragment."""
    parts = urlsplit(url.strip())
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def canonicalize(url: str) -> str:
    """The canonical form of a URL: credentials and tracking stripped, lower-case scheme and
    host, path percent-encoded as DW's ``link[rel=canonical]`` has it (``%C3%A4`` for ``ä``)."""
    parts = urlsplit(strip_tracking(strip_userinfo(url)))
    path = quote(unquote(parts.path), safe=PATH_SAFE)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def url_path(url: str) -> str:
    """``urlsplit(url).path`` (raising as it does), read straight off a plain DW URL (the
    parser asks three or four times a page; `urlsplit` costs a few microseconds)."""
    plain = _PLAIN_DW_URL.fullmatch(url)
    if plain:
        return plain[1] or ""
    return urlsplit(url).path


def type_and_id(url: str) -> tuple[str, int] | None:
    """(``"a"``, 65464327) for ``…/a-65464327``; None when the last segment is no ``type-id``
    (or the URL cannot even be split, e.g. a bracketed host that is no IP address)."""
    try:
        path = url_path(url).rstrip("/")
    except ValueError:
        return None
    match = _TYPE_ID.match(path.rsplit("/", 1)[-1])
    if not match:
        return None
    return match["type"], int(match["id"])


def dw_content_id(url: str) -> int | None:
    """DW's numeric content id from a content URL, else None."""
    found = type_and_id(url)
    return found[1] if found else None


def content_type_from_url(url: str) -> ContentType | None:
    """The record's content type by URL prefix (``a-`` article, ``av-`` video, …) or None."""
    found = type_and_id(url)
    return CONTENT_PREFIXES.get(found[0]) if found else None


def is_content_url(url: str) -> bool:
    """True for article-like pages (``a-``, ``av-``, ``video-``, ``audio-``, ``g-``, ``live-``)."""
    return content_type_from_url(url) is not None


def language_from_url(url: str) -> str | None:
    """The language segment of a DW path (``/en/…`` -> ``en``, ``/pt-br/…`` -> ``pt-br``)."""
    try:
        segments = [s for s in url_path(url).split("/") if s]
    except ValueError:  # not splittable (a bracketed host that is no IP address)
        return None
    if len(segments) >= 2 and _LANG.match(segments[0]):
        return segments[0]
    return None


def short_link_code(url: str) -> str | None:
    """``4WGXq`` for ``https://p.dw.com/p/4WGXq``; None for anything else."""
    parts = urlsplit(url.strip())
    if parts.netloc.lower() != SHORT_LINK_HOST:
        return None
    match = _SHORT_PATH.match(parts.path)
    return match["code"] if match else None


def is_short_link(url: str) -> bool:
    return short_link_code(url) is not None


def short_link(code: str) -> str:
    """The canonical short link for a code (always https)."""
    return f"https://{SHORT_LINK_HOST}/p/{code}"
