"""The fetch benchmark runs end to end at a tiny size and reports what it claims."""

from __future__ import annotations

import json

from tests.support.cli import python


def test_fetch_bench_smoke() -> None:
    out = python(
        "benchmarks/fetch_bench.py",
        "--pages",
        "20",
        "--memory-pages",
        "40",
        "--concurrency",
        "1,4",
        "--json",
        timeout=120,
        check=True,
    )
    report = json.loads(out.stdout)
    assert [r["concurrency"] for r in report["runs"]] == [1, 4]
    for run in report["runs"]:
        assert run["outcomes"] == {"ok": 20}
        assert run["pages_per_s"] > 0
    memory = report["memory"]
    assert memory["outcomes"] == {"ok": 40} and memory["concurrency"] == 4
    assert memory["peak_rss_mib"] > 0 and len(memory["rss_samples_mib"]) == 20
