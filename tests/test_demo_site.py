"""The demo site as shipped: DW-shaped pages, feeds and short links on loopback, and nothing
hostile (the fault routes exist only in the tests' `FaultSite`)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from scraper.demo import DemoSite, serve_site
from scraper.demo.site import DW_PAGES, canonical_path
from tests.support.cli import ROOT
from tests.support.faultsite import FaultSite


def status_of(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_demo_site_serves_its_pages_feeds_and_short_links() -> None:
    with serve_site() as base:
        site = base.site
        assert isinstance(site, DemoSite) and not isinstance(site, FaultSite)
        status, feed = status_of(base + "/xml/rss-en-all")
        assert status == 200
        english = [p for p in site.page_paths() if p.startswith("/en/") and "/a-" in p]
        assert english and all(path.encode() in feed for path in english)
        status, body = status_of(base + "/p/4FAKE1")  # followed to the article
        assert status == 200 and canonical_path(body) == "/en/germany-tests-the-fake-site/a-9000001"


def test_the_demo_site_has_no_fault_routes() -> None:
    with serve_site() as base:
        for route in ("gzip-bomb", "xxe", "status?code=500", "slow"):
            status, _ = status_of(f"{base}/_fault/{route}")
            assert status == 404, route
        assert status_of(base + "/xml/rss-en-broken")[0] == 404


def test_the_golden_pages_are_served_from_the_one_copy_in_fixtures() -> None:
    golden = sorted(p.name for p in (ROOT / "fixtures" / "dw").glob("*.html"))
    assert sorted(p.name for p in DW_PAGES.glob("*.html")) == golden
    for name in golden:
        assert (DW_PAGES / name).read_bytes() == (ROOT / "fixtures" / "dw" / name).read_bytes()


def test_the_fault_site_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultSite(host="0.0.0.0")
