"""Where a page's time goes, stage by stage: dwscrape's code against the floor's same stage.

`ingest_bench.py --compare` says how far `dwscrape run` is from the floor over whole
processes; this says where the difference comes from. Each stage of ingesting a page is timed
in this one process as CPU milliseconds per page (``time.process_time``), dwscrape's code and
the floor's (`benchmarks/ingest_floor.py`) alternated round by round on the same pages, the
distinct DW pages `ingest_bench` serves from nginx:

- fetch: `Fetcher.fetch` (robots.txt, politeness, retries, the body streamed under its caps,
  the truncation and block-page checks) on dwscrape's event loop (`scraper.eventloop`) against
  ``httpx.AsyncClient.get`` on asyncio's, both at the same concurrency against nginx;
- parse: `parse_page` (the DW extractor and normaliser) against ``lxml.html`` title and
  paragraphs;
- pack: the raw page's codec, the same function on both sides;
- store: a run's database work per batch of 32 pages (lease, conditional-GET validators, fetch
  log, `store_articles`, complete) against one ``executemany`` with its full-text index;
- start-up: a fresh interpreter importing what `dwscrape run` imports against what the floor
  imports (milliseconds per process; the total spreads it over ``--pages``).

The stages do not add up to the whole process's time: the event loop, threads and the run's
bookkeeping come on top, for both.

    python benchmarks/ingest_budget.py                  # table, 1,000 pages, 3 rounds
    python benchmarks/ingest_budget.py --json
    python benchmarks/ingest_budget.py --pages 40 --rounds 1 --no-postgres   # smoke size
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.databases import fresh_postgres  # noqa: E402
from benchmarks.ingest_floor import _Sink, floor_parse, nginx_site, site_pages  # noqa: E402
from benchmarks.procenv import bench_env  # noqa: E402
from benchmarks.tables import emit, table  # noqa: E402
from scraper import eventloop, parse_page  # noqa: E402
from scraper.rawpages import pack  # noqa: E402

BATCH = 32

#: What `dwscrape run` imports before its first fetch, and what the floor imports.
RUN_IMPORTS = ("import scraper.cli.app, scraper.cli.crawl, scraper.pipeline.scheduled, "
               "scraper.pipeline.batch, scraper.fetching.client, db.repository")  # fmt: skip
FLOOR_IMPORTS = "import asyncio, sqlite3, httpx, lxml.html, scraper.rawpages"


def cpu_ms_per_page(work: Callable[[], object], pages: int) -> float:
    start = time.process_time()
    work()
    return (time.process_time() - start) / pages * 1000


# ---------------------------------------------------------------------------- fetch


async def _fetch_ours(urls: list[str], concurrency: int) -> None:
    from scraper.fetching import Fetcher, FetchSettings

    settings = FetchSettings(
        per_host_delay=0, per_host_concurrency=concurrency, global_concurrency=concurrency
    )
    sem = asyncio.Semaphore(concurrency)
    async with Fetcher(settings) as fetcher:

        async def one(url: str) -> None:
            async with sem:
                result = await fetcher.fetch(url)
            if result.body is None:
                raise SystemExit(f"fetch failed: {url}: {result.outcome} {result.error}")

        await asyncio.gather(*(one(u) for u in urls))


async def _fetch_floor(urls: list[str], concurrency: int) -> None:
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(url: str) -> None:
            async with sem:
                response = await client.get(url)
            response.raise_for_status()

        await asyncio.gather(*(one(u) for u in urls))


# ---------------------------------------------------------------------------- store


def _store_ours(url: str, pages: list[tuple[str, Any]]) -> Callable[[], object]:
    """A migrated database at `url` and the run's database work for `pages` (url, Parsed)."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.repository import Repository
    from scraper.pipeline.storage import FetchedArticle

    upgrade(url)
    repo = Repository(make_engine(url))
    now = dt.datetime.now(dt.UTC)
    parsed = dict(pages)

    def fetch_row(page_url: str) -> dict[str, Any]:
        return {"url": page_url, "outcome": "ok", "final_url": page_url, "status": 200,
                "content_type": "text/html", "etag": None, "last_modified": None,
                "fetched_at": now, "duration_s": 0.01, "attempts": 1, "error": None,
                "body": None, "run_id": None}  # fmt: skip

    def work() -> None:
        repo.enqueue([u for u, _ in pages])
        while leased := repo.lease("budget", BATCH):
            urls = [lease.url for lease in leased]
            repo.validators_many(urls)
            repo.known_urls([])
            ids = repo.record_fetches([fetch_row(u) for u in urls])
            requests = [
                FetchedArticle(parsed[u].article, parsed[u].page, fetch_id, now)
                for u, fetch_id in zip(urls, ids, strict=True)
            ]
            repo.store_articles(requests)
            repo.complete_many([(u, "done", None) for u in urls], owner="budget")
        repo.engine.dispose()

    return work


def _store_floor(target: str, rows: list[tuple[str, str, str, bytes]]) -> Callable[[], object]:
    sink = _Sink(target)

    def work() -> None:
        for i in range(0, len(rows), BATCH):
            sink.write(rows[i : i + BATCH])
        sink.conn.close()

    return work


