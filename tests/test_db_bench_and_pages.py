"""The storage benchmark runs (tiny sizes), and real parsed DW pages store and round-trip."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from db.repository import Repository
from db.search import POSTGRES_NO_SPACE_REGEX
from tests.support.cli import python


def test_store_bench_smoke() -> None:
    args = [
        str(ROOT / "benchmarks" / "store_bench.py"),
        "--json",
        "--articles",
        "30",
        "--search-articles",
        "60",
        "--single",
        "5",
        "--repeat",
        "2",
    ]
    done = python(*args, timeout=240, check=True)
    result = json.loads(done.stdout)
    backends = result["backends"]
    assert "sqlite" in backends
    if os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"):
        assert "postgresql" in backends
    for entry in backends.values():
        assert entry["upsert"]["articles"] == 30 and entry["upsert"]["new_per_s"] > 0
        for cls in ("rare", "medium", "common", "rare+filters", "medium+filters", "common+filters"):
            assert entry["search"][cls]["p95_ms"] >= entry["search"][cls]["p50_ms"] > 0
        assert entry["search"]["common"]["max_hits"] == 20  # every record has the common word


def test_store_bench_keeps_and_reuses_the_search_database() -> None:
    """--keep leaves the built search database in place and names it; --reuse measures it
    again without building (here on SQLite: the file outside the run's temporary directory)."""
    bench = [str(ROOT / "benchmarks" / "store_bench.py"), "--json"]
    small = ["--sqlite-only", "--articles", "0", "--search-articles", "40", "--repeat", "1"]
    done = python(*bench, *small, "--keep", timeout=240, check=True)
    kept = json.loads(done.stdout)["backends"]["sqlite"]
    url = kept["search"]["database"]
    path = Path(url.removeprefix("sqlite:///"))
    try:
        assert "upsert" not in kept and path.is_file()
        done = python(*bench, "--reuse", url, "--repeat", "1", timeout=240, check=True)
        again = json.loads(done.stdout)["backends"]["sqlite"]["search"]
        assert again["articles"] == 40 and "build_s" not in again
        assert again["medium"]["max_hits"] == kept["search"]["medium"]["max_hits"] >= 1
        assert path.is_file()  # never dropped by --reuse
    finally:
        shutil.rmtree(path.parent)


def test_partial_trigram_predicate_matches_the_migration() -> None:
    path = next((ROOT / "migrations" / "versions").glob("*_0001_initial_schema.py"))
    spec = importlib.util.spec_from_file_location("initial_schema", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.POSTGRES_NO_SPACE_REGEX == POSTGRES_NO_SPACE_REGEX


def real_pages(shared: Path) -> list[Path]:
    """Every article page: golden fixtures with an expected record (the topic and non-DW pages
    have none and are meant to fail parsing) and the real pages in ../shared."""
    golden = [
        p for p in sorted((FIXTURES / "dw").glob("*.html")) if p.with_suffix(".json").exists()
    ]
    return golden + sorted(shared.glob("*.html"))


def test_real_parsed_pages_store_and_round_trip(repo: Repository, shared_pages: Path) -> None:
    parse_page = pytest.importorskip("scraper.parsers").parse_page
    stored = 0
    for page in real_pages(shared_pages):
        html = page.read_bytes()
        article = parse_page(html)
        first = repo.store_article(article, raw_html=html)
        assert first.status == "new", page.name
        assert repo.store_article(article, raw_html=html).status == "unchanged"
        back = repo.find_article(article.canonical_url or article.url)
        assert back is not None and back.article == article, page.name
        assert repo.get_raw_page(back.raw_page_sha256 or "") == html
        stored += 1
    assert stored >= 5
    # a word of a real German page is found by search
    hits = repo.search("Nadeschdin", lang="de")
    assert hits and "«Nadeschdin»" in hits[0].snippet
