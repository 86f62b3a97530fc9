"""Process exit codes of the `dwscrape` command: one table for the CLI, the docs and cron.

Cron and systemd only see the exit status, so every outcome an operator must tell apart gets
its own code: a run that mostly failed (1) needs a look at the logs, a held lock (3) is normal
when a previous run is still going, an unreachable or out-of-date database (4) needs an admin,
and a run stopped by a signal exits 128 + the signal's number, as shells report it.
Code 2 is click's own usage-error code, kept so that a typo in a crontab is not mistaken for a
crawl failure.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1
    USAGE = 2
    LOCKED = 3
    DATABASE = 4
    FAILED = 5
    INTERNAL = 70
    INTERRUPTED = 130
    TERMINATED = 143


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "everything asked for was done (a run may have failures below the threshold)",
    ExitCode.PARTIAL: (
        "partial failure: a run whose failed share is over --max-failure-rate, a run or "
        "backfill in which every discovery source of some language failed, "
        "or a crawl where some (not all) URLs failed"
    ),
    ExitCode.USAGE: (
        "usage error: unknown option, bad value (click's own code); also a malformed database "
        "URL, an output file that cannot be opened (before any work), a missing optional "
        "extra, a file that is not WARC, or serve given a PostgreSQL database"
    ),
    ExitCode.LOCKED: "another run holds the run lock for this database; nothing was done",
    ExitCode.DATABASE: (
        "database unreachable (after waiting out an outage for $DWSCRAPE_DB_RETRY_SECONDS, "
        "default 60), unusable (read-only, a table missing), or its schema out of date (run "
        "`dwscrape db upgrade`); `db check` also exits with it when migrations are pending"
    ),
    ExitCode.FAILED: (
        "a one-off command produced nothing: every URL of a crawl failed, parse met a page that "
        "is not a DW article or could not be fetched, show found no such article, query found "
        'no match ("no matches" on stderr), import-warc found no DW article page; a run or '
        "backfill in which every discovery source of every language failed; or the output "
        "could not be written to the end (disk full, I/O error, a closed pipe; a partial export "
        "file is removed)"
    ),
    ExitCode.INTERNAL: "a bug: an unexpected exception, logged with its traceback",
    ExitCode.INTERRUPTED: (
        "a run or worker stopped by SIGINT (Ctrl-C): the batch in flight finished or went back "
        "to the queue, the run is recorded as interrupted; the next run goes on from there"
    ),
    ExitCode.TERMINATED: "the same, stopped by SIGTERM (systemd stop, kill)",
}
"""What each code means, as `dwscrape --help` ends and as the README's table says it (a test
keeps the README's table equal to `markdown_table()`)."""


def markdown_table() -> str:
    """The exit codes as the Markdown table of the README and docs/cli.md."""
    rows = [f"| {int(code)} | {meaning} |" for code, meaning in MEANING.items()]
    return "\n".join(["| code | meaning |", "|---|---|", *rows]) + "\n"
