"""`dwscrape worker`: one of any number of processes fetching from a shared PostgreSQL frontier."""

from __future__ import annotations

import datetime as dt

import click

from scraper.cli.common import common_options, delay_option, setup, site_option
from scraper.cli.crawl import (
    concurrency_option,
    fetch_settings,
    finish,
    lease_timeout_option,
    max_failure_rate_option,
    parse_workers_option,
    per_host_concurrency_option,
    work_limit_options,
)
from scraper.cli.database import database_url, host_gate, open_repository, scheduled_database_url
from scraper.cli.options import DURATION
from scraper.cli.progress import progress_bar
from scraper.pipeline import RunContext, WorkerOptions, prestart_parsers, work


@click.command()
@work_limit_options
@click.option(
    "--idle-exit",
    type=DURATION,
    metavar="SECONDS",
    help="Exit once the frontier has had nothing due for this long (60s, 5m); "
    "default: wait for work for ever.",
)
@site_option
@delay_option
@concurrency_option
@per_host_concurrency_option
@parse_workers_option(
    default=0,
    help_text="Parser processes (default 0: parse in this process; to use more cores, "
    "run more workers). With --delay 0 they fetch too.",
)
@lease_timeout_option(
    "How long a leased URL stays reserved; renewed while this worker works on it, "
    "retried by others this long after a crash."
)
@max_failure_rate_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def worker(
    ctx: click.Context,
    max_articles: int | None,
    max_duration: dt.timedelta | None,
    idle_exit: dt.timedelta | None,
    site: str | None,
    delay: float | None,
    concurrency: int,
    per_host_concurrency: int,
    parse_workers: int,
    lease_timeout: dt.timedelta,
    max_failure_rate: float,
    as_json: bool,
) -> None:
    """Fetch, parse and store what the shared frontier has due, until a limit (PostgreSQL).

    Leases URLs that `dwscrape run` (or `run --no-work` from cron) queued, on any number of
    machines at once: leases keep two workers off one URL, and the per-host delay holds across
    all of them (the database keeps each host's next slot). A worker never takes the run lock
    and never discovers. It records itself as a run (command `worker`) with a heartbeat; if it
    dies, its leases come back after --lease-timeout. SIGINT/SIGTERM stop it gracefully (exit
    130/143). SQLite has one writer: there, `worker` refuses (exit 2) — use `dwscrape run`.

    \b
    Examples:
      dwscrape worker --db postgresql+psycopg://crawler@db/dw
      dwscrape worker --idle-exit 5m --max-duration 1h
      dwscrape worker --site http://127.0.0.1:8000 --delay 0.5 --idle-exit 10s
      dwscrape worker --site http://mirror:8000 --delay 0 --concurrency 8 \\
        --per-host-concurrency 8 --idle-exit 1m       # your own mirror, at full speed
    """
    settings = setup(ctx)
    if not database_url(settings).startswith("postgresql"):
        raise click.UsageError(
            "`dwscrape worker` needs a PostgreSQL database: SQLite has one writer, so on SQLite "
            "`dwscrape run` does the fetching itself"
        )
    options = WorkerOptions(
        max_articles=max_articles,
        max_duration_s=max_duration.total_seconds() if max_duration is not None else None,
        idle_exit_s=idle_exit.total_seconds() if idle_exit is not None else None,
        site=site.rstrip("/") if site else None,
        concurrency=concurrency,
        parse_workers=parse_workers,
        lease_s=lease_timeout.total_seconds(),
        max_failure_rate=max_failure_rate,
    )
    fetch = fetch_settings(
        delay=delay, concurrency=concurrency, per_host_concurrency=per_host_concurrency
    )
    prestart_parsers(fetch, parse_workers)
    scheduled_database_url(settings)  # a server down at start is waited for
    with open_repository(settings) as repo, host_gate(repo) as gate, progress_bar(settings) as bar:
        context = RunContext(gate=gate, handle_signals=True)
        report = work(repo, options, fetch, on_result=bar.advance, context=context)
    finish(ctx, report, as_json)
