"""`run --max-duration` holds even while a batch is in flight: at the deadline the fetches in
flight are cancelled and their URLs handed back, so a slow server cannot keep a run past its
budget (issue: a 1 byte/s page kept `run --max-duration 10s` busy for 16 minutes)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.faultsite import FaultSite
from tests.support.runs import frontier_states, query, start

ARTICLES = 12
SLOW_S = 20.0  # each article page answers after this long


@pytest.fixture
def very_slow_site() -> Iterator[FaultSite]:
    with FaultSite(extra_articles=ARTICLES, article_delay=SLOW_S) as site:
        yield site


def test_max_duration_cancels_the_batch_in_flight(db_url: str, very_slow_site: FaultSite) -> None:
    args = [
        "run", "--db", db_url, "--site", very_slow_site.base_url, "--delay", "0",
        "--source", "sitemap", "--concurrency", "4", "--max-duration", "3s",
        "--lease-timeout", "10m", "--parse-workers", "0",
    ]  # fmt: skip
    began = time.monotonic()
    proc = start(*args)
    out, err = proc.communicate(timeout=120)
    elapsed = time.monotonic() - began
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    # Start-up and discovery take a few seconds here; without the cut the run would wait for
    # the slow pages (SLOW_S each), so the bound keeps 3x headroom below that.
    assert elapsed < SLOW_S * 0.6, f"the run took {elapsed:.1f}s"
    assert "stopped by max_duration" in out
    states = frontier_states(db_url)
    assert "leased" not in states and states.get("pending"), states  # handed back, not lost
    runs = query(db_url, "SELECT status FROM crawl_runs ORDER BY id")
    assert runs[-1][0] == "ok"
