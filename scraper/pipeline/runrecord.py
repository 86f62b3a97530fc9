"""A run's row: what it discovered and how it ended, recorded for `dwscrape stats`.

Every command that records a run ends it here (`finish_run`), whatever ended it; a failure to
record is logged, not raised, so that the run's own outcome (and its exit code) stands.
"""

from __future__ import annotations

import time

import structlog

from scraper.discovery import DiscoveryReport
from scraper.errors import DwscrapeError
from scraper.outcomes import RUN_COUNTS
from scraper.pipeline.report import RunReport
from scraper.pipeline.storage import Store

log = structlog.get_logger("scraper.pipeline")


def record_discovery(store: Store, run_id: int, report: DiscoveryReport) -> None:
    """Keep the discovery report with the run (for `stats`); a failure is logged, not raised."""
    try:
        store.record_discovery(run_id, report.to_dict())
    except DwscrapeError as exc:
        log.error("store.record_discovery_failed", run_id=run_id, error=str(exc))


def finish_run(store: Store, report: RunReport, status: str) -> None:
    """Close the run's report and record it; a failure to record it is logged, not raised."""
    report.status = status
    report.duration_s = time.monotonic() - report.started
    try:
        counts = {k: report.counts[k] for k in RUN_COUNTS}
        store.finish_run(
            report.run_id,
            status,
            counts,
            report.fill_rates,
            fill_by_type=report.fill_by_type,
            error=report.error,
        )
    except DwscrapeError as exc:
        log.error("store.finish_run_failed", run_id=report.run_id, error=str(exc))
    log.info("run.finished", **report.to_dict())
