"""The environment every benchmark runs its subprocesses in: as a deployed dwscrape runs.

An installed package has its bytecode compiled (pip writes it at install time; an editable
install writes it on first import). A shell that sets ``PYTHONDONTWRITEBYTECODE`` (as this
project's development machine does) would instead have every measured process compile each of
its modules from source, which costs dwscrape (some 150 modules) far more than a 48-line floor.
So the processes a benchmark measures, dwscrape and the floor alike, read bytecode compiled
beforehand into a cache of the benchmark's own (``PYTHONPYCACHEPREFIX``: the checkout is not
written to).

Under ``PYTHONPYCACHEPREFIX`` Python reads bytecode only from that cache, for the standard
library and site-packages too, not only for the checkout. So everything on the measured
interpreter's ``sys.path`` is compiled into it, not just the checkout: otherwise the first
measured process of a sitting (usually the floor) compiles httpx, asyncio and the rest from
source and every later one reads them from the cache. The cache lives under
``~/.cache/dwscrape-bench-pyc`` and is reused by later sittings (each file's bytecode records
its source's modification time, so a changed file is compiled again).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dwscrape-bench-pyc"
_DONE: set[tuple[str, str]] = set()

_COMPILE = """
import compileall, os, sys
dirs = [p for p in sys.path[1:] if os.path.isdir(p)] + sys.argv[1:]
for d in dirs:
    compileall.compile_dir(d, quiet=2, workers=0)
"""


def bench_env(root: Path, python: str | None = None) -> dict[str, str]:
    """``os.environ`` for a measured process of `python` (default: this one) running the
    checkout at `root`: it on ``PYTHONPATH``, bytecode read from the benchmark's cache, with
    everything that interpreter can import compiled into it first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE)
    _compile(root, python or sys.executable, env)
    return env


def _compile(root: Path, python: str, env: dict[str, str]) -> None:
    """Compile `python`'s ``sys.path`` and `root`'s packages into the cache (once a process)."""
    if (str(root), python) in _DONE:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    packages = [str(root / p) for p in ("scraper", "db", "migrations", "benchmarks")
                if (root / p).is_dir()]  # fmt: skip
    subprocess.run([python, "-c", _COMPILE, *packages], env=env, cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _DONE.add((str(root), python))
