"""Golden fixtures: every ``fixtures/dw/*.html`` against its expected ``*.json`` record.

Three layers, so that neither a wrong regeneration nor a wrong parser can pass alone:
1. the parse equals the expected record (``"<computed>"`` in a hand-written record accepts any
   non-empty value); both validate against ``scraper/article.schema.json``;
2. hand-written assertions of each page's key fields (`CHECKS`), typed from the page source —
   every fixture must have them;
3. the seed's record itself is hand-written from ``../shared/seed/`` (never regenerated).

Regenerate generated records on purpose with ``scripts/regen_golden.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, ROOT

from scraper import parse_page
from scraper.article import Article

GOLDEN = FIXTURES / "dw"
PAGES = sorted(GOLDEN.glob("*.html"))
PLACEHOLDER = "<computed>"
#: Same reference time as scripts/regen_golden.py (relative visible dates).
FETCHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
SCHEMA = json.loads((ROOT / "scraper" / "article.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _parse(page: Path) -> Article:
    return parse_page(page.read_bytes(), fetched_at=FETCHED_AT)


def _resolve_placeholders(expected: object, actual: object) -> object:
    """The expected record with ``"<computed>"`` replaced by the actual (non-empty) value."""
    if expected == PLACEHOLDER:
        assert actual not in (None, "", []), "a <computed> field came out empty"
        return actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _resolve_placeholders(v, actual.get(k)) for k, v in expected.items()}
    return expected


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_there_are_golden_pages() -> None:
    assert PAGES, f"no golden pages in {GOLDEN}"
    for page in PAGES:
        assert page.with_suffix(".json").exists(), f"{page.name} has no expected record"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_golden_record(page: Path) -> None:
    record_path = page.with_suffix(".json")
    expected_raw = json.loads(record_path.read_text(encoding="utf-8"))
    actual = _parse(page).to_dict()
    expected = _resolve_placeholders(expected_raw, actual)
    VALIDATOR.validate(expected)
    VALIDATOR.validate(actual)
    assert list(actual) == list(expected), "record keys or their order differ"
    for key in expected:  # per key, for a readable failure
        assert actual[key] == expected[key], key
    # Parsing is deterministic and the hash is stable across re-parses.
    assert _parse(page).content_hash == actual["content_hash"]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_hand_written_checks(page: Path) -> None:
    check = CHECKS.get(page.stem)
    assert check is not None, f"{page.name} has no hand-written assertions in CHECKS"
    check(_parse(page))


# --------------------------------------------------------------------------- hand-written


def check_seed(a: Article) -> None:
    """The seed article (../shared/seed/dw-putin-kim-2023-09-13.txt)."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == (
        "relaunch",
        "article",
        "en",
        66797777,
    )
    assert (
        a.url
        == a.canonical_url
        == ("https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777")
    )
    assert a.title == "Putin and Kim Jong Un meet in Russian Far East"
    assert a.kicker == "Politics | North Korea"
    assert "North Korea" in a.topics
    assert a.teaser is not None and a.teaser.startswith(
        "Vladimir Putin and Kim Jong Un are engaged"
    )
    assert a.short_url == "https://p.dw.com/p/4WGXq"
    assert isinstance(a.published_at, dt.datetime) and a.published_at.date() == dt.date(2023, 9, 13)
    assert a.authors == ()  # JSON-LD author is the Organization "Deutsche Welle"
    headings = [b.text for b in a.blocks if b.type == "heading"]
    assert headings == [
        "Putin hints at space cooperation",
        "Kim predicts 'great victory' for Russia over duck and dumpling dinner",
        "North Korea continues regional provocations with ballistic missile launches",
        "Significance of Kim's Russia visit",
    ]
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    assert len(paragraphs) == 29
    assert paragraphs[0].startswith("North Korean leader Kim Jong Un met with Russian President")
    assert paragraphs[-1] == (
        "Washington previously suggested the two countries were laying the groundwork for "
        "military cooperation when Russian Defense Minister Sergei Shoigu visited North Korea in July"
    )
    assert [i.credit for i in a.images] == [
        "Sputnik/Artem Geodakyan/REUTERS",
        "Lee Jin-man/AP",
        "Korean Central News Agency/Korea News Service/AP/picture alliance",
    ]
    assert a.images[0].agencies == ("Sputnik", "Reuters")
    assert a.images[0].photographers == ("Artem Geodakyan",)
    assert a.images[1].photographers == ("Lee Jin-man",)
    assert a.images[2].photographers == ()
    assert a.images[0].caption == (
        "Russian state media released images of the leaders meeting in Vostochny in the Amur "
        "region in Russia's Far East"
    )
    assert a.credit_line is not None
    assert (a.credit_line.raw, a.credit_line.writers, a.credit_line.editors) == (
        "js,tg/msh (AP, Reuters)",
        ("js", "tg"),
        ("msh",),
    )
    assert a.agencies == ("AP", "Reuters")
    for bad in ("Skip to", "Advertisement", "Image:", "js,tg/msh", "feedback", "Sputnik/"):
        assert bad not in a.text, bad
    assert a.word_count == len(a.text.split())


