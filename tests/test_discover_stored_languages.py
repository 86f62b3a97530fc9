"""pt-002 and zh-hant end to end: a `run` against the fake site discovers their pages (through
their sitemaps: no feed is known for either), and stores them with their language, also the
pages whose markup names no language (the URL does)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from db.repository import Repository
from scraper.cli import cli
from tests.support.faultsite import FaultSite


@pytest.fixture
def site() -> Iterator[FaultSite]:
    with FaultSite(dw_pages=None) as fake:
        yield fake


def test_digit_and_script_languages_are_stored_with_their_language(
    db_url: str, site: FaultSite, repo: Repository
) -> None:
    args = ["run", "--db", db_url, "--site", site.base_url, "--lang", "pt-002,zh-hant"]
    result = CliRunner().invoke(cli, [*args, "--delay", "0", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["counts"]["discovered"] == 4
    articles = [s.article for s in repo.iter_articles()]
    assert len(articles) == 4
    segment_and_language = {(a.url.split("/")[3], a.language) for a in articles}
    assert segment_and_language == {("pt-002", "pt-002"), ("zh-hant", "zh-hant")}
    assert sum("without-language-data" in a.url for a in articles) == 2
