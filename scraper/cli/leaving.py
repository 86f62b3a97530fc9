"""How the console script ends: without tearing the interpreter down.

When a command returns it has already closed what needs closing: its database, its pools of
threads and processes, its files. What remains of an ordinary exit is the interpreter's own
finalization, which clears every module and frees every object one by one: 40-90 ms on the
machine the benchmarks run on, a sixth of `dwscrape query`'s whole run and more than the
parser processes take to start. So `leave` ends the process as mypy's ``hard_exit`` does:

- the atexit handlers run, as they would (logging's flush, multiprocessing's finalizers that
  release the parser processes' semaphores, a coverage tool's data);
- the standard streams are flushed, and a standard output that cannot take the rest (a full
  disk, a reader gone) is the same one-line error and exit 5 as during the command;
- `os._exit` ends the process with the command's exit code.

Only the console script leaves this way (`scraper.cli.app.main`); imported as a library,
dwscrape never ends anyone's process. The ordinary exit is taken instead when a thread that is
not a daemon is still running (none of dwscrape's should be), which it waits for, and under a
tracer or profiler (coverage, ``python -m cProfile``), which reports after the program ends.
"""

from __future__ import annotations

import atexit
import errno
import os
import sys
import threading
from typing import NoReturn

from scraper.exitcodes import ExitCode

#: Errors writing standard output that the environment causes: a full disk or quota, an I/O
#: error, a reader that went away (``dwscrape query … | head``).
OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


def leave(code: str | int | None) -> NoReturn:
    """End the process with `code`, as `sys.exit` would (None is 0; a string is a message)."""
    if isinstance(code, str) or _threads_running() or _observed():
        sys.exit(code)  # the ordinary exit: see the module's docstring
    status = code or 0
    atexit._run_exitfuncs()
    status = _flush(status)
    os._exit(status)


def _observed() -> bool:
    """Whether a tracer or profiler watches (coverage, ``python -m cProfile``, a debugger): they
    report after the program ends, which `os._exit` would cut short."""
    return sys.gettrace() is not None or sys.getprofile() is not None


def _threads_running() -> bool:
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def _flush(status: int) -> int:
    """Flush standard output and error; the exit status to leave with."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        _say(f"Error: cannot write standard output: {exc.strerror}")
        status = ExitCode.FAILED
    except ValueError:  # closed by the command
        pass
    _say(None)
    return status


def _say(line: str | None) -> None:
    try:
        if line is not None:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # nowhere left to say it
        pass
