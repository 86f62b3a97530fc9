"""Start-up cost: the main group imports a command's module only when the command runs, so a
command loads only the layers it uses (checked in a fresh interpreter per command)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from tests.support.cli import python

RUN_AND_LIST_MODULES = """
import json, sys
from click.testing import CliRunner
from scraper.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:], catch_exceptions=False)
print(json.dumps({"exit_code": result.exit_code, "modules": sorted(sys.modules)}))
"""

# The fetcher and discovery as modules or as packages (scraper.fetching, scraper.discovery).
NETWORK = (
    "httpx",
    "scraper.fetching",
    "scraper.fetching",
    "scraper.discovery",
    "scraper.discovery",
)
PARSER = ("lxml", "scraper.parsers")
DATABASE = ("sqlalchemy", "alembic", "db")


def _loaded(*args: str) -> tuple[int, list[str]]:
    proc = python("-c", RUN_AND_LIST_MODULES, *args, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    return report["exit_code"], report["modules"]


def _any_of(packages: tuple[str, ...], modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def test_parsing_a_file_loads_no_database_and_no_network_code() -> None:
    page = FIXTURES / "dw" / "en_relaunch_2023-09-13_putin-kim.html"
    code, modules = _loaded("parse", str(page))
    assert code == 0
    assert _any_of(PARSER, modules)
    assert _any_of(DATABASE + NETWORK, modules) == []


@pytest.mark.parametrize(("command", "exit_code"), [("query", 5), ("show", 5)])
def test_reading_the_database_loads_no_network_and_no_parser(
    command: str, exit_code: int, tmp_path: Path
) -> None:
    code, modules = _loaded(command, "1", "--db", str(tmp_path / "empty.sqlite3"))
    assert code == exit_code  # nothing matches, no such article: the database is empty
    assert _any_of(("db.repository",), modules)
    assert _any_of(NETWORK + PARSER, modules) == []


#: What a quick read of a SQLite database does without, each worth tens of milliseconds of
#: start-up: the migration tool, the ORM (the schema is Core tables), the PostgreSQL dialect and
#: driver, and structlog with rich (imported only when something is logged).
NOT_FOR_A_QUICK_READ = (
    "alembic",
    "psycopg",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.postgresql",
    "structlog",
    "rich",
)


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [(("query", "x"), 5), (("show", "x"), 5), (("stats",), 0)],  # nothing matches, no runs
)
def test_reading_a_migrated_database_loads_no_migration_tool_orm_or_log_renderer(
    args: tuple[str, ...], exit_code: int, tmp_path: Path
) -> None:
    """The schema check of every command reads the stored revision without alembic, a SQLite
    database needs nothing of PostgreSQL, and a command that logs nothing loads no logging
    library: an eager import added anywhere on these paths fails here."""
    from db.migrate import upgrade

    db = tmp_path / "migrated.sqlite3"
    upgrade(f"sqlite:///{db}")
    code, modules = _loaded(*args, "--db", str(db))
    assert code == exit_code
    assert _any_of(("db.repository",), modules)
    assert _any_of(NOT_FOR_A_QUICK_READ, modules) == []


def test_the_pipeline_package_knows_where_each_of_its_names_lives() -> None:
    """`scraper.pipeline` imports a module when one of its names is used: every exported name
    must be found there, and the package must stay lazy."""
    code = (
        "import sys, scraper.pipeline as p\n"
        "assert not [m for m in sys.modules if m.startswith('scraper.pipeline.')]\n"
        "assert sorted(p.__all__) == sorted(p._LOCATIONS)\n"
        "import pkgutil\n"
        "modules = {m.name for m in pkgutil.iter_modules(p.__path__)}\n"
        "assert not modules & set(p.__all__), modules & set(p.__all__)\n"
        "import scraper.pipeline.backfilling\n"
        "from scraper.pipeline import BackfillOptions, backfill\n"
        "assert callable(backfill) and backfill.__name__ == 'backfill', backfill\n"
        "for name in p.__all__:\n"
        "    module = sys.modules.get('scraper.pipeline.' + p._LOCATIONS[name])\n"
        "    assert getattr(p, name) is getattr(module or p, name), name\n"
    )
    proc = python("-c", code, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_the_command_list_loads_no_command() -> None:
    """`dwscrape --help` lists the commands from their static summaries: no command's module,
    and so no database, network or parser code, is imported to print it."""
    code, modules = _loaded("--help")
    assert code == 0
    from scraper.cli.app import COMMANDS

    command_modules = {target.partition(":")[0] for target in COMMANDS.values()}
    assert sorted(command_modules & set(modules)) == []
    assert _any_of(DATABASE + NETWORK + PARSER + NOT_FOR_A_QUICK_READ, modules) == []
