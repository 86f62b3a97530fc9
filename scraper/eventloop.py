"""The event loop every fetching command runs on: uvloop where it is installed, else asyncio's.

In a run, fetching is the largest share of the main process's CPU, and part of that is the
event loop itself: selectors, callbacks, transports. uvloop (libuv, in C) does the same work
for less: fetching 300 pages from nginx with the `Fetcher` took 5.6 % fewer instructions per
page under callgrind (6.14 M against 6.50 M, start-up subtracted), and 2-5 % less CPU time in
rounds alternated with asyncio's loop. A small gain, but in the process that limits a run with
parser processes, and for nothing but a wheel. asyncio's own loop remains where uvloop is not
installed (it has no Windows build), and ``DWSCRAPE_EVENT_LOOP=asyncio`` asks for it (to rule
the loop out while debugging).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

from scraper.errors import ConfigError

_T = TypeVar("_T")

#: The environment variable that picks the loop: ``uvloop`` (the default) or ``asyncio``.
ENV = "DWSCRAPE_EVENT_LOOP"


def loop_name() -> str:
    """``uvloop`` or ``asyncio``: the loop `run` uses here. Any other value of the variable
    is a `ConfigError`."""
    wanted = os.environ.get(ENV, "").strip().lower() or "uvloop"
    if wanted not in ("uvloop", "asyncio"):
        raise ConfigError(f"{ENV}={wanted!r}: expected 'uvloop' or 'asyncio'")
    if wanted == "uvloop" and importlib.util.find_spec("uvloop") is not None:
        return "uvloop"
    return "asyncio"


def run(main: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run(main)``, on uvloop when `loop_name` says so."""
    try:
        name = loop_name()
    except ConfigError:
        main.close()  # never started: no "coroutine was never awaited" warning
        raise
    if name == "uvloop":
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


def new_loop(name: str | None = None) -> asyncio.AbstractEventLoop:
    """A new event loop of the kind `run` uses (or of `name`, a `loop_name` the caller
    took), for a process that keeps one loop across many ``run_until_complete`` calls (a
    fetching parser process, which takes its parent's choice, not its own environment's)."""
    if (name or loop_name()) == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()
