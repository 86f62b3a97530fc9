"""The progress bar of long runs, as a user at a terminal sees it: `dwscrape run` with its
stderr on a real pseudo-terminal (rich draws only for terminals), against the fake DW site."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.cli import ROOT

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, what the terminal on stderr received, escape codes removed)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    received = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=120)
    return code, stdout, _ANSI.sub("", received.decode(errors="replace"))


def test_run_on_a_terminal_shows_a_progress_bar(site: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'progress.db'}"
    args = ["run", "--db", db, "--site", site.base_url, "--lang", "en", "--delay", "0.05"]
    code, stdout, terminal = _run_on_a_terminal(args)
    assert code == 0, terminal
    # the bar went from discovery to fetching, counting fetched pages against the plan
    assert "discovering" in terminal
    counts = [(int(a), int(b)) for a, b in re.findall(r"\b(\d+)/(\d+)\b", terminal)]
    assert counts, terminal
    done, total = counts[-1]
    assert total >= 3 and done == total, counts
    assert "new" in stdout  # the summary line still goes to stdout


def test_quiet_run_on_a_terminal_draws_no_bar(site: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'quiet.db'}"
    args = ["run", "--db", db, "--site", site.base_url, "--lang", "en", "--delay", "0", "--quiet"]
    code, _, terminal = _run_on_a_terminal(args)
    assert code == 0, terminal
    assert "discovering" not in terminal
    assert not re.search(r"\b\d+/\d+\b", terminal)
