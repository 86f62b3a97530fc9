"""Smoke test of benchmarks/parse_bench.py: it runs with tiny settings and reports the
promised figures in the promised shape. Timings themselves are not checked (machine-bound)."""

from __future__ import annotations

import json
import subprocess

from tests.support.cli import ROOT, python

BENCH = ROOT / "benchmarks" / "parse_bench.py"
FIGURES = {"samples", "pages_per_s", "median_ms", "p90_ms", "cpu_median_ms", "x_lxml"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return python(str(BENCH), *args, timeout=240)


def test_json_shape_with_compare() -> None:
    done = _run("--json", "--compare", "--repeat", "2", "--warmup", "0", "--limit", "2")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["repeat"] == 2
    pages = result["pages"]
    assert len(pages) == 2
    assert all(p["bytes"] > 0 and p["source"] in ("fixtures", "shared") for p in pages)
    names = [p["name"] for p in pages]
    assert "not_dw.html" not in names  # refused pages are not timed

    contenders = result["contenders"]
    assert {"dwscrape", "lxml"} <= set(contenders)
    # trafilatura is optional: measured when installed, else listed as missing.
    assert ("trafilatura" in contenders) != ("trafilatura" in result["missing"])
    for name, figures in contenders.items():
        assert set(figures) >= FIGURES, name
        assert figures["samples"] == 2 * len(pages)
        assert figures["pages_per_s"] > 0 and figures["median_ms"] > 0
        assert set(figures["per_page_median_ms"]) == set(names)
        assert figures["tracemalloc_peak_kib"] >= 0
        rss = figures["rss"]
        assert rss["peak_rss_kib"] > 0 and rss["rss_growth_kib"] >= 0
    assert contenders["lxml"]["x_lxml"] is None
    assert contenders["dwscrape"]["x_lxml"] > 0
    # The worst page's ratio bounds the aggregate one (sum(a)/sum(b) <= max(a/b)).
    assert contenders["dwscrape"]["x_lxml_worst_page"] >= contenders["dwscrape"]["x_lxml"]


def test_table_output_and_refused_pages() -> None:
    done = _run("--repeat", "1", "--warmup", "0", "--limit", "1", "--no-rss")
    assert done.returncode == 0, done.stderr
    assert "dwscrape" in done.stdout and "median ms" in done.stdout
    rows = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert "dwscrape" in rows and "lxml" not in rows  # no --compare: no floor row

    refused = _run("--pages", str(ROOT / "fixtures" / "dw" / "not_dw.html"), "--no-rss")
    assert refused.returncode != 0
    assert "no pages that parse" in refused.stderr
