"""Ingest benchmark: articles/s of a full `dwscrape run` against the fake DW site, and peak memory.

Each measurement is a real `python -m scraper run` subprocess (discovery, frontier, concurrent
conditional GETs, parsing, storing, run bookkeeping) against the fake site served from this
process on 127.0.0.1 with politeness off (delay 0, per-host limit raised), into a fresh SQLite
file and a fresh PostgreSQL database. The site serves the fixture pages plus `--size` synthetic
articles. Reported per database:

- articles/s: new articles stored / the run's own duration (from its JSON summary; interpreter
  start-up excluded), and the same over the wall time of the whole process;
- the second run over the unchanged site (every page a 304): pages/s;
- peak RSS of the run process (``wait4`` rusage), which must not grow with the size.

Usage:
    python benchmarks/ingest_bench.py                 # 1000 synthetic articles, table
    python benchmarks/ingest_bench.py --size 5000 --json
    python benchmarks/ingest_bench.py --size 50 --no-postgres     # quick smoke run
PostgreSQL: --pg URL or $DWSCRAPE_TEST_POSTGRES_URL (a database is created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from tests.support.faultsite import serve_fault_site  # noqa: E402


def run_once(db_url: str, base: str, concurrency: int) -> dict[str, Any]:
    """One `dwscrape run` subprocess; its JSON summary plus wall time and peak RSS."""
    args = [
        sys.executable, "-m", "scraper", "run", "--db", db_url, "--site", base,
        "--lang", "en", "--delay", "0", "--concurrency", str(concurrency),
        "--per-host-concurrency", str(concurrency), "--json", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"run failed with exit code {code}:\n{err[-2000:]}")
    summary = json.loads(out.strip().splitlines()[-1])
    summary["wall_s"] = wall
    summary["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    return summary


def bench_database(name: str, db_url: str, base: str, concurrency: int) -> dict[str, Any]:
    first = run_once(db_url, base, concurrency)
    second = run_once(db_url, base, concurrency)
    new = first["counts"]["new"]
    # (the fake site serves every page it lists: "failed" should be 0)
    fetched2 = second["counts"]["fetched"]
    return {
        "database": name,
        "articles": new,
        "failed": first["counts"]["failed"],
        "run_s": round(first["duration_s"], 2),
        "articles_per_s": round(new / first["duration_s"], 1),
        "articles_per_s_wall": round(new / first["wall_s"], 1),
        "peak_rss_mib": round(first["peak_rss_mib"], 1),
        "rerun_not_modified": second["counts"]["not_modified"],
        "rerun_pages_per_s": round(fetched2 / second["duration_s"], 1),
        "rerun_new_or_changed": second["counts"]["new"] + second["counts"]["changed"],
    }


def fresh_postgres(server_url: str) -> tuple[str, Any]:
    name = f"dwscrape_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="synthetic articles on the site")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)

    from db.migrate import upgrade
    from scraper.logging import configure_logging

    configure_logging(quiet=True, stream=sys.stderr)  # stdout carries only the report
    results = []
    with (
        serve_fault_site(extra_articles=args.size) as base,
        tempfile.TemporaryDirectory(prefix="dwscrape-bench-") as tmp,
    ):
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        results.append(bench_database("sqlite", sqlite_url, base, args.concurrency))
        if args.pg and not args.no_postgres:
            pg_url, drop = fresh_postgres(args.pg)
            try:
                upgrade(pg_url)
                results.append(bench_database("postgresql", pg_url, base, args.concurrency))
            finally:
                drop()
    report = {
        "size": args.size,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    cols = [
        "database", "articles", "failed", "run_s", "articles_per_s", "articles_per_s_wall",
        "peak_rss_mib", "rerun_not_modified", "rerun_pages_per_s",
    ]  # fmt: skip
    widths = [max(len(c), *(len(str(r[c])) for r in results)) for c in cols]
    print(f"full `dwscrape run`, {args.size} synthetic articles + fixtures, concurrency "
          f"{args.concurrency}, {os.cpu_count()} CPUs")  # fmt: skip
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in results:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
