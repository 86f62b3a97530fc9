"""`dwscrape stats` as the README promises: per-outcome counts per run from the fetch log,
totals, "no runs yet" on an empty database, and a drift alarm comparing like with like."""

from __future__ import annotations

import dataclasses
import json

from click.testing import CliRunner

from db.repository import Repository
from scraper.article import Article
from scraper.cli import cli
from scraper.demo import serve_site
from scraper.pipeline.report import FillRates
from scraper.pipeline.stats import MIN_TYPE_SAMPLE, fill_rate_drops
from tests.support.articles import make_article

PUTIN = "https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
MISSING = "https://www.dw.com/en/no-such-story/a-1"
PRIVATE = "https://www.dw.com/private/a-secret-page"


def stats(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["stats", "--db", db_url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_empty_database_says_no_runs_yet(db_url: str) -> None:
    out = stats(db_url)
    assert out.startswith("no runs yet\narticles: 0 ")
    assert "\n\n" not in out and not out.startswith("\n")
    data = json.loads(stats(db_url, "--format", "json"))
    assert data["runs"] == [] and data["totals"]["articles"] == 0


def test_outcomes_per_run_and_totals(db_url: str) -> None:
    with serve_site() as base:
        crawl = CliRunner().invoke(
            cli, ["crawl", "--db", db_url, PUTIN, MISSING, PRIVATE], env={"DWSCRAPE_SITE": base}
        )
    assert crawl.exit_code == 1, crawl.output  # partial: two of three failed
    data = json.loads(stats(db_url, "--format", "json"))
    (run,) = data["runs"]
    assert run["outcomes"]["ok"] == 1
    assert run["outcomes"]["not_found"] == 1
    assert run["outcomes"]["robots_disallowed"] == 1
    assert run["outcomes"]["blocked"] == 0  # every outcome is listed, zeros too
    assert run["fill_rates_by_type"]["article"]["articles"] == 1
    totals = data["totals"]
    assert totals["articles"] == 1 and totals["articles_by_language"] == {"en": 1}
    assert totals["articles_by_content_type"] == {"article": 1}
    assert totals["revisions"] == 1 and totals["raw_pages"] == 1
    assert totals["database_bytes"] > 0
    table = stats(db_url)
    assert "robots_disallowed 1" in table and "not_found 1" in table
    assert "articles: 1 (revisions 1, raw pages 1, database " in table
    assert "per language: en 1" in table


def _run(run_id: int, by_type: dict[str, tuple[int, float]]) -> dict:
    """A run that parsed, per content type, (n pages, share with authors)."""
    n = sum(count for count, _ in by_type.values())
    flat = sum(count * rate for count, rate in by_type.values()) / n
    return {
        "id": run_id,
        "counts": {"new": n},
        "fill_rates": {"authors": flat},
        "fill_by_type": {
            kind: {"articles": count, "rates": {"authors": rate}}
            for kind, (count, rate) in by_type.items()
        },
    }


def test_a_run_of_another_kind_does_not_cry_wolf() -> None:
    earlier = [_run(2, {"article": (30, 0.85)}), _run(1, {"article": (30, 0.85)})]
    # Many videos (no authors) this time: the overall rate falls, the articles' does not.
    latest = _run(3, {"article": (20, 0.85), "video": (20, 0.0)})
    assert fill_rate_drops([latest, *earlier]) == []
    # A handful of articles is no sample.
    small = _run(3, {"article": (MIN_TYPE_SAMPLE - 1, 0.0), "video": (20, 0.0)})
    assert fill_rate_drops([small, *earlier]) == []


def test_a_drop_within_one_content_type_is_reported(db_url: str, repo: Repository) -> None:
    assert [
        d.content_type
        for d in fill_rate_drops(
            [_run(3, {"article": (20, 0.1)}), _run(2, {"article": (30, 0.85)})]
        )
    ] == ["article"]
    for authors in (0.9, 0.8, 0.1):
        fill = FillRates()
        for i in range(20):
            article = make_article(100 + i)
            fill.add(article if i < authors * 20 else _without_authors(article))
        run_id = repo.start_run("run")
        repo.finish_run(run_id, "ok", {"new": 20}, fill.rates(), fill_by_type=fill.by_type())
    out = stats(db_url)
    assert "warning: fill rate of authors in article pages fell to " in out
    drops = json.loads(stats(db_url, "--format", "json"))["fill_rate_drops"]
    assert [(d["field"], d["content_type"]) for d in drops] == [("authors", "article")]


def _without_authors(article: Article) -> Article:
    return dataclasses.replace(article, authors=())
