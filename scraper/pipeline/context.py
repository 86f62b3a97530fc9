"""What the composition root (the CLI) hands a run or a worker besides its options: the shared
host gate, the run lock's check, and how a stop is requested; and how a run ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scraper.fetching import HostGate
from scraper.pipeline.recovery import Owner, Recovery, recover
from scraper.pipeline.report import RunReport
from scraper.pipeline.stopping import Stop
from scraper.pipeline.storage import Store


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


def open_run(store: Store, command: str, lease_s: float) -> tuple[Owner, RunReport]:
    """Start a run that leases (`run`, `worker`): first close what crashed runs left (their
    rows `abandoned`, their leases back), then record this run with its owner."""
    owner = Owner.current()
    recovery = recover(store, owner, lease_s)
    report = RunReport(
        run_id=store.start_run(command, host=owner.host, pid=owner.pid, owner=owner.name)
    )
    note_recovery(report, recovery)
    return owner, report


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
