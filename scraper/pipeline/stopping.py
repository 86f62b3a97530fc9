"""SIGINT and SIGTERM as a graceful stop of a run or a worker.

The first signal stops leasing new work: the batch being fetched is cancelled and its URLs are
handed back to the frontier, the batch being stored is finished, the run is recorded as
``interrupted`` and the command exits 128 + the signal's number (130 for SIGINT, 143 for
SIGTERM), as shells and systemd expect. A second signal kills the process at once (the
default action): its leases then come back after the lease time, like after any crash.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable
from contextlib import suppress
from typing import TypeVar

import structlog

log = structlog.get_logger("scraper.pipeline")
_T = TypeVar("_T")

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stop:
    """A stop request, set by a signal (`install`) or by the code (`request`)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._event: asyncio.Event | None = None
        self._installed: list[int] = []

    @property
    def requested(self) -> bool:
        return self._event is not None and self._event.is_set()

    def _flag(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    def request(self, signum: int | None = None) -> None:
        if self.requested:
            return
        self.signum = signum
        self._flag().set()

    def install(self) -> None:
        """Turn SIGINT/SIGTERM into `request` on the running loop (main thread only)."""
        loop = asyncio.get_running_loop()
        self._flag()
        for signum in SIGNALS:
            try:
                loop.add_signal_handler(signum, self._on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                continue
            self._installed.append(signum)

    def uninstall(self) -> None:
        with suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for signum in self._installed:
                loop.remove_signal_handler(signum)
        self._installed.clear()

    def _on_signal(self, signum: int) -> None:
        log.warning("run.signal", signal=signal.Signals(signum).name, action="stopping")
        self.request(signum)
        self.uninstall()  # a second signal takes the default action: the process ends

    async def sleep(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when a stop was requested meanwhile."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._flag().wait(), timeout=max(0.0, seconds))
        return self.requested

    async def interruptible(self, work: Awaitable[_T]) -> _T | None:
        """`work`'s result, or None when a stop came first (`work` is then cancelled)."""
        task = asyncio.ensure_future(work)
        waiter = asyncio.ensure_future(self._flag().wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        return None
