"""The fake DW site itself: the serve_site contract, canonical paths, gzip, standalone mode."""

from __future__ import annotations

import gzip
import subprocess
import sys
import urllib.request
from pathlib import Path

from scraper.testsite import FakeDWSite, canonical_path, serve_site

ROOT = Path(__file__).resolve().parent.parent


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def test_serve_site_yields_the_base_url_and_the_running_site() -> None:
    with serve_site() as base:
        assert base.startswith("http://127.0.0.1:")
        status, headers, body = get(base + "/robots.txt")
        assert status == 200 and b"Disallow: /private/" in body
        assert base.site.hits("/robots.txt") == 1
    # stopped: the port no longer answers
    try:
        get(base + "/robots.txt")
    except OSError:
        pass
    else:  # pragma: no cover - would mean the server leaked
        raise AssertionError("server still running")


def test_fixture_pages_are_served_at_their_canonical_paths() -> None:
    with FakeDWSite() as site:
        for path in site.page_paths():
            page = site.page(path)
            assert page is not None
            assert canonical_path(page.body) in (path, None)
        dw_pages = sorted((ROOT / "fixtures" / "dw").glob("*.html"))
        for file in dw_pages:
            path = canonical_path(file.read_bytes())
            assert path in site.page_paths(), file.name
        path = site.page_paths()[0]
        status, headers, body = get(site.base_url + path, **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == site.page(path).body
        assert headers["ETag"] and headers["Last-Modified"]


def test_synthetic_articles_vary_ids_and_are_listed() -> None:
    with FakeDWSite(extra_articles=3) as site:
        _, _, first = get(site.base_url + site.synthetic_path(0))
        _, _, second = get(site.base_url + site.synthetic_path(1))
        assert first != second
        assert b"a-95000001" in second and b"a-95000000" not in second
        _, _, sitemap = get(site.base_url + "/en/synthetic-sitemap.xml")
        assert sitemap.count(b"<loc>") == 3
        _, _, index = get(site.base_url + "/sitemap-index.xml")
        assert b"synthetic-sitemap.xml" in index


def test_standalone_server_prints_its_base_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper.testsite", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        status, _, body = get(base + "/xml/rss-en-all")
        assert status == 200 and b"<rss" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
