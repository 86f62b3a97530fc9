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

from scraper.outcomes import RUN_COUNTS, FetchOutcome

#: A drop is reported when the latest rate is at least this much (absolute) below the baseline…
MIN_ABSOLUTE_DROP = 0.2
#: …and below this share of it (so a field at 0.3 falling to 0.25 is not alarming).
MAX_RELATIVE = 0.75
#: Runs that parsed fewer articles than this say nothing about fill rates.
MIN_ARTICLES = 5
#: A content type is compared only in runs that parsed at least this many of its pages: a run
#: that met a handful of videos says nothing about how often videos have authors.
MIN_TYPE_SAMPLE = 10


@dataclass(frozen=True, slots=True)
class FillRateDrop:
    field: str
    latest: float
    baseline: float
    run_id: Any
    #: The content type compared (None: runs recorded before rates were kept per type).
    content_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "content_type": self.content_type,
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


def _type_rates(run: Any, kind: str) -> Mapping[str, float] | None:
    """The fill rates of one content type in a run, if it parsed enough of them."""
    entry = (_get(run, "fill_by_type") or {}).get(kind)
    if not entry or int(entry.get("articles", 0)) < MIN_TYPE_SAMPLE:
        return None
    rates: Mapping[str, float] = entry.get("rates") or {}
    return rates


def _drops(
    latest: Mapping[str, float], history: Sequence[Mapping[str, float]], run_id: Any, kind: Any
) -> list[FillRateDrop]:
    drops: list[FillRateDrop] = []
    for name, rate in sorted(latest.items()):
        values = [float(h[name]) for h in history if name in h]
        if not values:
            continue
        baseline = sum(values) / len(values)
        if baseline - rate >= MIN_ABSOLUTE_DROP and rate < baseline * MAX_RELATIVE:
            drops.append(FillRateDrop(name, float(rate), baseline, run_id, kind))
    return drops


def fill_rate_drops(runs: Sequence[Any]) -> list[FillRateDrop]:
    """Fields whose fill rate in the newest run (runs are newest first) fell sharply against
    the mean of the earlier runs: per content type, each compared only where a run parsed
    `MIN_TYPE_SAMPLE` pages of it; runs recorded without per-type rates are compared as a
    whole. Runs with fewer than `MIN_ARTICLES` parsed articles are ignored."""
    usable = [r for r in runs if _get(r, "fill_rates") and _parsed(r) >= MIN_ARTICLES]
    if len(usable) < 2:
        return []
    latest, earlier = usable[0], usable[1:]
    run_id = _get(latest, "id")
    by_type = _get(latest, "fill_by_type") or {}
    if not by_type:
        history = [_get(r, "fill_rates") for r in earlier if not _get(r, "fill_by_type")]
        return _drops(_get(latest, "fill_rates") or {}, history, run_id, None)
    drops: list[FillRateDrop] = []
    for kind in sorted(by_type):
        rates = _type_rates(latest, kind)
        if rates is None:
            continue
        history = [h for h in (_type_rates(r, kind) for r in earlier) if h is not None]
        drops += _drops(rates, history, run_id, kind)
    return drops


def run_rows(runs: Sequence[Any]) -> list[dict[str, Any]]:
    """One flat row per run for `dwscrape stats` (table or JSON): its counts, the fetch log's
    count of every outcome (zeros included, so the keys are stable) and its fill rates."""
    rows = []
    for run in runs:
        counts = _get(run, "counts") or {}
        rates = _get(run, "fill_rates") or {}
        outcomes = _get(run, "outcomes") or {}
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
                "outcomes": {o.value: int(outcomes.get(o.value, 0)) for o in FetchOutcome},
                "fill": _summary(rates),
                "fill_rates": rates,
                "fill_rates_by_type": _get(run, "fill_by_type") or {},
            }
        )
    return rows


def outcome_summary(outcomes: Mapping[str, int]) -> str:
    """The outcomes that occurred, most frequent first: ``ok 40, not_found 2``."""
    seen = sorted(((n, o) for o, n in outcomes.items() if n), key=lambda x: (-x[0], x[1]))
    return ", ".join(f"{o} {n}" for n, o in seen)


@dataclass(frozen=True, slots=True)
class Totals:
    """What the database holds, for `dwscrape stats`."""

    articles: int
    by_language: dict[str, int]
    by_content_type: dict[str, int]
    revisions: int
    raw_pages: int
    database_bytes: int | None

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> Totals:
        """From the repository's `stats()` (row counts per table and per column value)."""
        return cls(
            articles=int(counts.get("articles", 0)),
            by_language=dict(counts.get("articles_by_language", {})),
            by_content_type=dict(counts.get("articles_by_content_type", {})),
            revisions=int(counts.get("article_revisions", 0)),
            raw_pages=int(counts.get("raw_pages", 0)),
            database_bytes=counts.get("database_bytes"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "articles_by_language": self.by_language,
            "articles_by_content_type": self.by_content_type,
            "revisions": self.revisions,
            "raw_pages": self.raw_pages,
            "database_bytes": self.database_bytes,
        }


def _summary(rates: Mapping[str, float]) -> str:
    """The lowest few fill rates, the ones worth a glance."""
    worst = sorted(rates.items(), key=lambda kv: kv[1])[:3]
    return ", ".join(f"{k} {v:.0%}" for k, v in worst)
