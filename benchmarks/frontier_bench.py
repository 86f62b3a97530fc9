"""Frontier benchmark: lease + complete throughput of 1, 2 and 4 worker processes on one
PostgreSQL frontier, with the p95 latency of a lease.

A scratch database is created on the server, migrated, and filled with ``--urls`` pending URLs
(one ``INSERT … SELECT generate_series``); then, for each worker count, that many processes
lease batches (``--batch`` URLs, ``FOR UPDATE SKIP LOCKED``) and complete them as done, for
``--seconds`` each, exactly as `dwscrape worker` does but without the network: this measures
the queue, not the crawl. Each phase takes fresh pending rows (the frontier is large enough).

    PYTHONPATH=. python benchmarks/frontier_bench.py                 # 1,000,000 URLs, table
    PYTHONPATH=. python benchmarks/frontier_bench.py --urls 200000 --seconds 5 --json
    PostgreSQL: --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test (or
    DWSCRAPE_TEST_POSTGRES_URL); the scratch database is dropped at the end (``--keep``: kept).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.databases import fresh_postgres  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.repository import Repository  # noqa: E402
from scraper.pipeline.storage import Completion  # noqa: E402


def create_database(server_url: str, urls: int) -> tuple[str, Callable[[], None], float]:
    """A scratch database with `urls` pending frontier rows: (url, the function that drops it,
    seconds to migrate and fill it)."""
    url, drop = fresh_postgres(server_url)
    started = time.perf_counter()
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO frontier (url, state, priority, next_fetch_at, attempts, source,"
                " added_at, updated_at) SELECT 'https://www.dw.com/en/bench/a-' || g, 'pending',"
                " (g % 3) * 5, now() - interval '1 minute', 0, 'bench', now(), now()"
                " FROM generate_series(1, :n) AS g"
            ),
            {"n": urls},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url, drop, time.perf_counter() - started


def worker(url: str, batch: int, seconds: float, barrier: Any, out: Any) -> None:
    """Lease and complete batches for `seconds`; reports rows done and each lease's latency."""
    engine = make_engine(url)
    repo = Repository(engine)
    owner = f"bench:{os.getpid()}"
    latencies: list[float] = []
    done = 0
    barrier.wait(timeout=120)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        leased = repo.lease(owner, batch, 300.0)
        latencies.append(time.perf_counter() - t0)
        if not leased:
            break
        done += repo.complete_many(
            [Completion(item.url, "done", None) for item in leased], owner=owner
        )
    engine.dispose()
    out.put((done, latencies))


def phase(url: str, workers: int, batch: int, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(url, batch, seconds, barrier, out)) for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join(timeout=30)
    rows = sum(done for done, _ in results)
    latencies = sorted(lat for _, lats in results for lat in lats)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    return {
        "workers": workers,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1),
        "leases": len(latencies),
        "lease_p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else 0.0,
        "lease_p95_ms": round(p95 * 1000, 2),
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"frontier of {result['urls']:,} URLs (built in {result['build_s']:.0f}s), "
        f"batches of {result['batch']}, {result['seconds']:.0f}s per phase",
        "",
        "| workers | rows/s | leases | lease p50 ms | lease p95 ms |",
        "|---|---|---|---|---|",
    ]
    for row in result["phases"]:
        lines.append(
            f"| {row['workers']} | {row['rows_per_s']:,.0f} | {row['leases']} "
            f"| {row['lease_p50_ms']} | {row['lease_p95_ms']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--urls", type=int, default=1_000_000, help="frontier rows")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--batch", type=int, default=32, help="URLs per lease")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--postgres-url", default=os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.postgres_url:
        parser.error("a PostgreSQL server is needed: --postgres-url or DWSCRAPE_TEST_POSTGRES_URL")
    url, drop, build_s = create_database(args.postgres_url, args.urls)
    try:
        phases = [
            phase(url, int(n), args.batch, args.seconds) for n in args.workers.split(",") if n
        ]
    finally:
        if args.keep:
            print(f"kept {url}", file=sys.stderr)
        else:
            drop()
    result = {
        "urls": args.urls,
        "batch": args.batch,
        "seconds": args.seconds,
        "build_s": round(build_s, 1),
        "phases": phases,
    }
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
