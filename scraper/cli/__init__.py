"""The `dwscrape` command line: the composition root of dwscrape, and the only code that prints.

One module per command group; each command parses its options, calls library functions
(`scraper.pipeline`, `scraper.parse_page`, `db.repository.Repository`) and writes the result
with `scraper.output` or `scraper.render`. The main group (`scraper.cli.app`) imports a command's
module only when that command runs, so `dwscrape query` never loads the fetcher and `dwscrape
parse` never loads the database. Results go to stdout and logs to stderr, so `dwscrape query …
--format jsonl | jq` always works.
"""

from scraper.cli.app import cli, main

__all__ = ["cli", "main"]