# ---------------------------------------------------------------------------- start-up


def startup_ms(imports: str) -> float:
    env = bench_env(ROOT)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", imports], cwd=ROOT, env=env, check=True)
    return (time.perf_counter() - start) * 1000


# ---------------------------------------------------------------------------- the sitting


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from scraper.logging import configure_logging
    from scraper.pipeline.parsing import ParseJob, parse_job

    configure_logging(quiet=True, stream=sys.stderr)  # as `run --quiet`: warnings only
    pages = list(site_pages(args.pages))
    bodies = [page for _, page in pages]
    backends = ["sqlite"] + (["postgresql"] if args.pg and not args.no_postgres else [])
    times: dict[tuple[str, str], list[float]] = {}

    def add(stage: str, side: str, value: float) -> None:
        times.setdefault((stage, side), []).append(value)

    with nginx_site(args.pages) as (base, paths, _langs):
        urls = [base + p for p in paths]
        # what each side's store is given: the pages parsed and packed its own way, once
        parsed = [(base + path, parse_job(ParseJob(page, base + path))) for path, page in pages]
        rows = [(u, *floor_parse(b), pack(b).data) for u, b in zip(urls, bodies, strict=True)]
        c = args.concurrency
        fetch: dict[str, Callable[[], object]] = {
            "dwscrape": lambda: eventloop.run(_fetch_ours(urls, c)),
            "floor": lambda: asyncio.run(_fetch_floor(urls, c)),
        }
        parse: dict[str, Callable[[bytes], object]] = {"dwscrape": parse_page, "floor": floor_parse}
        for round_no in range(args.rounds):
            sides = ("dwscrape", "floor") if round_no % 2 == 0 else ("floor", "dwscrape")
            for side in sides:
                add("fetch", side, cpu_ms_per_page(fetch[side], len(urls)))
                add("parse", side, cpu_ms_per_page(
                    lambda p=parse[side]: [p(b) for b in bodies], len(bodies)))  # fmt: skip
                add("pack", side, cpu_ms_per_page(lambda: [pack(b) for b in bodies], len(bodies)))
                imports = RUN_IMPORTS if side == "dwscrape" else FLOOR_IMPORTS
                add("start-up", side, statistics.median(startup_ms(imports) for _ in range(3)))
            for backend in backends:
                for side in sides:
                    with tempfile.TemporaryDirectory(prefix="dwscrape-budget-") as tmp:
                        if backend == "sqlite":
                            url, drop = f"sqlite:///{tmp}/{side}.sqlite3", (lambda: None)
                        else:
                            url, drop = fresh_postgres(args.pg)
                        try:
                            if side == "dwscrape":
                                work = _store_ours(url, parsed)
                            else:
                                work = _store_floor(url.removeprefix("sqlite:///"), rows)
                            add(f"store ({backend})", side, cpu_ms_per_page(work, len(rows)))
                        finally:
                            drop()
    return report(times, args.pages, backends, args)


def report(
    times: dict[tuple[str, str], list[float]],
    pages: int,
    backends: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Medians per stage and side, then per backend the total per page: the stages, its own
    store, and start-up spread over `pages`."""

    def row(stage: str, unit: str, ours: float, floor: float, divisor: float) -> dict[str, Any]:
        return {"stage": stage, "unit": unit, "dwscrape": round(ours, 3), "floor": round(floor, 3),
                "ratio": round(ours / floor, 2), "extra_ms_per_page": round((ours - floor) / divisor, 3)}  # fmt: skip

    median = {key: statistics.median(values) for key, values in times.items()}
    divisor = {stage: pages if stage == "start-up" else 1 for stage, _ in times}
    rows = [
        row(stage, "ms/process" if stage == "start-up" else "cpu ms/page",
            median[(stage, "dwscrape")], median[(stage, "floor")], divisor[stage])
        for stage in divisor
    ]  # fmt: skip
    for backend in backends:
        stages = ["fetch", "parse", "pack", f"store ({backend})", "start-up"]
        ours, floor = (
            sum(median[(s, side)] / divisor[s] for s in stages) for side in ("dwscrape", "floor")
        )
        rows.append(row(f"total ({backend})", "ms/page", ours, floor, 1))
    return {"pages": args.pages, "rounds": args.rounds, "concurrency": args.concurrency,
            "cpus": os.cpu_count(), "server": "nginx", "stages": rows}  # fmt: skip


def print_report(result: dict[str, Any]) -> None:
    print(f"{result['pages']} distinct DW pages, {result['rounds']} rounds alternated, "
          f"concurrency {result['concurrency']}, {result['cpus']} CPUs (medians)")  # fmt: skip
    print(
        table(
            result["stages"], ["stage", "unit", "dwscrape", "floor", "ratio", "extra_ms_per_page"]
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="distinct pages (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, sides alternated")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("DWSCRAPE_TEST_POSTGRES_URL"),
                        help="PostgreSQL server for the store stage (default: the test URL)")  # fmt: skip
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    return emit(measure(args), args.json, print_report)


if __name__ == "__main__":
    raise SystemExit(main())
