"""Smoke tests of the nginx benchmarks (`ingest_bench.py --compare/--sweep/--workers`,
`reparse_bench.py`, `export_bench.py`): at tiny sizes they run and every page they claim to
measure was handled. Speeds are not checked (machine-bound). Skipped where nginx is not
installed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import python

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx is not installed"
)


def _bench(*args: str) -> Any:
    proc = python(*args, "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_sweep_measures_run_and_crawl_at_each_size() -> None:
    report = _bench(
        "benchmarks/ingest_bench.py", "--sweep", "8,24", "--parse-workers", "0,1", "--no-postgres"
    )
    rows = report["sweep"]
    keys = {(p, w) for p in ("run", "crawl") for w in (0, 1)}
    assert {(r["path"], r["parse_workers"], r["size"]) for r in rows} == {
        (p, w, n) for p, w in keys for n in (8, 24)
    }
    for r in rows:
        assert r["pages"] == r["size"] and r["database"] == "sqlite" and r["peak_rss_mib"] > 10
        if r["parse_workers"]:
            assert r["children"] >= 1 and r["child_peak_rss_mib"] > 10
    assert {(g["path"], g["parse_workers"], g["from"], g["to"]) for g in report["growth"]} == {
        (p, w, 8, 24) for p, w in keys
    }
    speed = {(t["path"], t["parse_workers"]): t for t in report["throughput"]}
    assert set(speed) == keys
    for (_, w), t in speed.items():
        assert t["pages_per_s"] > 0 and ("ratio" in t) == (w == 1)
        if w == 1:
            assert t["ratio"] > 0


def test_compare_puts_run_and_crawl_beside_the_floor_on_one_and_all_cores() -> None:
    report = _bench(
        "benchmarks/ingest_bench.py", "--compare", "--size", "24", "--parse-workers", "0,1",
        "--no-postgres",
    )  # fmt: skip
    rows = report["compare"]
    cores = os.cpu_count() or 1
    floors = ["-"] + ([f"{cores} proc"] if cores > 1 else [])
    assert [(r["path"], r["parse_workers"]) for r in rows] == [
        *(("floor", f) for f in floors),
        ("run", 0),
        ("run", 1),
        ("crawl", 0),
        ("crawl", 1),
    ]
    assert all(r["pages"] == 24 and r["pages_per_s"] > 0 for r in rows)
    speedups = {s["path"]: s for s in report["all_cores"]}
    assert set(speedups) == {"run", "crawl"} | ({"floor"} if cores > 1 else set())
    for path, s in speedups.items():
        mine = [r for r in rows if r["path"] == path]
        assert s["speedup"] == round(mine[-1]["pages_per_s"] / mine[0]["pages_per_s"], 2)


@pytest.mark.skipif(not os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
def test_workers_share_the_frontier_exactly_once() -> None:
    report = _bench("benchmarks/ingest_bench.py", "--workers", "1,2", "--size", "16")
    assert [r["workers"] for r in report["workers"]] == [1, 2]
    for r in report["workers"]:
        assert r["exactly_once"] and r["pages"] == 16
        assert len(r["fetched_per_worker"]) == r["workers"]


def test_reparse_bench_reparses_every_stored_page() -> None:
    report = _bench("benchmarks/reparse_bench.py", "--pages", "12", "--rounds", "1")
    paths = {r["path"]: r for r in report["results"]}
    assert set(paths) == {"floor", "reparse --workers 1", "reparse --workers 2"}
    assert all(r["pages"] == 12 and r["vs_floor"] > 0 for r in paths.values())


def test_export_bench_writes_every_row() -> None:
    report = _bench("benchmarks/export_bench.py", "--pages", "12", "--rounds", "1")
    assert [(r["path"], r["rows"]) for r in report["results"]] == [
        ("floor", 12),
        ("export --format jsonl", 12),
    ]


def test_ingest_budget_times_every_stage_on_both_sides() -> None:
    report = _bench("benchmarks/ingest_budget.py", "--pages", "16", "--rounds", "1")
    stages = {r["stage"]: r for r in report["stages"]}
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("DWSCRAPE_TEST_POSTGRES_URL") else [])
    expected = {"fetch", "parse", "pack", "start-up"}
    expected |= {f"{kind} ({b})" for b in backends for kind in ("store", "total")}
    assert set(stages) == expected
    for row in stages.values():
        assert row["dwscrape"] > 0 and row["floor"] > 0
        assert row["ratio"] == pytest.approx(row["dwscrape"] / row["floor"], rel=0.05)
