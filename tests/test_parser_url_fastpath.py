"""`absolute_url`'s string fast path for root-relative paths gives exactly what the general
path (``urljoin`` onto dw.com, then `canonicalize`) gives, for any href."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.parsers.common import DW_BASE, absolute_url
from scraper.urls import canonicalize, is_dw_host


def reference(href: str | None) -> str | None:
    """The general path alone: the reference for `absolute_url`'s fast path."""
    if not href or not href.strip():
        return None
    href = href.strip()
    if href.startswith(("javascript:", "#", "mailto:")):
        return None
    try:
        full = urljoin(DW_BASE, href)
    except ValueError:
        return None
    try:
        host = urlsplit(full).hostname or ""
    except ValueError:
        return full
    return canonicalize(full) if is_dw_host(host) and not host.startswith("static.") else full


#: Pieces that matter to URL joining: dot segments, empty segments, query, fragment,
#: params, percent-escapes (of "/" and "." too), tracking parameters, spaces, non-ASCII.
PIECES = st.sampled_from(
    ["/", ".", "..", "/.", "/..", "//", "a", "Z9", "-_~", "%2F", "%2E", "%C3%A4", "%zz", "?",
     "#", ";", "=", "&", "utm_source=x", "maca=1", ":", "@", "!$'()*+,", " ", "\t", "\\", "ä",
     "[", "http:", "javascript:"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(PIECES, max_size=10),
    st.sampled_from(["", "/", "https://static.dw.com", "https://static.dw.com/", "HTTPS://"]),
)
def test_fast_path_matches_urljoin_and_canonicalize(pieces: list[str], start: str) -> None:
    href = start + "".join(pieces)
    assert absolute_url(href) == reference(href)


def test_typical_dw_paths() -> None:
    for href in (
        "/image/1_303.jpg",
        "/en/gr%C3%BCner-wasserstoff/a-51170069",
        "/de/grüner-wasserstoff/a-51170069",
        "/en/a/../b/a-1",
        "/en//a-1",
        "/en/a-1?maca=x",
        "/",
        "https://static.dw.com/image/68117386_600.webp",
        "https://static.dw.com/image/a/../b_600.jpg",
        "https://static.dw.com//image",
    ):
        assert absolute_url(href) == reference(href)
    assert absolute_url("/image/1_303.jpg") == "https://www.dw.com/image/1_303.jpg"
