"""The commands that hand dwscrape's data to the tools analysts already use: `serve`
(Datasette), `import-warc`, and the file formats of `export` (Parquet, WARC).

Like the rest of the CLI, the bodies only parse options, call the library (`scraper.exports`,
`scraper.serve`, `db.captures`) and report; the optional packages behind them are named in one
line when missing (`scraper.extras`).
"""

from __future__ import annotations

from typing import Any

import structlog

from scraper.cli import CliError, Settings, open_repository
from scraper.errors import ConfigError
from scraper.exitcodes import ExitCode

log = structlog.get_logger(__name__)


def export_file(settings: Settings, fmt: str, output: str | None, filters: Any) -> None:
    """`export --format parquet|warc`: binary formats, written to the file given with -o."""
    if not output:
        raise CliError(f"--format {fmt} writes a file: give it with -o FILE", ExitCode.USAGE)
    try:
        with open_repository(settings) as repo:
            if fmt == "parquet":
                from scraper.exports.parquet import write_parquet

                articles = (s.article for s in repo.iter_articles(filters))
                count = write_parquet(articles, output)
            else:
                from db.captures import iter_captures

                from scraper.exports.warc import write_warc

                count = write_warc(iter_captures(repo.engine, filters), output)
    except ConfigError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from exc
    log.info("export.done", count=count, output=output, format=fmt)
