"""`dwscrape demo --keep` keeps its database and says where; without it nothing is left."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli


@pytest.mark.parametrize("keep", [True, False])
def test_demo_keeps_its_database_when_asked(
    keep: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args = ["demo", "--keep"] if keep else ["demo"]
    result = CliRunner().invoke(cli, args, env={"DWSCRAPE_DATABASE_URL": None})
    assert result.exit_code == 0, result.output
    left = list(tmp_path.glob("dwscrape-demo-*/demo.sqlite3"))
    if not keep:
        assert left == [] and "database kept" not in result.stdout
        return
    match = re.search(r"database kept: sqlite:///(\S+)", result.stdout)
    assert match and left == [Path(match.group(1))]
    query = CliRunner().invoke(cli, ["query", "--db", match.group(1), "Putin"])
    assert query.exit_code == 0 and "Putin" in query.stdout
