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
from scraper.errors import NotArticleError, NotDWPageError, ParseError, SoftNotFoundError

GOLDEN = FIXTURES / "dw"
#: Pages that must be refused, and how.
EXPECTED_ERRORS: dict[str, type[ParseError]] = {
    "not_dw": NotDWPageError,
    "de_relaunch_topic_klimawandel": NotArticleError,
    "en_relaunch_synthetic_soft404": SoftNotFoundError,
    "es_relaunch_synthetic_soft404": SoftNotFoundError,
    "de_classic_synthetic_soft404": SoftNotFoundError,
    "fr_classic_synthetic_soft404": SoftNotFoundError,
}
ALL_PAGES = sorted(GOLDEN.glob("*.html"))
PAGES = [p for p in ALL_PAGES if p.stem not in EXPECTED_ERRORS]
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
    for stem in EXPECTED_ERRORS:
        assert (GOLDEN / f"{stem}.html").exists(), stem
        assert not (GOLDEN / f"{stem}.json").exists(), f"{stem} must be refused, not recorded"


@pytest.mark.parametrize("stem", sorted(EXPECTED_ERRORS))
def test_refused_pages(stem: str) -> None:
    with pytest.raises(EXPECTED_ERRORS[stem]) as info:
        _parse(GOLDEN / f"{stem}.html")
    assert "looked for" in str(info.value)


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
    assert len(paragraphs) == 9  # 14 <p>: minus 2 subheadings, 2 "Read more", newsletter plug
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


def check_de_classic_video(a: Article) -> None:
    """Classic av- video page with the older dwXT tracking object; facts box only in the
    right column."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "video", "de", 51178890)
    assert a.title == "Projekt Zukunft: Wie sauber ist grüner Wasserstoff?"
    assert a.kicker == "Projekt Zukunft"
    assert a.teaser is not None and a.teaser.startswith("Wasserstoff soll Stahlwerke, Lastwagen")
    assert a.teaser.endswith("das Wasserstoff aus Abwasser gewinnt.")
    assert a.published_at == dt.date(2019, 11, 9)
    assert a.short_url == "https://p.dw.com/p/3SmQx"
    assert a.authors == ()
    assert [(v.url, v.duration_s) for v in a.videos] == [
        (
            "https://tvdownloaddw-a.akamaihd.net/dwtv_video/flv/pzd/pzd20191109_wasserstoff_sd_avc.mp4",
            1541,
        )
    ]
    assert a.videos[0].title == a.title
    assert "Energiewende" in a.topics
    assert a.text == "" and a.images == ()


def check_relaunch_multi_author_videos(a: Article) -> None:
    """Three authors (two linked, one no-link), two embedded videos, quote and list."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == (
        "relaunch",
        "article",
        "en",
        68502977,
    )
    assert a.title == "Why Europe's night trains are making a comeback"
    assert a.kicker == "Business | Europe"
    assert [(x.name, x.url) for x in a.authors] == [
        ("Anna Peters", "https://www.dw.com/en/anna-peters/person-43210987"),
        ("Jonas Becker", "https://www.dw.com/en/jonas-becker/person-51234567"),
        ("Mira Sandhu", None),
    ]
    assert a.published_at == dt.datetime(2024, 3, 12, 9, 15, 23, tzinfo=dt.UTC)
    assert a.modified_at == dt.datetime(2024, 3, 12, 16, 2, 10, tzinfo=dt.UTC)
    assert a.short_url == "https://p.dw.com/p/4dK7m"
    assert [(v.title, v.duration_s) for v in a.videos] == [
        ("Night trains: Europe's comeback on rails", 154),
        ("On board the Brussels-Berlin sleeper", 312),
    ]
    assert all(v.url and v.url.endswith("_sd_avc.mp4") for v in a.videos)  # MP4 over HLS
    # Video titles are not subheadings; the player's no-JS text is not body.
    assert [b.text for b in a.blocks if b.type == "heading"] == [
        "Flight shame and cheap tickets",
        "Can sleepers pay their way?",
    ]
    assert len([b for b in a.blocks if b.type == "paragraph"]) == 7
    quotes = [b.text for b in a.blocks if b.type == "quote"]
    assert quotes == [
        '"We could sell every seat twice on a Friday night. Our problem is not demand, it\'s rolling stock."'
    ]
    (lst,) = [b for b in a.blocks if b.type == "list"]
    assert len(lst.items) == 3 and lst.items[0].startswith("a shortage of sleeper carriages")
    assert quotes[0] in a.text and lst.items[2] in a.text
    assert "enable JavaScript" not in a.text and "Europe's comeback on rails" not in a.text
    assert [i.credit for i in a.images] == ["Wolfgang Kumm/dpa/picture alliance", "DW/A. Peters"]
    assert a.credit_line is None


