"""Full-text search on both databases: ranking, snippets, filters, non-Latin scripts."""

from __future__ import annotations

import datetime as dt

import pytest

from db.repository import Repository
from db.search import make_snippet, parse_query
from scraper.article import Author
from tests.support.articles import finish, make_article


@pytest.fixture
def corpus(repo: Repository) -> Repository:
    arts = [
        make_article(
            1,
            lang="en",
            title="Floods hit Saxony as the Elbe rises",
            teaser="Emergency services in Dresden are on alert.",
            text="The river Elbe rose above seven metres in Dresden on Tuesday. Residents filled sandbags.",
            published_at=dt.date(2013, 6, 4),
            topics=("Germany", "Climate"),
            agencies=("dpa",),
            authors=(Author("Anna Schmidt"),),
        ),
        make_article(
            2,
            lang="en",
            title="Parliament debates the budget",
            teaser="A long night in the Bundestag.",
            text="Members argued about the budget and about flood relief for Saxony until midnight.",
            published_at=dt.datetime(2020, 3, 1, 12, 0, tzinfo=dt.UTC),
            topics=("Germany",),
            agencies=("AP",),
            authors=(Author("Jonas Weber"),),
        ),
        make_article(
            3,
            lang="de",
            title="Hochwasser in Sachsen: Pegel der Elbe steigt",
            teaser="Die Übersetzung der Warnung kam spät.",
            text="In Dresden stieg der Pegel der Elbe auf über sieben Meter. Die Straßenbahn fuhr nicht.",
            published_at=dt.date(2013, 6, 5),
            topics=("Deutschland",),
            agencies=("dpa",),
        ),
        make_article(
            4,
            lang="ru",
            title="Наводнение в Саксонии",
            teaser="Уровень воды в Эльбе растёт.",
            text="В Дрездене уровень воды в Эльбе превысил семь метров. Москва выразила соболезнования.",
            published_at=dt.date(2013, 6, 5),
            topics=("Германия",),
            agencies=("Reuters",),
        ),
        make_article(
            5,
            lang="ar",
            title="فيضانات في ساكسونيا",
            teaser="ارتفاع منسوب نهر الإلبه في دريسدن.",
            text="ارتفع منسوب المياه في نهر الإلبه إلى أكثر من سبعة أمتار. وأعلنت الحكومة حالة الطوارئ.",
            published_at=dt.date(2013, 6, 6),
            topics=("ألمانيا",),
            agencies=("AFP",),
        ),
        make_article(
            6,
            lang="zh",
            title="德国萨克森州发生洪水",
            teaser="易北河水位上涨。",
            text="德累斯顿的易北河水位超过七米。德国之声记者在现场报道了救援情况。",
            published_at=dt.date(2013, 6, 6),
            topics=("德国",),
            agencies=("dpa",),
        ),
        make_article(
            7,
            lang="zh",
            title="北京举行经济论坛",
            teaser="中国政府宣布新的经济政策。",
            text="中国政府在北京宣布了新的经济刺激计划。德国之声对此进行了分析。",
            published_at=dt.date(2021, 1, 1),
            topics=("中国",),
            agencies=("AFP",),
        ),
    ]
    repo.store_articles([finish(a) for a in arts])
    return repo


def ids(hits: list) -> list[int | None]:
    return [h.dw_id for h in hits]


def test_ranking_prefers_title_matches_and_snippets_mark_terms(corpus: Repository) -> None:
    hits = corpus.search("Saxony")
    assert ids(hits) == [1, 2]  # 1 has it in the title, 2 only in the body
    assert "«Saxony»" in hits[1].snippet
    assert hits[0].score >= hits[1].score
    assert hits[0].url == "https://www.dw.com/en/" + hits[0].url.split("/en/", 1)[1]


def test_all_words_must_match_and_phrases_stay_whole(corpus: Repository) -> None:
    assert ids(corpus.search("flood relief")) == [2]
    assert ids(corpus.search('"relief for Saxony"')) == [2]
    assert ids(corpus.search('"Saxony for relief"')) == []
    assert set(ids(corpus.search("Elbe Dresden"))) == {1, 3}
    assert ids(corpus.search("Elbe Dresden sandbags")) == [1]