def check_en_classic(a: Article) -> None:
    """Classic English: facts box, <p><strong> subheadings, Read more lines, picBoxes with
    credits in alt text, a nested gallery (dropped) and an embedded media item."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "article", "en", 54161288)
    assert a.title == "Hamburg turns harbor basin into floating solar farm"
    assert a.kicker == "Environment"
    assert a.teaser is not None and a.teaser.startswith("Where coal barges once waited at the quay")
    assert a.published_at == dt.date(2020, 7, 14)
    assert [x.name for x in a.authors] == ["Martin Kessler"]
    assert a.short_url == "https://p.dw.com/p/3fC2a"
    assert a.topics == ("Hamburg", "Renewable energy", "solar energy", "floating solar", "port")
    assert [b.text for b in a.blocks if b.type == "heading"] == [
        "From coal port to power plant",
        "A model for other ports?",
    ]
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    assert len(paragraphs) == 9  # 11 p minus two "Read more" lines (newsletter plug too)
    assert paragraphs[0].startswith("Where container barges once waited for their turn at the quay")
    assert paragraphs[-1].endswith('"We are only at the beginning."')
    assert "Read more" not in a.text and "Floating solar around the world" not in a.text
    assert "newsletter" not in a.text.lower() and "Permalink" not in a.text
    hero = a.images[0]
    assert (hero.caption, hero.credit, hero.alt) == (
        None,
        "picture-alliance/dpa/C. Charisius",
        "Floating solar panels in the Blumensand basin in Hamburg",
    )
    assert (hero.agencies, hero.photographers) == (("picture alliance", "dpa"), ("C. Charisius",))
    assert (a.images[1].credit, a.images[1].agencies, a.images[1].photographers) == (
        "DW/M. Kessler",
        ("DW",),
        ("M. Kessler",),
    )
    assert a.images[2].url == "https://www.dw.com/image/54371190_404.jpg"  # relative src
    assert [(v.title, v.duration_s) for v in a.videos] == [
        ("Floating solar: Power from the water", 162)
    ]
    assert a.credit_line is None


def check_de_classic_credit_line(a: Article) -> None:
    """Classic German ending in the agency credit line ``cwo/fab (dpa, afp)``."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "article", "de", 62789104)
    assert a.canonical_url == (
        "https://www.dw.com/de/niedrigwasser-rhein-pegel-bei-kaub-f%C3%A4llt-unter-40-zentimeter/a-62789104"
    )
    assert a.title == "Niedrigwasser: Rhein-Pegel bei Kaub fällt unter 40 Zentimeter"
    assert a.kicker == "Deutschland"
    assert a.published_at == dt.date(2022, 8, 12)
    assert [x.name for x in a.authors] == ["Carsten Wolff"]
    assert a.short_url == "https://p.dw.com/p/4FNbq"
    assert a.topics[:3] == ("Rhein", "Klimawandel", "Binnenschifffahrt")
    assert [b.text for b in a.blocks if b.type == "heading"] == [
        "Schiffe fahren nur noch mit einem Drittel der Ladung",
        "Erinnerungen an den Rekord von 2018",
    ]
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    assert len(paragraphs) == 8
    assert paragraphs[-1].endswith("weil es in einem UNESCO-Welterbegebiet liegt.")
    assert a.credit_line is not None
    assert a.credit_line.raw == "cwo/fab (dpa, afp)"
    assert (a.credit_line.writers, a.credit_line.editors) == (("cwo",), ("fab",))
    assert a.agencies == ("dpa", "AFP")
    assert "cwo/fab" not in a.text
    assert [i.caption for i in a.images] == [
        "Freiliegende Kiesbänke am Mittelrhein: Der Pegel Kaub meldet 38 Zentimeter",
        "Kaum Tiefgang: Ein Frachtschiff passiert die Burg Pfalzgrafenstein bei Kaub",
    ]
    assert all(i.credit is None for i in a.images)
    assert [v.url for v in a.videos] == [
        "https://www.youtube.com/embed/Xq4rN8zF2kA?wmode=transparent"
    ]


CHECKS: dict[str, Callable[[Article], None]] = {
    "en_relaunch_2023-09-13_putin-kim": check_seed,
    "en_classic_2020-07-14_floating-solar": check_en_classic,
    "de_classic_2022-08-12_rhein-niedrigwasser": check_de_classic_credit_line,
}
