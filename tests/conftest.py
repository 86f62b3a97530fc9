"""Shared test fixtures: where the real material lives and how to reach PostgreSQL.

Two environment switches, both set by `.ci/run`, turn skips into failures so CI can never go
green by skipping:
  DWSCRAPE_TEST_POSTGRES_URL   PostgreSQL server for storage tests (unset: those tests skip)
  DWSCRAPE_REQUIRE_SHARED=1    ../shared/dw-pages must exist (else tests using it fail)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.support.db", "tests.support.fetch", "tests.support.cli"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED_PAGES = ROOT.parent / "shared" / "dw-pages"
SHARED_SEED = ROOT.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def shared_pages() -> Path:
    """`../shared/dw-pages`: real DW pages (never copied into the project)."""
    if not SHARED_PAGES.is_dir():
        if os.environ.get("DWSCRAPE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{SHARED_PAGES} is missing but DWSCRAPE_REQUIRE_SHARED=1")
        pytest.skip(f"{SHARED_PAGES} not present")
    return SHARED_PAGES


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server URL from DWSCRAPE_TEST_POSTGRES_URL (tests skip when unset)."""
    url = os.environ.get("DWSCRAPE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DWSCRAPE_TEST_POSTGRES_URL not set")
    return url
