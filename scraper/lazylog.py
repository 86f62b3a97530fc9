"""A module's structlog logger that imports structlog at its first call.

A leaf of the shared vocabulary (the storage layer uses it too, and must not import the
command line's logging set-up in `scraper.logging`). structlog imports rich when rich is
installed, which costs a quick command more than its whole work: `dwscrape query` logs nothing
and so never loads either.
"""

from __future__ import annotations

from typing import Any


class LazyLogger:
    """``structlog.get_logger(name)``, with structlog imported at the first log call: for the
    modules a quick command loads (the repository, the locks, the schema gate), so that a
    command that logs nothing never pays for structlog and rich. Use it as a module's ``log``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, method: str) -> Any:
        import structlog

        return getattr(structlog.get_logger(self.name), method)
