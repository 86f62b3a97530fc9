"""The two scaling modes of `ingest_bench.py`: memory against the number of URLs (``--sweep``)
and `dwscrape worker` processes on one PostgreSQL frontier (``--workers``), both against nginx
serving distinct real DW pages (`ingest_floor.nginx_site`).

``--sweep 250,500,1000,2000``: for each size, a site of that many pages, then `run` (sitemap
discovery) and `crawl URL…` (the same URLs on the command line) into a fresh database. The peak
RSS of the main process and of its parser processes is read from the kernel's high-water mark
(``VmHWM`` in ``/proc/PID/status``), polled while the process runs, because ``wait4`` reports
only the largest of the whole tree. "Flat" means the growth from the smallest to the largest
size, in MiB per 1,000 URLs, is near zero. Each command runs with every number of parser
processes in ``--parse-workers`` (``0,2``: one process, then two parser processes), one after
the other at each size. The sweep also gives throughput without the fixed costs: the marginal
pages/s from the smallest size to the largest, (pages - pages) / (wall - wall), leaves out what
every run pays once whatever its size (start-up, discovery's first requests, starting the parser
processes, exit); with parser processes it is set beside the same command's in one process, as
is the ratio over the whole process at the largest size.

``--workers 1,2,4``: for each count, a fresh PostgreSQL database whose frontier is filled by
`dwscrape run --no-work`, then that many `dwscrape worker --delay 0 --idle-exit 1s` processes
started together. Pages/s are counted over the wall time from the first worker's start to the
last one's exit (each waits the 1 s idle time before exiting, included), and to the moment the
frontier has nothing left pending or leased (polled). Exactly-once is checked: stored articles,
done frontier rows and the pages the workers report fetching all equal the site's pages.
All of nginx's pages being on one host, each worker is given ``--per-host-concurrency`` equal
to its ``--concurrency`` (as `ingest_bench --compare` gives `run`), and parses in its own
process (a worker's default: more cores are used by more workers).
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

from benchmarks.procenv import bench_env
from benchmarks.proctree import measured
from benchmarks.tables import table

ROOT = Path(__file__).resolve().parent.parent


def run_polled(args: list[str], env: dict[str, str] | None = None) -> tuple[float, dict, str]:
    """A Python subprocess with its tree's peak RSS polled: wall seconds, peaks, stdout."""
    run = measured([sys.executable, *args], ROOT, {**bench_env(ROOT), **(env or {})}, interval=0.1)
    if run.code != 0:
        raise SystemExit(f"{' '.join(args[:3])} exited {run.code}:\n{run.stderr[-2000:]}")
    return run.wall, run.tree, run.stdout


def sweep_one(command: str, db_url: str, base: str, paths: list[str], langs: list[str],
              concurrency: int, pw: int) -> dict[str, Any]:  # fmt: skip
    c = str(concurrency)
    common = ["--db", db_url, "--delay", "0", "--concurrency", c, "--per-host-concurrency", c,
              "--parse-workers", str(pw)]  # fmt: skip
    if command == "crawl":
        wall, memory, out = run_polled(["-m", "scraper", "crawl", *(base + p for p in paths),
                                        *common])  # fmt: skip
        pages = sum(1 for line in out.splitlines() if line.startswith("new"))
    else:
        wall, memory, out = run_polled(["-m", "scraper", "run", "--site", base, "--lang",
                                        ",".join(langs), "--source", "sitemap", "--json",
                                        "--quiet", *common])  # fmt: skip
        pages = json.loads(out.strip().splitlines()[-1])["counts"]["new"]
    return {"pages": pages, "wall_s": round(wall, 2), "pages_per_s": round(pages / wall, 1),
            **memory}  # fmt: skip


Key = tuple[str, str, int]


def _ends(rows: list[dict[str, Any]]) -> dict[Key, tuple[dict[str, Any], dict[str, Any]]]:
    """The smallest and the largest size's row per database, command and parser processes."""
    ends = {}
    for key in sorted({(r["database"], r["path"], r["parse_workers"]) for r in rows}):
        mine = sorted((r for r in rows if (r["database"], r["path"], r["parse_workers"]) == key),
                      key=lambda r: r["size"])  # fmt: skip
        ends[key] = (mine[0], mine[-1])
    return ends


