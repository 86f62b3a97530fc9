"""Per-host pacing shared with other processes: the `HostGate` the politeness asks.

The fetcher paces each host on its own (`scraper.fetching.politeness`), which holds for one
process. When several processes fetch for one database (cron's `run` and any number of
`dwscrape worker`s), the composition root hands the fetcher a gate shared through that database
(on PostgreSQL a row per host, taken with a row lock): before each request the politeness
reserves the host's next slot from the gate and waits for it, and a ``Retry-After`` is passed on
to it, so together the processes still send at most one request per delay to a host. The
fetcher knows only this protocol, never the database.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol


class HostGate(Protocol):
    """Shared per-host slots (the times are the gate's own clock, in seconds from now)."""

    async def reserve(self, host: str, interval: float) -> float:
        """Take `host`'s next request slot; the seconds to wait for it. The slot after it is
        `interval` seconds later, for whoever asks."""
        ...

    async def defer(self, host: str, seconds: float) -> None:
        """No request to `host`, by anyone, before `seconds` from now."""
        ...


class BlockingHostGate(Protocol):
    """A gate whose calls block (a database): `db.repository.Repository` is one."""

    def reserve_host(self, host: str, interval: float) -> float: ...

    def defer_host(self, host: str, seconds: float) -> None: ...


class ThreadedHostGate:
    """A `HostGate` over a blocking one, called on a thread of its own so the event loop
    keeps fetching meanwhile (one thread: one database connection for the gate)."""

    def __init__(self, gate: BlockingHostGate) -> None:
        self._gate = gate
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="dwscrape-gate")

    async def reserve(self, host: str, interval: float) -> float:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._gate.reserve_host, host, interval)

    async def defer(self, host: str, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._gate.defer_host, host, seconds)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
