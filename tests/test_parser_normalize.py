"""Unit tests of the normalisation layer: credit lines, image credits, agencies, text, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from scraper.article import content_hash_of
from scraper.normalize.credits import (
    normalize_agency,
    parse_credit_line,
    split_alt_credit,
    split_image_credit,
)
from scraper.normalize.labels import label_key, strip_credit_prefix
from scraper.normalize.page_dates import parse_day, parse_iso_datetime, parse_relative
from scraper.normalize.text import clean_text
from scraper.parsers.common import duration_seconds, short_url_from


@pytest.mark.parametrize(
    ("raw", "writers", "editors", "agencies"),
    [
        ("js,tg/msh (AP, Reuters)", ["js", "tg"], ["msh"], ["AP", "Reuters"]),
        ("cwo/fab (dpa, afp)", ["cwo"], ["fab"], ["dpa", "AFP"]),
        ("bru/kle (dpa, afp, rtr)", ["bru"], ["kle"], ["dpa", "AFP", "Reuters"]),
        ("dh (Reuters)", ["dh"], [], ["Reuters"]),  # one writer, no editor
        ("js/msh", ["js"], ["msh"], []),  # no agencies
        ("(AFP, dpa)", [], [], ["AFP", "dpa"]),  # agencies only
        ("nm/rs (AP, dpa, KNA, epd)", ["nm"], ["rs"], ["AP", "dpa", "KNA", "epd"]),
        ("mm/sms (AFP, dpa)", ["mm"], ["sms"], ["AFP", "dpa"]),
        ("se/sti (dpa/afp)", ["se"], ["sti"], ["dpa", "AFP"]),
        ("ab, cd / ef (ap und rtr)", ["ab", "cd"], ["ef"], ["AP", "Reuters"]),
        ("tj/wd/ar (dpa)", ["tj", "wd"], ["ar"], ["dpa"]),
        ("  jdw/msh (Reuters, AFP). ", ["jdw"], ["msh"], ["Reuters", "AFP"]),
        ("kb/jsi\u00a0(AFP,\u00a0Reuters)", ["kb"], ["jsi"], ["AFP", "Reuters"]),
    ],
)
def test_credit_line_shapes(
    raw: str, writers: list[str], editors: list[str], agencies: list[str]
) -> None:
    line = parse_credit_line(raw)
    assert line is not None, raw
    assert list(line.writers) == writers
    assert list(line.editors) == editors
    assert list(line.agencies) == agencies
    assert line.raw == clean_text(raw)


@pytest.mark.parametrize(
    "text",
    [
        "Washington previously suggested the two countries were laying the groundwork",
        "Ende",  # a lone word
        "(Berlin)",  # a parenthesis that names no agency
        "Kim told Putin (via a translator)",
        "",
        "The missiles were fired (dpa, AFP) towards the sea and then they fell in the water.",
        "x" * 200,
    ],
)
def test_not_credit_lines(text: str) -> None:
    assert parse_credit_line(text) is None


@pytest.mark.parametrize(
    ("credit", "agencies", "photographers"),
    [
        ("Sputnik/Artem Geodakyan/REUTERS", ["Sputnik", "Reuters"], ["Artem Geodakyan"]),
        ("Image: Sputnik/Artem Geodakyan/REUTERS", ["Sputnik", "Reuters"], ["Artem Geodakyan"]),
        ("DW/J. Hitz", ["DW"], ["J. Hitz"]),
        (
            "Korean Central News Agency/Korea News Service/AP/picture alliance",
            ["Korean Central News Agency", "Korea News Service", "AP", "picture alliance"],
            [],
        ),
        ("picture-alliance/dpa/L. Schwedes", ["picture alliance", "dpa"], ["L. Schwedes"]),
        ("Image: Lee Jin-man/AP", ["AP"], ["Lee Jin-man"]),
        (
            "Bild: Mikhail Sinitsyn/TASS/dpa/picture alliance",
            ["TASS", "dpa", "picture alliance"],
            ["Mikhail Sinitsyn"],
        ),
        ("Bild:  Shamil Zhumatov/REUTERS", ["Reuters"], ["Shamil Zhumatov"]),
        ("Фото: Reuters", ["Reuters"], []),
        ("Imagen: picture alliance/AP Photo/E. Vucci", ["picture alliance", "AP"], ["E. Vucci"]),
        ("picture alliance/K-D.Gabbert", ["picture alliance"], ["K-D.Gabbert"]),
        ("public domain", [], []),
        ("imago/UIG", ["IMAGO", "UIG"], []),
        ("Deutsches Historisches Museum/T. Bruns", ["Deutsches Historisches Museum"], ["T. Bruns"]),
    ],
)
def test_image_credit_split(credit: str, agencies: list[str], photographers: list[str]) -> None:
    split = split_image_credit(credit)
    assert split is not None
    assert list(split.agencies) == agencies
    assert list(split.photographers) == photographers
    assert not split.raw.lower().startswith(("image:", "bild:", "фото:", "imagen:"))


def test_image_credit_keeps_raw_without_prefix() -> None:
    split = split_image_credit("Image:\u00a0Sputnik/Artem Geodakyan/REUTERS")
    assert split is not None
    assert split.raw == "Sputnik/Artem Geodakyan/REUTERS"
    assert split_image_credit("") is None
    assert split_image_credit(None) is None


@pytest.mark.parametrize(
    ("prefixed", "bare"),
    [
        ("Image: AP", "AP"),
        ("Bild: dpa", "dpa"),
        ("Foto: EFE", "EFE"),
        ("صورة: Reuters", "Reuters"),
        ("图像: Xinhua", "Xinhua"),
        ("© AFP", "AFP"),
        ("Imagefilm/AP", "Imagefilm/AP"),  # no colon: not a prefix
    ],
)
def test_credit_prefixes(prefixed: str, bare: str) -> None:
    assert strip_credit_prefix(prefixed) == bare


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("REUTERS", "Reuters"),
        ("rtr", "Reuters"),
        ("afp", "AFP"),
        ("picture-alliance", "picture alliance"),
        ("AP Photo", "AP"),
        ("dpa", "dpa"),
        ("Some Local Agency", "Some Local Agency"),
    ],
)
def test_agency_table(name: str, canonical: str) -> None:
    assert normalize_agency(name) == canonical


def test_alt_credit_split() -> None:
    assert split_alt_credit("Tahir Della (picture-alliance/dpa/L. Schwedes)") == (
        "Tahir Della",
        "picture-alliance/dpa/L. Schwedes",
    )
    assert split_alt_credit("German colonialism exhibition\n(DW/J. Hitz)") == (
        "German colonialism exhibition",
        "DW/J. Hitz",
    )
    assert split_alt_credit("No credit here") == ("No credit here", None)


def test_clean_text() -> None:
    assert clean_text("  a\u00a0\u00a0b\u200b c\n\t d ") == "a b c d"
    assert clean_text("Bild:<!-- --> <!-- -->x".replace("<!-- -->", "")) == "Bild: x"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text("\u00a0 ") is None
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"  # ZWNJ kept (Persian)
    assert label_key(" Autorin/Autor: ") == "autorin/autor"


def test_dates() -> None:
    assert parse_iso_datetime("2024-01-30T14:13:12.269Z") == dt.datetime(
        2024, 1, 30, 14, 13, 12, tzinfo=dt.UTC
    )
    assert parse_iso_datetime("2023-09-13T10:00:00+02:00") == dt.datetime(
        2023, 9, 13, 8, 0, tzinfo=dt.UTC
    )
    assert parse_iso_datetime("not a date") is None
    assert parse_day("28.04.2023") == dt.date(2023, 4, 28)
    assert parse_day("20230428") == dt.date(2023, 4, 28)
    assert parse_day("09/13/2023", language="en") == dt.date(2023, 9, 13)
    assert parse_day("13/09/2023", language="fr") == dt.date(2023, 9, 13)
    assert parse_day("30. Januar 2024") == dt.date(2024, 1, 30)
    assert parse_day("September 13, 2023") == dt.date(2023, 9, 13)
    assert parse_day("31.02.2023") is None
    assert parse_day("soon") is None


def test_relative_dates() -> None:
    ref = dt.datetime(2023, 9, 13, 12, 30, 45, tzinfo=dt.UTC)
    assert parse_relative("2 hours ago", ref) == dt.datetime(2023, 9, 13, 10, 30, tzinfo=dt.UTC)
    assert parse_relative("vor 3 Stunden", ref) == dt.datetime(2023, 9, 13, 9, 30, tzinfo=dt.UTC)
    assert parse_relative("vor 45 Minuten", ref) == dt.datetime(2023, 9, 13, 11, 45, tzinfo=dt.UTC)
    assert parse_relative("3 days ago", ref) == dt.date(2023, 9, 10)
    assert parse_relative("gestern", ref) == dt.date(2023, 9, 12)
    assert parse_relative("2 hours ago", None) is None
    assert parse_relative("13.09.2023", ref) is None


def test_durations_and_short_links() -> None:
    assert duration_seconds("137") == 137
    assert duration_seconds("PT26M1S") == 1561
    assert duration_seconds("26:01 Min.") == 1561
    assert duration_seconds("1:02:03") == 3723
    assert duration_seconds("soon") is None
    assert (
        short_url_from([None, "Permalink https://p.dw.com/p/4QgGF"]) == "https://p.dw.com/p/4QgGF"
    )
    assert short_url_from(["https://example.com"]) is None


def test_content_hash_ignores_dates_urls_and_version() -> None:
    from scraper.article import Article, Block

    base = Article(
        url="https://www.dw.com/en/x/a-1",
        canonical_url="https://www.dw.com/en/x/a-1",
        dw_id=1,
        content_type="article",
        layout="relaunch",
        language="en",
        title="T",
        blocks=(Block("paragraph", "Hello"),),
    )
    same = base.with_changes(
        url="https://www.dw.com/en/y/a-1?maca=x",
        published_at=dt.date(2020, 1, 1),
        parser_version="other",
    )
    changed = base.with_changes(blocks=(Block("paragraph", "Hello!"),))
    assert content_hash_of(base) == content_hash_of(same)
    assert content_hash_of(base) != content_hash_of(changed)
    assert len(content_hash_of(base)) == 64
