"""The `dwscrape` group: loads each command's module on first use, maps library errors to exit
codes in one place, and turns an unexpected exception into exit 70 with its traceback logged.

Commands are imported lazily (click's documented "lazy group" pattern) because start-up time is
what a person waits for on every `dwscrape query`: the network code is imported only by the
commands that fetch, the database code only by those that open a database.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from scraper.cli.common import (
    EPILOG_EXIT_CODES,
    DatabaseFailure,
    OutputFailure,
    UsageFailure,
    common_options,
    settings_of,
)
from scraper.cli.leaving import OUTPUT_ERRNOS, leave
from scraper.errors import ConfigError, StorageError
from scraper.exitcodes import ExitCode
from scraper.logging import cli_logging_configured, configure_logging, flush_repeated_warnings
from scraper.version import __version__

COMMANDS: Mapping[str, str] = {
    "crawl": "scraper.cli.crawl:crawl",
    "run": "scraper.cli.crawl:run",
    "worker": "scraper.cli.work:worker",
    "parse": "scraper.cli.parse:parse",
    "query": "scraper.cli.query:query",
    "show": "scraper.cli.query:show",
    "export": "scraper.cli.export:export",
    "import-warc": "scraper.cli.warc:import_warc",
    "serve": "scraper.cli.serve:serve",
    "reparse": "scraper.cli.reparse:reparse",
    "stats": "scraper.cli.stats:stats",
    "db": "scraper.cli.schema:db",
    "demo": "scraper.cli.demo:demo",
    "languages": "scraper.cli.languages:languages_command",
    "backfill": "scraper.cli.backfill:backfill",
}
"""Command name → ``module:attribute`` of its click command."""

SUMMARIES: Mapping[str, str] = {
    "crawl": "Fetch, parse and store the given URLs; one result line per URL.",
    "run": "The scheduled job: discover, queue, fetch new and changed pages, parse, store.",
    "worker": "Fetch, parse and store what the shared frontier has due, until a limit "
    "(PostgreSQL).",
    "parse": "Parse one DW page (a file, `-` for stdin, or a URL) and print the article; "
    "stores nothing.",
    "query": "Full-text search over stored articles, with filters; ranked, with a snippet.",
    "show": "Show one stored article by DW content id, canonical URL, short link or any "
    "fetched URL.",
    "export": "Export stored articles as JSON lines (the public record), CSV or Parquet, or "
    "their raw pages as WARC, streaming.",
    "import-warc": "Parse and store the DW article pages found in WARC files (needs "
    "dwscrape[warc]).",
    "serve": "Browse the SQLite database in Datasette, read-only (needs dwscrape[serve]).",
    "reparse": "Re-run the current parser over stored raw pages; store what the new parser "
    "extracts.",
    "stats": "Recent crawl runs with their counts, fetch outcomes and fill rates, and what the "
    "database holds.",
    "db": "Database schema: upgrade, show where and at which revision, check.",
    "demo": "Offline proof of everything: fake DW site on loopback → full run → SQLite → query.",
    "languages": "DW's language services: URL segment, name, feed URL, and whether that feed "
    "is verified.",
    "backfill": "Queue a language's archive: DW's dated archive sitemaps, oldest news last.",
}
"""Command name → the first sentence of its help, for `dwscrape --help` without importing
every command's module (and alembic, httpx and the parser with them). A test holds each equal to
the command's own help."""


class LazyGroup(click.Group):
    """A group whose commands are imported when they are looked up, not when it is built."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command list, from `SUMMARIES` instead of importing every command."""
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class DwscrapeGroup(LazyGroup):
    """The root group: every command runs inside its error mapping."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorageError as exc:
            label = settings_of(ctx).db_label
            raise DatabaseFailure(f"database {label}: {exc}" if label else str(exc)) from exc
        except ConfigError as exc:
            raise UsageFailure(str(exc)) from exc
        except click.UsageError as exc:  # one line: the reason and where the help is
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            raise UsageFailure(exc.format_message() + hint) from exc
        except OSError as exc:
            if exc.filename is not None or exc.errno not in OUTPUT_ERRNOS:
                raise
            _stdout_to_devnull()
            raise OutputFailure(f"cannot write standard output: {exc.strerror}") from exc
        finally:
            flush_repeated_warnings()


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null, so that the interpreter's final flush of what is
    still buffered does not fail a second time (Python's advice for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test runner's stream)
        pass


@click.group(
    cls=DwscrapeGroup,
    lazy_commands=COMMANDS,
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


def main() -> NoReturn:
    """Console-script entry point: click's handling plus exit 70 for a bug; the process ends
    without the interpreter's teardown (`scraper.cli.leaving`)."""
    try:
        cli(prog_name="dwscrape")
    except SystemExit as exc:  # how click ends every command
        leave(exc.code)
    except Exception:  # a bug: log it with its traceback, exit EX_SOFTWARE
        import structlog

        if not cli_logging_configured():
            configure_logging()
        structlog.get_logger(__name__).exception("cli.crash")
        leave(ExitCode.INTERNAL)
    leave(0)
