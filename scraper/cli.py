"""The `dwscrape` command line: the only module that prints.

Thin click commands over library functions (`scraper.pipeline`, `db.repository`,
`scraper.parse_page`): each command parses its options, calls the library, and writes the result
with `scraper.output`. Expected failures become a `CliError` with an exit code from
`scraper.exitcodes` and a one-line message; logs go to stderr (JSON lines when stderr is not a
terminal), results to stdout, so `dwscrape query … --format jsonl | jq` always works.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click
import structlog

from scraper import __version__, dates
from scraper.errors import (
    ConfigError,
    DwscrapeError,
    ParseError,
    SchemaOutOfDateError,
    StorageError,
)
from scraper.exitcodes import MEANING, ExitCode

if TYPE_CHECKING:
    from db.repository import Repository
    from scraper.pipeline import RunReport, UrlResult

log = structlog.get_logger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """An expected failure: a one-line message and a documented exit code."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Shared options
# --------------------------------------------------------------------------------------------


@dataclass
class Settings:
    """Options common to every command, collected by `common_options`."""

    db: str | None = None
    quiet: bool = False
    verbose: bool = False
    log_format: str = "auto"


def _settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None and value is not False:
            setattr(_settings(ctx), name, value)
        return value

    return callback


def common_options(func: F) -> F:
    """--db, --quiet, --verbose and --log-format on every command (they may also precede it)."""
    func = click.option(
        "--db",
        "db",
        metavar="URL",
        expose_value=False,
        callback=_store("db"),
        help="Database URL (sqlite:///path or postgresql+psycopg://…) or a SQLite file path. "
        "Default: $DWSCRAPE_DATABASE_URL, else a SQLite file in the user data directory.",
    )(func)
    func = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        default=False,
        expose_value=False,
        callback=_store("quiet"),
        help="Log warnings and errors only; no progress bar.",
    )(func)
    func = click.option(
        "-v",
        "--verbose",
        is_flag=True,
        default=False,
        expose_value=False,
        callback=_store("verbose"),
        help="Also log debug events.",
    )(func)
    func = click.option(
        "--log-format",
        type=click.Choice(["auto", "json", "text"]),
        default=None,
        expose_value=False,
        callback=_store("log_format"),
        help="Log lines on stderr: JSON, readable text, or auto (JSON unless stderr is a TTY).",
    )(func)
    return func


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    """`--format` with the given choices (the output formats of `scraper.output`)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def filter_options(func: F) -> F:
    """The article filters shared by query, export and reparse."""
    options = [
        click.option("--lang", help="Language code (en, de, ru, …)."),
        click.option(
            "--since", metavar="DATE", help="Published on/after (YYYY-MM-DD, ISO time, or 7d)."
        ),
        click.option(
            "--until", metavar="DATE", help="Published on/before (YYYY-MM-DD, ISO time, or 7d)."
        ),
        click.option("--agency", help="Credited agency (AFP, Reuters, dpa, …)."),
        click.option("--author", help="Author name (substring, case-insensitive)."),
        click.option("--topic", help="Topic tag."),
        click.option(
            "--type",
            "content_type",
            type=click.Choice(["article", "video", "audio", "gallery", "liveblog"]),
            help="Content type.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _configure(ctx: click.Context) -> Settings:
    from scraper.logging import configure_logging

    settings = _settings(ctx)
    fmt = settings.log_format
    configure_logging(
        quiet=settings.quiet,
        verbose=settings.verbose,
        json_lines=None if fmt == "auto" else fmt == "json",
        stream=_LazyStderr(),  # type: ignore[arg-type]
    )
    return settings


class _LazyStderr(io.TextIOBase):
    """stderr looked up at each write, so rich's progress bar (which swaps sys.stderr) and
    click's test runner see every log line."""

    def write(self, text: str) -> int:  # type: ignore[override]
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        try:
            return sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False


# --------------------------------------------------------------------------------------------
# Database access
# --------------------------------------------------------------------------------------------


