"""The canonical URL, in both layouts: the canonical link as written; else the first dw.com
URL the rest of the markup names (`LayoutParser.named_urls`), in its order of trust; else the
URL the page was fetched from; canonicalised and on https. Real fixture pages, their names
taken out or pointed off dw.com one by one, each given an id of its own so that the test
knows which one answered."""

from __future__ import annotations

import re

from conftest import FIXTURES

from scraper import parse_page

RELAUNCH = FIXTURES / "dw" / "en_relaunch_2024-03-12_night-trains.html"
CLASSIC = FIXTURES / "dw" / "en_classic_2020-07-14_floating-solar.html"
TRAINS = "/en/why-europes-night-trains-are-making-a-comeback/a-68502977"
SOLAR = "/en/hamburg-turns-harbor-basin-into-floating-solar-farm/a-54161288"
FETCHED_FROM = "http://www.dw.com/en/fetched-from/a-1"


def replaced(html: bytes, old: str, new: str) -> bytes:
    assert html.count(old.encode()) == 1, old  # the page says it once: this is the one
    return html.replace(old.encode(), new.encode())


def dropped(html: bytes, pattern: bytes) -> bytes:
    html, count = re.subn(pattern, b"", html)
    assert count == 1, pattern
    return html


def canonical(html: bytes) -> str | None:
    return parse_page(html, FETCHED_FROM).canonical_url


def test_relaunch_takes_the_link_then_what_the_markup_names_then_the_fetched_url() -> None:
    link = 'canonical" href="https://www.dw.com'
    html = replaced(RELAUNCH.read_bytes(), f"{link}{TRAINS}", f"{link}/en/as-written/a-10")
    assert canonical(html) == "https://www.dw.com/en/as-written/a-10"
    html = dropped(html, rb'<link[^>]*rel="canonical"[^>]*>')
    html = replaced(
        html, f'content="https://www.dw.com{TRAINS}', 'content="http://www.dw.com/en/og/a-11'
    )
    assert canonical(html) == "https://www.dw.com/en/og/a-11"
    html = dropped(html, rb'<meta[^>]*property="og:url"[^>]*>')
    embedded = '"canonicalUrl":"https://www.dw.com'
    html = replaced(html, f"{embedded}{TRAINS}", f"{embedded}/en/embedded/a-12")
    assert canonical(html) == "https://www.dw.com/en/embedded/a-12"
    html = replaced(
        html, '"canonicalUrl":"https://www.dw.com', '"canonicalUrl":"https://example.org'
    )
    html = replaced(
        html, f'"@id":"https://www.dw.com{TRAINS}', '"@id":"https://www.dw.com/en/ld/a-13'
    )
    assert canonical(html) == "https://www.dw.com/en/ld/a-13"
    html = replaced(html, '"@id":"https://www.dw.com/en/ld', '"@id":"https://example.org/en/ld')
    html = replaced(html, f'"namedUrl":"{TRAINS}', '"namedUrl":"/en/named/a-14')
    assert canonical(html) == "https://www.dw.com/en/named/a-14"
    html = replaced(html, '"namedUrl":"/en/named/a-14', '"namedUrl":"https://example.org/a-14')
    assert canonical(html) == "https://www.dw.com/en/fetched-from/a-1"


def test_classic_takes_the_link_then_og_url_then_the_tracking_url_on_https() -> None:
    html = CLASSIC.read_bytes()
    assert canonical(html) == f"https://www.dw.com{SOLAR}"
    html = dropped(html, rb'<link rel="canonical"[^>]*>')
    html = replaced(
        html, f'content="https://www.dw.com{SOLAR}', 'content="https://www.dw.com/en/og/a-21'
    )
    assert canonical(html) == "https://www.dw.com/en/og/a-21"
    html = dropped(html, rb'<meta property="og:url"[^>]*>')
    # the tracking object's fullUrl: percent-encoded, and http://
    assert canonical(html) == f"https://www.dw.com{SOLAR}"
    html = replaced(html, 'fullUrl: "http%3A%2F%2Fwww.dw.com', 'fullUrl: "http%3A%2F%2Fexample.org')
    assert canonical(html) == "https://www.dw.com/en/fetched-from/a-1"
