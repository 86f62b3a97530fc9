"""The README is true: every `dwscrape` command it shows runs as shown, and every command of
the CLI is documented there.

The tour runs as a person runs it: `dwscrape demo --serve` in a process of its own, the
`export` line it prints pasted into a shell, then every tour line in that shell, from a copy of
the checkout's layout (the `fixtures/` the tour parses), into the default database of a fresh
home. Nothing is added to the fake site: the tour uses only pages it serves. The PostgreSQL
block runs against an isolated database on the test server.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from scraper.cli import cli
from tests.support.db import PostgresDatabases

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXPORT_LINE = re.compile(r"^export DWSCRAPE_SITE=\S+ DWSCRAPE_DELAY=0$", flags=re.M)


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
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A shell's environment with the installed `dwscrape` on the PATH and a fresh home (so
    the tour's default database is a new file)."""
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWSCRAPE_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture()
def demo_site(shell_env: dict[str, str]) -> Iterator[str]:
    """`dwscrape demo --serve` as the tour's first block starts it; yields the export line it
    printed, and stops it with Ctrl-C (SIGINT) at the end."""
    (first,) = shell_blocks("A five-minute tour")[0:1]
    assert first == ["dwscrape demo --serve"]
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {first[0]}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=shell_env,
    )
    try:
        assert proc.stdout is not None
        printed = [proc.stdout.readline(), proc.stdout.readline()]
        export = next((line.strip() for line in printed if line.startswith("export ")), None)
        assert export is not None and EXPORT_LINE.match(export), printed
        yield export
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_tour_runs_by_hand(demo_site: str, shell_env: dict[str, str], tmp_path: Path) -> None:
    _serve, lines = shell_blocks("A five-minute tour")
    assert EXPORT_LINE.match(lines[0].replace("PORT", "1")), lines[0]
    # The shell pastes the line the fake site printed, not the README's placeholder.
    env = dict(shell_env)
    env.update(dict(word.split("=", 1) for word in shlex.split(demo_site)[1:]))
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    outputs: dict[str, str] = {}
    for line in lines[1:]:
        assert line.startswith("dwscrape "), line
        done = subprocess.run(
            ["bash", "-c", line], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
        )
        assert done.returncode == 0, f"{line} -> {done.returncode}\n{done.stdout}{done.stderr}"
        outputs[line] = done.stdout
    assert len(outputs) >= 12
    crawl = next(out for line, out in outputs.items() if line.startswith("dwscrape crawl"))
    assert crawl.startswith("new") and "66797777" in crawl
    assert "Putin" in outputs['dwscrape query "Putin Kim"']
    assert "66797777" in outputs["dwscrape query '\"far east\" Put* -Xi'"]
    assert "Putin and Kim Jong Un meet" in outputs["dwscrape show 66797777"]
    assert "4WGXq" in outputs["dwscrape show https://p.dw.com/p/4WGXq --format json"]
    exported = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(exported) >= 5
    with (tmp_path / "en.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["language"] for row in rows} == {"en"}
    default_db = Path(env["XDG_DATA_HOME"]) / "dwscrape" / "dwscrape.sqlite3"
    assert str(default_db) in outputs["dwscrape db current"]


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