def check_relaunch_without_json(a: Article) -> None:
    """No JSON-LD, no Apollo: every field from the DOM; the date is relative ("2 hours ago")
    and derives from the fetch time (2024-03-01 12:00 UTC)."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == (
        "relaunch",
        "article",
        "en",
        68732019,
    )
    assert a.title == "Cologne Cathedral reopens north tower after restoration"
    assert a.kicker == "Culture | Germany"
    assert a.published_at == dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert a.modified_at is None
    assert [(x.name, x.url) for x in a.authors] == [
        ("Lukas Brandt", "https://www.dw.com/en/lukas-brandt/person-62004471")
    ]
    assert a.teaser is not None and a.teaser.endswith("The repairs cost more than €4 million.")
    assert a.short_url == "https://p.dw.com/p/4eQz9"
    assert len([b for b in a.blocks if b.type == "paragraph"]) == 4
    assert [b.text for b in a.blocks if b.type == "heading"] == ["A building site for 800 years"]
    assert [i.credit for i in a.images] == ["Oliver Berg/dpa/picture alliance", "Lukas Brandt/DW"]
    assert a.credit_line is not None
    assert (a.credit_line.raw, a.credit_line.writers, a.credit_line.editors) == (
        "lb (dpa, KNA)",
        ("lb",),
        (),
    )
    assert a.agencies == ("dpa", "KNA")
    assert a.warnings == ()
    # Without a fetch time the relative date is null plus a warning.
    bare = parse_page((GOLDEN / "en_relaunch_nojson_cologne-cathedral.html").read_bytes())
    assert bare.published_at is None
    assert any("relative date" in w for w in bare.warnings)
    assert bare.content_hash == a.content_hash  # dates are not content


def check_relaunch_gallery(a: Article) -> None:
    """Relaunch picture gallery: five slides, each a heading (slide title) and an image."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == (
        "relaunch",
        "gallery",
        "en",
        68240516,
    )
    assert a.title == "Cologne Carnival 2024 in pictures"
    assert a.kicker == "Culture | Germany"
    assert a.published_at == dt.datetime(2024, 2, 12, 15, 30, tzinfo=dt.UTC)
    assert [x.name for x in a.authors] == ["Anke Brandt"]
    assert a.short_url == "https://p.dw.com/p/4cFh2"
    assert len(a.images) == 5
    assert a.images[0].caption == (
        "More than a million people lined the streets for the Rose Monday parade on February 12"
    )
    assert a.images[0].credit == "Henning Kaiser/dpa/picture alliance"
    assert a.images[2].agencies == ("NurPhoto", "picture alliance")
    assert all("/5" not in (i.caption or "") for i in a.images)  # slide counter dropped
    assert [b.text for b in a.blocks if b.type == "heading"][:2] == [
        "Rose Monday parade",
        "Political floats",
    ]


