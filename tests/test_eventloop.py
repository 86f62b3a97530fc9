"""The fetching commands' event loop: uvloop by default, asyncio's on request, and a clear
error (exit 2) for anything else."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from scraper import eventloop
from scraper.errors import ConfigError
from scraper.exitcodes import ExitCode
from tests.support.cli import dwscrape


async def _loop_class() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_uvloop_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(eventloop.ENV, raising=False)
    assert eventloop.loop_name() == "uvloop"
    assert eventloop.run(_loop_class()).startswith("uvloop")


def test_asyncio_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(eventloop.ENV, "asyncio")
    assert eventloop.run(_loop_class()).startswith("asyncio")


def test_anything_else_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(eventloop.ENV, "tokio")
    with pytest.raises(ConfigError, match="DWSCRAPE_EVENT_LOOP"):
        eventloop.run(_loop_class())


def test_the_cli_says_so_with_exit_2(
    tmp_path: Path, site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(eventloop.ENV, "tokio")
    result = dwscrape("crawl", f"{site.base_url}/en/error-404", "--db", str(tmp_path / "d.db"))
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "DWSCRAPE_EVENT_LOOP" in result.stderr and "Traceback" not in result.stderr
