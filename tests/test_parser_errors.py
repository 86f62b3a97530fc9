"""Errors and degraded pages: what is raised, what becomes null plus a warning."""

from __future__ import annotations

import datetime as dt

import pytest
from structlog.testing import capture_logs

from scraper import parse_page
from scraper.errors import MalformedPageError, NotArticleError, NotDWPageError, ParseError
from scraper.render import article_to_text

RELAUNCH_MINIMAL = """<!doctype html><html lang="en"><head>
<link rel="canonical" href="https://www.dw.com/en/some-story/a-123">
</head><body><div id="root"><div id="main-content"></div><section><article>
<div class="content-area"><header>
<div class="kicker" data-tracking-name="content-detail-kicker"><span>Politics</span></div>
<h1>Some story</h1>
<span class="time-area"><span class="publication"><time aria-hidden="true">{time}</time></span></span>
</header>
<div class="rich-text"><p>First paragraph.</p><p class="vjs-no-js">Please enable JavaScript</p>
<p>Second&nbsp;paragraph.<br>ab/cd (dpa, AFP)</p></div>
<footer><div class="feedback">Send us your feedback!</div></footer>
</div></article></section></div></body></html>"""


def test_not_dw_page() -> None:
    with pytest.raises(NotDWPageError) as info:
        parse_page(
            b"<html><body><h1>Hello</h1><p>World</p></body></html>", url="https://example.com/"
        )
    assert "looked for div#root" in str(info.value)
    assert info.value.url == "https://example.com/"


@pytest.mark.parametrize("data", [b"", b"  \n ", ""])
def test_empty_input(data: bytes | str) -> None:
    with pytest.raises(MalformedPageError):
        parse_page(data)


def test_wrong_type_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_page(12345)  # type: ignore[arg-type]


def test_topic_page_is_not_an_article() -> None:
    page = RELAUNCH_MINIMAL.format(time="13.09.2023").replace("/a-123", "/t-17284476")
    with pytest.raises(NotArticleError) as info:
        parse_page(page)
    assert "t-" in str(info.value)


def test_relaunch_without_embedded_json_uses_dom_and_warns() -> None:
    with capture_logs() as logs:
        article = parse_page(RELAUNCH_MINIMAL.format(time="09/13/2023"))
    assert article.layout == "relaunch"
    assert article.published_at == dt.date(2023, 9, 13)  # visible date, day precision
    assert article.title == "Some story"
    assert article.text == "First paragraph.\n\nSecond paragraph."
    assert article.credit_line is not None and article.credit_line.raw == "ab/cd (dpa, AFP)"
    assert article.agencies == ("dpa", "AFP")
    # Missing fields are null plus a warning naming them, and a structlog event each.
    assert article.teaser is None and article.short_url is None
    assert "field missing: teaser" in article.warnings
    assert "field missing: short_url" in article.warnings
    missing = {e["field"] for e in logs if e["event"] == "parse.field_missing"}
    assert {"teaser", "short_url"} <= missing
    assert "Please enable" not in article.text and "feedback" not in article.text


def test_relative_date_needs_fetched_at() -> None:
    page = RELAUNCH_MINIMAL.format(time="2 hours ago")
    with_ref = parse_page(page, fetched_at=dt.datetime(2023, 9, 13, 12, 0, tzinfo=dt.UTC))
    assert with_ref.published_at == dt.datetime(2023, 9, 13, 10, 0, tzinfo=dt.UTC)
    without = parse_page(page)
    assert without.published_at is None
    assert any("relative date" in w for w in without.warnings)
    assert "field missing: published_at" in without.warnings


def test_embedded_json_wins_over_visible_relative_date() -> None:
    page = RELAUNCH_MINIMAL.format(time="2 hours ago").replace(
        "</head>",
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":'
        '"2023-09-13T05:41:00.000Z","headline":"Some story "}</script></head>',
    )
    article = parse_page(page)
    assert article.published_at == dt.datetime(2023, 9, 13, 5, 41, tzinfo=dt.UTC)
    assert not any("relative" in w for w in article.warnings)


def test_bytes_in_other_encodings() -> None:
    page = RELAUNCH_MINIMAL.format(time="13.09.2023").replace("Some story", "Größere Geschichte")
    as_str = parse_page(page)
    declared = page.replace("<head>", '<head><meta charset="iso-8859-1">')
    assert parse_page(declared.encode("iso-8859-1")).title == "Größere Geschichte"
    assert parse_page(page.encode("utf-16")).title == as_str.title  # BOM
    undeclared = parse_page(page.encode("cp1252"))  # no declaration, not UTF-8
    assert undeclared.title == "Größere Geschichte"


def test_render_text() -> None:
    article = parse_page(RELAUNCH_MINIMAL.format(time="13.09.2023"))
    text = article_to_text(article)
    assert text.startswith("POLITICS\nSome story\n")
    assert "First paragraph." in text and "ab/cd (dpa, AFP)" in text
    assert "Warnings:" in text


def test_live_blog_and_relaunch_video_types() -> None:
    live = parse_page(RELAUNCH_MINIMAL.format(time="13.09.2023").replace("/a-123", "/live-123"))
    assert (live.content_type, live.dw_id) == ("liveblog", 123)
    video_page = (
        RELAUNCH_MINIMAL.format(time="13.09.2023")
        .replace("/a-123", "/video-456")
        .replace(
            "</body>",
            '<script>window.__APOLLO_STATE__={"ROOT_QUERY":{"content({\\"id\\":456,\\"lang\\":\\"ENGLISH\\"})":'
            '{"__ref":"Video:456"}},"Video:456":{"__typename":"Video","id":456,"language":"ENGLISH",'
            '"title":"Some story","mp4Src":"https://tvdownloaddw-a.akamaihd.net/x_sd_avc.mp4",'
            '"duration":95,"firstPublicationDate":"2023-09-13T05:41:00.000Z"}};</script></body>',
        )
    )
    video = parse_page(video_page)
    assert (video.content_type, video.language) == ("video", "en")
    assert video.published_at == dt.datetime(2023, 9, 13, 5, 41, tzinfo=dt.UTC)
    assert [(v.url, v.duration_s) for v in video.videos] == [
        ("https://tvdownloaddw-a.akamaihd.net/x_sd_avc.mp4", 95)
    ]
    assert video.blocks[0].type == "video"
