"""Export benchmark: `dwscrape export --format jsonl` against a floor, before and after.

A SQLite database of `--pages` distinct DW pages is filled by crawling nginx (see `trees`),
one per tree. Then, alternately per round and tree, each a process of its own:

- floor: sqlite3 streams the stored JSON column (each article's current revision record) to
  a file, one line per row, in id order: the least an export of the stored records does;
- ``dwscrape export --format jsonl -o FILE``;
- the same export run twice in one process of the tree (``cli.main(…, standalone_mode=False)``),
  the second timed: "net" rows/s, without interpreter start-up, imports and the first
  connection, which at a few thousand rows are most of a process's time.

Reported: rows/s over the whole process and net (medians of the rounds), the ratio to the
floor (net: to the floor's own loop), and after / before. Rows are counted in the written files.

Usage:
    python benchmarks/export_bench.py --pages 3000 --before ../sweep-base --rounds 3 [--json]
    python benchmarks/export_bench.py --pages 50 --rounds 1 --json     # this tree only (smoke)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve())

FLOOR_SQL = (
    "SELECT r.record FROM articles a JOIN article_revisions r "
    "ON r.article_id = a.id AND r.revision_no = a.current_revision ORDER BY a.id"
)


def floor(db: str, out: str) -> dict[str, Any]:
    """Stream the stored records to `out` as they are."""
    start = time.perf_counter()
    rows = 0
    conn = sqlite3.connect(db)
    with open(out, "w", encoding="utf-8") as f:
        for (record,) in conn.execute(FLOOR_SQL):
            f.write(record)
            f.write("\n")
            rows += 1
    conn.close()
    return {"rows": rows, "loop_s": round(time.perf_counter() - start, 4)}


def in_process(db: str, out: str) -> dict[str, Any]:
    """The importing tree's `dwscrape export` twice in this process; the second one's time."""
    from scraper.cli import cli

    args = ["export", "--db", db, "--format", "jsonl", "--quiet", "-o", out]
    cli.main(args=args, prog_name="dwscrape", standalone_mode=False)
    start = time.perf_counter()
    cli.main(args=args, prog_name="dwscrape", standalone_mode=False)
    return {"loop_s": round(time.perf_counter() - start, 4)}


def measure(tree: Any, db: Path, path: str, out: Path) -> dict[str, Any]:
    if path == "floor":
        wall, cpu, stdout = tree.timed([HERE, "--floor", str(db), str(out)])
        net = json.loads(stdout.strip().splitlines()[-1])["loop_s"]
    else:
        cmd = ["-m", "scraper", "export", "--db", str(db), "--format", "jsonl", "--quiet"]
        wall, cpu, _ = tree.timed([*cmd, "-o", str(out)])
        _, _, stdout = tree.timed([HERE, "--in-process", str(db), str(out) + ".net"])
        net = json.loads(stdout.strip().splitlines()[-1])["loop_s"]
    with open(out, "rb") as f:
        rows = sum(1 for _ in f)
    return {"rows": rows, "wall_s": wall, "cpu_s": cpu, "net_s": max(net, 1e-6)}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.trees import filled_databases, median, trees

    tree_list = trees(args.before)
    paths = ["floor", "export --format jsonl"]
    samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with filled_databases(tree_list, args.pages) as dbs, tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for tree in tree_list:
                for path in paths:
                    out = Path(tmp) / f"{tree.name}-{path.split()[0]}.jsonl"
                    m = measure(tree, dbs[tree.name], path, out)
                    samples.setdefault((tree.name, path), []).append(m)
    rows = []
    for (name, path), ms in samples.items():
        floors = samples[(name, "floor")]
        ratios = [m["rows"] / m["wall_s"] / (f["rows"] / f["wall_s"])
                  for m, f in zip(ms, floors, strict=True)]  # fmt: skip
        net_ratios = [m["rows"] / m["net_s"] / (f["rows"] / f["net_s"])
                      for m, f in zip(ms, floors, strict=True)]  # fmt: skip
        rows.append({"tree": name, "path": path, "rows": ms[0]["rows"],
                     "rows_per_s": round(median([m["rows"] / m["wall_s"] for m in ms]), 1),
                     "vs_floor": round(median(ratios), 3),
                     "net_rows_per_s": round(median([m["rows"] / m["net_s"] for m in ms]), 1),
                     "net_vs_floor": round(median(net_ratios), 3)})  # fmt: skip
    befores = {r["path"]: r for r in rows if r["tree"] == "before"}
    for r in rows:
        b = befores.get(r["path"])
        if r["tree"] == "after" and b:
            r["after_vs_before"] = round(r["rows_per_s"] / b["rows_per_s"], 2)
            r["net_after_vs_before"] = round(r["net_rows_per_s"] / b["net_rows_per_s"], 2)
    return {"pages": args.pages, "rounds": args.rounds, "trees": {t.name: str(t.root) for t in
            tree_list}, "database": "sqlite", "results": rows}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="distinct pages stored")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--before", metavar="DIR", help="an older checkout with its .venv")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--floor", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--in-process", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor or args.in_process:
        print(json.dumps(floor(*args.floor) if args.floor else in_process(*args.in_process)))
        return 0
    sys.path.insert(0, str(ROOT))
    from benchmarks.tables import table

    report = bench(args)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"export of {report['pages']} stored articles (SQLite), median of {report['rounds']} "
          f"alternating rounds; net: a warm second export in one process")  # fmt: skip
    print(table(report["results"], ["tree", "path", "rows", "rows_per_s", "vs_floor",
                                    "net_rows_per_s", "net_vs_floor", "after_vs_before",
                                    "net_after_vs_before"]))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
