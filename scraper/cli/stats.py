"""`dwscrape stats`: recent crawl runs, their counts and fill rates, and fill-rate alarms."""

from __future__ import annotations

import sys

import click
import structlog

from scraper.cli.common import common_options, format_option, setup
from scraper.cli.database import open_repository
from scraper.cli.options import count
from scraper.output import to_json, write_records
from scraper.pipeline.stats import fill_rate_drops, run_rows
from scraper.render import fill_rate_warning

log = structlog.get_logger(__name__)


@click.command()
@click.option("--runs", "n_runs", type=count(), default=10, show_default=True)
@format_option("table", "json", default="table")
@common_options
@click.pass_context
def stats(ctx: click.Context, n_runs: int, fmt: str) -> None:
    """Recent crawl runs with their counts and per-field fill rates.

    Warns when a field's fill rate in the latest run falls sharply against the earlier runs
    (DW probably changed its markup: check the parser).

    \b
    Examples:
      dwscrape stats
      dwscrape stats --runs 30 --format json
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        runs = repo.recent_runs(n_runs)
    rows = run_rows(runs)
    drops = fill_rate_drops(runs)
    for drop in drops:
        log.warning("stats.fill_rate_drop", **drop.to_dict())
    if fmt == "json":
        report = {"runs": rows, "fill_rate_drops": [d.to_dict() for d in drops]}
        click.echo(to_json(report, indent=2))
        return
    columns = [c for c in (rows[0] if rows else {}) if c != "fill_rates"]
    write_records(rows, "table", sys.stdout, columns=columns, title="crawl runs (newest first)")
    for drop in drops:
        click.echo(fill_rate_warning(drop))