def database_url(settings: Settings) -> str:
    from scraper.config import resolve_database_url

    try:
        return resolve_database_url(settings.db)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@contextmanager
def open_repository(settings: Settings) -> Iterator[Repository]:
    """The repository over the configured database; a new SQLite file is migrated first, an
    out-of-date or unreachable database is refused with exit code 4."""
    url = database_url(settings)
    from db.engine import make_engine
    from db.migrate import ensure_schema
    from db.repository import Repository
    from scraper.config import describe_url

    try:
        ensure_schema(url)
        engine = make_engine(url)
    except SchemaOutOfDateError as exc:
        raise CliError(
            f"{exc} — run `dwscrape db upgrade --db {describe_url(url)}`", ExitCode.DATABASE
        ) from exc
    except DwscrapeError as exc:
        raise CliError(f"database {describe_url(url)}: {exc}", ExitCode.DATABASE) from exc
    try:
        yield Repository(engine)
    finally:
        engine.dispose()


def fetch_settings(
    *,
    delay: float | None = None,
    timeout: float | None = None,
    concurrency: int | None = None,
    per_host_concurrency: int | None = None,
) -> Any:
    """The fetcher's settings: polite defaults with the options the user gave."""
    from dataclasses import replace

    from scraper.fetch import FetchSettings

    values: dict[str, Any] = {
        "per_host_delay": delay,
        "read_timeout": timeout,
        "global_concurrency": concurrency,
        "per_host_concurrency": per_host_concurrency,
    }
    try:
        return replace(FetchSettings(), **{k: v for k, v in values.items() if v is not None})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


# --------------------------------------------------------------------------------------------
# Value parsing
# --------------------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str) -> dt.timedelta:
    """``90``/``90s``, ``15m``, ``2h``, ``7d``, ``2w`` → timedelta."""
    match = _DURATION.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a duration like 30s, 15m, 2h, 7d")
    return dt.timedelta(seconds=float(match[1]) * _UNIT_S[match[2]])


