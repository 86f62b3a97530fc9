"""Imported by the forkserver of the parser processes (first in `parsing.PRELOAD`): from
then on the forkserver ignores SIGTERM, as it already ignores SIGINT and as the standard
library's resource tracker ignores both.

Why: systemd's stop (``KillMode=control-group``, its default) and ``kill -- -PGID`` signal
every process of the group. A forkserver killed under a running pool breaks it: each of the
pool's processes then reads as dead, and the batch in hand would fail instead of going back
to the queue. The parent decides what a signal means (`scraper.pipeline.stopping`) and shuts
its pool down; the forkserver leaves when the parent is gone. Imported anywhere else, this
module changes nothing.
"""

from __future__ import annotations

import signal
import sys


def in_forkserver() -> bool:
    """Whether this import runs inside `multiprocessing.forkserver.main` (its preloading)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if (
            code.co_name == "main"
            and frame.f_globals.get("__name__") == "multiprocessing.forkserver"
        ):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


if in_forkserver():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
