"""`export --format jsonl` streams the stored JSON: byte for byte what decoding every record
and encoding it again gives."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from db.repository import Repository
from scraper.cli import cli
from scraper.output import to_json
from tests.support.articles import make_article


@given(st.text())
def test_stored_text_turns_into_the_cli_json(value: str) -> None:
    stored = json.dumps({"x": value})
    from scraper.output import _ASCII_ESCAPE, _unescape

    assert _ASCII_ESCAPE.sub(_unescape, stored) == to_json({"x": value})


def test_export_jsonl_is_byte_identical_to_decoding_every_record(
    db_url: str, site: Any, repo: Repository
) -> None:
    run = ["run", "--db", db_url, "--site", site.base_url, "--lang", "en,de", "--delay", "0"]
    assert CliRunner().invoke(cli, [*run, "--quiet", "--parse-workers", "0"]).exit_code == 0
    odd = make_article(9101).with_changes(title='Ünïcødé \\u00e9 "q" \U0001f600 \x7f\x01 ok')
    repo.store_article(odd)
    expected = "".join(to_json(s.article.to_dict()) + "\n" for s in repo.iter_articles())
    result = CliRunner().invoke(cli, ["export", "--db", db_url])
    assert result.exit_code == 0
    assert result.stdout == expected and expected.count("\n") > 5
    assert "Ünïcødé" in result.stdout
    german = CliRunner().invoke(cli, ["export", "--db", db_url, "--lang", "de"])
    de = [line for line in expected.splitlines() if '"language": "de"' in line]
    assert german.stdout.splitlines() == de and de


def test_records_stored_before_with_escapes_export_the_same(db_url: str, repo: Repository) -> None:
    """Records are stored as the text `export` writes, marked with their format; rows stored
    before that, with every character beyond ASCII escaped and no format, are exported
    exactly as the new ones."""
    new = repo.store_article(make_article(9201, lang="ru").with_changes(title="Путин и Ким"))
    old = repo.store_article(
        make_article(9202, lang="zh").with_changes(title="德国之声 \U0001f600")
    )
    with repo.engine.begin() as conn:
        text = conn.exec_driver_sql(
            f"SELECT CAST(record AS TEXT) FROM article_revisions WHERE id = {new.revision_id}"
        ).scalar_one()
        if repo.dialect == "sqlite":
            assert "Путин и Ким" in text and "\\u" not in text  # stored as it is written
            record = json.loads(
                conn.exec_driver_sql(
                    f"SELECT record FROM article_revisions WHERE id = {old.revision_id}"
                ).scalar_one()
            )
            conn.exec_driver_sql(  # as stored before migration 0010: ASCII escapes, no format
                "UPDATE article_revisions SET record = ?, record_format = NULL WHERE id = ?",
                (json.dumps(record), old.revision_id),
            )
    expected = "".join(to_json(s.article.to_dict()) + "\n" for s in repo.iter_articles())
    result = CliRunner().invoke(cli, ["export", "--db", db_url])
    assert result.exit_code == 0
    assert result.stdout == expected
    assert "Путин и Ким" in result.stdout and "德国之声 \U0001f600" in result.stdout


def test_a_record_is_streamed_as_stored_only_in_the_current_format(repo: Repository) -> None:
    """`record_json` writes a record of the current format as it is, without looking at it;
    a record of another format is decoded and written the long way."""
    from scraper.article import RECORD_FORMAT
    from scraper.output import record_json

    stored = repo.store_article(make_article(9301, lang="de"))
    ((text, fmt),) = list(repo.iter_record_texts())
    expected = to_json(make_article(9301, lang="de").to_dict())
    if repo.dialect == "sqlite":
        assert fmt == RECORD_FORMAT and text == expected
    else:  # JSONB gives its own key order back: never streamed as it is
        assert fmt is None and record_json(text, fmt) == expected
    with repo.engine.connect() as conn:
        written = conn.exec_driver_sql(
            f"SELECT record_format FROM article_revisions WHERE id = {stored.revision_id}"
        ).scalar_one()
    assert written == RECORD_FORMAT  # on both databases: the text the store sent
    reordered = json.dumps(dict(reversed(list(json.loads(expected).items()))))
    assert record_json(reordered, RECORD_FORMAT) == reordered  # trusted: not even decoded
    assert record_json(reordered, RECORD_FORMAT + 1) == expected
    assert record_json(reordered, None) == expected
