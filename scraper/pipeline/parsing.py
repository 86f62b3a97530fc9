"""Parse and pack fetched pages, in this process or in a pool of parser processes.

Parsing, normalising and compressing a page is pure CPU work that needs nothing but the page:
with a pool of processes every core parses while the event loop keeps fetching and the one
database writer keeps writing, and none of that work waits in the writer's thread. The same
function runs in-process (``workers=0``) and in the pool, so both give the same articles.

The pool's processes are started by the forkserver (spawn where there is none): never forked
from the running crawler with its threads, sockets and database connections. They ignore
SIGINT and SIGTERM: Ctrl-C goes to the whole process group and systemd's stop to the whole
control group, and only the parent decides what they mean (finish the batch, record the run,
shut the pool down); no child dies with a traceback of its own or breaks the pool under the
batch in hand. And they watch the parent: a parent killed outright (SIGKILL, the OOM killer)
cannot shut its pool down, and a parser process waiting for work would otherwise wait for
ever, holding the parent's output pipes open.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from multiprocessing.context import BaseContext
from typing import Any

import structlog
import structlog.testing

from scraper import parse_page
from scraper.article import Article
from scraper.errors import ParseError, SoftNotFoundError
from scraper.rawpages import PackedPage, pack

_relayed = structlog.get_logger("scraper.parsers")

#: How often a parser process checks that its parent is still there (seconds).
WATCH_S = 1.0

#: Modules the forkserver imports once, so each parser process starts with them loaded; the
#: first one makes the forkserver leave SIGTERM to the parent (see that module).
PRELOAD = [
    "scraper.pipeline.forkserver",
    "scraper.pipeline.parsing",
    "scraper.parsers",
    "scraper.normalize",
]


@dataclass(frozen=True, slots=True)
class ParseJob:
    """A fetched page to parse: its bytes, the URL it stands for and when it was fetched;
    `pack`: also compress it for storage (not for a page already stored)."""

    body: bytes
    url: str
    fetched_at: dt.datetime | None = None
    pack: bool = True
    #: Hand the parse's log events back with the result (a parser process has no handlers
    #: of its own: what it logs would be lost, and `--quiet`'s per-run summary incomplete).
    relay_logs: bool = False


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed page: the article or why there is none, and the page packed for storage
    (if the job asked for it)."""

    article: Article | None
    error: str | None
    page: PackedPage | None
    #: The page is a soft 404: a 200 in DW's chrome that names no content of its own.
    soft_not_found: bool = False
    #: The parse's log events, when the job asked for them (`relay` logs them again).
    logs: tuple[dict[str, Any], ...] = ()


def parse_job(job: ParseJob) -> Parsed:
    """Parse and pack one page; a `ParseError` is a result, anything else raises."""
    if not job.relay_logs:
        return _parse(job)
    with structlog.testing.capture_logs() as events:
        parsed = _parse(job)
    return replace(parsed, logs=tuple(dict(e) for e in events))


def relay(events: Iterable[dict[str, Any]]) -> None:
    """Log again, in this process, the events a parser process captured."""
    for entry in events:
        fields = dict(entry)
        level = fields.pop("log_level", "info")
        event = fields.pop("event", "parse.event")
        getattr(_relayed, level, _relayed.info)(event, **fields)


def _parse(job: ParseJob) -> Parsed:
    page = pack(job.body) if job.pack else None
    try:
        article = parse_page(job.body, url=job.url, fetched_at=job.fetched_at)
    except SoftNotFoundError as exc:
        return Parsed(None, exc.message, None, soft_not_found=True)
    except ParseError as exc:
        return Parsed(None, exc.message, page)
    return Parsed(article, None, page)


def default_workers() -> int:
    """One parser process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def pool_context() -> BaseContext:
    """The forkserver (spawn where there is none), with the parsers preloaded."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(PRELOAD)
        return forkserver
    return multiprocessing.get_context("spawn")


def start_forkserver() -> None:
    """Start the forkserver now, without waiting for it. It imports the parsers (`PRELOAD`)
    on another core while this process is still starting up; otherwise the first batch waits
    for those imports (about 0.1 s), with the event loop blocked while the executor reads the
    first process's pid."""
    if pool_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def start_pool(
    workers: int,
    *,
    context: BaseContext | None = None,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A pool of `workers` parser processes (see the module's docstring for how they start);
    `setup(*setup_args)` runs in each process as it starts (`scraper.pipeline.fetchparse`)."""
    return ProcessPoolExecutor(
        workers,
        mp_context=context or pool_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), setup, setup_args),
    )


def warm(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start the pool's `workers` processes now, on a background thread: the executor starts
    a process only when work is submitted, so the first batch would otherwise wait for their
    start and set-up as well as for its pages."""
    threading.Thread(
        target=_spawn, args=(pool, workers), name="dwscrape-parsers-start", daemon=True
    ).start()


def _spawn(pool: ProcessPoolExecutor, workers: int) -> None:
    # One submit per process: each finds the ones before it still starting (their set-up
    # takes milliseconds, the submits microseconds), so the executor starts another. Whatever
    # goes wrong here (the pool shut down meanwhile, a process that cannot start) the first
    # batch meets again and handles: it is not reported twice, nor as a thread's traceback.
    with suppress(Exception):
        for _ in range(workers):
            pool.submit(_ready)


def _ready() -> None:
    """The no-op `warm` submits: what counts is that a process took it."""


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Shut down a broken pool (a process of it died). The executor ends the survivors with
    SIGTERM and waits for them, but they ignore SIGTERM (see the module's docstring) and would
    be waited for for ever: they get SIGKILL (their work is lost with the pool anyway)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with suppress(Exception):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(
    parent: int, setup: Callable[..., None] | None, setup_args: tuple[Any, ...]
) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    if setup is not None:
        setup(*setup_args)


def _exit_with(parent: int) -> None:
    """Leave as soon as the process that started the pool is gone. Its pid is watched, not
    the parent pid: the pool's processes are the forkserver's children, and the forkserver
    itself waits for them before it exits."""
    while not _gone(parent):
        time.sleep(WATCH_S)
    os._exit(0)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # no such process, or a reused pid
        return True
    try:  # dead but not yet reaped by its own parent (Linux)
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