def test_filters(corpus: Repository) -> None:
    assert ids(corpus.search("Elbe", lang="de")) == [3]
    assert set(ids(corpus.search("Dresden", since=dt.date(2013, 6, 5)))) == {3}
    assert ids(corpus.search("Dresden", until=dt.date(2013, 6, 4))) == [1]
    assert ids(corpus.search("Saxony", agency="AP")) == [2]
    assert ids(corpus.search("Saxony", agency="ap")) == [2]  # case-insensitive
    assert ids(corpus.search("Saxony", author="Anna Schmidt")) == [1]
    assert ids(corpus.search("Saxony", topic="Climate")) == [1]
    # names are looked up first: an unknown one matches nothing, filters combine (AND)
    assert ids(corpus.search("Saxony", agency="no such agency")) == []
    assert ids(corpus.search("", topic="no such topic")) == []
    assert ids(corpus.search("Saxony", author="Anna Schmidt", topic="Climate")) == [1]
    assert ids(corpus.search("Saxony", author="Anna Schmidt", agency="AP")) == []
    assert ids(corpus.search("Saxony", content_type="video")) == []
    assert ids(corpus.search("budget", since=dt.datetime(2020, 3, 1, 12, 0, tzinfo=dt.UTC))) == [2]
    assert ids(corpus.search("budget", since=dt.datetime(2020, 3, 1, 12, 1, tzinfo=dt.UTC))) == []
    newest = corpus.search("", lang="zh")  # no terms: newest first
    assert ids(newest) == [7, 6]


def test_russian(corpus: Repository) -> None:
    hits = corpus.search("Эльбе")
    assert ids(hits) == [4]
    assert "«Эльбе»" in hits[0].snippet
    assert ids(corpus.search("эльбе")) == [4]  # case-folded Cyrillic
    assert ids(corpus.search("Москва соболезнования")) == [4]


def test_arabic(corpus: Repository) -> None:
    hits = corpus.search("الإلبه")
    assert ids(hits) == [5]
    assert "«الإلبه»" in hits[0].snippet
    assert ids(corpus.search("حالة الطوارئ")) == [5]


def test_chinese_needs_the_trigram_index(corpus: Repository) -> None:
    hits = corpus.search("易北河")  # three characters inside a sentence without spaces
    assert ids(hits) == [6]
    assert "«易北河»" in hits[0].snippet
    assert set(ids(corpus.search("德国之声"))) == {6, 7}
    assert ids(corpus.search("德国之声", since=dt.date(2020, 1, 1))) == [7]
    assert ids(corpus.search("中国")) == [7]  # two characters: substring scan
    assert ids(corpus.search("经济 北京")) == [7]
    assert ids(corpus.search("北京 Dresden")) == []


def test_diacritics_and_punctuation(corpus: Repository) -> None:
    hits = corpus.search("Übersetzung")
    assert ids(hits) == [3]
    assert ids(corpus.search("ubersetzung")) == [3]  # accents fold on both databases
    # junk never crashes and never matches everything
    assert corpus.search('"-"') == []
    assert corpus.search("%_\\") == []
    assert ids(corpus.search('"Pegel der')) == [3]  # unterminated quote: plain words


def test_query_parsing_and_snippets() -> None:
    terms = parse_query('Putin "election fraud" 中国政府 -')
    assert [(t.text, t.trigram) for t in terms] == [
        ("Putin", False),
        ("election fraud", False),
        ("中国政府", True),
    ]
    snippet = make_snippet(
        parse_query("uber"), None, None, "Die Brücke über den Fluss ist über 100 Jahre alt"
    )
    assert snippet.count("«über»") == 2
    long_text = "word " * 200 + "needle " + "word " * 200
    cut = make_snippet(parse_query("needle"), None, None, long_text)
    assert cut.startswith("…") and cut.endswith("…") and "«needle»" in cut and len(cut) < 260
