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

With ``--compare`` it measures instead, against nginx serving `--size` distinct real DW pages
(see `ingest_floor`), `crawl URL…` and `run` with and without parser processes, on SQLite and
PostgreSQL, each beside the floor measured in the same sitting, as a ratio: pages/s over the
whole process (start-up included), the CPU per page (the process and its parser processes)
and the peak RSS of the main process. The floor also runs on every core at once (``floor``
with ``N proc``: as many floors side by side, each on its share of the URLs, nothing shared
but the machine); its speed-up over one floor process is the ceiling for the all-cores
figures, printed beside dwscrape's own (most parser processes against none).

Usage:
    python benchmarks/ingest_bench.py                 # 1000 synthetic articles, table
    python benchmarks/ingest_bench.py --compare --size 1000 --parse-workers 0,2 [--json]
    python benchmarks/ingest_bench.py --size 5000 --json
    python benchmarks/ingest_bench.py --size 50 --no-postgres     # quick smoke run
    python benchmarks/ingest_bench.py --sweep 250,1000,4000 --parse-workers 0,2 [--json]
    python benchmarks/ingest_bench.py --workers 1,2,4 --size 1000 --repeat 2 [--json]
--sweep (memory of `run` and `crawl` against the number of URLs) and --workers (`dwscrape
worker` processes on one PostgreSQL frontier) are described in `ingest_scale`.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import Databases, fresh_postgres  # noqa: E402
from benchmarks.procenv import bench_env  # noqa: E402
from benchmarks.proctree import measured  # noqa: E402
from benchmarks.tables import emit, table  # noqa: E402
from tests.support.faultsite import serve_fault_site  # noqa: E402


def run_once(db_url: str, base: str, concurrency: int) -> dict[str, Any]:
    """One `dwscrape run` subprocess; its JSON summary plus wall time and peak RSS."""
    args = [
        sys.executable, "-m", "scraper", "run", "--db", db_url, "--site", base,
        "--lang", "en", "--delay", "0", "--concurrency", str(concurrency),
        "--per-host-concurrency", str(concurrency), "--json", "--quiet",
    ]  # fmt: skip
    env = bench_env(ROOT)
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


def timed(args: list[str]) -> tuple[float, float, float, str]:
    """Run a Python subprocess (``-m scraper …`` for dwscrape): wall seconds, CPU seconds of
    its whole tree (`benchmarks.proctree`), peak RSS MiB of the main process, stdout."""
    run = measured([sys.executable, *args], ROOT, bench_env(ROOT))
    if run.code != 0:
        raise SystemExit(f"{' '.join(args[:3])} exited {run.code}:\n{run.stderr[-2000:]}")
    return run.wall, run.cpu, run.peak_rss_mib, run.stdout


def figures(pages: int, wall: float, cpu: float, rss: float) -> dict[str, Any]:
    """A measured process's row: pages, wall seconds, pages/s, CPU ms per page, peak RSS."""
    return {"pages": pages, "wall_s": round(wall, 2), "pages_per_s": round(pages / wall, 1),
            "cpu_ms_per_page": round(cpu / max(pages, 1) * 1000, 2),
            "peak_rss_mib": round(rss, 1)}  # fmt: skip


