"""`dwscrape import-warc`: DW article pages out of WARC files, stored like a crawl stores them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from db.repository import Repository, StoreRequest
from scraper.article import Article
from scraper.cli.common import common_options, setup
from scraper.cli.database import open_repository
from scraper.exitcodes import ExitCode
from scraper.output import to_json
from scraper.pipeline.warc_import import ParsedCapture, import_warcs


class _RepositoryCaptureStore:
    """`scraper.pipeline.warc_import.CaptureStore` over the repository."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def last_observed(self, articles: Sequence[Article]) -> list[dt.datetime | None]:
        return self.repo.last_observed(articles)

    def store(self, items: Sequence[ParsedCapture]) -> list[str]:
        requests = [
            StoreRequest(i.article, raw_html=i.capture.body, fetched_at=i.capture.captured_at)
            for i in items
        ]
        return [r.status for r in self.repo.store_articles(requests)]


@click.command("import-warc")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--any-host",
    is_flag=True,
    help="Also take pages of other hosts whose path is a DW article path (a mirror, a copy).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def import_warc(ctx: click.Context, files: tuple[Path, ...], any_host: bool, as_json: bool) -> None:
    """Parse and store the DW article pages found in WARC files (needs dwscrape[warc]).

    Reads WARC files from any source (Common Crawl, CC-NEWS, the Wayback Machine, `wget
    --warc-file`, `dwscrape export --format warc`), gzipped or not. Only successful HTML
    responses for dw.com article URLs are parsed; everything else is skipped. Captures are
    stored in the order of their WARC-Date, as a crawl stores pages (new, changed, unchanged),
    so importing the same file twice changes nothing; a capture older than the last fetch of
    the stored article is not stored ("older"). Progress is logged on stderr, the summary
    printed on stdout. Exit 5 when the files hold no DW article page at all.

    \b
    Examples:
      dwscrape import-warc pages.warc.gz
      dwscrape import-warc CC-NEWS-20240301*.warc.gz --json
      wget --warc-file=dw https://www.dw.com/en/x/a-66797777 && dwscrape import-warc dw.warc.gz
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        report = import_warcs(files, _RepositoryCaptureStore(repo), any_host=any_host)
    if as_json:
        click.echo(to_json(report.to_dict()))
    else:
        click.echo(
            f"import-warc: {report.files} files, {report.records} records: new {report.new}, "
            f"changed {report.changed}, unchanged {report.unchanged}, older {report.older}, "
            f"not articles {report.not_article}, skipped {report.skipped}"
        )
    if report.stored + report.older == 0:
        ctx.exit(ExitCode.FAILED)
