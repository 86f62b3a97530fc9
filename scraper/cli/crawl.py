"""`dwscrape crawl` (one-off URLs) and `dwscrape run` (the scheduled job)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click
import structlog

from scraper.cli.common import (
    DatabaseFailure,
    common_options,
    delay_option,
    setup,
    site_option,
)
from scraper.cli.database import (
    host_gate,
    open_repository,
    run_lock_held,
    scheduled_database_url,
)
from scraper.cli.languages import LANGS, feed_option
from scraper.cli.options import (
    DURATION,
    TIMEOUT_SECONDS,
    WHEN,
    count,
    http_urls,
)
from scraper.cli.progress import progress_bar
from scraper.discovery.sitemaps import MAX_SITEMAPS
from scraper.exitcodes import ExitCode
from scraper.fetching import FetchSettings
from scraper.logging import cli_logs_json, flush_repeated_warnings
from scraper.output import to_json
from scraper.pipeline import RunContext, RunOptions, RunReport, UrlResult, prestart_parsers
from scraper.pipeline import crawl as crawl_urls
from scraper.pipeline import run as run_pipeline
from scraper.pipeline.parsing import default_workers
from scraper.render import run_summary, summary_event, url_result_line

log = structlog.get_logger(__name__)

#: The most fetches in flight an operator may ask for (each holds a connection).
MAX_CONCURRENCY = 256


def fetch_settings(
    *,
    delay: float | None = None,
    timeout: float | None = None,
    concurrency: int | None = None,
    per_host_concurrency: int | None = None,
    site: str | None = None,
) -> FetchSettings:
    """The fetcher's settings: polite defaults with the options the user gave. The `--site`
    origin is one the operator named, so redirects may lead there even when it is loopback."""
    values: dict[str, Any] = {
        "per_host_delay": delay,
        "read_timeout": timeout,
        "global_concurrency": concurrency,
        "per_host_concurrency": per_host_concurrency,
        "allowed_origins": (site,) if site else None,
    }
    return replace(FetchSettings(), **{k: v for k, v in values.items() if v is not None})


def parse_workers_option(fn: Any = None, *, default: int | None = None, help_text: str = "") -> Any:
    """``--parse-workers``: one per core by default; a command with another `default` says why
    in its `help_text`."""
    option = click.option(
        "--parse-workers",
        type=click.IntRange(min=0),
        default=default,
        help=help_text
        or "Parser processes (default: one per core; 0: parse in this process). With --delay 0 "
        "they fetch too, so every core works.",
    )
    return option(fn) if fn is not None else option


def concurrency_option(fn: Any) -> Any:
    return click.option(
        "--concurrency",
        type=click.IntRange(min=1, max=MAX_CONCURRENCY),
        default=4,
        show_default=True,
        help="Fetches in flight.",
    )(fn)


def per_host_concurrency_option(fn: Any) -> Any:
    return click.option(
        "--per-host-concurrency",
        type=click.IntRange(min=1, max=MAX_CONCURRENCY),
        default=1,
        show_default=True,
        help="Fetches in flight per host (raise only for your own mirror).",
    )(fn)


def work_limit_options(fn: Any) -> Any:
    """``--max-articles`` and ``--max-duration``: when a command that leases stops (run,
    worker)."""
    fn = click.option(
        "--max-duration",
        type=DURATION,
        metavar="DURATION",
        help="Stop leasing new work after (30m, 2h).",
    )(fn)
    return click.option("--max-articles", type=count(), help="Stop after fetching N pages.")(fn)


def lease_timeout_option(help_text: str) -> Callable[[Any], Any]:
    """``--lease-timeout``: how long a leased URL stays reserved (run, worker, backfill)."""
    return click.option(
        "--lease-timeout",
        type=DURATION,
        metavar="DURATION",
        default="5m",
        show_default=True,
        help=help_text,
    )


def max_failure_rate_option(fn: Any) -> Any:
    return click.option(
        "--max-failure-rate",
        type=click.FloatRange(0, 1),
        default=0.2,
        show_default=True,
        help="Exit 1 when more than this share of fetched URLs failed.",
    )(fn)


def parser_processes(requested: int | None, pages: int | None = None) -> int:
    """How many parser processes to start: as asked, else one per core; none for a single
    page, which a pool costs more to start than to parse."""
    if pages is not None and pages <= 1:
        return 0
    return default_workers() if requested is None else requested


@click.command()
@click.argument("urls", nargs=-1, required=True, callback=http_urls)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per URL (JSON lines).")
@site_option
@delay_option
@click.option("--timeout", type=TIMEOUT_SECONDS, default=None, help="Read timeout in seconds.")
@concurrency_option
@per_host_concurrency_option
@parse_workers_option
@common_options
@click.pass_context
def crawl(
    ctx: click.Context,
    urls: tuple[str, ...],
    as_json: bool,
    site: str | None,
    delay: float | None,
    timeout: float | None,
    concurrency: int,
    per_host_concurrency: int,
    parse_workers: int | None,
) -> None:
    """Fetch, parse and store the given URLs; one result line per URL.

    Any http(s) URL works (dw.com, a mirror, an archive, a local server): the parser is chosen
    by the page's markup. Each line says new, changed, unchanged (also a 304 Not Modified) or
    error with the reason. Exit 0 when every URL was stored, 1 when some failed, 5 when all did.

    \b
    Examples:
      dwscrape crawl https://www.dw.com/en/some-article/a-65464327
      dwscrape crawl --json https://p.dw.com/p/4WGXq https://www.dw.com/de/x/a-68117411
      dwscrape crawl --db postgresql+psycopg://localhost/dw http://127.0.0.1:8000/en/x/a-1
    """
    settings = setup(ctx)
    fetch = fetch_settings(
        delay=delay,
        timeout=timeout,
        concurrency=concurrency,
        per_host_concurrency=per_host_concurrency,
        site=site,
    )

    workers = parser_processes(parse_workers, len(urls))
    prestart_parsers(fetch, workers)

    def echo(result: UrlResult) -> None:
        click.echo(to_json(result.to_dict()) if as_json else url_result_line(result))

    with open_repository(settings) as repo, host_gate(repo) as gate:
        report = crawl_urls(
            repo,
            urls,
            fetch,
            on_result=echo,
            site=site,
            concurrency=concurrency,
            parse_workers=workers,
            gate=gate,
        )
    failed = report.counts["failed"]
    if failed == report.attempted:
        ctx.exit(ExitCode.FAILED)
    if failed:
        ctx.exit(ExitCode.PARTIAL)


@click.command()
@click.option(
    "--lang",
    "langs",
    type=LANGS,
    default="en",
    show_default=True,
    help="Languages, comma-separated (any of `dwscrape languages`; case-insensitive).",
)
@feed_option
@click.option(
    "--max-sitemaps",
    type=click.IntRange(min=1),
    default=MAX_SITEMAPS,
    show_default=True,
    help="Read at most N sitemaps (an index's children included).",
)
@click.option(
    "--source",
    type=click.Choice(["rss", "sitemap", "all"]),
    default="all",
    show_default=True,
    help="Where to discover URLs.",
)
@click.option(
    "--since", type=WHEN, metavar="WHEN", help="Only URLs newer than this (2024-01-30, 2d, 12h)."
)
@work_limit_options
@click.option(
    "--refresh-older-than",
    type=DURATION,
    metavar="DURATION",
    help="Also re-fetch stored articles last fetched longer ago than this (7d).",
)
@site_option
@delay_option
@concurrency_option
@parse_workers_option
@per_host_concurrency_option
@lease_timeout_option(
    "How long a leased URL stays reserved; after a crash it is retried after this."
)
@max_failure_rate_option
@click.option(
    "--no-work",
    is_flag=True,
    help="Only discover and enqueue; leave the fetching to `dwscrape worker` processes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@common_options
@click.pass_context
def run(
    ctx: click.Context,
    langs: tuple[str, ...],
    feeds: tuple[str, ...],
    max_sitemaps: int,
    source: str,
    since: dt.datetime | None,
    max_articles: int | None,
    max_duration: dt.timedelta | None,
    refresh_older_than: dt.timedelta | None,
    site: str | None,
    delay: float | None,
    concurrency: int,
    parse_workers: int | None,
    per_host_concurrency: int,
    lease_timeout: dt.timedelta,
    max_failure_rate: float,
    no_work: bool,
    as_json: bool,
) -> None:
    """The scheduled job: discover, queue, fetch new and changed pages, parse, store.

    Discovers article URLs from DW's RSS feeds and sitemaps, puts them in the database's
    frontier, fetches them politely with conditional GET (a page unchanged since the last fetch
    costs a 304), stores new articles and new revisions of changed ones, and records the crawl
    run with counts and per-field fill rates (see `dwscrape stats`). Safe under cron: while one
    run holds the run lock, another exits at once with code 3. SIGINT/SIGTERM stop it
    gracefully (exit 130/143, the unfinished URLs back in the queue for the next run).

    \b
    Examples:
      dwscrape run --lang en
      dwscrape run --lang en,de --source rss --since 2d --max-duration 20m
      dwscrape run --refresh-older-than 7d --max-articles 500 --quiet
      dwscrape run --site http://127.0.0.1:8000 --delay 0      # a local mirror / the fake site
      dwscrape run --no-work --lang en,de      # only enqueue, for `dwscrape worker`s
    """
    settings = setup(ctx)
    options = RunOptions(
        langs=langs or ("en",),
        sources=("rss", "sitemap") if source == "all" else (source,),
        since=since,
        max_articles=max_articles,
        max_duration_s=max_duration.total_seconds() if max_duration is not None else None,
        refresh_older_than=refresh_older_than,
        site=site.rstrip("/") if site else None,
        concurrency=concurrency,
        max_failure_rate=max_failure_rate,
        lease_s=lease_timeout.total_seconds(),
        no_work=no_work,
        parse_workers=parser_processes(parse_workers),
        feeds=feeds,
        max_sitemaps=max_sitemaps,
    )
    fetch = fetch_settings(
        delay=delay, concurrency=concurrency, per_host_concurrency=per_host_concurrency, site=site
    )
    prestart_parsers(fetch, options.parser_processes)
    url = scheduled_database_url(settings)
    with (
        run_lock_held(url) as guard,
        open_repository(settings) as repo,
        host_gate(repo) as gate,
        progress_bar(settings) as bar,
    ):
        context = RunContext(gate=gate, guard=guard, handle_signals=True)
        report = run_pipeline(
            repo, options, fetch, on_result=bar.advance, on_planned=bar.plan, context=context
        )
    finish(ctx, report, as_json, db_label=settings.db_label)


def finish(
    ctx: click.Context, report: RunReport, as_json: bool, *, db_label: str | None = None
) -> None:
    """Print a run's or worker's summary and exit with its code: 128 + the signal that
    stopped it, else `run_exit_code`."""
    flush_repeated_warnings()  # the run's aggregated warnings come before its summary
    if as_json:
        click.echo(to_json(report.to_dict()))
    elif cli_logs_json():  # one log file for cron: the summary is a JSON line like the rest
        click.echo(to_json(summary_event(report)))
    else:
        click.echo(run_summary(report))
    if report.error is not None:  # the database broke off the run: exit 4 after the summary
        raise DatabaseFailure(f"database {db_label}: {report.error}" if db_label else report.error)
    if report.signum is not None:
        ctx.exit(128 + report.signum)
    ctx.exit(run_exit_code(report))


def run_exit_code(report: RunReport) -> ExitCode:
    """5 when every discovery source of every language failed, 1 when every source of some
    language failed or too many fetches did, else 0."""
    discovery = report.discovery
    if discovery is not None and discovery.every_language_failed():
        log.error("run.discovery_failed", **discovery.to_dict())
        return ExitCode.FAILED
    if discovery is not None and discovery.failed_languages():
        log.warning("run.languages_failed", languages=discovery.failed_languages())
        return ExitCode.PARTIAL
    return ExitCode.OK if report.status == "ok" else ExitCode.PARTIAL
