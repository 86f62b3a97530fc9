"""`dwscrape demo`: the whole pipeline offline, against the fake DW site on loopback."""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from scraper.cli.common import Settings, common_options, setup
from scraper.cli.database import database_url, open_repository, run_lock_held
from scraper.cli.progress import progress_bar
from scraper.demo import serve_site
from scraper.exitcodes import ExitCode
from scraper.fetching import FetchSettings
from scraper.output import write_records
from scraper.pipeline import RunOptions, RunReport
from scraper.pipeline import run as run_pipeline
from scraper.render import run_summary
from scraper.views import hit_record

DEMO_COLUMNS = ("dw_id", "published_at", "language", "title")


@click.command()
@click.option("--query", "terms", default=None, help="Terms of the query shown at the end.")
@click.option(
    "--serve",
    is_flag=True,
    help="Only run the fake DW site, until Ctrl-C, and print the line that points "
    "dwscrape at it (the README tour).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port of the fake site on 127.0.0.1 (default: any free one).",
)
@click.option(
    "--keep", is_flag=True, help="Keep the demo database (its path is printed) for more queries."
)
@common_options
@click.pass_context
def demo(ctx: click.Context, terms: str | None, serve: bool, port: int, keep: bool) -> None:
    """Offline proof of everything: fake DW site on loopback → full run → SQLite → query.

    Starts the bundled fake DW site on 127.0.0.1, runs the scheduled job against it (feeds,
    sitemaps, conditional GET, parsing, storage) into a fresh SQLite file in a temporary
    directory (deleted at the end unless --keep; or the database given with --db), then shows
    a query over what was stored.

    With --serve it only keeps the fake site up until Ctrl-C and prints the
    `export DWSCRAPE_SITE=…` line to paste into another shell: every dwscrape command there
    then reads dw.com from the fake site (the README tour).

    \b
    Examples:
      dwscrape demo
      dwscrape demo --keep
      dwscrape demo --serve --port 8765
      dwscrape demo --db /tmp/demo.sqlite3 && dwscrape query --db /tmp/demo.sqlite3 --format json
    """
    settings = setup(ctx)
    if serve:
        _serve_until_interrupted(port)
        return
    tmp = Path(tempfile.mkdtemp(prefix="dwscrape-demo-"))
    try:
        if settings.db is None:
            settings.db = f"sqlite:///{tmp / 'demo.sqlite3'}"
        with serve_site(port=port) as base:
            click.echo(f"fake DW site at {base}; database {settings.db}")
            report, rows = _run_and_query(settings, str(base), terms or "")
        click.echo(f"\nquery {terms!r}:" if terms else "\nnewest stored articles:")
        write_records(rows, "table", sys.stdout, columns=DEMO_COLUMNS)
    finally:
        if keep and any(tmp.iterdir()):
            click.echo(f"\ndatabase kept: {settings.db}  (try: dwscrape query --db {settings.db})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if report.counts["new"] + report.counts["changed"] + report.counts["unchanged"] == 0:
        ctx.exit(ExitCode.FAILED)


def _serve_until_interrupted(port: int) -> None:
    """The fake site in the foreground: the export line on stdout (flushed, so a pipe reads
    it at once), then wait for Ctrl-C (SIGINT) or SIGTERM."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with serve_site(port=port) as base:
        click.echo(f"fake DW site at {base}; stop it with Ctrl-C. In another shell, paste:")
        click.echo(f"export DWSCRAPE_SITE={base} DWSCRAPE_DELAY=0")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("fake DW site stopped")


def _run_and_query(
    settings: Settings, base: str, terms: str
) -> tuple[RunReport, list[dict[str, Any]]]:
    """A full run against the fake site at `base`, then the newest hits for `terms`."""
    # Every page the fake site lists, it serves: a demo run reports no failures.
    options = RunOptions(langs=("en", "de"), site=base, command="demo")
    fetch = FetchSettings().unthrottled(8)
    url = database_url(settings)
    with run_lock_held(url), open_repository(settings) as repo, progress_bar(settings) as bar:
        report = run_pipeline(repo, options, fetch, on_result=bar.advance, on_planned=bar.plan)
        click.echo(run_summary(report))
        rows = [hit_record(h) for h in repo.search(terms, limit=10)]
    return report, rows
