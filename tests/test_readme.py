"""The README is true: every `dwscrape` command it shows runs as shown, and every command of
the CLI is documented there.

The tour runs against the fake DW site (`DWSCRAPE_SITE` maps dw.com onto it) with the real
English classic page from ../shared/dw-pages served at its dw.com path, so the tour's live
`crawl` URL resolves exactly as it would on dw.com. The PostgreSQL block runs against an
isolated database on the test server.
"""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from scraper.cli import cli
from scraper.demo.site import serve_site
from tests.support.db import PostgresDatabases

README = (ROOT / "README.md").read_text(encoding="utf-8")
REAL_PAGE = "dw_en_classic_2020-01-19_a-52060881.html"
REAL_PATH = "/en/berlin-confronts-germanys-colonial-past-with-new-initiative/a-52060881"


def shell_blocks(heading: str) -> list[list[str]]:
    """The ```sh blocks of one README section, as lists of command lines (comments dropped)."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [
        [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
        for block in blocks
    ]


def dwscrape_args(line: str) -> list[str]:
    words = shlex.split(line)
    assert words[0] == "dwscrape", line
    return words[1:]


def invoke(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, (
        f"dwscrape {shlex.join(args)} -> {result.exit_code}\n{result.output}"
    )
    return result.output


@pytest.fixture()
def tour_env(
    shared_pages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    with serve_site() as base:
        base.site.set_page(REAL_PATH, (shared_pages / REAL_PAGE).read_bytes())
        yield {
            "DWSCRAPE_SITE": str(base),
            "DWSCRAPE_DELAY": "0",
            "DWSCRAPE_DATABASE_URL": f"sqlite:///{tmp_path / 'tour.sqlite3'}",
        }


def test_tour_commands_run_as_shown(tour_env: dict[str, str], tmp_path: Path) -> None:
    (lines,) = shell_blocks("A five-minute tour")
    outputs = {line: invoke(dwscrape_args(line), tour_env) for line in lines}
    assert len(outputs) >= 12
    crawl = next(out for line, out in outputs.items() if line.startswith("dwscrape crawl"))
    assert "new" in crawl and "52060881" in crawl
    assert "Putin" in outputs['dwscrape query "Putin Kim"']
    assert "Berlin confronts" in outputs["dwscrape show 52060881"]
    assert "4WGXq" in outputs["dwscrape show https://p.dw.com/p/4WGXq --format json"]
    exported = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(exported) >= 10
    with (tmp_path / "en.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["language"] for row in rows} == {"en"}


def test_postgres_commands_run_as_shown(postgres_databases: PostgresDatabases) -> None:
    """`createdb` and `export` are the shell's; the test makes its own isolated database."""
    (lines,) = shell_blocks("PostgreSQL")
    commands = [line for line in lines if line.startswith("dwscrape ")]
    assert commands == ["dwscrape db upgrade", "dwscrape db check"]
    url = postgres_databases.url(postgres_databases.create())
    for line in commands:
        invoke(dwscrape_args(line), {"DWSCRAPE_DATABASE_URL": url})


def test_every_command_is_documented() -> None:
    def names(group: click.Command, prefix: str = "") -> Iterator[str]:
        if not isinstance(group, click.Group):
            return
        ctx = click.Context(group)  # the group imports its commands when they are looked up
        for name in group.list_commands(ctx):
            yield f"{prefix}{name}"
            command = group.get_command(ctx, name)
            assert command is not None, name
            yield from names(command, f"{prefix}{name} ")

    for name in names(cli):
        assert f"`{name}" in README or f"dwscrape {name}" in README, name
