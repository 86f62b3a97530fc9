"""What the composition root (the CLI) hands a run or a worker besides its options: the shared
host gate, the run lock's check, and how a stop is requested; and how a run ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scraper.fetching import HostGate
from scraper.pipeline.leasing import Recovery
from scraper.pipeline.report import RunReport
from scraper.pipeline.stopping import Stop


@dataclass
class RunContext:
    """`gate`: per-host pacing shared with other processes (PostgreSQL), None for the
    in-process politeness alone. `guard`: called before each batch; raises when the run lock
    was lost. `handle_signals`: SIGINT/SIGTERM stop gracefully (the CLI sets it)."""

    gate: HostGate | None = None
    guard: Callable[[], None] | None = None
    handle_signals: bool = False
    stop: Stop = field(default_factory=Stop)

    @contextmanager
    def signals_handled(self) -> Iterator[None]:
        """Within a running event loop: the signals are the stop's while the block runs."""
        if self.handle_signals:
            self.stop.install()
        try:
            yield
        finally:
            self.stop.uninstall()


def note_recovery(report: RunReport, recovery: Recovery) -> None:
    report.abandoned_runs = recovery.abandoned
    report.still_leased = recovery.still_leased
    report.leased_until = recovery.leased_until


def end_status(report: RunReport, stop: Stop, max_failure_rate: float) -> str:
    """'interrupted' after a signal, else 'failed' over the failure threshold, else 'ok'."""
    if stop.requested:
        report.signum = stop.signum
        return "interrupted"
    return "failed" if report.failure_rate > max_failure_rate else "ok"
