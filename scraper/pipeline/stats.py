"""Run statistics: table rows for recent crawl runs and the fill-rate drop warning.

A parser does not fail loudly when DW changes its markup: fields just come back empty. The
per-field fill rates recorded with every run make that visible; a field whose fill rate in the
latest run falls well below its average over the earlier runs is reported, so an operator looks
at the parser before months of articles are stored without authors or dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scraper.outcomes import RUN_COUNTS

#: A drop is reported when the latest rate is at least this much (absolute) below the baseline…
MIN_ABSOLUTE_DROP = 0.2
#: …and below this share of it (so a field at 0.3 falling to 0.25 is not alarming).
MAX_RELATIVE = 0.75
#: Runs that parsed fewer articles than this say nothing about fill rates.
MIN_ARTICLES = 5


@dataclass(frozen=True, slots=True)
class FillRateDrop:
    field: str
    latest: float
    baseline: float
    run_id: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "latest": round(self.latest, 4),
            "baseline": round(self.baseline, 4),
            "run_id": self.run_id,
        }


def _get(run: Any, name: str, default: Any = None) -> Any:
    if isinstance(run, Mapping):
        return run.get(name, default)
    return getattr(run, name, default)


def _parsed(run: Any) -> int:
    counts = _get(run, "counts") or {}
    return int(counts.get("new", 0)) + int(counts.get("changed", 0))


def fill_rate_drops(runs: Sequence[Any]) -> list[FillRateDrop]:
    """Fields whose fill rate in the newest run (runs are newest first) fell sharply against
    the mean of the earlier runs; runs with too few parsed articles are ignored."""
    usable = [r for r in runs if _get(r, "fill_rates") and _parsed(r) >= MIN_ARTICLES]
    if len(usable) < 2:
        return []
    latest, earlier = usable[0], usable[1:]
    drops: list[FillRateDrop] = []
    for name, rate in sorted((_get(latest, "fill_rates") or {}).items()):
        history = [
            float(_get(r, "fill_rates")[name]) for r in earlier if name in _get(r, "fill_rates")
        ]
        if not history:
            continue
        baseline = sum(history) / len(history)
        if baseline - rate >= MIN_ABSOLUTE_DROP and rate < baseline * MAX_RELATIVE:
            drops.append(FillRateDrop(name, float(rate), baseline, _get(latest, "id")))
    return drops


def run_rows(runs: Sequence[Any]) -> list[dict[str, Any]]:
    """One flat row per run for `dwscrape stats` (table or JSON)."""
    rows = []
    for run in runs:
        counts = _get(run, "counts") or {}
        rates = _get(run, "fill_rates") or {}
        started = _get(run, "started_at")
        finished = _get(run, "finished_at")
        rows.append(
            {
                "run": _get(run, "id"),
                "command": _get(run, "command"),
                "status": _get(run, "status"),
                "started_at": started.isoformat(timespec="seconds") if started else None,
                "duration_s": (
                    round((finished - started).total_seconds(), 1) if started and finished else None
                ),
                **{k: counts.get(k, 0) for k in RUN_COUNTS},
                "fill": _summary(rates),
                "fill_rates": rates,
            }
        )
    return rows


def _summary(rates: Mapping[str, float]) -> str:
    """The lowest few fill rates, the ones worth a glance."""
    worst = sorted(rates.items(), key=lambda kv: kv[1])[:3]
    return ", ".join(f"{k} {v:.0%}" for k, v in worst)
