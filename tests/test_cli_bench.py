"""Smoke test of benchmarks/ingest_bench.py: a tiny run completes and reports sane figures."""

from __future__ import annotations

import json
import os

from tests.support.cli import python


def test_ingest_bench_smoke() -> None:
    proc = python("benchmarks/ingest_bench.py", "--size", "30", "--json", timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    names = [r["database"] for r in report["results"]]
    assert names[0] == "sqlite"
    if os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"):
        assert names == ["sqlite", "postgresql"]
    for r in report["results"]:
        assert r["articles"] >= 30
        assert r["articles_per_s"] > 0 and r["peak_rss_mib"] > 10
        assert r["rerun_new_or_changed"] == 0
        assert r["rerun_not_modified"] >= r["articles"]
