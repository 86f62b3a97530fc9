"""Small rooms hold by check, not by goodwill (scripts/check_rooms.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from conftest import ROOT


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_rooms", ROOT / "scripts" / "check_rooms.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_big_module_or_long_function() -> None:
    assert _checker().offenders() == []


def test_the_check_finds_a_long_function(tmp_path: Path) -> None:
    checker = _checker()
    (tmp_path / "scraper").mkdir()
    (tmp_path / "db").mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(checker.MAX_FUNCTION + 1))
    (tmp_path / "scraper" / "long.py").write_text(f"def f():\n    '''doc'''\n{body}\n")
    (tmp_path / "db" / "big.py").write_text("x = 1\n" * (checker.MAX_MODULE + 1))
    found = checker.offenders(tmp_path)
    assert any("scraper/long.py:1 f:" in line for line in found)
    assert any(line.startswith("db/big.py:") for line in found)