def parse_when(value: str | None, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """A point in time: ``2024-01-30``, an ISO datetime (UTC if no offset), or an age (``7d``)."""
    if value is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    if _DURATION.match(value) and not re.match(r"^\d{4}", value.strip()):
        return now - parse_duration(value)
    try:
        return dates.parse_iso(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD), datetime or age") from exc


def split_csv(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def _http_url(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    for value in values:
        if not re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
            raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return values


def parse_filter_date(value: str | None) -> dt.date | dt.datetime | None:
    """A filter bound: ``YYYY-MM-DD`` stays a day (inclusive, matches day-precision dates),
    anything else is a point in time (`parse_when`)."""
    if value is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    return parse_when(value)


def build_filters(
    *,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    agency: str | None = None,
    author: str | None = None,
    topic: str | None = None,
    content_type: str | None = None,
    limit: int | None = None,
) -> Any:
    """The repository's `ArticleFilter` from the filter options."""
    from db.search import ArticleFilter

    try:
        return ArticleFilter(
            lang=lang,
            since=parse_filter_date(since),
            until=parse_filter_date(until),
            agency=agency,
            author=author,
            topic=topic,
            content_type=content_type,
            limit=limit,
        )
    except click.BadParameter as exc:
        raise click.UsageError(exc.format_message()) from exc


# --------------------------------------------------------------------------------------------
# The group
# --------------------------------------------------------------------------------------------

EPILOG_EXIT_CODES = "\b\nExit codes:\n" + "\n".join(
    textwrap.fill(
        meaning, width=96, initial_indent=f"  {int(code):>2}  ", subsequent_indent=" " * 6
    )
    for code, meaning in MEANING.items()
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG_EXIT_CODES,
)
@click.version_option(__version__, prog_name="dwscrape")
@common_options
def cli() -> None:
    """dwscrape: Deutsche Welle (dw.com) articles as clean, queryable records.

    \b
    Examples:
      dwscrape demo                                # offline: fake DW site → SQLite → query
      dwscrape run --lang en                       # the scheduled job (cron/systemd)
      dwscrape crawl https://www.dw.com/en/…/a-65464327
      dwscrape query "north korea" --lang en --format table
      dwscrape show 65464327 --revisions
      dwscrape export --format jsonl -o articles.jsonl
    """


site_option = click.option(
    "--site",
    metavar="BASE",
    envvar="DWSCRAPE_SITE",
    help="Fetch dw.com, rss.dw.com and p.dw.com addresses from a mirror (or the fake site) at "
    "BASE instead [env: DWSCRAPE_SITE].",
)
delay_option = click.option(
    "--delay",
    type=float,
    default=None,
    envvar="DWSCRAPE_DELAY",
    help="Seconds between requests to one host (default 1) [env: DWSCRAPE_DELAY].",
)

# --------------------------------------------------------------------------------------------
# crawl
# --------------------------------------------------------------------------------------------


@cli.command()
@click.argument("urls", nargs=-1, required=True, callback=_http_url)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per URL (JSON lines).")
@site_option
@delay_option
@click.option("--timeout", type=float, default=None, help="Read timeout in seconds.")
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
    from scraper.pipeline import crawl as crawl_urls

    settings = _configure(ctx)
    fetch = fetch_settings(delay=delay, timeout=timeout)
    with open_repository(settings) as repo:
        results, _report = crawl_urls(
            repo,
            list(urls),
            fetch,
            on_result=lambda r: _echo_result(r, as_json),
            site=site,
        )
    failed = sum(1 for r in results if not r.ok)
    if failed == len(results):
        ctx.exit(ExitCode.FAILED)
    if failed:
        ctx.exit(ExitCode.PARTIAL)


def _echo_result(result: UrlResult, as_json: bool) -> None:
    if as_json:
        from scraper.output import to_json

        click.echo(to_json(result.to_dict()))
        return
    if result.ok:
        what = f"dw_id={result.dw_id} " if result.dw_id is not None else ""
        title = f"{result.title!r}" if result.title else ""
        click.echo(f"{result.status:<9} {result.url}  {what}{title}".rstrip())
    else:
        click.echo(f"{'error':<9} {result.url}  {result.error}")


# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--lang", "langs", default="en", show_default=True, help="Languages, comma-separated."
)
@click.option(
    "--source",
    type=click.Choice(["rss", "sitemap", "all"]),
    default="all",
    show_default=True,
    help="Where to discover URLs.",
)
@click.option("--since", metavar="WHEN", help="Only URLs newer than this (2024-01-30, 2d, 12h).")
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop after fetching N pages.")
@click.option("--max-duration", metavar="DURATION", help="Stop leasing new work after (30m, 2h).")
@click.option(
    "--refresh-older-than",
    metavar="DURATION",
    help="Also re-fetch stored articles last fetched longer ago than this (7d).",
)
@site_option
@delay_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Fetches in flight.",
)
@click.option(
    "--per-host-concurrency",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Fetches in flight per host (raise only for your own mirror).",
)
@click.option(
    "--lease-timeout",
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
    langs: str,
    source: str,
    since: str | None,
    max_articles: int | None,
    max_duration: str | None,
    refresh_older_than: str | None,
    site: str | None,
    delay: float | None,
    concurrency: int,
    per_host_concurrency: int,
    lease_timeout: str,
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
    from scraper.lock import LockHeldError, run_lock
    from scraper.pipeline import RunOptions
    from scraper.pipeline import run as run_pipeline

    settings = _configure(ctx)
    try:
        options = RunOptions(
            langs=split_csv(langs) or ("en",),
            sources=("rss", "sitemap") if source == "all" else (source,),
            since=parse_when(since),
            max_articles=max_articles,
            max_duration_s=parse_duration(max_duration).total_seconds() if max_duration else None,
            refresh_older_than=parse_duration(refresh_older_than) if refresh_older_than else None,
            site=site.rstrip("/") if site else None,
            concurrency=concurrency,
            max_failure_rate=max_failure_rate,
            lease_s=parse_duration(lease_timeout).total_seconds(),
        )
    except click.BadParameter as exc:
        raise click.UsageError(exc.format_message()) from exc
    url = database_url(settings)
    fetch = fetch_settings(
        delay=delay, concurrency=concurrency, per_host_concurrency=per_host_concurrency
    )
    try:
        with run_lock(url), open_repository(settings) as repo, _progress(settings) as progress:
            report = run_pipeline(
                repo, options, fetch, on_result=progress.advance, on_planned=progress.plan
            )
    except LockHeldError as exc:
        raise CliError(str(exc), ExitCode.LOCKED) from exc
    except StorageError as exc:
        raise CliError(str(exc), ExitCode.DATABASE) from exc
    _echo_report(report, as_json)
    if report.status != "ok":
        ctx.exit(ExitCode.PARTIAL)


def _echo_report(report: RunReport, as_json: bool) -> None:
    from scraper.output import to_json

    if as_json:
        click.echo(to_json(report.to_dict()))
        return
    c = report.counts
    stopped = f", stopped by {report.stopped_by}" if report.stopped_by else ""
    click.echo(
        f"run {report.run_id} {report.status}: discovered {c['discovered']}, "
        f"fetched {c['fetched']} ({c['not_modified']} not modified), new {c['new']}, "
        f"changed {c['changed']}, unchanged {c['unchanged']}, failed {c['failed']} "
        f"in {report.duration_s:.1f}s{stopped}"
    )


class _NoProgress:
    def plan(self, total: int) -> None:
        pass

    def advance(self, result: UrlResult) -> None:
        pass


class _RichProgress(_NoProgress):
    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task = progress.add_task("discovering", total=None)

    def plan(self, total: int) -> None:
        self.progress.update(self.task, description="fetching", total=total)

    def advance(self, result: UrlResult) -> None:
        self.progress.update(self.task, advance=1, description=f"{result.status}")


@contextmanager
def _progress(settings: Settings) -> Iterator[_NoProgress]:
    """A rich progress bar on stderr when it is a terminal and not --quiet; else nothing."""
    if settings.quiet or not _LazyStderr().isatty():
        yield _NoProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as progress:
        yield _RichProgress(progress)


# --------------------------------------------------------------------------------------------
# parse
# --------------------------------------------------------------------------------------------


@cli.command()
@click.argument("source", metavar="PATH|URL")
@click.option("--url", help="The URL the page was fetched from (for a file).")
@site_option
@format_option("json", "text", default="json")
@common_options
@click.pass_context
def parse(ctx: click.Context, source: str, url: str | None, site: str | None, fmt: str) -> None:
    """Parse one DW page (a file, `-` for stdin, or a URL) and print the article; stores nothing.

    The layout (classic or relaunch) is recognised from the markup, so a saved page or a mirror
    parses like the live one. A page that is not a DW article exits 5 with a one-line error.

    \b
    Examples:
      dwscrape parse saved-page.html --url https://www.dw.com/en/x/a-65464327
      dwscrape parse https://www.dw.com/en/some-article/a-65464327 --format text
      curl -s https://www.dw.com/de/x/a-68117411 | dwscrape parse - --format json | jq .title
    """
    from scraper import parse_page

    _configure(ctx)
    fetched_at: dt.datetime | None = None
    if re.match(r"^https?://", source, re.IGNORECASE):
        from scraper.discover import Site
        from scraper.fetch import fetch_sync

        result = fetch_sync(Site(site).map(source) if site else source)
        outcome = str(getattr(result.outcome, "value", result.outcome))
        if outcome != "ok" or result.body is None:
            raise CliError(f"cannot fetch {source}: {result.error or outcome}", ExitCode.FAILED)
        html: bytes = result.body
        url = url or (source if site else result.final_url or source)
        fetched_at = result.fetched_at
    else:
        try:
            html = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {source}: {exc.strerror}", ExitCode.FAILED) from exc
    try:
        article = parse_page(html, url=url, fetched_at=fetched_at)
    except ParseError as exc:
        raise CliError(f"not a DW article: {exc}", ExitCode.FAILED) from exc
    for warning in article.warnings:
        log.warning("parse.warning", url=article.url, warning=warning)
    if fmt == "text":
        from scraper.render import article_to_text

        click.echo(article_to_text(article))
    else:
        from scraper.output import to_json

        click.echo(to_json(article.to_dict(), indent=2))


# --------------------------------------------------------------------------------------------
# query
# --------------------------------------------------------------------------------------------

QUERY_COLUMNS = ("dw_id", "published_at", "language", "title", "snippet", "url")
"""Columns of the table and CSV output of `query` (json/jsonl carry every key)."""


@cli.command()
@click.argument("terms", nargs=-1)
@filter_options
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@format_option("table", "json", "jsonl", "csv", default="table")
@common_options
@click.pass_context
def query(ctx: click.Context, terms: tuple[str, ...], limit: int, fmt: str, **filters: Any) -> None:
    """Full-text search over stored articles, with filters; ranked, with a snippet.

    Without TERMS, lists the newest articles matching the filters. Works for any script
    (a trigram index covers Chinese, Japanese, …).

    \b
    Examples:
      dwscrape query "north korea"
      dwscrape query ukraine --lang en --since 2024-01-01 --agency Reuters --format jsonl
      dwscrape query --topic Germany --type video --limit 5 --format csv
      dwscrape query Klimawandel --lang de --format json | jq '.[].title'
    """
    from scraper.output import write_records

    settings = _configure(ctx)
    with open_repository(settings) as repo:
        flt = build_filters(**filters)
        hits = repo.search(" ".join(terms), **_search_kwargs(flt, limit))
        rows = [_hit_row(h) for h in hits]
    write_records(rows, fmt, _stdout(), columns=QUERY_COLUMNS, title=None)


def _search_kwargs(flt: Any, limit: int) -> dict[str, Any]:
    return {
        "lang": flt.lang,
        "since": flt.since,
        "until": flt.until,
        "agency": flt.agency,
        "author": flt.author,
        "topic": flt.topic,
        "content_type": flt.content_type,
        "limit": limit,
    }


def _hit_row(hit: Any) -> dict[str, Any]:
    published = hit.published
    return {
        "dw_id": hit.dw_id,
        "published_at": published.isoformat() if published is not None else None,
        "language": hit.language,
        "content_type": hit.content_type,
        "title": hit.title,
        "snippet": hit.snippet,
        "url": hit.url,
        "score": round(hit.score, 4),
    }


def _stdout() -> IO[str]:
    return sys.stdout


# --------------------------------------------------------------------------------------------
# show
# --------------------------------------------------------------------------------------------


@cli.command()
@click.argument("ref", metavar="DW_ID|URL|SHORT_URL")
@click.option("--revisions", is_flag=True, help="List every stored revision with its cause.")
@click.option("--diff", is_flag=True, help="Diff the text of the last two revisions.")
@format_option("text", "json", default="text")
@common_options
@click.pass_context
def show(ctx: click.Context, ref: str, revisions: bool, diff: bool, fmt: str) -> None:
    """Show one stored article by DW content id, canonical URL, short link or any fetched URL.

    \b
    Examples:
      dwscrape show 65464327
      dwscrape show https://p.dw.com/p/4WGXq --format json
      dwscrape show https://www.dw.com/en/some-article/a-65464327 --revisions --format json
      dwscrape show 65464327 --diff
    """
    from scraper.output import to_json

    settings = _configure(ctx)
    with open_repository(settings) as repo:
        stored = repo.find_article(ref)
        if stored is None:
            raise CliError(f"no stored article matches {ref!r}", ExitCode.FAILED)
        revs = list(repo.revisions(stored.id)) if (revisions or diff) else []
    article = stored.article
    if diff:
        click.echo(_diff_text(revs), nl=False)
        return
    if fmt == "json":
        if revisions:
            click.echo(to_json([_revision_dict(r) for r in revs], indent=2))
        else:
            click.echo(to_json(article.to_dict(), indent=2))
        return
    if revisions:
        for r in revs:
            click.echo(
                f"revision {r.revision_no}  {_iso(r.created_at)}  cause={r.cause}  "
                f"parser={r.parser_version}  hash={r.content_hash[:12]}"
            )
        return
    from scraper.render import article_to_text

    click.echo(article_to_text(article))


def _revision_dict(rev: Any) -> dict[str, Any]:
    return {
        "revision": rev.revision_no,
        "created_at": _iso(rev.created_at),
        "cause": rev.cause,
        "parser_version": rev.parser_version,
        "content_hash": rev.content_hash,
        "record": rev.article.to_dict(),
    }


def _diff_text(revs: list[Any]) -> str:
    if len(revs) < 2:
        return "only one revision stored: nothing to diff\n"
    old, new = revs[-2], revs[-1]
    lines = difflib.unified_diff(
        _diffable(old.article).splitlines(keepends=True),
        _diffable(new.article).splitlines(keepends=True),
        fromfile=f"revision {old.revision_no} ({old.cause}, {_iso(old.created_at)})",
        tofile=f"revision {new.revision_no} ({new.cause}, {_iso(new.created_at)})",
    )
    return "".join(lines) or "no textual difference\n"


def _diffable(article: Any) -> str:
    record = article.to_dict()
    head = [f"title: {record['title']}", f"teaser: {record['teaser']}"]
    credit = record.get("credit_line") or {}
    return "\n".join([*head, "", record["text"], "", f"credit: {credit.get('raw')}"]) + "\n"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------


@cli.command()
@filter_options
@format_option("jsonl", "csv", "parquet", "warc", default="jsonl")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File (default stdout)."
)
@common_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, **filters: Any) -> None:
    """Export stored articles as JSON lines (the public record), CSV or Parquet, or their raw
    pages as WARC, streaming.

    Memory stays constant however many articles are exported: records are read in batches and
    written one at a time.

    \b
    CSV: the columns of the JSON record, in the same order; each cell is flat:
      lists of strings joined by "; " (topics, agencies), nested objects and
      lists of objects as JSON text (authors, blocks, images, videos, credit_line),
      dates as in JSON (UTC ISO 8601, or YYYY-MM-DD when only the day is known),
      an empty cell for null.
    Parquet (needs dwscrape[parquet], -o FILE): typed columns; published_at/modified_at
      are UTC timestamps beside published_date/modified_date and *_precision (second or
      day); lists are list columns, nested objects structs.
    WARC (needs dwscrape[warc], -o FILE.warc.gz): the stored raw pages as response
      records with their URL, fetch date, status and kept headers; see import-warc.

    \b
    Examples:
      dwscrape export -o articles.jsonl
      dwscrape export --lang de --since 2024-01-01 --format csv -o de-2024.csv
      dwscrape export --format parquet -o articles.parquet
      dwscrape export --format warc -o pages.warc.gz
      dwscrape export --agency AFP | jq -r .title
    """
    from scraper.article import RECORD_KEYS
    from scraper.output import write_records

    settings = _configure(ctx)
    if fmt in ("parquet", "warc"):
        from scraper.cli_users import export_file

        export_file(settings, fmt, output, build_filters(**filters))
        return
    with open_repository(settings) as repo:
        records = (s.article.to_dict() for s in repo.iter_articles(build_filters(**filters)))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                count = write_records(records, fmt, fh, columns=RECORD_KEYS)
        else:
            count = write_records(records, fmt, _stdout(), columns=RECORD_KEYS)
    log.info("export.done", count=count, output=output or "-")


