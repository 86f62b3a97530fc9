"""What every command shares: the common options and the settings they fill, the option
decorators several commands use, and the errors that end a command with a documented exit code.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from scraper.cli.options import DATE_BOUND, DB_RETRY_SECONDS, DELAY_SECONDS, HTTP_URL
from scraper.exitcodes import MEANING, ExitCode
from scraper.logging import configure_logging

F = TypeVar("F", bound=Callable[..., Any])

EPILOG_EXIT_CODES = "\b\nExit codes:\n" + "\n".join(
    textwrap.fill(
        meaning, width=96, initial_indent=f"  {int(code):>2}  ", subsequent_indent=" " * 6
    )
    for code, meaning in MEANING.items()
)
"""The end of `dwscrape --help` and `dwscrape db --help`: the table of `scraper.exitcodes`."""


class CliError(click.ClickException):
    """An expected failure of a one-off command: a one-line message, exit 5."""

    exit_code = ExitCode.FAILED


class DatabaseFailure(CliError):
    """The database cannot be used as asked: exit 4."""

    exit_code = ExitCode.DATABASE


class UsageFailure(CliError):
    """A usage error shown as one line (cron mails and log files get the reason, not click's
    usage block): exit 2, as click's own usage errors."""

    exit_code = ExitCode.USAGE


class OutputFailure(CliError):
    """The output could not be written to the end (disk full, I/O error, a closed pipe):
    nothing usable was produced, exit 5."""


class RunLocked(CliError):
    """Another run holds the run lock: exit 3."""

    exit_code = ExitCode.LOCKED


@dataclass
class Settings:
    """Options common to every command, collected by `common_options`."""

    db: str | None = None
    quiet: bool = False
    verbose: bool = False
    log_format: str = "auto"
    #: Seconds a lost or refused database connection is waited for (None: the environment's).
    db_retry: float | None = None
    #: The database URL as shown in messages (no password), once it has been resolved.
    db_label: str | None = None


def settings_of(ctx: click.Context) -> Settings:
    """The settings of this invocation, kept on the root context."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def setup(ctx: click.Context) -> Settings:
    """The settings, with logging configured from them: the first call of every command."""
    settings = settings_of(ctx)
    fmt = settings.log_format
    configure_logging(
        quiet=settings.quiet,
        verbose=settings.verbose,
        json_lines=None if fmt == "auto" else fmt == "json",
    )
    return settings


def stderr_is_a_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None and value is not False:
            setattr(settings_of(ctx), name, value)
        return value

    return callback


def common_options(func: F) -> F:
    """--db, --db-retry, --quiet, --verbose and --log-format on every command (they may also precede it)."""
    options = [
        click.option(
            "--db",
            "db",
            metavar="URL",
            expose_value=False,
            callback=_store("db"),
            help="Database URL (sqlite:///path or postgresql+psycopg://…) or a SQLite file path. "
            "Default: $DWSCRAPE_DATABASE_URL, else a SQLite file in the user data directory.",
        ),
        click.option(
            "--db-retry",
            type=DB_RETRY_SECONDS,
            metavar="SECONDS",
            expose_value=False,
            callback=_store("db_retry"),
            help="How long to wait for a database that is restarting or unreachable before "
            "giving up with exit 4. Default: $DWSCRAPE_DB_RETRY_SECONDS, else 60.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("quiet"),
            help="Log warnings and errors only; no progress bar.",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("verbose"),
            help="Also log debug events.",
        ),
        click.option(
            "--log-format",
            type=click.Choice(["auto", "json", "text"]),
            default=None,
            expose_value=False,
            callback=_store("log_format"),
            help="Log lines on stderr: JSON, readable text, or auto (JSON unless stderr is a TTY).",
        ),
    ]
    for option in options:
        func = option(func)
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
    """The article filters shared by query, export and reparse: keyword arguments named like
    the fields of the repository's `ArticleFilter`."""
    options = [
        click.option("--lang", help="Language code (en, de, ru, …)."),
        click.option(
            "--since",
            type=DATE_BOUND,
            metavar="DATE",
            help="Published on/after (YYYY-MM-DD, ISO time, or 7d).",
        ),
        click.option(
            "--until",
            type=DATE_BOUND,
            metavar="DATE",
            help="Published on/before (YYYY-MM-DD, ISO time, or 7d).",
        ),
        click.option(
            "--agency", help="Credited agency (AFP, Reuters, dpa, …): substring, any case."
        ),
        click.option("--author", help="Author name: substring, any case (Knight: Ben Knight)."),
        click.option("--topic", help="Topic tag: substring, any case."),
        click.option(
            "--type",
            "content_type",
            type=click.Choice(["article", "video", "audio", "gallery", "liveblog"]),
            help="Content type.",
        ),
        click.option(
            "--removed/--no-removed",
            default=None,
            help="Only articles removed from dw.com since they were stored (a 404 or soft 404 "
            "later) / only those still online. Default: both.",
        ),
    ]

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_window(kwargs.get("since"), kwargs.get("until"))
        return func(*args, **kwargs)

    for option in reversed(options):
        checked = option(checked)
    return checked  # type: ignore[return-value]


def check_window(since: dt.date | None, until: dt.date | None) -> None:
    """Refuse a ``--since`` after the ``--until``: no article could match, and a backfill
    would walk the archive for nothing. A bare day counts as the whole day on both sides."""
    if since is None or until is None:
        return
    if _instant(since, dt.time.min) > _instant(until, dt.time.max):
        raise click.BadParameter(
            f"{_shown(since)} is after --until {_shown(until)}: the window is empty",
            ctx=click.get_current_context(),
            param_hint="'--since'",
        )


def _shown(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _instant(value: dt.date, time_of_day: dt.time) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, time_of_day, tzinfo=dt.UTC)


site_option = click.option(
    "--site",
    type=HTTP_URL,
    metavar="BASE",
    envvar="DWSCRAPE_SITE",
    help="Fetch dw.com, rss.dw.com and p.dw.com addresses from a mirror (or the fake site) at "
    "BASE instead [env: DWSCRAPE_SITE].",
)

delay_option = click.option(
    "--delay",
    type=DELAY_SECONDS,
    default=None,
    envvar="DWSCRAPE_DELAY",
    help="Seconds between requests to one host (default 1) [env: DWSCRAPE_DELAY].",
)
