"""Storing articles: idempotence, revisions and their causes, links, dates, aliases, raw pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from db import models as m
from db.repository import Repository, StoreRequest
from scraper.article import Author, CreditLine, Image
from tests.support.articles import finish, make_article


def count(repo: Repository, table: object) -> int:
    with repo.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_store_new_then_same_record_is_unchanged(repo: Repository) -> None:
    art = make_article(5001)
    first = repo.store_article(art, raw_html=b"<html>one</html>")
    assert first.status == "new" and first.revision_id is not None
    before = repo.get_article(first.article_id)
    assert before is not None

    again = repo.store_article(art, raw_html=b"<html>one</html>")
    assert again.status == "unchanged"
    assert again.article_id == first.article_id and again.revision_id is None
    after = repo.get_article(first.article_id)
    assert after is not None
    assert after.last_fetched_at >= before.last_fetched_at
    assert after.last_changed_at == before.last_changed_at
    assert after.first_seen_at == before.first_seen_at
    for table in (m.articles, m.article_revisions, m.raw_pages, m.url_aliases):
        assert count(repo, table) == (2 if table is m.url_aliases else 1), table.name
    assert count(repo, m.images) == len(art.images)
    assert count(repo, m.article_authors) == len(art.authors)


def test_stored_record_round_trips_exactly(repo: Repository) -> None:
    art = make_article(5002, lang="de")
    res = repo.store_article(art)
    stored = repo.get_article(res.article_id)
    assert stored is not None
    assert stored.article == art
    assert stored.revision_count == 1


def test_changed_record_updates_article_and_adds_one_revision(repo: Repository) -> None:
    art = make_article(5003)
    first = repo.store_article(art)
    edited = finish(art.with_changes(text=art.text + "\n\nUpdate: talks resumed on Monday."))
    second = repo.store_article(edited)
    assert second.status == "changed" and second.article_id == first.article_id
    third = repo.store_article(edited)
    assert third.status == "unchanged"

    revs = repo.revisions(first.article_id)
    assert [r.revision_no for r in revs] == [1, 2]
    assert [r.cause for r in revs] == ["new", "source"]
    assert revs[0].article == art and revs[1].article == edited
    stored = repo.get_article(first.article_id)
    assert stored is not None and stored.article.text.endswith("resumed on Monday.")
    with repo.engine.connect() as conn:
        row = conn.execute(select(m.articles.c.text, m.articles.c.current_revision)).one()
    assert row.current_revision == 2 and "resumed on Monday" in row.text


def test_reextraction_from_same_bytes_is_a_parser_revision(repo: Repository) -> None:
    html = b"<html>same bytes</html>"
    art = make_article(5004)
    repo.store_article(art, raw_html=html)
    better = finish(art.with_changes(teaser="A cleaner teaser.", parser_version="1.1.0"))
    res = repo.store_article(better, raw_html=html)
    assert res.status == "changed"
    explicit = finish(better.with_changes(title="Re-parsed title", parser_version="1.2.0"))
    repo.store_article(explicit, cause="parser")
    causes = [r.cause for r in repo.revisions(res.article_id)]
    assert causes == ["new", "parser", "parser"]


def test_links_are_rewritten_on_change(repo: Repository) -> None:
    art = make_article(
        5005,
        authors=(Author("Anna Schmidt", "https://www.dw.com/en/anna-schmidt/person-1"),),
        topics=("Germany", "Climate"),
        images=(
            Image(
                "https://static.dw.com/image/1.jpg",
                caption="A flood",
                credit="Jan Woitas/dpa/picture alliance",
                agencies=("dpa", "picture alliance"),
                photographers=("Jan Woitas",),
            ),
        ),
        credit_line=CreditLine(
            "js,tg/msh (AP, Reuters)", ("js", "tg"), ("msh",), ("AP", "Reuters")
        ),
        agencies=("AP", "Reuters"),
    )
    res = repo.store_article(art)
    with repo.engine.connect() as conn:
        roles = conn.execute(
            text(
                "SELECT g.name, aa.role FROM article_agencies aa JOIN agencies g ON g.id = aa.agency_id"
                " ORDER BY g.name, aa.role"
            )
        ).all()
        credits = conn.execute(
            text("SELECT role, position, initials FROM article_credits ORDER BY role, position")
        ).all()
        photographers = conn.execute(text("SELECT name FROM image_photographers")).scalars().all()
    assert [tuple(r) for r in roles] == [
        ("AP", "text"),
        ("Reuters", "text"),
        ("dpa", "image"),
        ("picture alliance", "image"),
    ]
    assert [tuple(r) for r in credits] == [
        ("editor", 0, "msh"),
        ("writer", 0, "js"),
        ("writer", 1, "tg"),
    ]
    assert photographers == ["Jan Woitas"]

    changed = finish(
        art.with_changes(
            topics=("Europe",),
            images=(),
            agencies=("AFP",),
            credit_line=None,
            text=art.text + " More.",
        )
    )
    repo.store_article(changed)
    with repo.engine.connect() as conn:
        topics = (
            conn.execute(
                text(
                    "SELECT t.name FROM article_topics l JOIN topics t ON t.id = l.topic_id WHERE l.article_id = :i"
                ),
                {"i": res.article_id},
            )
            .scalars()
            .all()
        )
        agencies = conn.execute(text("SELECT role FROM article_agencies")).scalars().all()
    assert topics == ["Europe"] and agencies == ["text"]
    assert count(repo, m.images) == 0 and count(repo, m.image_agencies) == 0
    assert count(repo, m.topics) == 3  # entities are kept, links follow the current revision


def test_day_precision_stays_a_date(repo: Repository) -> None:
    day = make_article(5006, published_at=dt.date(2018, 10, 28), modified_at=None)
    exact = make_article(
        5007,
        published_at=dt.datetime(2023, 9, 13, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))),
    )
    repo.store_articles([day, exact])
    with repo.engine.connect() as conn:
        rows = {
            r.dw_id: r
            for r in conn.execute(
                select(
                    m.articles.c.dw_id,
                    m.articles.c.published_at,
                    m.articles.c.published_date,
                    m.articles.c.published_precision,
                )
            )
        }
    assert rows[5006].published_at is None
    assert rows[5006].published_date == dt.date(2018, 10, 28)
    assert rows[5006].published_precision == "day"
    assert rows[5007].published_at == dt.datetime(2023, 9, 14, 1, 30, tzinfo=dt.UTC)
    assert rows[5007].published_at.tzinfo is not None
    assert rows[5007].published_date == dt.date(2023, 9, 14)  # the UTC day
    assert rows[5007].published_precision == "second"
    stored = repo.find_article(5006)
    assert stored is not None and stored.article.published_at == dt.date(2018, 10, 28)


def test_naive_datetimes_are_refused(repo: Repository) -> None:
    from scraper.errors import StorageError

    with pytest.raises((ValueError, StorageError)):
        repo.record_fetch(
            url="https://www.dw.com/en/x/a-1", outcome="ok", fetched_at=dt.datetime(2024, 1, 1)
        )


def test_find_article_by_any_reference(repo: Repository) -> None:
    art = make_article(68117411, lang="de", url="https://www.dw.com/de/x/a-68117411?maca=de-rss-1")
    art = art.with_changes(
        canonical_url="https://www.dw.com/de/x/a-68117411", short_url="https://p.dw.com/p/4WGXq"
    )
    res = repo.store_article(art)
    repo.add_alias("https://www.dw.com/de/old-slug/a-68117411", res.article_id, "old_slug")
    for ref in (
        68117411,
        "68117411",
        "https://www.dw.com/de/x/a-68117411",
        "https://www.dw.com/de/x/a-68117411?maca=de-rss-1",
        "https://www.dw.com/de/x/a-68117411?utm_source=twitter",
        "https://p.dw.com/p/4WGXq",
        "4WGXq",
        "https://www.dw.com/de/old-slug/a-68117411",
        "https://www.dw.com/de/yet-another-slug/a-68117411",
    ):
        found = repo.find_article(ref)
        assert found is not None and found.id == res.article_id, ref
    assert repo.find_article("https://www.dw.com/de/x/a-1") is None
    assert repo.find_article("zzzzz") is None
    with repo.engine.connect() as conn:
        kinds = dict(conn.execute(select(m.url_aliases.c.url, m.url_aliases.c.kind)).all())
    assert kinds["https://www.dw.com/de/x/a-68117411?maca=de-rss-1"] == "tracking"
    assert kinds["https://p.dw.com/p/4WGXq"] == "short"


def test_raw_pages_are_compressed_and_shared(repo: Repository) -> None:
    html = ("<html>" + "DW page body " * 2000 + "</html>").encode()
    a = repo.store_article(make_article(5010), raw_html=html)
    repo.store_article(make_article(5011), raw_html=html)
    fid = repo.record_fetch(
        url="https://www.dw.com/en/x/a-5010", outcome="ok", status=200, body=html
    )
    assert fid > 0
    assert count(repo, m.raw_pages) == 1
    with repo.engine.connect() as conn:
        size, stored = conn.execute(
            select(m.raw_pages.c.size, func.length(m.raw_pages.c.body))
        ).one()
    assert size == len(html) and stored < len(html) // 10
    stored_art = repo.get_article(a.article_id)
    assert stored_art is not None and stored_art.raw_page_sha256 is not None
    assert repo.get_raw_page(stored_art.raw_page_sha256) == html
    refs = list(repo.raw_pages())
    assert [r.dw_id for r in refs] == [5010, 5011] and refs[0].body == html


def test_batch_store_mixes_new_changed_unchanged_and_duplicates(repo: Repository) -> None:
    arts = [make_article(6000 + i) for i in range(5)]
    results = repo.store_articles(arts)
    assert [r.status for r in results] == ["new"] * 5
    changed = finish(arts[2].with_changes(title="Changed title"))
    batch = [arts[0], changed, make_article(7000), StoreRequest(arts[1]), make_article(7000)]
    statuses = [r.status for r in repo.store_articles(batch)]
    assert statuses == ["unchanged", "changed", "new", "unchanged", "unchanged"]
    assert count(repo, m.articles) == 6 and count(repo, m.article_revisions) == 7


def test_failed_transaction_leaves_nothing(repo: Repository) -> None:
    from scraper.errors import StorageError

    good = make_article(8000)
    bad = make_article(8001, content_type="x" * 40)  # longer than the column on PostgreSQL,
    bad = bad.with_changes(language="l" * 40)  # and the language too
    if repo.dialect == "sqlite":  # SQLite does not enforce VARCHAR lengths: force a failure
        bad = bad.with_changes(canonical_url=None, url="")
        bad = bad.with_changes(published_at=dt.datetime(2020, 1, 1))  # naive: refused
    with pytest.raises((StorageError, ValueError)):
        repo.store_articles([good, bad])
    assert count(repo, m.articles) == 0
    assert count(repo, m.article_revisions) == 0 and count(repo, m.authors) == 0
    # the repository is still usable, and the entity cache did not keep rolled-back ids
    assert repo.store_article(good).status == "new"
