"""Every command has --help with examples; usage errors exit 2; `python -m scraper` works."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from tests.support.cli import dwscrape


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [prefix]
    ctx = click.Context(group)  # the group imports its commands when they are looked up
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


ALL_COMMANDS = _commands(cli)


def test_the_commands_of_the_issue_exist() -> None:
    names = {" ".join(c) for c in ALL_COMMANDS}
    for expected in (
        "crawl",
        "run",
        "parse",
        "query",
        "show",
        "export",
        "reparse",
        "stats",
        "db upgrade",
        "db current",
        "db check",
        "demo",
    ):
        assert expected in names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "dwscrape")
def test_every_help_has_examples(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    examples = result.output.split("Examples:", 1)[1]
    assert "dwscrape " in examples
    if path and path[0] != "db":
        assert f"dwscrape {' '.join(path)}" in examples  # the command's own examples


def test_usage_errors_exit_2() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["crawl", "ftp://example.org/x"]).exit_code == 2
    assert runner.invoke(cli, ["crawl"]).exit_code == 2
    assert runner.invoke(cli, ["run", "--source", "carrier-pigeon"]).exit_code == 2
    assert runner.invoke(cli, ["run", "--max-duration", "soon"]).exit_code == 2
    assert runner.invoke(cli, ["query", "--db", "mysql://x@y/z"]).exit_code == 2
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2


def test_python_dash_m_scraper() -> None:
    proc = dwscrape("--version", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("dwscrape, version")


def test_the_static_summaries_are_the_commands_own_help() -> None:
    """`dwscrape --help` prints `SUMMARIES` so as not to import every command: each must be
    the first sentence of that command's own help, and every command must have one."""
    from scraper.cli.app import COMMANDS, SUMMARIES

    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(cli)
    for name, summary in SUMMARIES.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert summary == command.get_short_help_str(limit=1000), name


def test_the_group_help_lists_every_command_with_its_summary() -> None:
    from scraper.cli.app import SUMMARIES

    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = " ".join(result.output.split("Commands:", 1)[1].split())
    for name, summary in SUMMARIES.items():
        assert f"{name} {summary}" in listed, name
