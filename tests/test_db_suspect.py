"""Never a worse revision by accident: a fetched version with empty or much shorter text, from a
page that does not say it was updated, is kept aside (`suspect`) instead of becoming current."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from db.repository import Repository
from db.suspect import StoredText, suspect_reason
from scraper.article import Article, Block
from scraper.cli import cli
from tests.support.articles import finish, make_article

T0 = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


def _original(dw_id: int = 7, **overrides: object) -> Article:
    return make_article(dw_id, paragraphs=8, modified_at=T0, **overrides)


def _with_text(article: Article, paragraphs: int, **overrides: object) -> Article:
    """The same article with only its first `paragraphs` paragraphs (0: no text at all)."""
    kept = [b for b in article.blocks if b.type == "paragraph"][:paragraphs]
    text = "\n\n".join(b.text or "" for b in kept)
    return finish(article.with_changes(blocks=tuple(kept), text=text, **overrides))


@pytest.mark.parametrize(
    ("words", "modified", "content_type", "expected"),
    [
        (0, None, "article", None),  # the stored revision had no text: nothing to lose
        (100, None, "article", "empty_text"),
        (100, T0, "video", None),  # items without body text are not affected
    ],
)
def test_the_rule(words: int, modified: object, content_type: str, expected: str | None) -> None:
    fetched = _with_text(_original(), 0, content_type=content_type, modified_at=None)
    stored = StoredText(words, modified)  # type: ignore[arg-type]
    assert suspect_reason(stored, fetched, 0.5) == expected


def test_a_day_precision_date_compares_with_a_time() -> None:
    fetched = _with_text(_original(), 0, modified_at=dt.date(2024, 5, 2))
    assert suspect_reason(StoredText(100, T0), fetched, 0.5) is None
    assert suspect_reason(StoredText(100, dt.date(2024, 5, 3)), fetched, 0.5) == "empty_text"


def test_an_empty_version_is_kept_aside(repo: Repository) -> None:
    original = _original()
    first = repo.store_article(original, raw_html=b"<html>full</html>")
    empty = _with_text(original, 0)
    result = repo.store_article(empty, raw_html=b"<html>cut</html>")
    assert result.status == "suspect" and result.revision_id is None
    stored = repo.find_article(original.dw_id or 0)
    assert stored is not None and stored.article.text == original.text
    assert [r.revision_no for r in repo.revisions(first.article_id)] == [1]
    (kept,) = repo.suspect_versions(first.article_id)
    assert kept.reason == "empty_text" and kept.words_after == 0
    assert kept.words_before == original.word_count and kept.raw_page_sha256 is not None
    assert kept.article.text == ""


def test_a_large_shrink_is_kept_aside_a_small_one_is_a_change(repo: Repository) -> None:
    original = _original()
    repo.store_article(original)
    paragraphs = sum(1 for b in original.blocks if b.type == "paragraph")
    assert repo.store_article(_with_text(original, 2)).status == "suspect"
    assert repo.store_article(_with_text(original, paragraphs - 1)).status == "changed"


def test_a_page_that_says_it_was_updated_may_shrink(repo: Repository) -> None:
    original = _original()
    repo.store_article(original)
    later = _with_text(original, 1, modified_at=T0 + dt.timedelta(hours=1))
    assert repo.store_article(later).status == "changed"


def test_the_threshold_is_a_setting(repo: Repository) -> None:
    original = _original()
    repo.store_article(original)
    repo.max_text_shrink = 0.95
    assert repo.store_article(_with_text(original, 2)).status == "changed"


def test_a_video_without_text_is_not_affected(repo: Repository) -> None:
    video = _with_text(_original(content_type="video"), 0)
    repo.store_article(video)
    assert repo.store_article(finish(video.with_changes(title="New"))).status == "changed"


def test_a_reparse_is_not_held_back(repo: Repository) -> None:
    original = _original()
    repo.store_article(original)
    assert repo.store_article(_with_text(original, 0), cause="parser").status == "changed"


def test_runs_count_them_and_show_lists_them(repo: Repository, db_url: str) -> None:
    original = _original()
    repo.store_article(original)
    run_id = repo.start_run("run")
    repo.store_article(_with_text(original, 0), run_id=run_id)
    repo.finish_run(run_id, "ok", {"fetched": 1, "suspect": 1})
    (run,) = repo.recent_runs(1)
    assert run.counts["suspect"] == 1
    args = ["show", str(original.dw_id), "--revisions", "--db", db_url, "-q"]
    shown = CliRunner().invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    assert "suspect" in shown.stdout and "reason=empty_text" in shown.stdout
    as_json = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert '"cause": "suspect"' in as_json.stdout


def test_block_type_is_unchanged_by_the_helper() -> None:
    assert all(isinstance(b, Block) for b in _with_text(_original(), 3).blocks)
