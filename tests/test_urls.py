"""URL helpers: canonical form, ids, types, short links."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper import urls


def test_strip_tracking_removes_maca_and_utm_keeps_others() -> None:
    url = "https://www.dw.com/de/x/a-65464327?maca=de-rss-de-all-1119-xml-mrss&utm_source=x&page=2#top"
    assert urls.strip_tracking(url) == "https://www.dw.com/de/x/a-65464327?page=2"


def test_canonicalize_percent_encodes_like_rel_canonical() -> None:
    url = "https://WWW.dw.com/de/russland-wahl-nadeschdin-setzt-auf-ein-ende-der-putin-ära/a-68117411?maca=x"
    assert urls.canonicalize(url) == (
        "https://www.dw.com/de/russland-wahl-nadeschdin-setzt-auf-ein-ende-der-putin-%C3%A4ra/a-68117411"
    )
    # already-encoded input stays as it is
    assert urls.canonicalize(urls.canonicalize(url)) == urls.canonicalize(url)


@pytest.mark.parametrize(
    ("url", "ctype", "dw_id"),
    [
        ("https://www.dw.com/en/putin-and-kim/a-66795338", "article", 66795338),
        ("https://www.dw.com/de/global-3000/av-42986168", "video", 42986168),
        ("https://www.dw.com/en/x/video-123", "video", 123),
        ("https://www.dw.com/en/x/g-5", "gallery", 5),
        ("https://www.dw.com/en/x/live-7", "liveblog", 7),
        ("https://www.dw.com/en/north-korea/t-17337005", None, 17337005),
        ("https://www.dw.com/en/", None, None),
    ],
)
def test_types_and_ids(url: str, ctype: str | None, dw_id: int | None) -> None:
    assert urls.content_type_from_url(url) == ctype
    assert urls.dw_content_id(url) == dw_id
    assert urls.is_content_url(url) is (ctype is not None)


def test_language_and_short_links() -> None:
    assert urls.language_from_url("https://www.dw.com/pt-br/x/a-1") == "pt-br"
    assert urls.language_from_url("https://www.dw.com/") is None
    assert urls.short_link_code("https://p.dw.com/p/4WGXq") == "4WGXq"
    assert urls.short_link_code("https://www.dw.com/p/4WGXq") is None
    assert urls.short_link("4WGXq") == "https://p.dw.com/p/4WGXq"
    assert urls.is_dw_host("rss.dw.com") and not urls.is_dw_host("evil-dw.com")


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["https://www.dw.com", "https://www.dw.com/", "HTTPS://www.dw.com/", ""]),
    st.lists(
        st.sampled_from(
            [
                "/",
                "en",
                "a-1",
                "?",
                "#",
                ";",
                " ",
                "\t",
                "\n",
                "\x00",
                "\x1f",
                "\x7f",
                "ä",
                "%2F",
                "[",
                "]",
                ":",
                "@",
                "//",
                "\u3000",
            ]  # fmt: skip
        ),
        max_size=10,
    ).map("".join),
)
def test_url_path_is_urlsplit_path(start: str, rest: str) -> None:
    url = start + rest
    try:
        expected = urlsplit(url).path
    except ValueError:
        with pytest.raises(ValueError):
            urls.url_path(url)
        return
    assert urls.url_path(url) == expected
