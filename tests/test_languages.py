"""The language table holds to the evidence file it was built from (`../shared/dw-site.md`),
so the code and the fake site cannot drift together from what is known about DW's feeds."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scraper import languages
from scraper.languages import LANGUAGES, UnknownLanguageError

SITE_MD = Path(__file__).resolve().parent.parent.parent / "shared" / "dw-site.md"


@pytest.fixture(scope="module")
def evidence() -> str:
    if not SITE_MD.is_file():
        if os.environ.get("DWSCRAPE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{SITE_MD} is missing but DWSCRAPE_REQUIRE_SHARED=1")
        pytest.skip(f"{SITE_MD} not present")
    return SITE_MD.read_text(encoding="utf-8")


def _feed_rows(text: str) -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z0-9-]+)`[^|]*\| `(rss-[a-z]+-all)` \|", text, re.M)
    return dict(rows)


def test_every_feed_id_in_the_evidence_is_in_the_table(evidence: str) -> None:
    rows = _feed_rows(evidence)
    assert len(rows) >= 18  # the parse of the evidence table itself must not silently fail
    table = {lang.segment: lang.feed_id for lang in LANGUAGES if lang.verified}
    assert table == rows


def test_services_without_evidence_have_no_feed_id(evidence: str) -> None:
    sentence = re.search(
        r"No public evidence was found for the other services \((.*?)…\)", evidence, re.S
    )
    assert sentence is not None
    unverified = re.findall(r"(?<![\w-])([a-z]{2}(?:-[a-z0-9]{2,4})?)(?![\w-])", sentence.group(1))
    assert len(unverified) >= 14
    for code in unverified:
        lang = languages.get(code)
        assert lang.feed_id is None and not lang.verified, code


def test_feed_ids_are_not_derived_from_the_segment() -> None:
    assert languages.get("es").feed_url == "https://rss.dw.com/xml/rss-sp-all"
    assert languages.get("zh").feed_url == "https://rss.dw.com/xml/rss-chi-all"
    assert languages.get("pt-002").feed_url is None


@pytest.mark.parametrize("code", ["EN", " en ", "Pt-BR", "ZH-HANT", "pt-002"])
def test_codes_are_case_insensitive(code: str) -> None:
    assert languages.get(code).segment == code.strip().lower()


def test_unknown_code_names_the_known_ones() -> None:
    with pytest.raises(UnknownLanguageError, match=r"unknown language 'xx'.*\ben\b.*\bpt-002\b"):
        languages.get("xx")


def test_resolve_dedupes_in_order() -> None:
    assert languages.resolve(["DE", "en", "de"]) == ["de", "en"]


def test_user_feed_replaces_a_language_feed() -> None:
    table = languages.with_feeds({"PT-002": "https://example.org/pt-africa.xml"})
    lang = table["pt-002"]
    assert lang.feed_url == "https://example.org/pt-africa.xml"
    assert not lang.verified
    assert table["en"] is languages.BY_SEGMENT["en"]


@pytest.mark.parametrize("lang", [lang.segment for lang in LANGUAGES])
def test_every_segment_is_read_from_a_page_url(lang: str) -> None:
    from scraper.urls import language_from_url

    assert language_from_url(f"https://www.dw.com/{lang}/some-title/a-12345678") == lang
