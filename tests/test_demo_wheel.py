"""A wheel that works: built offline from a copy of the source, it carries the demo site, the
record schema and the migrations, and `dwscrape demo` installed from it (not from the checkout)
stores and shows the demo articles."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import ROOT

SOURCES = ["pyproject.toml", "README.md", "scraper", "db", "migrations", "fixtures/dw"]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built without network from a copy of the source tree (no build artefacts
    left in the checkout; the demo's links to the golden pages resolve inside the copy)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip"]
    run(
        *pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp, ".", cwd=source
    )
    (built,) = tmp.glob("dwscrape-*.whl")
    return built


def test_the_wheel_carries_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    demo = ROOT / "scraper" / "demo"
    site_files = {
        file.relative_to(ROOT).as_posix()
        for folder in ("www", "dw-pages")
        for file in (demo / folder).rglob("*")
        if file.is_file()
    }
    assert "scraper/demo/www/robots.txt" in site_files
    assert "scraper/demo/dw-pages/en_relaunch_2023-09-13_putin-kim.html" in site_files
    assert site_files <= names, sorted(site_files - names)
    assert "scraper/article.schema.json" in names
    migrations = {p.relative_to(ROOT).as_posix() for p in (ROOT / "migrations").rglob("*.py")}
    assert migrations and migrations <= names, sorted(migrations - names)
    assert "migrations/script.py.mako" in names
    assert not any(name.startswith(("tests/", "fixtures/")) for name in names)


def test_dwscrape_demo_runs_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    pip = [sys.executable, "-m", "pip"]
    run(*pip, "install", "--no-deps", "--no-index", "--target", target, wheel, cwd=tmp_path)
    # Only the installed copy is importable: the checkout is neither the cwd nor on the path
    # (the test environment's dependencies stay visible through its own site-packages).
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = run(
        sys.executable, "-c", "import scraper; print(scraper.__file__)", cwd=tmp_path, env=env
    )
    assert Path(where.strip()).is_relative_to(target), where

    db = tmp_path / "demo.sqlite3"
    out = run(target / "bin" / "dwscrape", "demo", "--db", f"sqlite:///{db}", cwd=tmp_path, env=env)
    assert "fake DW site at http://127.0.0.1:" in out
    assert "66797777" in out and "failed 0" in out
    new = re.search(r"\bnew (\d+)", out)
    assert new is not None and int(new.group(1)) >= 10, out
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert stored == int(new.group(1))
