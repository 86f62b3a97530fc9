"""`dwscrape crawl` (one-off URLs) and `dwscrape run` (the scheduled job)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import click

from scraper.cli.common import (
    DatabaseFailure,
    common_options,
    delay_option,
    setup,
    site_option,
)
from scraper.cli.database import database_url, open_repository, run_lock_held
from scraper.cli.options import (
    DURATION,
    TIMEOUT_SECONDS,
    WHEN,
    count,
    csv_values,
    http_urls,
)
from scraper.cli.progress import progress_bar
from scraper.exitcodes import ExitCode
from scraper.fetching import FetchSettings
from scraper.output import to_json
from scraper.pipeline import RunOptions, UrlResult
from scraper.pipeline import crawl as crawl_urls
from scraper.pipeline import run as run_pipeline
from scraper.render import run_summary, url_result_line

#: The most fetches in flight an operator may ask for (each holds a connection).
MAX_CONCURRENCY = 256


def fetch_settings(
    *,
    delay: float | None = None,
    timeout: float | None = None,
    concurrency: int | None = None,
    per_host_concurrency: int | None = None,
) -> FetchSettings:
    """The fetcher's settings: polite defaults with the options the user gave."""
    values: dict[str, Any] = {
        "per_host_delay": delay,
        "read_timeout": timeout,
        "global_concurrency": concurrency,
        "per_host_concurrency": per_host_concurrency,
    }
    return replace(FetchSettings(), **{k: v for k, v in values.items() if v is not None})


@click.command()
@click.argument("urls", nargs=-1, required=True, callback=http_urls)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per URL (JSON lines).")
@site_option
@delay_option
@click.option("--timeout", type=TIMEOUT_SECONDS, default=None, help="Read timeout in seconds.")
@common_options
@click.pass_context
def crawl(
    ctx: click.Context,
    urls: tuple[str, ...],
    as_json: bool,
    site: str | None,
    delay: float | None,
    timeout: float | None,
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
    fetch = fetch_settings(delay=delay, timeout=timeout)

    def echo(result: UrlResult) -> None:
        click.echo(to_json(result.to_dict()) if as_json else url_result_line(result))

    with open_repository(settings) as repo:
        results, _report = crawl_urls(repo, list(urls), fetch, on_result=echo, site=site)
    failed = sum(1 for r in results if not r.ok)
    if failed == len(results):
        ctx.exit(ExitCode.FAILED)
    if failed:
        ctx.exit(ExitCode.PARTIAL)


@click.command()
@click.option(
    "--lang",
    "langs",
    default="en",
    show_default=True,
    callback=csv_values,
    help="Languages, comma-separated.",
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
@click.option("--max-articles", type=count(), help="Stop after fetching N pages.")
@click.option(
    "--max-duration",
    type=DURATION,
    metavar="DURATION",
    help="Stop leasing new work after (30m, 2h).",
)
@click.option(
    "--refresh-older-than",
    type=DURATION,
    metavar="DURATION",
    help="Also re-fetch stored articles last fetched longer ago than this (7d).",
)
@site_option
@delay_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=MAX_CONCURRENCY),
    default=4,
    show_default=True,
    help="Fetches in flight.",
)
@click.option(
    "--per-host-concurrency",
    type=click.IntRange(min=1, max=MAX_CONCURRENCY),
    default=1,
    show_default=True,
    help="Fetches in flight per host (raise only for your own mirror).",
)
@click.option(
    "--lease-timeout",
    type=DURATION,
    metavar="DURATION",
    default="5m",
    show_default=True,
    help="How long a leased URL stays reserved; after a crash it is retried after this.",
)
@click.option(
    "--max-failure-rate",
    type=click.FloatRange(0, 1),
    default=0.2,
    show_default=True,
    help="Exit 1 when more than this share of fetched URLs failed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@common_options
@click.pass_context
def run(
    ctx: click.Context,
    langs: tuple[str, ...],
    source: str,
    since: dt.datetime | None,
    max_articles: int | None,
    max_duration: dt.timedelta | None,
    refresh_older_than: dt.timedelta | None,
    site: str | None,
    delay: float | None,
    concurrency: int,
    per_host_concurrency: int,
    lease_timeout: dt.timedelta,
    max_failure_rate: float,
    as_json: bool,
) -> None:
    """The scheduled job: discover, queue, fetch new and changed pages, parse, store.

    Discovers article URLs from DW's RSS feeds and sitemaps, puts them in the database's
    frontier, fetches them politely with conditional GET (a page unchanged since the last fetch
    costs a 304), stores new articles and new revisions of changed ones, and records the crawl
    run with counts and per-field fill rates (see `dwscrape stats`). Safe under cron: while one
    run holds the run lock, another exits at once with code 3.

    \b
    Examples:
      dwscrape run --lang en
      dwscrape run --lang en,de --source rss --since 2d --max-duration 20m
      dwscrape run --refresh-older-than 7d --max-articles 500 --quiet
      dwscrape run --site http://127.0.0.1:8000 --delay 0      # a local mirror / the fake site
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
    )
    fetch = fetch_settings(
        delay=delay, concurrency=concurrency, per_host_concurrency=per_host_concurrency
    )
    url = database_url(settings)
    with run_lock_held(url), open_repository(settings) as repo, progress_bar(settings) as bar:
        report = run_pipeline(repo, options, fetch, on_result=bar.advance, on_planned=bar.plan)
    click.echo(to_json(report.to_dict()) if as_json else run_summary(report))
    if report.error is not None:
        raise DatabaseFailure(f"database {settings.db_label}: {report.error}")
    if report.status != "ok":
        ctx.exit(ExitCode.PARTIAL)
