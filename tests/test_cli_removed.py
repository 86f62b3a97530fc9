"""Articles removed from dw.com: a stored article whose URL later answers 410/404 or a soft 404
is kept and marked (with the date), shown by default in `query`/`export`, selected with
`--removed` / left out with `--no-removed`, flagged by `show`; a later 200 clears the mark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from db.repository import Repository
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.faultsite import FaultSite

PATH = "/en/germany-tests-the-fake-site/a-9000001"
URL = f"https://www.dw.com{PATH}"
OTHER = "https://www.dw.com/en/a-classic-page-for-tests/a-9000002"


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def crawl(db_url: str, site: FaultSite, *urls: str) -> Any:
    return invoke("crawl", "--db", db_url, "--site", site.base_url, "--delay", "0", *urls)


def dw_ids(db_url: str, *options: str) -> set[int]:
    result = invoke("query", "--db", db_url, "--format", "json", *options)
    if result.exit_code == ExitCode.FAILED:  # nothing matches: exit 5, an empty document
        assert "no matches" in result.stderr, result.output
    else:
        assert result.exit_code == 0, result.output
    return {hit["dw_id"] for hit in json.loads(result.stdout)}


@pytest.mark.parametrize("gone", ["410", "soft 404"])
def test_a_removed_article_is_kept_marked_and_cleared_by_a_later_200(
    db_url: str, site: FaultSite, repo: Repository, tmp_path: Path, gone: str
) -> None:
    original = site.page(PATH).body
    assert crawl(db_url, site, URL, OTHER).exit_code == 0
    stored = repo.find_article(URL)
    assert stored is not None and repo.removed_at(stored.id) is None

    if gone == "410":
        site.remove_page(PATH)
    else:
        site.set_page(PATH, (FIXTURES / "dw" / "en_relaunch_synthetic_soft404.html").read_bytes())
    result = crawl(db_url, site, URL)
    assert result.exit_code != 0  # the page itself is not found
    removed = repo.removed_at(stored.id)
    assert removed is not None
    kept = repo.find_article(URL)
    assert kept is not None and kept.article == stored.article
    assert len(repo.revisions(stored.id)) == 1

    assert dw_ids(db_url) == {9000001, 9000002}  # shown by default
    assert dw_ids(db_url, "--removed") == {9000001}
    assert dw_ids(db_url, "--no-removed") == {9000002}
    assert dw_ids(db_url, "fake", "--removed") <= {9000001}
    shown = invoke("show", "9000001", "--db", db_url)
    assert "REMOVED from dw.com" in shown.output
    record = json.loads(invoke("show", "9000001", "--db", db_url, "--format", "json").output)
    assert record["removed_from_dw_at"].startswith(f"{removed:%Y-%m-%d}")
    assert "removed_from_dw_at" not in json.loads(
        invoke("show", "9000002", "--db", db_url, "--format", "json").output
    )
    out = tmp_path / "removed.jsonl"
    invoke("export", "--db", db_url, "--format", "jsonl", "--removed", "-o", str(out))
    assert [json.loads(line)["dw_id"] for line in out.read_text().splitlines()] == [9000001]

    again = crawl(db_url, site, URL)  # still gone: the first date is kept
    assert again.exit_code != 0 and repo.removed_at(stored.id) == removed

    site.set_page(PATH, original)
    assert crawl(db_url, site, URL).exit_code == 0
    assert repo.removed_at(stored.id) is None
    assert dw_ids(db_url, "--removed") == set()


def test_a_url_never_stored_marks_nothing(db_url: str, site: FaultSite, repo: Repository) -> None:
    site.remove_page(PATH)
    crawl(db_url, site, URL)
    assert repo.find_article(URL) is None
    assert dw_ids(db_url, "--removed") == set()
