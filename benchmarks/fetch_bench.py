"""Fetcher throughput and memory against the local fake DW site.

Starts ``python -m tests.support.faultsite --extra N`` in a subprocess (so the server does not share
our GIL), then fetches its synthetic articles (copies of a real ~100 KB relaunch page, sent
gzipped) with politeness switched off (no delay, per-host limit = concurrency) at each
concurrency, and once more over ``--memory-pages`` pages sampling this process's RSS to show
memory stays flat: results are dropped as they arrive, bodies are never accumulated.

    python benchmarks/fetch_bench.py                 # 2,000 pages x c=1,8,32; 10,000 for memory
    python benchmarks/fetch_bench.py --json          # one JSON object
    python benchmarks/fetch_bench.py --pages 50 --memory-pages 200   # smoke size
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402

from scraper.fetching import Fetcher, FetchSettings  # noqa: E402
from tests.support.faultsite import SYNTHETIC_BASE_ID  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """Resident memory of this process now (Linux /proc), MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE_SIZE / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_site(extra: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.faultsite", "--port", "0", "--extra", str(extra)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http://"):
        proc.kill()
        raise SystemExit(f"fake site did not start: {base!r}")
    return proc, base


def page_url(base: str, i: int) -> str:
    return f"{base}/en/synthetic-article-{i}/a-{SYNTHETIC_BASE_ID + i}"


async def crawl(base: str, pages: int, concurrency: int, sample_every: int = 0) -> dict[str, Any]:
    settings = FetchSettings().unthrottled(concurrency)
    outcomes: collections.Counter[str] = collections.Counter()
    samples: list[tuple[int, float]] = []
    total_bytes = 0
    done = 0
    indices = iter(range(pages))
    async with Fetcher(settings) as fetcher:
        await fetcher.fetch(page_url(base, 0))  # warm up: robots.txt, connection
        started = time.perf_counter()
        cpu_started = time.process_time()

        async def worker() -> None:
            nonlocal total_bytes, done
            for i in indices:  # one shared iterator: no task or result list grows with pages
                result = await fetcher.fetch(page_url(base, i))
                outcomes[str(result.outcome)] += 1
                total_bytes += len(result.body or b"")
                done += 1
                if sample_every and done % sample_every == 0:
                    samples.append((done, rss_mib()))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    return {
        "concurrency": concurrency,
        "pages": pages,
        "seconds": round(elapsed, 3),
        "pages_per_s": round(pages / elapsed, 1),
        "mib_per_s": round(total_bytes / elapsed / 2**20, 2),
        # CPU the fetcher itself spent per page: shows whether it or the fake server limits
        "client_cpu_ms_per_page": round(cpu / pages * 1000, 2),
        "outcomes": dict(outcomes),
        "rss_samples_mib": [(n, round(m, 1)) for n, m in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000, help="pages per concurrency level")
    parser.add_argument("--memory-pages", type=int, default=10_000, help="pages for the memory run")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated levels")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    # per-page debug events would dominate the measurement: warnings only
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    proc, base = start_site(max(args.pages, args.memory_pages))
    try:
        runs = [asyncio.run(crawl(base, args.pages, c)) for c in levels]
        before = rss_mib()
        sample_every = max(1, args.memory_pages // 20)
        memory = asyncio.run(crawl(base, args.memory_pages, max(levels), sample_every))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    samples = [m for _, m in memory["rss_samples_mib"]]
    tenth = samples[max(0, len(samples) // 10 - 1)] if samples else before
    report = {
        "benchmark": "fetch",
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "runs": runs,
        "memory": {
            "pages": args.memory_pages,
            "concurrency": memory["concurrency"],
            "pages_per_s": memory["pages_per_s"],
            "outcomes": memory["outcomes"],
            "rss_before_mib": round(before, 1),
            "rss_at_10pct_mib": round(tenth, 1),
            "rss_end_mib": round(samples[-1] if samples else rss_mib(), 1),
            "rss_growth_after_10pct_mib": round((samples[-1] - tenth) if samples else 0.0, 1),
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "rss_samples_mib": memory["rss_samples_mib"],
        },
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"fetch benchmark: fake DW site on 127.0.0.1 (subprocess), politeness off, {os.cpu_count()} CPUs"
    )
    print(
        f"{'concurrency':>11} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'MiB/s':>7} "
        f"{'client CPU ms/page':>18}  outcomes"
    )
    for run in runs:
        print(
            f"{run['concurrency']:>11} {run['pages']:>7} {run['seconds']:>8} "
            f"{run['pages_per_s']:>8} {run['mib_per_s']:>7} "
            f"{run['client_cpu_ms_per_page']:>18}  {run['outcomes']}"
        )
    mem = report["memory"]
    print(
        f"\nmemory: {mem['pages']} pages at concurrency {mem['concurrency']} "
        f"({mem['pages_per_s']} pages/s, {mem['outcomes']})"
    )
    print(
        f"  RSS before {mem['rss_before_mib']} MiB, at 10% {mem['rss_at_10pct_mib']} MiB, "
        f"end {mem['rss_end_mib']} MiB (growth after 10%: {mem['rss_growth_after_10pct_mib']} MiB), "
        f"peak {mem['peak_rss_mib']} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
