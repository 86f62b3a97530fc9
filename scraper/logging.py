"""Logging set-up for the command line: structlog, JSON lines for machines, readable for people.

Under cron or systemd stderr is not a terminal, and every event becomes one JSON object per
line (timestamp, level, event, fields) that journald, jq or a log shipper can read. On a
terminal the same events are printed by structlog's console renderer. The library modules only
call `structlog.get_logger(__name__)`; this module is the one place that decides where the
events go (the CLI calls `configure_logging` once per process).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def configure_logging(
    *,
    quiet: bool = False,
    verbose: bool = False,
    json_lines: bool | None = None,
    stream: TextIO | None = None,
) -> None:
    """Route structlog events to `stream` (stderr by default).

    `quiet` keeps warnings and errors only; `verbose` adds debug events. `json_lines=None`
    chooses JSON when the stream is not a terminal.
    """
    out = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not _isatty(out)
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    if json_lines:
        processors += [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(default=str),
        ]
    else:
        processors.append(structlog.dev.ConsoleRenderer(colors=_isatty(out)))
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    # Libraries that use the standard logging module (alembic, httpx) go to the same stream.
    logging.basicConfig(level=max(level, logging.WARNING), stream=out, force=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