def growth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """From the smallest size to the largest: memory, and pages/s without the fixed costs."""
    out, speed = [], []
    ends = _ends(rows)
    for (database, path, pw), (small, large) in ends.items():
        mib = round(large["peak_rss_mib"] - small["peak_rss_mib"], 1)
        per_k = mib / (large["size"] - small["size"]) * 1000 if large is not small else 0.0
        child = round(large["child_peak_rss_mib"] - small["child_peak_rss_mib"], 1)
        out.append({"database": database, "path": path, "parse_workers": pw,
                    "from": small["size"], "to": large["size"], "growth_mib": mib,
                    "growth_mib_per_1000_urls": round(per_k, 2),
                    "child_growth_mib": child})  # fmt: skip
        if large is small:
            continue
        row = {"database": database, "path": path, "parse_workers": pw, "from": small["size"],
               "to": large["size"], "pages_per_s": large["pages_per_s"],
               "marginal_pages_per_s": _marginal(small, large)}  # fmt: skip
        alone = ends.get((database, path, 0))
        if pw and alone is not None and alone[1] is not alone[0]:
            row["ratio"] = round(large["pages_per_s"] / alone[1]["pages_per_s"], 2)
            one, mine = _marginal(*alone), row["marginal_pages_per_s"]
            row["marginal_ratio"] = round(mine / one, 2) if one and mine else None
        speed.append(row)
    return {"growth": out, "throughput": speed}


def _marginal(small: dict[str, Any], large: dict[str, Any]) -> float | None:
    """None where the larger run was not the slower (sizes too close for the machine's noise)."""
    seconds = large["wall_s"] - small["wall_s"]
    return round((large["pages"] - small["pages"]) / seconds, 1) if seconds > 0 else None


