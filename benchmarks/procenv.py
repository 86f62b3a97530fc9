"""The environment every benchmark runs its subprocesses in: as a deployed dwscrape runs.

An installed package has its bytecode compiled (pip writes it at install time; an editable
install writes it on first import). A shell that sets ``PYTHONDONTWRITEBYTECODE`` (as this
project's development machine does) would instead have every measured process compile each of
its modules from source, which costs dwscrape (some 150 modules) far more than a 48-line floor.
So the processes a benchmark measures, dwscrape and the floor alike, read bytecode compiled
once beforehand into a cache of the benchmark's own (``PYTHONPYCACHEPREFIX``: the checkout is
not written to).
"""

from __future__ import annotations

import atexit
import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

_CACHE: Path | None = None


def bench_env(root: Path) -> dict[str, str]:
    """``os.environ`` for a measured process running the checkout at `root`: it on
    ``PYTHONPATH``, bytecode read from (and written to) the benchmark's cache, compiled first."""
    cache = _compiled(root)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def _compiled(root: Path) -> Path:
    """The cache, with `root`'s packages and the interpreter's libraries compiled into it."""
    global _CACHE
    if _CACHE is None:
        _CACHE = Path(tempfile.mkdtemp(prefix="dwscrape-bench-pyc-"))
        atexit.register(shutil.rmtree, _CACHE, True)
    marker = _CACHE / (str(root).replace(os.sep, "_") + ".done")
    if not marker.exists():
        previous = sys.pycache_prefix
        sys.pycache_prefix = str(_CACHE)
        try:
            for package in ("scraper", "db", "migrations", "benchmarks"):
                if (root / package).is_dir():
                    compileall.compile_dir(root / package, quiet=1)
        finally:
            sys.pycache_prefix = previous
        marker.touch()
    return _CACHE
