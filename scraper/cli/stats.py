"""`dwscrape stats`: recent crawl runs, their counts and fill rates, and fill-rate alarms."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from scraper.cli.common import common_options, format_option, setup
from scraper.cli.database import open_repository
from scraper.cli.options import count
from scraper.lazylog import LazyLogger
from scraper.output import to_json, write_records
from scraper.pipeline.stats import Totals, fill_rate_drops, outcome_summary, run_rows
from scraper.render import fill_rate_warning, totals_lines

log = LazyLogger(__name__)


@click.command()
@click.option("--runs", "n_runs", type=count(), default=10, show_default=True)
@format_option("table", "json", default="table")
@common_options
@click.pass_context
def stats(ctx: click.Context, n_runs: int, fmt: str) -> None:
    """Recent crawl runs with their counts, fetch outcomes and fill rates, and what the
    database holds.

    Per run: discovered, fetched, new, changed, unchanged and failed URLs, and the fetch log's
    count of each outcome (ok, not_modified, not_found, blocked, robots_disallowed, timeout,
    …). Then the totals: articles (per language and content type), revisions, raw pages and
    the database's size. Warns when a field's fill rate in the latest run falls sharply against
    the earlier runs for the same content type (DW probably changed its markup: check the
    parser); a content type is compared only where a run parsed enough of its pages.

    \b
    Examples:
      dwscrape stats
      dwscrape stats --runs 30 --format json
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        runs = repo.recent_runs(n_runs)
        totals = Totals.from_counts(repo.stats())
        discoveries = repo.run_discoveries([run.id for run in runs])
    rows = run_rows(runs)
    for row in rows:  # per language: URLs each discovery source gave, and what failed
        row["discovery"] = discoveries.get(row["run"])
    drops = fill_rate_drops(runs)
    for drop in drops:
        log.warning("stats.fill_rate_drop", **drop.to_dict())
    if fmt == "json":
        report = {
            "runs": rows,
            "fill_rate_drops": [d.to_dict() for d in drops],
            "totals": totals.to_dict(),
        }
        click.echo(to_json(report, indent=2))
        return
    if rows:
        for row in rows:
            row["discovery"] = discovery_summary(row["discovery"])
        hidden = ("outcomes", "fill_rates", "fill_rates_by_type", "discovery")
        columns = [c for c in rows[0] if c not in hidden]
        write_records(rows, "table", sys.stdout, columns=columns, title="crawl runs (newest first)")
        click.echo("fetch outcomes per run:")
        for row in rows:
            click.echo(f"  run {row['run']}: {outcome_summary(row['outcomes']) or 'no fetches'}")
        found = [row for row in rows if row["discovery"]]
        if found:
            click.echo("discovery per run (URLs per source):")
            for row in found:
                click.echo(f"  run {row['run']}: {row['discovery']}")
    else:
        click.echo("no runs yet")
    for line in totals_lines(totals):
        click.echo(line)
    for drop in drops:
        click.echo(fill_rate_warning(drop))


def discovery_summary(discovery: Mapping[str, Any] | None) -> str:
    """``en: feed 12, news_sitemap 30; de: FAILED (2)``: a run's discovery in one cell."""
    if not discovery:
        return ""
    parts = []
    for lang, found in (discovery.get("languages") or {}).items():
        sources = ", ".join(f"{kind} {n}" for kind, n in (found.get("sources") or {}).items())
        failed = found.get("failed") or []
        text = f"{lang}: {sources or 'nothing read'}"
        parts.append(text + (f"; {len(failed)} failed" if failed else ""))
    return " | ".join(parts)
