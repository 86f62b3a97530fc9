"""The progress bar of `run` and `demo`: drawn by rich on stderr, only for a person watching
(under cron or in a pipe nothing is drawn)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn

from scraper.cli.common import Settings, stderr_is_a_terminal
from scraper.pipeline import UrlResult


class NoProgress:
    """What a run reports its progress to when nobody watches."""

    def plan(self, total: int) -> None:
        pass

    def advance(self, result: UrlResult) -> None:
        pass


class _RichProgress(NoProgress):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID = progress.add_task("discovering", total=None)

    def plan(self, total: int) -> None:
        self.progress.update(self.task, description="fetching", total=total)

    def advance(self, result: UrlResult) -> None:
        self.progress.update(self.task, advance=1, description=f"{result.status}")


@contextmanager
def progress_bar(settings: Settings) -> Iterator[NoProgress]:
    """A rich progress bar on stderr when it is a terminal and not --quiet; else nothing."""
    if settings.quiet or not stderr_is_a_terminal():
        yield NoProgress()
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as progress:
        yield _RichProgress(progress)
