"""Before/after for `reparse_bench.py` and `export_bench.py`: the same commands run from two
checkouts of dwscrape ("trees"), each with its own virtualenv, alternately in one sitting.

A tree is a checkout with ``.venv``; its commands run with that interpreter, in that folder
and with it on ``PYTHONPATH`` (``python -m scraper`` would otherwise import whichever
``scraper`` is in the working directory). Each tree fills its own SQLite database by crawling
the same nginx pages with its own `crawl`, so every tree reads pages its own code stored (its
schema, its raw-page codec) and no schema migration is needed between them.

The older tree is made with ``git worktree add ../before d87a7ca`` and
``python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'`` in it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.procenv import bench_env
from benchmarks.proctree import measured

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tree:
    name: str
    root: Path

    @property
    def python(self) -> str:
        venv = self.root / ".venv" / "bin" / "python"
        return str(venv) if venv.exists() else sys.executable

    def timed(self, args: list[str]) -> tuple[float, float, str]:
        """``python ARGS`` in this tree: wall seconds, CPU seconds of its whole tree (its
        parser processes included, `benchmarks.proctree`), stdout."""
        run = measured([self.python, *args], self.root, bench_env(self.root, self.python))
        if run.code != 0:
            raise SystemExit(
                f"{self.name}: {' '.join(args[:4])} exited {run.code}:\n{run.stderr[-2000:]}"
            )
        return run.wall, run.cpu, run.stdout


def trees(before: str | None) -> list[Tree]:
    """This checkout ("after") and, when given, the older one ("before")."""
    found = [Tree("after", ROOT)]
    if before:
        path = Path(before).resolve()
        if not (path / "scraper").is_dir():
            raise SystemExit(f"--before {before}: not a dwscrape checkout")
        found.insert(0, Tree("before", path))
    return found


@contextlib.contextmanager
def filled_databases(tree_list: list[Tree], pages: int) -> Iterator[dict[str, Path]]:
    """A SQLite database per tree holding `pages` distinct DW pages, each crawled from nginx
    by that tree's own `crawl`; removed afterwards."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.ingest_floor import nginx_site

    with tempfile.TemporaryDirectory(prefix="dwscrape-trees-") as tmp:
        dbs = {t.name: Path(tmp) / f"{t.name}.sqlite3" for t in tree_list}
        with nginx_site(pages) as (base, paths, _langs):
            for tree in tree_list:
                urls = [base + p for p in paths]
                tree.timed(["-m", "scraper", "crawl", *urls, "--db", str(dbs[tree.name]),
                            "--delay", "0", "--quiet"])  # fmt: skip
        yield dbs


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
