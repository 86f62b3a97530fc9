"""Reparse benchmark: `dwscrape reparse` over N stored pages against a floor, before and after.

A SQLite database of `--pages` distinct DW pages is filled by crawling nginx (see `trees`),
one per tree. Then, alternately per round and tree, each a process of its own (start-up
included, as a user sees it):

- floor: read every article's raw page with sqlite3, decompress it and parse it with the
  tree's own ``scraper.parse_page``, in one loop, storing nothing: what any re-parse must do;
- ``dwscrape reparse --workers 1`` (the tree before issue 12 has no ``--workers``: its plain
  ``reparse``, one process) and ``dwscrape reparse --workers 2`` where the tree has it.

The stored pages were stored by the same parser, so nothing changes: every page is read,
parsed, compared and left as it is. Reported: pages/s (median of the rounds), CPU ms per page
(of one-process paths: the forkserver's children are not in a command's rusage),
the ratio to the same tree's floor in the same round, and after / before per path.

Usage:
    python benchmarks/reparse_bench.py --pages 2000 --before ../sweep-base --rounds 3 [--json]
    python benchmarks/reparse_bench.py --pages 50 --rounds 1 --json     # this tree only (smoke)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve())

FLOOR_SQL = (
    "SELECT a.url, r.compression, r.body FROM articles a "
    "JOIN raw_pages r ON r.sha256 = a.raw_page_sha256 ORDER BY a.id"
)


def floor(db: str) -> dict[str, Any]:
    """Decompress and parse every stored page with the importing tree's parser."""
    from scraper import parse_page
    from scraper.errors import ParseError

    zstd: Any = None
    pages = failed = 0
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    for url, compression, body in conn.execute(FLOOR_SQL):
        if compression == "zstd":
            if zstd is None:
                import zstandard

                zstd = zstandard.ZstdDecompressor()
            raw = zstd.decompress(body)
        else:
            raw = zlib.decompress(body) if compression == "zlib" else bytes(body)
        try:
            parse_page(raw, url=url)
        except ParseError:
            failed += 1
        pages += 1
    conn.close()
    return {"pages": pages, "failed": failed, "loop_s": round(time.perf_counter() - start, 3)}


def has_option(tree: Any, command: str, option: str) -> bool:
    _, _, out = tree.timed(["-m", "scraper", command, "--help"])
    return option in out


def measure(tree: Any, db: Path, path: str) -> dict[str, Any]:
    if path == "floor":
        wall, cpu, out = tree.timed([HERE, "--floor", str(db)])
        pages = json.loads(out.strip().splitlines()[-1])["pages"]  # (parse logs may precede)
    else:
        extra = {"reparse": [], "reparse --workers 1": ["--workers", "1"],
                 "reparse --workers 2": ["--workers", "2"]}[path]  # fmt: skip
        wall, cpu, out = tree.timed(["-m", "scraper", "reparse", "--db", str(db), "--json",
                                     "--quiet", *extra])  # fmt: skip
        pages = json.loads(out.strip().splitlines()[-1])["counts"]["pages"]
    return {"pages": pages, "wall_s": wall, "cpu_s": cpu}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.trees import filled_databases, median, trees

    tree_list = trees(args.before)
    paths = {}
    for tree in tree_list:
        workers = has_option(tree, "reparse", "--workers")
        paths[tree.name] = (["floor", "reparse --workers 1", "reparse --workers 2"] if workers
                            else ["floor", "reparse"])  # fmt: skip
    samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with filled_databases(tree_list, args.pages) as dbs:
        for _ in range(args.rounds):
            for tree in tree_list:
                for path in paths[tree.name]:
                    m = measure(tree, dbs[tree.name], path)
                    samples.setdefault((tree.name, path), []).append(m)
    rows = []
    for (name, path), ms in samples.items():
        floors = samples[(name, "floor")]
        rates = [m["pages"] / m["wall_s"] for m in ms]
        ratios = [m["pages"] / m["wall_s"] / (f["pages"] / f["wall_s"])
                  for m, f in zip(ms, floors, strict=True)]  # fmt: skip
        rows.append({"tree": name, "path": path, "pages": ms[0]["pages"],
                     "pages_per_s": round(median(rates), 1),
                     # the whole tree: its parser processes are polled (benchmarks/proctree)
                     "cpu_ms_per_page": round(median([m["cpu_s"] / m["pages"] * 1000
                                                      for m in ms]), 2),
                     "vs_floor": round(median(ratios), 2)})  # fmt: skip
    # the tree before --workers has one process: its plain `reparse` is what both compare to
    same = {"reparse --workers 1": "reparse", "reparse --workers 2": "reparse"}
    befores = {r["path"]: r for r in rows if r["tree"] == "before"}
    for r in rows:
        b = befores.get(r["path"]) or befores.get(same.get(r["path"], ""))
        if r["tree"] == "after" and b:
            r["after_vs_before"] = round(r["pages_per_s"] / b["pages_per_s"], 2)
    return {"pages": args.pages, "rounds": args.rounds, "trees": {t.name: str(t.root) for t in
            tree_list}, "database": "sqlite", "results": rows}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="distinct pages stored")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--before", metavar="DIR", help="an older checkout with its .venv")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--floor", metavar="DB", help=argparse.SUPPRESS)  # the floor's process
    args = parser.parse_args(argv)
    if args.floor:
        print(json.dumps(floor(args.floor)))
        return 0
    sys.path.insert(0, str(ROOT))
    from benchmarks.tables import table

    report = bench(args)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"reparse of {report['pages']} stored pages (SQLite), median of {report['rounds']} "
          f"alternating rounds, pages/s over the whole process")  # fmt: skip
    print(table(report["results"], ["tree", "path", "pages", "pages_per_s", "cpu_ms_per_page",
                                    "vs_floor", "after_vs_before"]))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
