"""The one logging set-up: structlog events routed through the standard `logging` module.

dwscrape is a library first. Its modules only call `structlog.get_logger(__name__)`, and
importing `scraper` routes those events into stdlib loggers named after the modules
(`scraper.parsers`, `db.repository`, …) whose `scraper` and `db` parents carry a `NullHandler`:
imported by another program, dwscrape writes nothing to stdout or stderr on its own, and the
program decides with its own `logging` handlers where the events go (the standard contract for
libraries). structlog is left alone when the program has configured it already.

The command line is such a program: `configure_logging` installs one handler on stderr whose
formatter renders every event, dwscrape's and those of alembic or httpx alike, as one JSON
object per line when stderr is not a terminal (cron, systemd, pipes: what journald, jq or a log
shipper read), or as readable coloured lines on a terminal.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.stdlib import ProcessorFormatter

#: The top-level loggers of dwscrape's packages; every module's logger is a child of one.
LIBRARY_LOGGERS = ("scraper", "db")

#: Other libraries log at INFO about every request or migration step: only their warnings count.
OTHER_LIBRARIES_LEVEL = logging.WARNING


def route_through_stdlib() -> None:
    """Send structlog events to the stdlib logger of their module, unrendered.

    The event dictionary travels inside the `LogRecord` and is rendered by the handler's
    `ProcessorFormatter`, so one formatter renders structlog and plain `logging` records alike.
    Levels are the stdlib loggers' levels (`filter_by_level`), so a host program's
    `logging.getLogger("scraper").setLevel(...)` works as it expects.
    """
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            structlog.processors.StackInfoRenderer(),
            _wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Loggers are not cached, so `structlog.testing.capture_logs` sees module-level loggers.
        cache_logger_on_first_use=False,
    )


class _Event(dict[str, Any]):
    """An event dictionary that a plain `logging.Formatter` shows as ``event key=value …``;
    structlog's `ProcessorFormatter` copies it as the dictionary it is."""

    def __str__(self) -> str:
        fields = " ".join(f"{k}={v!r}" for k, v in self.items() if k not in ("event", "exc_info"))
        return f"{self.get('event')} {fields}".rstrip()


def _wrap_for_formatter(logger: Any, method_name: str, event_dict: Any) -> Any:
    """`ProcessorFormatter.wrap_for_formatter`, with the event readable by any formatter."""
    return ProcessorFormatter.wrap_for_formatter(logger, method_name, _Event(event_dict))


def install_library_defaults() -> None:
    """Stay quiet unless the host program asks: called once when `scraper` is imported."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
    if not structlog.is_configured():
        route_through_stdlib()


class _CliHandler(logging.StreamHandler):
    """The command line's handler, told apart from the host's so reconfiguring replaces it."""


def configure_logging(
    *,
    quiet: bool = False,
    verbose: bool = False,
    json_lines: bool | None = None,
    stream: TextIO | None = None,
) -> None:
    """Log every event to `stream` (stderr by default): what the command line calls once.

    `quiet` keeps warnings and errors only; `verbose` adds debug events. `json_lines=None`
    chooses JSON when the stream is not a terminal.
    """
    out = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not _isatty(out)
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    route_through_stdlib()
    handler = _CliHandler(out)
    handler.setFormatter(_formatter(json_lines=json_lines, colors=_isatty(out)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CliHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(max(level, OTHER_LIBRARIES_LEVEL))
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)


def cli_logging_configured() -> bool:
    """Whether `configure_logging` has installed its handler in this process."""
    return any(isinstance(h, _CliHandler) for h in logging.getLogger().handlers)


def _formatter(*, json_lines: bool, colors: bool) -> ProcessorFormatter:
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: list[Any]
    if json_lines:
        renderer = [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(default=str),
        ]
    else:
        renderer = [structlog.dev.ConsoleRenderer(colors=colors)]
    return ProcessorFormatter(
        # Records of other libraries carry no event dictionary: name their logger.
        foreign_pre_chain=[structlog.stdlib.add_logger_name],
        processors=[ProcessorFormatter.remove_processors_meta, *shared, *renderer],
    )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