def against(row: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    """`row` with its pages/s and CPU per page as ratios to the one-process floor's."""
    return {**row, "ratio": round(row["pages_per_s"] / floor["pages_per_s"], 2),
            "cpu_vs_floor": round(row["cpu_ms_per_page"] / floor["cpu_ms_per_page"], 2)}  # fmt: skip


def compare_one(
    command: str, db_url: str, base: str, paths: list[str], langs: list[str], c: int, pw: int
) -> dict[str, Any]:
    common = ["--db", db_url, "--delay", "0", "--concurrency", str(c),
              "--per-host-concurrency", str(c), "--parse-workers", str(pw)]  # fmt: skip
    if command == "crawl":
        args = ["-m", "scraper", "crawl", *(base + p for p in paths), *common]
        wall, cpu, rss, out = timed(args)
        pages = sum(1 for line in out.splitlines() if line.startswith("new"))
    else:
        args = ["-m", "scraper", "run", "--site", base, "--lang", ",".join(langs), "--source", "sitemap",
                "--json", "--quiet", *common]  # fmt: skip
        wall, cpu, rss, out = timed(args)
        pages = json.loads(out.strip().splitlines()[-1])["counts"]["new"]
    return figures(pages, wall, cpu, rss)


def floor_one(dbs: Databases, url_file: Path, concurrency: int, processes: int) -> dict[str, Any]:
    """The floor (`ingest_floor`) into a fresh database, in one process or side by side in
    `processes` (`ingest_floor.floor_processes`)."""
    url, drop = dbs.fresh(migrated=False)
    target = url.removeprefix("sqlite:///") if dbs.backend == "sqlite" else url
    try:
        wall, cpu, rss, out = timed(["benchmarks/ingest_floor.py", target, str(concurrency),
                                     str(url_file), str(processes)])  # fmt: skip
    finally:
        drop()
    done = json.loads(out)
    # floor_processes waits for its pool, so it counts the pool's CPU itself
    return figures(done["pages"], wall, done.get("cpu_s", cpu), rss)


def compare_backend(
    dbs: Databases, base: str, paths: list[str], langs: list[str], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """The floor (in one process, then on every core), then `run` and `crawl` with each number
    of parser processes."""
    url_file = Path(dbs.tmp) / "urls.txt"
    url_file.write_text("\n".join(base + p for p in paths))
    floor = floor_one(dbs, url_file, args.concurrency, 1)
    rows = [{"database": dbs.backend, "path": "floor", "parse_workers": "-", **floor}]
    cores = os.cpu_count() or 1
    if cores > 1:  # the ceiling of the all-cores figures
        row = against(floor_one(dbs, url_file, args.concurrency, cores), floor)
        rows.append({"database": dbs.backend, "path": "floor", "parse_workers": f"{cores} proc",
                     **row})  # fmt: skip
    for command in ("run", "crawl"):
        for pw in (int(w) for w in args.parse_workers.split(",")):
            url, drop = dbs.fresh()
            try:
                row = compare_one(command, url, base, paths, langs, args.concurrency, pw)
            finally:
                drop()
            rows.append({"database": dbs.backend, "path": command, "parse_workers": pw,
                         **against(row, floor)})  # fmt: skip
    return rows


def compare(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.ingest_floor import nginx_site

    rows: list[dict[str, Any]] = []
    with nginx_site(args.size) as (base, paths, langs), tempfile.TemporaryDirectory() as tmp:
        backends = ["sqlite"] + (["postgresql"] if args.pg and not args.no_postgres else [])
        for backend in backends:
            rows += compare_backend(Databases(backend, tmp, args.pg), base, paths, langs, args)
    return {"size": args.size, "concurrency": args.concurrency, "cpus": os.cpu_count(),
            "server": "nginx", "compare": rows, "all_cores": all_cores(rows)}  # fmt: skip


def print_compare(report: dict[str, Any]) -> None:
    print(f"{report['size']} distinct DW pages on nginx, concurrency {report['concurrency']}, "
          f"{report['cpus']} CPUs (pages/s over the whole process)")  # fmt: skip
    cols = ["database", "path", "parse_workers", "pages", "pages_per_s", "ratio",
            "cpu_ms_per_page", "cpu_vs_floor", "peak_rss_mib"]  # fmt: skip
    print(table(report["compare"], cols))
    if report["all_cores"]:
        print("all cores against one process (the floor's: the most this machine allows)")
        print(table(report["all_cores"], ["database", "path", "one_process", "all_cores",
                                          "speedup"]))  # fmt: skip


def all_cores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per database and path, pages/s with the most processes against one process."""
    out = []
    for database in dict.fromkeys(r["database"] for r in rows):
        for path in dict.fromkeys(r["path"] for r in rows):
            mine = [r for r in rows if (r["database"], r["path"]) == (database, path)]
            if len(mine) < 2:
                continue
            one, most = mine[0], mine[-1]
            out.append({"database": database, "path": path, "one_process": one["pages_per_s"],
                        "all_cores": most["pages_per_s"],
                        "speedup": round(most["pages_per_s"] / one["pages_per_s"], 2)})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="synthetic articles on the site")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--compare", action="store_true", help="nginx, floor, crawl and run")
    parser.add_argument("--parse-workers", default="0,2",
                        help="parser processes, N,M,… (--compare and --sweep)")  # fmt: skip
    parser.add_argument("--sweep", metavar="N,M,…", help="memory of run and crawl per size")
    parser.add_argument("--workers", metavar="N,M,…", help="dwscrape worker ×N on PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, help="with --workers: rounds (A B A B)")
    args = parser.parse_args(argv)
    if args.sweep or args.workers:
        from benchmarks import ingest_scale

        mode = "sweep" if args.sweep else "workers"
        report = getattr(ingest_scale, mode)(args)
        return emit(report, args.json, getattr(ingest_scale, f"print_{mode}"))
    if args.compare:
        return emit(compare(args), args.json, print_compare)

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
    print(f"full `dwscrape run`, {args.size} synthetic articles + fixtures, concurrency "
          f"{args.concurrency}, {os.cpu_count()} CPUs")  # fmt: skip
    print(table(results, cols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
