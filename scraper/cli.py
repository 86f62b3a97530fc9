"""The `dwscrape` command line: the only module that prints."""

from __future__ import annotations

import click

from scraper import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dwscrape")
def cli() -> None:
    """dwscrape: Deutsche Welle articles as clean, queryable records."""


def main() -> None:
    cli()