# --------------------------------------------------------------------------------------------
# reparse
# --------------------------------------------------------------------------------------------


@cli.command()
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def reparse(ctx: click.Context, as_json: bool, **filters: Any) -> None:
    """Re-run the current parser over stored raw pages; store what the new parser extracts.

    No network: the raw pages kept in the database are parsed again. Only where the extraction
    really changed (the content hash differs) a new revision is stored, with cause `parser`.

    \b
    Examples:
      dwscrape reparse
      dwscrape reparse --lang de --since 2023-01-01 --json
    """
    from scraper.output import to_json
    from scraper.reparse import reparse as reparse_all

    settings = _configure(ctx)
    with open_repository(settings) as repo:
        summary = reparse_all(repo, build_filters(**filters))
    if as_json:
        click.echo(to_json(summary.to_dict()))
    else:
        c = summary.counts
        click.echo(
            f"reparsed {c['pages']} pages: changed {c['changed']}, unchanged {c['unchanged']}, "
            f"failed {c['failed']}"
        )
        for dw_id, title in summary.changed:
            click.echo(f"changed  {dw_id}  {title}")
    if summary.counts["failed"]:
        ctx.exit(ExitCode.PARTIAL)


# --------------------------------------------------------------------------------------------
# stats
# --------------------------------------------------------------------------------------------