def check_fr_old_audio_item(a: Article) -> None:
    """Synthetic 2012 French audio item: ``a-`` id, an audio player container, a body that
    is only the ``Auteur :`` / ``Édition :`` byline (with ``&nbsp;`` before the colons)."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "audio", "fr", 15934012)
    assert a.title == "Les pêcheurs du lac Tchad face à la sécheresse"
    assert a.kicker == "Environnement"
    assert a.published_at == dt.date(2012, 5, 14)
    assert a.short_url == "https://p.dw.com/p/15hQz"
    assert [x.name for x in a.authors] == ["Aminata Diallo"]
    assert a.credit_line is not None
    assert a.credit_line.raw == "Auteur : Aminata Diallo / Édition : Marc Lefèvre"
    assert a.credit_line.editors == ("Marc Lefèvre",) and a.credit_line.writers == ()
    assert a.text == "" and a.word_count == 0
    assert [(v.url, v.duration_s) for v in a.videos] == [
        (
            "https://radiodownloaddw-a.akamaihd.net/Events/dwelle/dira/mp3/afr/"
            "120514_lac_tchad_fra.mp3",
            231,
        )
    ]
    assert [b.type for b in a.blocks] == ["video"]


def check_de_old_video_item(a: Article) -> None:
    """Synthetic 2011 German video item: ``a-`` id, a video player naming an ``.flv`` file
    and an ``.mp4`` download (the mp4 wins), ``Autor:`` and ``Redaktion:`` paragraphs."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "video", "de", 14935577)
    assert a.title == "Hochwasser an der Elbe: Deiche halten"
    assert a.kicker == "Journal"
    assert a.published_at == dt.date(2011, 3, 22)
    assert a.short_url == "https://p.dw.com/p/10aXy"
    assert [x.name for x in a.authors] == ["Jens Hartmann"]
    assert a.credit_line is not None
    assert a.credit_line.raw == "Autor: Jens Hartmann / Redaktion: Sabine Roth"
    assert a.credit_line.editors == ("Sabine Roth",)
    assert a.text == ""
    assert [(v.url, v.duration_s) for v in a.videos] == [
        ("https://tvdownloaddw-a.akamaihd.net/dwtv_video/flv/jod/jod20110322_elbe_sd_avc.mp4", 142)
    ]
    assert not any(".flv" in (v.url or "") for v in a.videos)


def check_en_old_audio_item(a: Article) -> None:
    """Synthetic 2013 English audio item: ``a-`` id, a text paragraph, the byline on one
    line (``Author: … / Editor: …``); its player names the item's own id."""
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "audio", "en", 17134566)
    assert a.title == "Dhaka garment workers demand higher wages"
    assert a.published_at == dt.date(2013, 10, 2)
    assert [x.name for x in a.authors] == ["Priya Sharma"]
    assert a.credit_line is not None
    assert a.credit_line.raw == "Author: Priya Sharma / Editor: Tom Wright"
    assert a.credit_line.editors == ("Tom Wright",)
    assert a.text.startswith("The workers want the monthly minimum wage raised to 8,000 taka.")
    assert "Author" not in a.text and "Editor" not in a.text
    assert [b.type for b in a.blocks] == ["video", "paragraph"]
    assert a.videos[0].url is not None and a.videos[0].url.endswith("131002_dhaka_wages_eng.mp3")


CHECKS: dict[str, Callable[[Article], None]] = {
    "en_relaunch_2023-09-13_putin-kim": check_seed,
    "en_classic_2020-07-14_floating-solar": check_en_classic,
    "de_classic_2022-08-12_rhein-niedrigwasser": check_de_classic_credit_line,
    "de_classic_av_2019-11-09_gruener-wasserstoff": check_de_classic_video,
    "en_relaunch_2024-03-12_night-trains": check_relaunch_multi_author_videos,
    "en_relaunch_nojson_cologne-cathedral": check_relaunch_without_json,
    "en_relaunch_gallery_2024-02-12_cologne-carnival": check_relaunch_gallery,
    "fr_classic_audio_2012-05-14_synthetic_lac-tchad": check_fr_old_audio_item,
    "de_classic_video_2011-03-22_synthetic_elbe-hochwasser": check_de_old_video_item,
    "en_classic_audio_2013-10-02_synthetic_dhaka-garment-workers": check_en_old_audio_item,
}
