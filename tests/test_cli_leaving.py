"""The console script ends without the interpreter's teardown (`scraper.cli.leaving`), and
loses nothing by it: buffered output, atexit handlers, exit codes, threads still working."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

from tests.support.cli import ROOT

PRELUDE = "import atexit, sys, threading, time\nfrom scraper.cli.leaving import leave\n"


def _start(body: str, **kwargs: Any) -> subprocess.Popen[str]:
    """A fresh interpreter running `body`, which ends with `scraper.cli.leaving.leave`; its
    standard output is buffered, as a console script's usually is (not ``PYTHONUNBUFFERED``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.Popen(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        **kwargs,
    )


def _run(body: str) -> tuple[int, str, str]:
    proc = _start(body)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_buffered_output_and_atexit_handlers_survive_and_the_code_is_kept() -> None:
    code, out, err = _run("""
        atexit.register(lambda: print("atexit ran"))
        sys.stdout.write("x" * 100_000)  # more than a buffer's worth, to a pipe
        sys.stdout.write("and the rest\\n")  # still in the buffer
        leave(3)
    """)  # fmt: skip
    assert code == 3, err
    assert out == "x" * 100_000 + "and the rest\natexit ran\n"


def test_a_thread_still_working_is_waited_for() -> None:
    code, out, err = _run("""
        def late():
            time.sleep(0.5)
            print("thread done")
        threading.Thread(target=late).start()
        leave(None)
    """)  # fmt: skip
    assert code == 0 and out == "thread done\n", err


def test_a_message_exits_1_as_sys_exit_does() -> None:
    assert _run("leave('no luck')") == (1, "", "no luck\n")


def test_a_reader_gone_at_the_end_is_exit_5_in_one_line() -> None:
    # what is still buffered at the end goes to a pipe whose reader has gone (``… | head``)
    proc = _start("time.sleep(0.5); sys.stdout.write('still buffered'); leave(0)")
    assert proc.stdout is not None
    proc.stdout.close()  # before the program writes
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert err == "Error: cannot write standard output: Broken pipe\n"