def sweep(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.databases import Databases
    from benchmarks.ingest_floor import nginx_site

    sizes = [int(s) for s in args.sweep.split(",") if s]
    pws = [int(w) for w in args.parse_workers.split(",") if w]
    backends = ["sqlite"] + (["postgresql"] if args.pg and not args.no_postgres else [])
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        databases = {backend: Databases(backend, tmp, args.pg) for backend in backends}
        for size in sizes:
            with nginx_site(size) as (base, paths, langs):
                for backend, dbs in databases.items():
                    for command in ("run", "crawl"):
                        for pw in pws:
                            url, drop = dbs.fresh()
                            try:
                                row = sweep_one(command, url, base, paths, langs,
                                                args.concurrency, pw)  # fmt: skip
                            finally:
                                drop()
                            rows.append({"database": backend, "path": command, "size": size,
                                         "parse_workers": pw, **row})  # fmt: skip
    return {"sizes": sizes, "concurrency": args.concurrency, "parse_workers": pws,
            "cpus": os.cpu_count(), "server": "nginx", "sweep": rows, **growth(rows)}  # fmt: skip


def print_sweep(report: dict[str, Any]) -> None:
    workers = ",".join(str(w) for w in report["parse_workers"])
    print(f"memory against URLs: nginx, concurrency {report['concurrency']}, parser processes "
          f"{workers}, {report['cpus']} CPUs (peak RSS: VmHWM)")  # fmt: skip
    print(table(report["sweep"], ["database", "path", "parse_workers", "size", "pages",
                                  "pages_per_s", "peak_rss_mib", "children",
                                  "child_peak_rss_mib"]))  # fmt: skip
    print()
    print(table(report["growth"], ["database", "path", "parse_workers", "from", "to",
                                   "growth_mib", "growth_mib_per_1000_urls",
                                   "child_growth_mib"]))  # fmt: skip
    if report["throughput"]:
        print()
        print(
            "pages/s at the largest size, and marginal (without the fixed costs: see above);"
            " ratios against the same command in one process"
        )
        print(table(report["throughput"], ["database", "path", "parse_workers", "from", "to",
                                           "pages_per_s", "ratio", "marginal_pages_per_s",
                                           "marginal_ratio"]))  # fmt: skip


def _pending(conn: Any) -> int:
    from sqlalchemy import text

    sql = "SELECT count(*) FROM frontier WHERE state IN ('pending', 'leased')"
    return int(conn.execute(text(sql)).scalar_one())


def _counts(db_url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            one = lambda sql: int(conn.execute(text(sql)).scalar_one())  # noqa: E731
            return {"articles": one("SELECT count(*) FROM articles"),
                    "frontier_done": one("SELECT count(*) FROM frontier WHERE state = 'done'"),
                    "frontier_other": one("SELECT count(*) FROM frontier WHERE state <> 'done'"),
                    "revisions": one("SELECT count(*) FROM article_revisions")}  # fmt: skip
    finally:
        engine.dispose()


def workers_one(n: int, db_url: str, base: str, langs: list[str], c: int) -> dict[str, Any]:
    env = bench_env(ROOT)
    fill = [sys.executable, "-m", "scraper", "run", "--no-work", "--db", db_url, "--site", base,
            "--lang", ",".join(langs), "--source", "sitemap", "--delay", "0", "--quiet"]  # fmt: skip
    subprocess.run(fill, cwd=ROOT, env=env, check=True, capture_output=True)
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(db_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    conn = engine.connect()  # one connection for the polling, not one per poll
    queued = _pending(conn)
    cmd = [sys.executable, "-m", "scraper", "worker", "--db", db_url, "--site", base, "--delay",
           "0", "--concurrency", str(c), "--per-host-concurrency", str(c), "--idle-exit", "1s",
           "--json", "--quiet"]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        outs = [open(Path(tmp) / f"w{i}.out", "w+") for i in range(n)]  # noqa: SIM115
        start = time.perf_counter()
        procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=o, stderr=subprocess.DEVNULL)
                 for o in outs]  # fmt: skip
        drained = None
        while any(p.poll() is None for p in procs):
            if drained is None and _pending(conn) == 0:
                drained = time.perf_counter() - start
            time.sleep(0.2)
        wall = time.perf_counter() - start
        codes = [p.returncode for p in procs]
        fetched = []
        for o in outs:
            o.seek(0)
            text = o.read().strip()
            o.close()
            fetched.append(json.loads(text.splitlines()[-1])["counts"].get("fetched", 0) if text
                           else 0)  # fmt: skip
    conn.close()
    engine.dispose()
    drained = drained or wall
    counts = _counts(db_url)
    pages = counts["articles"]
    once = (pages == queued == counts["frontier_done"] == sum(fetched) == counts["revisions"]
            and counts["frontier_other"] == 0 and codes == [0] * n)  # fmt: skip
    return {"workers": n, "queued": queued, "pages": pages, "fetched_per_worker": fetched,
            "exit_codes": codes, "wall_s": round(wall, 2), "pages_per_s": round(pages / wall, 1),
            "drained_s": round(drained, 2), "pages_per_s_drained": round(pages / drained, 1),
            "exactly_once": once}  # fmt: skip


def workers(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.databases import fresh_postgres
    from benchmarks.ingest_floor import nginx_site
    from db.migrate import upgrade

    if not args.pg or args.no_postgres:
        raise SystemExit("--workers needs PostgreSQL: --pg URL or $DWSCRAPE_TEST_POSTGRES_URL")
    counts = [int(n) for n in args.workers.split(",") if n]
    rows = []
    with nginx_site(args.size) as (base, _paths, langs):
        for _ in range(args.repeat):
            for n in counts:
                url, drop = fresh_postgres(args.pg)
                try:
                    upgrade(url)
                    rows.append(workers_one(n, url, base, langs, args.concurrency))
                finally:
                    drop()
    for row in rows:
        ones = [r for r in rows if r["workers"] == 1]
        if ones:
            one = sum(r["pages_per_s"] for r in ones) / len(ones)
            one_d = sum(r["pages_per_s_drained"] for r in ones) / len(ones)
            row["ratio"] = round(row["pages_per_s"] / one, 2)
            row["ratio_drained"] = round(row["pages_per_s_drained"] / one_d, 2)
    return {"size": args.size, "concurrency": args.concurrency, "cpus": os.cpu_count(),
            "server": "nginx", "database": "postgresql", "workers": rows}  # fmt: skip


def print_workers(report: dict[str, Any]) -> None:
    print(f"`dwscrape worker` ×N on one PostgreSQL frontier of {report['size']} nginx pages, "
          f"--delay 0 --concurrency {report['concurrency']}, {report['cpus']} CPUs")  # fmt: skip
    print(table(report["workers"], ["workers", "pages", "fetched_per_worker", "wall_s",
                                    "pages_per_s", "ratio", "drained_s", "pages_per_s_drained",
                                    "ratio_drained", "exactly_once"]))  # fmt: skip
