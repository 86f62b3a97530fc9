"""Soft 404s: a page in DW's chrome that names no content of its own and has no body.

The fixture pages ``fixtures/dw/*_synthetic_soft404.html`` are hand-written (no sample of
DW's real error page exists); they are parsed here as if fetched from the article URL that
went missing, which must not count as the page naming content.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from scraper import parse_page
from scraper.errors import NotArticleError, NotDWPageError, ParseError, SoftNotFoundError
from scraper.parsers.soft404 import NOT_FOUND_TITLES, is_not_found_title, names_content

GOLDEN = FIXTURES / "dw"
SOFT_404_PAGES = {
    "en": GOLDEN / "en_relaunch_synthetic_soft404.html",
    "es": GOLDEN / "es_relaunch_synthetic_soft404.html",
    "de": GOLDEN / "de_classic_synthetic_soft404.html",
    "fr": GOLDEN / "fr_classic_synthetic_soft404.html",
}
#: The title each page prints (in its h1, <title> and og:title).
TITLES = {
    "en": "Page not found",
    "es": "Página no encontrada",
    "de": "Seite nicht gefunden",
    "fr": "Page introuvable",
}
GONE = "https://www.dw.com/{lang}/a-story-that-was-removed/a-61234567"


@pytest.mark.parametrize("lang", sorted(SOFT_404_PAGES))
def test_soft_404_pages_are_refused(lang: str) -> None:
    page = SOFT_404_PAGES[lang]
    with pytest.raises(SoftNotFoundError) as info:
        parse_page(page.read_bytes(), url=GONE.format(lang=lang))
    assert info.value.url == GONE.format(lang=lang)
    assert "soft 404" in str(info.value)
    assert isinstance(info.value, ParseError)


@pytest.mark.parametrize("lang", sorted(SOFT_404_PAGES))
def test_structure_decides_without_the_title(lang: str) -> None:
    """The wording is only a second signal: with a neutral title the page is still one."""
    html = SOFT_404_PAGES[lang].read_text(encoding="utf-8")
    assert html.count(TITLES[lang]) >= 2  # h1 and <title> (relaunch: og:title too)
    html = html.replace(TITLES[lang], "Deutsche Welle")
    with pytest.raises(SoftNotFoundError):
        parse_page(html, url=GONE.format(lang=lang))


@pytest.mark.parametrize("lang", sorted(SOFT_404_PAGES))
def test_no_canonical_link_at_all(lang: str) -> None:
    html = SOFT_404_PAGES[lang].read_text(encoding="utf-8")
    html = re.sub(r"<link[^>]*rel=\"canonical\"[^>]*>", "", html)
    assert 'rel="canonical"' not in html
    html = html.replace(TITLES[lang], "Deutsche Welle")
    with pytest.raises(SoftNotFoundError):
        parse_page(html, url=GONE.format(lang=lang))


@pytest.mark.parametrize("lang", sorted(SOFT_404_PAGES))
def test_title_counts_when_the_markup_echoes_the_missing_url(lang: str) -> None:
    """A 404 page might carry the requested URL as its canonical: no body plus a not-found
    title still marks it."""
    html = SOFT_404_PAGES[lang].read_text(encoding="utf-8")
    canonical = f'<link rel="canonical" href="{GONE.format(lang=lang)}">'
    html = html.replace("</head>", canonical + "</head>", 1)
    with pytest.raises(SoftNotFoundError) as info:
        parse_page(html, url=GONE.format(lang=lang))
    assert "titled as a missing page" in str(info.value)


def _relaunch_article(title: str, canonical: bool) -> str:
    link = f'<link rel="canonical" href="{GONE.format(lang="en")}">' if canonical else ""
    return f"""<!doctype html><html lang="en"><head>{link}</head><body>
<div id="root"><div id="main-content"></div><section><article><div class="content-area">
<header><div class="kicker" data-tracking-name="content-detail-kicker"><span>World</span></div>
<h1>{title}</h1></header>
<div class="rich-text"><p>The story has a body of its own.</p></div>
</div></article></section></div></body></html>"""


@pytest.mark.parametrize("canonical", [True, False])
def test_an_article_titled_not_found_is_still_an_article(canonical: bool) -> None:
    article = parse_page(_relaunch_article("Not found: the lost letters", canonical))
    assert article.title == "Not found: the lost letters"
    assert article.text == "The story has a body of its own."


def test_a_body_without_any_id_is_still_an_article() -> None:
    html = (SOFT_404_PAGES["de"]).read_text(encoding="utf-8")
    html = html.replace(
        '<ul class="linkList">', '<div class="longText"><p>Ein Absatz.</p></div><ul class="x">'
    )
    assert parse_page(html).text == "Ein Absatz."


def test_embedded_id_names_content() -> None:
    html = SOFT_404_PAGES["de"].read_text(encoding="utf-8")
    html = html.replace('chap: "Error",', 'chap: "Error",\npageId: "61234567",')
    with pytest.raises(SoftNotFoundError) as info:  # no body and a not-found title
        parse_page(html)
    assert "titled as a missing page" in str(info.value)


@pytest.mark.parametrize(
    ("stem", "error"),
    [("de_relaunch_topic_klimawandel", NotArticleError), ("not_dw", NotDWPageError)],
)
def test_topic_and_foreign_pages_keep_their_outcome(stem: str, error: type[ParseError]) -> None:
    path: Path = GOLDEN / f"{stem}.html"
    with pytest.raises(error) as info:
        parse_page(path.read_bytes(), url=GONE.format(lang="de"))
    assert not isinstance(info.value, SoftNotFoundError)


def test_not_found_wordings() -> None:
    for lang, title in TITLES.items():
        assert is_not_found_title(title), lang
    assert {"en", "de", "fr", "es"} <= set(NOT_FOUND_TITLES)
    assert is_not_found_title("Seite nicht gefunden | DW")
    assert is_not_found_title(None, "Página no encontrada – DW")
    assert is_not_found_title("Страница не найдена")
    assert is_not_found_title("页面未找到")
    assert not is_not_found_title("Germany finds new gas field", None)


def test_names_content() -> None:
    assert names_content(["https://www.dw.com/en/x/a-123"])
    assert names_content([None], [123])
    assert names_content([], ["123"])
    assert not names_content(["https://www.dw.com/en/", "https://example.com/x/a-1", None])
    assert not names_content(["https://www.dw.com/en/error-404"])
    assert not names_content([], [None, True, "abc"])
