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

Importing structlog costs more than a quick command's whole work (it imports rich when rich is
installed), so nothing here imports it before it is needed: the routing is installed when
structlog is first imported, by anyone (`install_library_defaults`), and the command line's
formatter is built when the first record is written. `dwscrape query` that logs nothing never
loads structlog; dwscrape's modules on that path log through `scraper.lazylog.LazyLogger`.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
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
    import structlog

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


def _route_unless_configured() -> None:
    import structlog

    if not structlog.is_configured():
        route_through_stdlib()


class _RouteOnImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Installs the routing right after structlog is first imported, by whoever imports it.

    The same state as configuring structlog when `scraper` is imported, without paying for
    structlog in a process that never logs: nobody can log through structlog, or configure it,
    before importing it. Finds nothing itself; it wraps structlog's own loader, once."""

    def __init__(self) -> None:
        self.loader: importlib.abc.Loader | None = None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "structlog" or self.loader is not None:
            return None
        _uninstall_route_on_import()
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        assert self.loader is not None
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        assert self.loader is not None
        module.__spec__.loader = module.__loader__ = self.loader  # type: ignore[union-attr]
        self.loader.exec_module(module)
        _route_unless_configured()


def _uninstall_route_on_import() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _RouteOnImport)]


class _Event(dict[str, Any]):
    """An event dictionary that a plain `logging.Formatter` shows as ``event key=value …``;
    structlog's `ProcessorFormatter` copies it as the dictionary it is."""

    def __str__(self) -> str:
        fields = " ".join(f"{k}={v!r}" for k, v in self.items() if k not in ("event", "exc_info"))
        return f"{self.get('event')} {fields}".rstrip()


def _wrap_for_formatter(logger: Any, method_name: str, event_dict: Any) -> Any:
    """`ProcessorFormatter.wrap_for_formatter`, with the event readable by any formatter."""
    from structlog.stdlib import ProcessorFormatter

    return ProcessorFormatter.wrap_for_formatter(logger, method_name, _Event(event_dict))


def install_library_defaults() -> None:
    """Stay quiet unless the host program asks: called once when `scraper` is imported.

    structlog is routed now if it is imported already, else as soon as it is (`_RouteOnImport`)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
    if "structlog" in sys.modules:
        _route_unless_configured()
    elif not any(isinstance(f, _RouteOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RouteOnImport())


class _CliHandler(logging.StreamHandler):
    """The command line's handler, told apart from the host's so reconfiguring replaces it.

    Its formatter is built for the first record it writes: a command that logs nothing does
    not import structlog's renderers."""

    json_lines = False
    colors = False

    def format(self, record: logging.LogRecord) -> str:
        if self.formatter is None:
            self.setFormatter(_formatter(json_lines=self.json_lines, colors=self.colors))
        return super().format(record)


#: Warnings a run logs once per page: with --quiet they are counted and logged once per
#: (event, field) at the end of the command (`flush_repeated_warnings`).
REPEATED_EVENTS = frozenset({"parse.field_missing", "parse.field_error"})


class _RepeatedWarnings(logging.Filter):
    """Holds back the per-page warnings of `REPEATED_EVENTS` and counts them: a cron mail
    says "authors missing on 230 pages" once, not 230 times."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[tuple[str, str], dict[str, Any]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        event = record.msg if isinstance(record.msg, dict) else None
        if event is None or event.get("event") not in REPEATED_EVENTS or "pages" in event:
            return True
        key = (str(event["event"]), str(event.get("field")))
        entry = self.seen.setdefault(key, {"pages": 0, "first_url": event.get("url")})
        entry["pages"] += 1
        return False

    def flush(self) -> None:
        seen, self.seen = self.seen, {}
        if not seen:
            return
        import structlog

        logger = structlog.get_logger("scraper")
        for (event, field), entry in sorted(seen.items()):
            logger.warning(event, field=field, **entry)


def configure_logging(
    *,
    quiet: bool = False,
    verbose: bool = False,
    json_lines: bool | None = None,
    stream: TextIO | None = None,
) -> None:
    """Log every event to `stream` (stderr by default): what the command line calls once.

    `quiet` keeps warnings and errors only, and logs the warnings a run repeats per page once
    per field (`flush_repeated_warnings`); `verbose` adds debug events. `json_lines=None`
    chooses JSON when the stream is not a terminal.
    """
    out = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not _isatty(out)
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    if "structlog" in sys.modules:
        route_through_stdlib()
    else:  # routed when it is imported (the command line owns the process's configuration)
        install_library_defaults()
    handler = _CliHandler(out)
    handler.json_lines = json_lines
    handler.colors = _isatty(out)
    if quiet:
        handler.addFilter(_RepeatedWarnings())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CliHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    # Warnings of Python and of other libraries (bs4, …) become log records of the
    # ``py.warnings`` logger, rendered by the same formatter (one JSON object per line).
    logging.captureWarnings(True)
    root.setLevel(max(level, OTHER_LIBRARIES_LEVEL))
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)


def cli_logging_configured() -> bool:
    """Whether `configure_logging` has installed its handler in this process."""
    return any(isinstance(h, _CliHandler) for h in logging.getLogger().handlers)


def _cli_handlers() -> list[_CliHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, _CliHandler)]


def cli_logs_json() -> bool:
    """Whether the command line's log lines are JSON (then its summaries are JSON lines too)."""
    return any(h.json_lines for h in _cli_handlers())


def flush_repeated_warnings() -> None:
    """Log the per-page warnings held back under --quiet, once per event and field, with the
    number of pages and the first page's URL: called when a command ends."""
    for handler in _cli_handlers():
        for held in handler.filters:
            if isinstance(held, _RepeatedWarnings):
                held.flush()


def _formatter(*, json_lines: bool, colors: bool) -> ProcessorFormatter:
    import structlog
    from structlog.stdlib import ProcessorFormatter

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
