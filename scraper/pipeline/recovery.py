"""Before a run leases: the runs whose process died are closed as abandoned, so that their
leases return to the frontier at once instead of after the lease time.

A run is taken for dead when its process is gone from this machine, or when its heartbeat
(`scraper.pipeline.leasing.LeaseLoop` renews it with the leases) is older than a few lease
times, whichever machine it ran on. A process never takes its own run for dead.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from dataclasses import dataclass

import structlog

from scraper.errors import DwscrapeError
from scraper.pipeline.storage import LiveRunInfo, Store

log = structlog.get_logger("scraper.pipeline")

#: A run whose heartbeat is older than this many lease times is taken for dead.
ABANDONED_AFTER_LEASES = 3


@dataclass(frozen=True, slots=True)
class Owner:
    """Who leases: the machine, the process, and the lease-owner name unique to it."""

    host: str
    pid: int
    name: str

    @classmethod
    def current(cls) -> Owner:
        host, pid = socket.gethostname(), os.getpid()
        return cls(host, pid, f"{host}:{pid}:{int(time.time())}")


def worker_id() -> str:
    """Lease owner name: host, pid and a start stamp, unique per process."""
    return Owner.current().name


@dataclass(frozen=True, slots=True)
class Recovery:
    """What a starting run found of earlier runs: how many it closed as abandoned, and the
    URLs other live processes still hold (how many, and until when)."""

    abandoned: int = 0
    still_leased: int = 0
    leased_until: dt.datetime | None = None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def gone(run: LiveRunInfo, me: Owner, lease_s: float, now: dt.datetime) -> str | None:
    """Why `run` is taken for dead (its process is gone), or None while it may be alive."""
    if run.owner == me.name:
        return None
    same_host = run.host == me.host and run.pid is not None and run.pid != me.pid
    if same_host and run.pid is not None and not pid_alive(run.pid):
        return f"process {run.pid} on {run.host} is gone"
    seen = run.heartbeat_at or run.started_at
    stale = dt.timedelta(seconds=ABANDONED_AFTER_LEASES * lease_s)
    if now - seen > stale:
        return f"no heartbeat since {seen.isoformat(timespec='seconds')}"
    return None


def recover(store: Store, me: Owner, lease_s: float, *, now: dt.datetime | None = None) -> Recovery:
    """Close the runs whose process is gone as 'abandoned' (their leases return at once) and
    say what other processes still hold. Never raises: recovery is a courtesy."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        dead = {run.id: why for run in store.running_runs() if (why := gone(run, me, lease_s, now))}
        for run_id, why in dead.items():
            log.warning("run.abandoned", run_id=run_id, reason=why)
            store.abandon_runs([run_id], f"abandoned: {why}")
        summary = store.leased_summary()
    except DwscrapeError as exc:
        log.warning("run.recovery_failed", error=str(exc))
        return Recovery()
    if summary.count:
        log.info("run.still_leased", count=summary.count, until=str(summary.until))
    return Recovery(len(dead), summary.count, summary.until)
