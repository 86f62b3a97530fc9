"""Start-up: wall time of quick commands on a small SQLite database, against floors.

`dwscrape query x`, `dwscrape show URL`, `dwscrape stats` and `dwscrape --help` run on a
database the benchmark fills with `dwscrape demo` (the fake DW site, a few dozen articles), each
as a fresh process, and are compared with two floors measured in the same sitting:

- ``python -c pass``: the interpreter alone;
- the same work done minimally: ``python -c`` importing click and SQLAlchemy, opening the file
  with ``create_engine`` and running an FTS5 ``MATCH`` query like dwscrape's. Importing
  SQLAlchemy is most of it: the ratio to this floor is what dwscrape adds.

Every round runs every command once, in turn (A B A B …: a shared machine's load falls on all of
them alike); the median over the rounds counts. Bytecode is cached in a temporary directory for
every command alike (as for an installed wheel), and each command runs once before timing.
With ``--compare PYTHON`` the commands also run with another checkout's interpreter (its
``dwscrape`` script next to it), alternated with this one: before/after in one sitting.

Usage:
    python benchmarks/startup_bench.py                  # table
    python benchmarks/startup_bench.py --rounds 30 --json
    python benchmarks/startup_bench.py --compare ../main/.venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: The minimal implementation of `dwscrape query x`: the same libraries, the same SQLite file,
#: the same kind of full-text query (FTS5 MATCH ranked by bm25), the rows printed.
FLOOR_QUERY = """
import sys, click, sqlalchemy as sa
engine = sa.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as conn:
    rows = conn.execute(sa.text(
        "SELECT a.dw_id, a.title FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH :q ORDER BY bm25(articles_fts) LIMIT 20"), {"q": sys.argv[2]}).all()
click.echo("\\n".join(f"{r.dw_id} {r.title}" for r in rows))
"""


def child_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.pop("DWSCRAPE_DATABASE_URL", None)
    env.pop("PYTHONPATH", None)  # each `dwscrape` imports its own checkout, not this one
    return env


def make_database(python: Path, directory: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A small database filled by `dwscrape demo`, and the URL of one stored article."""
    db = directory / "startup.sqlite3"
    subprocess.run(
        [str(python.parent / "dwscrape"), "demo", "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        timeout=600,
    )
    with sqlite3.connect(db) as conn:
        (url,) = conn.execute("SELECT canonical_url FROM articles ORDER BY id LIMIT 1").fetchone()
    return db, url


def commands(
    pythons: dict[str, Path], made: dict[str, tuple[Path, str]]
) -> dict[str, tuple[str, str, list[str]]]:
    """name -> (what, interpreter label, argv); `made`: each label's database and article URL
    (the floor reads this checkout's)."""
    main = next(iter(pythons.values()))
    db, _url = made["this"]
    found: dict[str, tuple[str, str, list[str]]] = {
        "floor: python -c pass": ("floor", "", [str(main), "-c", "pass"]),
        "floor: sqlalchemy+click query": (
            "floor",
            "",
            [str(main), "-c", FLOOR_QUERY, str(db), "x"],
        ),
    }
    for what in ("query x", "show URL", "stats", "--help"):
        for label, python in pythons.items():
            own, url = made[label]
            args = {
                "query x": ["--db", str(own), "query", "x"],
                "show URL": ["--db", str(own), "show", url],
                "stats": ["--db", str(own), "stats"],
                "--help": ["--help"],
            }[what]
            name = f"dwscrape {what}" + (f" [{label}]" if len(pythons) > 1 else "")
            found[name] = (what, label, [str(python.parent / "dwscrape"), *args])
    return found


def time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 5):  # 5: nothing matches `x` (an empty result is fine)
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def measure(
    cmds: dict[str, tuple[str, str, list[str]]], env: dict[str, str], rounds: int
) -> dict[str, list[float]]:
    for _what, _label, argv in cmds.values():  # warm-up: bytecode written, files cached
        time_once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, (_what, _label, argv) in cmds.items():
            times[name].append(time_once(argv, env))
    return times


def report(times: dict[str, list[float]], cmds: dict[str, Any], rounds: int) -> dict[str, Any]:
    median = {name: statistics.median(t) * 1000 for name, t in times.items()}
    bare = median["floor: python -c pass"]
    floor = median["floor: sqlalchemy+click query"]
    rows = [
        {
            "command": name,
            "median_ms": round(ms, 1),
            "min_ms": round(min(times[name]) * 1000, 1),
            "vs_sqlalchemy_floor": round(ms / floor, 2),
            "above_floor_ms": round(ms - floor, 1),
        }
        for name, ms in median.items()
    ]
    return {"rounds": rounds, "python_floor_ms": round(bare, 1), "results": rows}


def print_table(result: dict[str, Any]) -> None:
    print(f"start-up, median of {result['rounds']} alternated rounds (ms)")
    print(f"{'command':<44} {'median':>8} {'min':>8} {'x floor':>8} {'+ms':>8}")
    for row in result["results"]:
        print(
            f"{row['command']:<44} {row['median_ms']:>8.1f} {row['min_ms']:>8.1f}"
            f" {row['vs_sqlalchemy_floor']:>8.2f} {row['above_floor_ms']:>8.1f}"
        )
    print("x floor: median / the sqlalchemy+click query floor (same sitting)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="PYTHON",
        help="another checkout's interpreter: its dwscrape runs alternated with this one's",
    )
    args = parser.parse_args()
    pythons = {"this": Path(sys.executable)}
    if args.compare is not None:
        pythons = {"compare": args.compare.absolute(), "this": Path(sys.executable)}
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        directory = Path(tmp)
        env = child_env(directory / "pycache")
        # each checkout reads a database made by its own `dwscrape demo` (schemas differ)
        made = {}
        for label, python in pythons.items():
            (directory / label).mkdir()
            made[label] = make_database(python, directory / label, env)
        cmds = commands(pythons, made)
        times = measure(cmds, env, args.rounds)
    result = report(times, cmds, args.rounds)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