@cli.command()
@click.option("--runs", "n_runs", type=click.IntRange(min=1), default=10, show_default=True)
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
    from scraper.output import write_records
    from scraper.stats import fill_rate_drops, run_rows

    settings = _configure(ctx)
    with open_repository(settings) as repo:
        runs = list(repo.recent_runs(n_runs))
    rows = run_rows(runs)
    drops = fill_rate_drops(runs)
    for drop in drops:
        log.warning("stats.fill_rate_drop", **drop.to_dict())
    if fmt == "json":
        from scraper.output import to_json

        click.echo(
            to_json({"runs": rows, "fill_rate_drops": [d.to_dict() for d in drops]}, indent=2)
        )
        return
    columns = [c for c in (rows[0] if rows else {}) if c != "fill_rates"]
    write_records(rows, "table", _stdout(), columns=columns, title="crawl runs (newest first)")
    for drop in drops:
        click.echo(
            f"warning: fill rate of {drop.field} fell to {drop.latest:.0%} "
            f"(earlier runs: {drop.baseline:.0%}) — DW may have changed its markup"
        )


# --------------------------------------------------------------------------------------------
# db
# --------------------------------------------------------------------------------------------


@cli.group(epilog=EPILOG_EXIT_CODES)
def db() -> None:
    """Database schema: upgrade, show where and at which revision, check.

    \b
    Examples:
      dwscrape db current
      dwscrape db upgrade --db postgresql+psycopg://dw@localhost/dw
      dwscrape db check && dwscrape run
    """


