"""One exit-code table: `scraper.exitcodes` is the source, and the README, docs/cli.md and the
end of `dwscrape --help` say the same."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import ROOT

from scraper.cli import cli
from scraper.exitcodes import MEANING, ExitCode, markdown_table


def _table_after(text: str, heading: str) -> str:
    """The first Markdown table after `heading`."""
    section = text.split(heading, 1)[1]
    match = re.search(r"^\|.*?(?=^[^|]|\Z)", section, flags=re.M | re.S)
    assert match, f"no table after {heading!r}"
    return match.group(0)


@pytest.mark.parametrize(
    ("document", "heading"),
    [("README.md", "### Exit codes"), ("docs/cli.md", "## Exit codes")],
)
def test_documented_table_is_the_code_table(document: str, heading: str) -> None:
    table = _table_after((ROOT / document).read_text(encoding="utf-8"), heading)
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    assert [int(code) for code, _ in rows] == [int(code) for code in ExitCode]
    assert table == markdown_table(), f"{document}: paste the output of markdown_table()"


def test_help_ends_with_every_exit_code() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    epilog = " ".join(result.output.split("Exit codes:", 1)[1].split())
    for code, meaning in MEANING.items():
        assert f"{int(code)} {' '.join(meaning.split())}" in epilog
