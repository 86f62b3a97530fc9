"""`dwscrape backfill`: a language's archive sitemaps into the frontier, resumable."""

from __future__ import annotations

import datetime as dt

import click

from scraper.cli.common import check_window, common_options, delay_option, setup, site_option
from scraper.cli.crawl import fetch_settings, lease_timeout_option, run_exit_code
from scraper.cli.database import open_repository, run_lock_held, scheduled_database_url
from scraper.cli.languages import LANG
from scraper.cli.progress import progress_bar
from scraper.discovery.sitemaps import MAX_SITEMAPS
from scraper.exitcodes import ExitCode
from scraper.output import to_json
from scraper.pipeline import BackfillOptions, RunOptions, SitemapDone
from scraper.pipeline import backfill as backfill_archive
from scraper.pipeline import run as run_pipeline
from scraper.render import run_summary

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.option("--lang", type=LANG, required=True, help="The language whose archive to walk.")
@click.option("--since", type=DAY, help="Only sitemaps and URLs from this day on (2019-01-01).")
@click.option("--until", type=DAY, help="Only sitemaps and URLs up to this day (2020-12-31).")
@click.option(
    "--max-sitemaps",
    type=click.IntRange(min=1),
    default=MAX_SITEMAPS,
    show_default=True,
    help="Read at most N archive sitemaps this time; the next invocation goes on.",
)
@click.option("--now", "fetch_now", is_flag=True, help="Then fetch the queue in the foreground.")
@site_option
@delay_option
@lease_timeout_option(
    "With --now: how long a leased URL stays reserved (a crash frees it after this)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def backfill(
    ctx: click.Context,
    lang: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    max_sitemaps: int,
    fetch_now: bool,
    site: str | None,
    delay: float | None,
    lease_timeout: dt.timedelta,
    as_json: bool,
) -> None:
    """Queue a language's archive: DW's dated archive sitemaps, oldest news last.

    Walks /LANG/article-sitemap.xml's children newest first, queues every URL not stored yet
    below fresh news (so the scheduled `run` fetches the archive after each run's news), and
    remembers each finished sitemap: run it again to go on where it stopped (also after a
    crash or kill); a finished backfill reads nothing. Holds the run lock only while it walks.
    With --now it then fetches the queue itself, politely, like `run`. Progress goes to stderr.

    \b
    Examples:
      dwscrape backfill --lang de --since 2019-01-01 --until 2020-12-31
      dwscrape backfill --lang fr --max-sitemaps 12 --now
    """
    check_window(since.date() if since else None, until.date() if until else None)
    settings = setup(ctx)
    options = BackfillOptions(
        lang=lang,
        since=since.date() if since else None,
        until=until.date() if until else None,
        max_sitemaps=max_sitemaps,
        site=site.rstrip("/") if site else None,
    )
    fetch = fetch_settings(delay=delay, site=site)

    def progress(done: SitemapDone) -> None:
        if not settings.quiet:
            click.echo(f"sitemap {done.url}: {done.urls} URLs, {done.queued} queued", err=True)

    url = scheduled_database_url(settings)
    with run_lock_held(url), open_repository(settings) as repo:
        report = backfill_archive(repo, options, fetch, on_sitemap=progress)
    summary = report.to_dict()
    code = ExitCode.OK
    if report.discovery.every_language_failed():
        code = ExitCode.FAILED
    if fetch_now and code == ExitCode.OK:
        drain = RunOptions(
            langs=(lang,),
            sources=(),
            site=options.site,
            lease_s=lease_timeout.total_seconds(),
            command="backfill --now",
        )
        with open_repository(settings) as repo, progress_bar(settings) as bar:
            ran = run_pipeline(repo, drain, fetch, on_result=bar.advance, on_planned=bar.plan)
        summary["fetch"] = ran.to_dict()
        code = run_exit_code(ran)
        if not as_json:
            click.echo(run_summary(ran))
    if as_json:
        click.echo(to_json(summary))
    else:
        click.echo(
            f"backfill {lang}: {summary['sitemaps_finished']} sitemaps finished now "
            f"({summary['sitemaps_finished_before']} before, {summary['sitemaps_left']} left "
            f"for the next time), {summary['urls']} URLs listed, {summary['queued']} queued"
        )
    ctx.exit(code)
