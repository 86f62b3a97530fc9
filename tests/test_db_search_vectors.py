"""PostgreSQL: the search vectors live in `article_search` (migration 0003), kept by triggers
on `articles`: every way an article is written, changed or deleted leaves exactly one row per
article holding the weighted vector of its current title, teaser and text."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from db.repository import Repository
from tests.support.articles import finish, make_article

pytestmark = pytest.mark.postgres

#: The weighted vector (migration 0001's expression, with migration 0004's accent-folding
#: configuration): the trigger must agree.
EXPECTED = """setweight(to_tsvector('dwscrape_simple', coalesce(a.title, '')), 'A')
    || setweight(to_tsvector('dwscrape_simple', coalesce(a.teaser, '')), 'B')
    || setweight(to_tsvector('dwscrape_simple', coalesce(a.text, '')), 'C')"""


def vectors(repo: Repository) -> dict[int, tuple[bool, Any]]:
    """Per article dw_id: (its vector equals EXPECTED, the row's xmin) — xmin changes only
    when the row is rewritten."""
    sql = f"""SELECT a.dw_id, s.search_vector = ({EXPECTED}), s.xmin::text
              FROM article_search s JOIN articles a ON a.id = s.article_id"""
    with repo.engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
        total = conn.execute(text("SELECT count(*) FROM article_search")).scalar_one()
    assert total == len(rows)  # no row without its article
    return {row[0]: (row[1], row[2]) for row in rows}


def found(repo: Repository, query: str) -> list[int | None]:
    return [h.dw_id for h in repo.search(query)]


def test_insert_update_delete_keep_the_vectors(postgres_repo: Repository) -> None:
    repo = postgres_repo
    first = make_article(801, lang="en", title="Quokka on Rottnest", text="A quokka smiled.")
    other = make_article(802, lang="de", text="Ein Beitrag über Hochwasser an der Elbe.")
    repo.store_articles([first, other])
    before = vectors(repo)
    assert set(before) == {801, 802} and all(equal for equal, _ in before.values())
    assert found(repo, "quokka") == [801]

    # unchanged re-upsert (only last_fetched_at is written): the vectors are not touched
    repo.store_articles([first, other])
    assert vectors(repo) == before

    # a changed text: the row is rewritten, the new word is found, the old one is not
    changed = finish(first.with_changes(text="A wallaby hopped past."))
    assert repo.store_article(changed).status == "changed"
    after = vectors(repo)
    assert after[801][0] and after[801][1] != before[801][1]
    assert after[802] == before[802]
    assert found(repo, "wallaby") == [801]
    assert found(repo, "smiled") == []
    assert found(repo, "quokka") == [801]  # still in the title

    # by hand: an UPDATE that sets the same title changes nothing; a new teaser is indexed
    with repo.engine.begin() as conn:
        conn.execute(text("UPDATE articles SET title = title WHERE dw_id = 802"))
    assert vectors(repo)[802] == before[802]
    with repo.engine.begin() as conn:
        conn.execute(text("UPDATE articles SET teaser = 'Numbat sighting' WHERE dw_id = 802"))
    assert vectors(repo)[802][0] and found(repo, "numbat") == [802]

    # deleting an article deletes its vector
    with repo.engine.begin() as conn:
        conn.execute(text("DELETE FROM articles WHERE dw_id = 801"))
    assert set(vectors(repo)) == {802}
    assert found(repo, "wallaby") == []


def test_row_inserted_by_hand_is_indexed(postgres_repo: Repository) -> None:
    repo = postgres_repo
    repo.store_article(make_article(811, lang="en"))
    with repo.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (dw_id, canonical_url, url, content_type, layout, title,"
                " text, blocks, videos, word_count, content_hash, parser_version,"
                " current_revision, first_seen_at, last_fetched_at, last_changed_at)"
                " SELECT 812, canonical_url || '-copy', url, content_type, layout,"
                " 'Handmade row', 'Inserted with plain SQL', blocks, videos, word_count,"
                " content_hash, parser_version, 1, first_seen_at, last_fetched_at,"
                " last_changed_at FROM articles WHERE dw_id = 811"
            )
        )
    assert vectors(repo)[812][0]
    assert found(repo, "plain SQL") == [812]
    assert found(repo, '"with plain"') == [812]


def test_weights_rank_title_over_teaser_over_text(postgres_repo: Repository) -> None:
    repo = postgres_repo
    repo.store_articles(
        [
            make_article(821, lang="en", title="Report", teaser="Report", text="Potoroo seen."),
            make_article(822, lang="en", title="Potoroo", teaser="Report", text="Report."),
            make_article(823, lang="en", title="Report", teaser="Potoroo", text="Report."),
        ]
    )
    hits = repo.search("potoroo")
    assert [h.dw_id for h in hits] == [822, 823, 821]
    assert hits[0].score > hits[1].score > hits[2].score > 0
