"""The parser's caps on hostile pages (`scraper.parsers.limits`): a page nested deeper than
libxml2 parses, or with more tags, blocks or text than any article, is refused with
`PageLimitError` (a `MalformedPageError`), never stored as a cut or empty article. The pages
come from the fault site; the memory bounds are measured in a subprocess (peak RSS), with at
least 3x headroom over what was measured (correctness checks, not benchmarks)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from scraper.errors import MalformedPageError, PageLimitError
from scraper.fetching import FetchOutcome
from scraper.normalize.text import clean_text, drop_controls
from scraper.parsers import ParseLimits, parse_page
from tests.support.cli import python
from tests.support.faultsite import FaultSite
from tests.support.fetch import fetch_one

URL = "https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"

#: Fetches a fault route and parses it in a fresh interpreter; prints one JSON line.
_PROBE = """
import json, resource, sys, time
from scraper.errors import PageLimitError
from scraper.fetching import FetchSettings, fetch_sync
from scraper.parsers import parse_page
result = fetch_sync(sys.argv[1], FetchSettings(per_host_delay=0.0))
started = time.monotonic()
try:
    parse_page(result.body, sys.argv[2])
    error = None
except PageLimitError as exc:
    error = exc.message
try:  # this process's own peak: ru_maxrss keeps the forking parent's across exec on Linux
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    peak_kib = int(hwm.split()[1])
except (OSError, StopIteration):
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "outcome": str(result.outcome), "error": error, "parse_s": time.monotonic() - started,
    "peak_mib": peak_kib / 1024,
}))
"""


def probe(url: str) -> dict[str, Any]:
    done = python("-c", _PROBE, url, URL, timeout=120, check=True)
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def fetched(site: FaultSite, route: str) -> bytes:
    result = fetch_one(site.base_url + route)
    assert result.outcome is FetchOutcome.OK and result.body is not None
    return result.body


def test_deep_nesting_is_refused_not_an_empty_article(shared_site: FaultSite) -> None:
    body = fetched(shared_site, "/_fault/deep-nesting?depth=100000")
    with pytest.raises(PageLimitError, match="tags, over the cap"):
        parse_page(body, URL)
    # under a tag cap that lets the tree be built, libxml2's depth stop is what refuses it
    with pytest.raises(PageLimitError, match="not parsed to its end: Excessive depth"):
        parse_page(body, URL, limits=ParseLimits(max_tags=10**7))
    with pytest.raises(PageLimitError, match="Excessive depth"):
        parse_page(body.decode(), URL, limits=ParseLimits(max_tags=10**7))


def test_an_article_nested_past_the_depth_limit_is_malformed(shared_site: FaultSite) -> None:
    """The real article with its body 300 divs deep: libxml2 would hand back the page cut
    where the nesting passes 256 (its text lost); the parse fails as malformed instead."""
    head, tail = shared_site.article_halves()
    assert parse_page(head + tail, URL).text  # the article itself parses
    deep = head + b"<div>" * 300 + b"<p>Deep down.</p>" + b"</div>" * 300 + tail
    with pytest.raises(MalformedPageError, match="Excessive depth"):
        parse_page(deep, URL)


def test_a_million_paragraphs_cost_a_byte_count(shared_site: FaultSite) -> None:
    started = time.monotonic()
    found = probe(shared_site.base_url + "/_fault/paragraphs?n=1000000")
    assert found["outcome"] == "ok"  # 8 MB: under the fetcher's size cap
    assert "tags, over the cap of 200000" in str(found["error"])
    assert float(found["parse_s"]) < 3.0
    assert float(found["peak_mib"]) < 250  # measured: ~75 MiB
    assert time.monotonic() - started < 60


def test_a_page_just_under_the_tag_cap_is_refused_by_its_blocks(shared_site: FaultSite) -> None:
    found = probe(shared_site.base_url + "/_fault/paragraphs?n=99000")
    assert "99035 blocks, over the cap of 10000" in str(found["error"])
    assert float(found["peak_mib"]) < 400  # measured: ~120 MiB


def test_text_and_block_caps(shared_site: FaultSite) -> None:
    head, tail = shared_site.article_halves()
    page = head + tail
    article = parse_page(page, URL)
    with pytest.raises(PageLimitError, match="characters, over the cap of 100"):
        parse_page(page, URL, limits=ParseLimits(max_text_chars=100))
    with pytest.raises(PageLimitError, match="blocks, over the cap of 2"):
        parse_page(page, URL, limits=ParseLimits(max_blocks=2))
    exact = ParseLimits(max_blocks=len(article.blocks), max_text_chars=len(article.text))
    assert parse_page(page, URL, limits=exact) == article


def test_control_characters_leave_every_text() -> None:
    assert clean_text("a\x00b\x07 c\x1b\x7f\x9f") == "ab c"
    assert clean_text("\x00") is None
    assert clean_text("line\x0bbreak\x1c") == "line break"  # whitespace controls: spaces
    assert drop_controls("https://www.dw.com/en/\x00x") == "https://www.dw.com/en/x"
    assert drop_controls("plain") == "plain"
