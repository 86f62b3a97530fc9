"""`reparse --workers 2` leaves the database as `reparse --workers 1` does, on both backends."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from db import models as m
from db.engine import make_engine
from scraper.cli import cli

TABLES = (m.articles, m.article_revisions, m.url_aliases, m.article_authors, m.article_topics)


def _copy(url: str, request: pytest.FixtureRequest) -> str:
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        shutil.copyfile(path, path + ".copy")
        return f"sqlite:///{path}.copy"
    dbs = request.getfixturevalue("postgres_databases")
    name = dbs.create(template=make_url(url).database)
    request.addfinalizer(lambda: dbs.drop(name))
    return str(dbs.url(name))


def _state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a re-parse writes, without the times it was written at."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(
                    tuple(v for v in row if not isinstance(v, dt.datetime))
                    for row in conn.execute(select(table))
                )
                for table in TABLES
            }
    finally:
        engine.dispose()


def test_reparse_with_workers_leaves_the_same_database(
    db_url: str, site: Any, request: pytest.FixtureRequest
) -> None:
    runner = CliRunner()
    run = ["run", "--db", db_url, "--site", site.base_url, "--lang", "en,de", "--delay", "0"]
    assert runner.invoke(cli, [*run, "--quiet", "--parse-workers", "0"]).exit_code == 0
    engine = make_engine(db_url)
    with engine.begin() as conn:  # as if an older parser had extracted every other article
        conn.execute(text("UPDATE articles SET content_hash = 'older', title = 'older' "
                          "WHERE id % 2 = 0"))  # fmt: skip
    engine.dispose()
    other = _copy(db_url, request)
    summaries = []
    for url, workers in ((db_url, "1"), (other, "2")):
        result = runner.invoke(cli, ["reparse", "--db", url, "--json", "--workers", workers])
        assert result.exit_code == 0, result.output
        summaries.append(json.loads(result.stdout))
    assert summaries[0] == summaries[1]
    assert summaries[0]["counts"]["changed"] > 0 and summaries[0]["counts"]["unchanged"] > 0
    assert _state(db_url) == _state(other)