@db.command()
@common_options
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Migrate the database to the current schema (creates it if new).

    \b
    Examples:
      dwscrape db upgrade
      DWSCRAPE_DATABASE_URL=postgresql+psycopg://dw@localhost/dw dwscrape db upgrade
    """
    from db.migrate import current as current_revision
    from db.migrate import upgrade as upgrade_db
    from scraper.config import describe_url

    url = database_url(_configure(ctx))
    try:
        upgrade_db(url)
        rev = current_revision(url)
    except DwscrapeError as exc:
        raise CliError(f"upgrade of {describe_url(url)} failed: {exc}", ExitCode.DATABASE) from exc
    click.echo(f"{describe_url(url)} at revision {rev}")


@db.command()
@common_options
@click.pass_context
def current(ctx: click.Context) -> None:
    """Print the database URL (the SQLite file) and its schema revision.

    \b
    Examples:
      dwscrape db current
      dwscrape db current --db /srv/dw/articles.sqlite3
    """
    from db.migrate import current as current_revision
    from scraper.config import describe_url, sqlite_path

    url = database_url(_configure(ctx))
    path = sqlite_path(url)
    if path is not None and not path.exists():
        click.echo(f"{describe_url(url)}\nfile: {path} (does not exist yet)\nrevision: none")
        return
    try:
        rev = current_revision(url)
    except DwscrapeError as exc:
        raise CliError(f"{describe_url(url)}: {exc}", ExitCode.DATABASE) from exc
    click.echo(describe_url(url))
    if path is not None:
        click.echo(f"file: {path}")
    click.echo(f"revision: {rev or 'none (empty database)'}")


@db.command()
@common_options
@click.pass_context
def check(ctx: click.Context) -> None:
    """Exit 0 when the schema is current, 4 when it needs `dwscrape db upgrade`.

    \b
    Examples:
      dwscrape db check || dwscrape db upgrade
    """
    from db.migrate import check as check_db
    from db.migrate import current as current_revision
    from db.migrate import head
    from scraper.config import describe_url

    url = database_url(_configure(ctx))
    try:
        rev = current_revision(url)
        if rev != head():
            raise CliError(
                f"{describe_url(url)} is at schema revision {rev or 'none'}, this dwscrape needs "
                f"{head()}: run `dwscrape db upgrade`",
                ExitCode.DATABASE,
            )
        diffs = check_db(url)
    except DwscrapeError as exc:
        raise CliError(f"{describe_url(url)}: {exc}", ExitCode.DATABASE) from exc
    if diffs:
        raise CliError(
            f"{describe_url(url)}: schema differs from the models ({len(diffs)} differences)",
            ExitCode.DATABASE,
        )
    click.echo(f"{describe_url(url)}: schema is up to date")


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


@cli.command()
@click.option("--query", "terms", default=None, help="Terms of the query shown at the end.")
@common_options
@click.pass_context
def demo(ctx: click.Context, terms: str | None) -> None:
    """Offline proof of everything: fake DW site on loopback → full run → SQLite → query.

    Starts the bundled fake DW site on 127.0.0.1, runs the scheduled job against it (feeds,
    sitemaps, conditional GET, parsing, storage) into a fresh SQLite file in a temporary
    directory (or the database given with --db), then shows a query over what was stored.

    \b
    Examples:
      dwscrape demo
      dwscrape demo --db /tmp/demo.sqlite3 && dwscrape query --db /tmp/demo.sqlite3 --format json
    """
    from scraper.lock import LockHeldError, run_lock
    from scraper.output import write_records
    from scraper.pipeline import RunOptions
    from scraper.pipeline import run as run_pipeline
    from scraper.testsite import serve_site

    settings = _configure(ctx)
    with tempfile.TemporaryDirectory(prefix="dwscrape-demo-") as tmp:
        if settings.db is None:
            settings.db = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        with serve_site(faults=False) as base:
            click.echo(f"fake DW site at {base}; database {settings.db}")
            # Every page the fake site lists, it serves: a demo run reports no failures.
            options = RunOptions(langs=("en", "de"), site=base, command="demo")
            fetch = fetch_settings().unthrottled(8)
            try:
                with (
                    run_lock(database_url(settings)),
                    open_repository(settings) as repo,
                    _progress(settings) as progress,
                ):
                    report = run_pipeline(
                        repo, options, fetch, on_result=progress.advance, on_planned=progress.plan
                    )
                    _echo_report(report, False)
                    hits = repo.search(terms or "", limit=10)
                    rows = [_hit_row(h) for h in hits]
            except LockHeldError as exc:
                raise CliError(str(exc), ExitCode.LOCKED) from exc
        click.echo(f"\nquery {terms!r}:" if terms else "\nnewest stored articles:")
        write_records(
            rows, "table", _stdout(), columns=("dw_id", "published_at", "language", "title")
        )
    if report.counts["new"] + report.counts["changed"] + report.counts["unchanged"] == 0:
        ctx.exit(ExitCode.FAILED)


def main() -> None:
    """Console-script entry point: click's handling plus exit 70 for a bug."""
    try:
        cli(prog_name="dwscrape")
    except Exception:  # an unexpected exception: log it with its traceback, exit EX_SOFTWARE
        structlog.get_logger(__name__).exception("cli.crash")
        sys.exit(ExitCode.INTERNAL)


from scraper.cli_users import import_warc, serve  # noqa: E402  (commands of scraper/cli_users.py)

cli.add_command(import_warc)
cli.add_command(serve)
