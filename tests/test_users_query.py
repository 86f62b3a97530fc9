"""`dwscrape query` as its help promises, on both databases: phrases, prefixes, exclusions,
ß/ss folding, substring filters, "no matches" with exit 5, and a table for 80 columns."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from db.repository import Repository
from db.search_syntax import Term, fts5_expression, parse_query, spellings
from scraper.article import Author
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.articles import finish, make_article


@pytest.fixture
def corpus(repo: Repository) -> Repository:
    arts = [
        make_article(
            1,
            lang="en",
            title="Putin and Kim Jong Un meet in Russian Far East",
            text="Vladimir Putin welcomed Kim Jong Un. North Korea wants technology.",
            published_at=dt.date(2023, 9, 13),
            topics=("North Korea", "Russia"),
            agencies=("Reuters",),
            authors=(Author("Ben Knight"),),
        ),
        make_article(
            2,
            lang="en",
            title="Putin visits Beijing",
            text="Putin met Xi Jinping in Beijing. Trade between north and south Korea fell.",
            published_at=dt.datetime(2024, 5, 16, 8, 30, tzinfo=dt.UTC),
            topics=("China",),
            agencies=("AFP",),
        ),
        make_article(
            3,
            lang="de",
            title="Die Straßenbahn in Dresden fährt wieder",
            text="Nach dem Hochwasser fährt die Straßenbahn. Die Strasse am Ufer bleibt gesperrt.",
            published_at=dt.date(2013, 6, 20),
            topics=("Deutschland",),
            agencies=("dpa",),
            authors=(Author("Jörg Müller"),),
        ),
        make_article(
            4,
            lang="en",
            title="Wind farm opens near Ørsted's port",
            text="Putinism is a word some analysts use. The wind farm started in spring.",
            published_at=dt.date(2022, 4, 1),
            topics=("Energy",),
            agencies=("AP",),
        ),
    ]
    repo.store_articles([finish(a) for a in arts])
    return repo


def ids(hits: list) -> set[int | None]:
    return {h.dw_id for h in hits}


def test_syntax_is_parsed_into_typed_terms() -> None:
    assert parse_query('Put* -Kim "north korea" -"jong un"* - * "') == [
        Term("Put", False, prefix=True),
        Term("Kim", False, negated=True),
        Term("north korea", False),
        Term("jong un", False, prefix=True, negated=True),
    ]
    assert spellings("Strassenbahn") == ["strassenbahn", "straßenbahn"]
    assert set(spellings("Ørsted")) == {"ørsted", "orsted"}
    assert fts5_expression(parse_query("put* -kim")) == '"put" * NOT "kim"'


def test_phrase_prefix_and_exclusion(corpus: Repository) -> None:
    assert ids(corpus.search("Putin")) == {1, 2}
    assert ids(corpus.search('"north korea"')) == {1}  # article 2 has "north and south Korea"
    assert ids(corpus.search("Put*")) == {1, 2, 4}  # Putinism
    assert ids(corpus.search('"kim jo"*')) == {1}
    assert ids(corpus.search("Putin -Kim")) == {2}
    assert ids(corpus.search('Putin -"jong un"')) == {2}
    assert ids(corpus.search("-Putin")) == {3, 4}  # only exclusions: every other article
    assert ids(corpus.search("-Put*")) == {3}
    assert ids(corpus.search("Put* -Beijing -Kim")) == {4}


def test_prefix_hits_are_marked_in_the_snippet(corpus: Repository) -> None:
    (hit,) = corpus.search("Putinis*")
    assert "«Putinism»" in hit.snippet


def test_sharp_s_and_letters_fold_alike_on_both_databases(corpus: Repository) -> None:
    assert ids(corpus.search("strassenbahn")) == {3}
    assert ids(corpus.search("Straßenbahn")) == {3}
    assert ids(corpus.search("straße")) == {3}  # the text also has "Strasse"
    assert ids(corpus.search("strassenb*")) == {3}
    assert ids(corpus.search("fahrt")) == {3}  # fährt
    assert ids(corpus.search("Ørsted's")) == {4}
    assert ids(corpus.search("Orsted's")) == (
        {4} if corpus.engine.dialect.name == "postgresql" else set()
    )


def test_name_filters_match_substrings_in_any_case(corpus: Repository) -> None:
    assert ids(corpus.search("", author="Knight")) == {1}
    assert ids(corpus.search("", author="knig")) == {1}
    assert ids(corpus.search("", author="muller")) == {3}  # Müller
    assert ids(corpus.search("", topic="korea")) == {1}
    assert ids(corpus.search("Putin", topic="CHIN")) == {2}
    assert ids(corpus.search("", author="Nobody")) == set()
    exported = {s.article.dw_id for s in corpus.iter_articles(author="Knight")}
    assert exported == {1}


def test_query_says_no_matches_and_exits_5(corpus: Repository, db_url: str) -> None:
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "zzyzx"])
    assert result.exit_code == ExitCode.FAILED
    assert result.stdout == "" and "no matches" in result.stderr
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--author", "Knight"])
    assert result.exit_code == 0 and "Putin and Kim" in result.stdout


def test_query_table_fits_80_columns(corpus: Repository, db_url: str) -> None:
    result = CliRunner().invoke(cli, ["query", "--db", db_url, "Put*"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), lines
    assert any(line.startswith("2024-05-16", 10) for line in lines)  # a short date
    assert "«Putin»" in result.stdout


def test_help_documents_the_syntax() -> None:
    text = CliRunner().invoke(cli, ["query", "--help"]).output
    for piece in ('"north korea"', "Put*", "-Kim", "strassenbahn", "exit 5"):
        assert piece in text, piece
