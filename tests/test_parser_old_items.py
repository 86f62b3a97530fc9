"""Old classic items: byline lines become authors and editors; the page's own player sets
the content type whatever the id prefix; an mp4 source beats an flv one.

The pages below are synthetic snippets in the classic markup (``div#bodyContent`` >
``div.col3`` with ``h1``, ``div.mediaItem``, ``div.longText``); the golden fixtures
``fixtures/dw/*_synthetic_*`` cover whole pages.
"""

from __future__ import annotations

import pytest

from scraper import parse_page
from scraper.normalize.build import RawBlock
from scraper.normalize.bylines import BYLINE_LABELS, extract_bylines, parse_byline

URL = "https://www.dw.com/{lang}/old-item/a-{id}"


def classic(body: str, *, player: str = "", lang: str = "de", id_: int = 15000001) -> str:
    return f"""<!DOCTYPE html><html lang="{lang}"><head>
<link rel="canonical" href="{URL.format(lang=lang, id=id_)}">
<title>Old item | DW | 01.02.2012</title></head><body>
<script>var dwXT = {{ articleChangeDateShort: "20120201", pageId: "{id_}" }};</script>
<div id="bodyContent"><div class="col3"><div class="group">
<h4 class="artikel">Programme</h4><h1>Old item </h1><p class="intro">What it is about.</p>
{player}
<div class="longText">{body}</div>
</div></div><div class="col1 dim"></div></div></body></html>"""


def media_item(kind: str, file_name: str, extra: str = "", media_id: int = 15000099) -> str:
    return f"""<div class="mediaItem" data-media-id="{media_id}">
<input type="hidden" name="player_type" value="{kind}">
<input type="hidden" name="file_name" value="{file_name}">
<input type="hidden" name="file_duration" value="95">
<input type="hidden" name="media_title" value="Old item">{extra}</div>"""


MP3 = "https://radiodownloaddw-a.akamaihd.net/x/item.mp3"
FLV = "https://tvdownloaddw-a.akamaihd.net/x/item_sd_sor.flv"
MP4 = "https://tvdownloaddw-a.akamaihd.net/x/item_sd_avc.mp4"


# -- byline lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "lines", "authors", "editors", "raw"),
    [
        ("fr", ["Auteur\xa0: A. B.", "Édition : C. D."], ["A. B."], ["C. D."], None),
        ("de", ["Autor: A. B.", "Redaktion: C. D."], ["A. B."], ["C. D."], None),
        ("en", ["Author: A. B.", "Editor: C. D."], ["A. B."], ["C. D."], None),
        ("es", ["Autora: Ana Ruiz", "Edición: Pablo Gil"], ["Ana Ruiz"], ["Pablo Gil"], None),
        ("pt-br", ["Autor: João Lima", "Edição: Maria Reis"], ["João Lima"], ["Maria Reis"], None),
        (
            "ru",
            ["Автор: Анна Петрова", "Редактор: Иван Орлов"],
            ["Анна Петрова"],
            ["Иван Орлов"],
            None,
        ),
        (
            "pl",
            ["Autorka: Anna Nowak", "Redakcja: Jan Kowalski"],
            ["Anna Nowak"],
            ["Jan Kowalski"],
            None,
        ),
        ("zh", ["作者：王明", "责编：李华"], ["王明"], ["李华"], "作者：王明 / 责编：李华"),
        (
            "de",
            ["Autor: A. B. und E. F. / Redaktion: C. D."],
            ["A. B.", "E. F."],
            ["C. D."],
            "Autor: A. B. und E. F. / Redaktion: C. D.",
        ),
    ],
)
def test_bylines_become_authors_and_editors(
    lang: str, lines: list[str], authors: list[str], editors: list[str], raw: str | None
) -> None:
    page = classic("<p>" + "<br/>".join(lines) + "</p>", lang=lang)
    article = parse_page(page, url=URL.format(lang=lang, id=15000001))
    assert [a.name for a in article.authors] == authors
    assert article.credit_line is not None
    assert list(article.credit_line.editors) == editors
    expected_raw = raw or " / ".join(" ".join(x.replace("\xa0", " ").split()) for x in lines)
    assert article.credit_line.raw == expected_raw
    assert article.text == ""


def test_byline_paragraphs_after_text_leave_the_text() -> None:
    page = classic("<p>First paragraph.</p><p>Autor: A. B.</p><p>Redaktion: C. D.</p>")
    article = parse_page(page)
    assert article.text == "First paragraph."
    assert [a.name for a in article.authors] == ["A. B."]
    assert article.credit_line is not None and article.credit_line.editors == ("C. D.",)


def test_byline_after_a_break_in_the_last_paragraph() -> None:
    page = classic("<p>Only paragraph.<br/>Author: A. B. / Editor: C. D.</p>")
    article = parse_page(page)
    assert article.text == "Only paragraph."
    assert article.credit_line is not None
    assert article.credit_line.raw == "Author: A. B. / Editor: C. D."


def test_byline_authors_join_the_facts_box_author() -> None:
    facts = '<ul class="smallList"><li><strong>Autor</strong> A. B.</li></ul>'
    page = classic("<p>Text.</p><p>Autor: A. B.</p><p>Redaktion: C. D.</p>", player=facts)
    article = parse_page(page)
    assert [a.name for a in article.authors] == ["A. B."]  # de-duplicated


def test_bylines_and_a_closing_credit_line() -> None:
    page = classic("<p>Text.</p><p>ab/cd (dpa, afp)</p>")
    assert parse_page(page).credit_line is not None  # the usual closing line, unchanged
    page = classic("<p>Text.</p><p>ab/cd (dpa, afp)</p><p>Redaktion: C. D.</p>")
    credit = parse_page(page).credit_line
    assert credit is not None
    assert credit.raw == "ab/cd (dpa, afp) / Redaktion: C. D."
    assert credit.writers == ("ab",) and credit.editors == ("cd", "C. D.")
    assert credit.agencies == ("dpa", "AFP")


@pytest.mark.parametrize(
    "paragraph",
    [
        "Redaktion: Wir haben lange darüber gesprochen, was wir tun können.",
        "Editor: the one who decides what goes on the front page",
        "The editor said: no comment.",
        "Autor des Buches ist A. B.",
    ],
)
def test_sentences_that_look_like_bylines_stay_text(paragraph: str) -> None:
    article = parse_page(classic(f"<p>Intro text.</p><p>{paragraph}</p>"))
    assert paragraph in article.text
    assert article.authors == () and article.credit_line is None


def test_byline_in_the_middle_of_the_body_stays_text() -> None:
    article = parse_page(classic("<p>Autor: A. B.</p><p>Then the story goes on.</p>"))
    assert article.text.startswith("Autor: A. B.")
    assert article.authors == ()


def test_extract_bylines_looks_past_trailing_media() -> None:
    blocks = [
        RawBlock("paragraph", "Text."),
        RawBlock("paragraph", "Autor: A. B."),
        RawBlock("image"),
    ]
    found = extract_bylines(blocks)
    assert found is not None and found.authors == ("A. B.",) and found.raw == "Autor: A. B."
    assert [b.type for b in blocks] == ["paragraph", "image"]
    assert extract_bylines([RawBlock("paragraph", "Nothing here.")]) is None


def test_label_table_roles() -> None:
    assert set(BYLINE_LABELS.values()) == {"author", "editor"}
    for label in ("Auteur", "Autor", "Author"):
        assert BYLINE_LABELS[label] == "author"
    for label in ("Édition", "Redaktion", "Editor"):
        assert BYLINE_LABELS[label] == "editor"
    assert parse_byline("Y. Z.: nothing") is None
    segments = parse_byline("Editor: X; Author: Y")
    assert segments is not None and [s.names for s in segments] == [("X",), ("Y",)]


# -- the page's own player -------------------------------------------------------------------


def test_a_item_with_an_audio_player_is_audio() -> None:
    page = classic("<p>Autor: A. B.</p>", player=media_item("audio", MP3))
    article = parse_page(page)
    assert article.content_type == "audio"
    assert [v.url for v in article.videos] == [MP3]
    assert article.videos[0].duration_s == 95


def test_a_item_with_an_audio_element_is_audio() -> None:
    player = f'<div class="audioPlayer"><audio controls src="{MP3}"></audio></div>'
    article = parse_page(classic("<p>Author: A. B.</p>", player=player))
    assert article.content_type == "audio"
    assert [v.url for v in article.videos] == [MP3]


def test_a_item_with_an_audio_file_link_is_audio() -> None:
    player = f'<p class="download"><a href="{MP3}">Download MP3</a></p>'
    article = parse_page(classic("<p>Auteur : A. B.</p>", player=player, lang="fr"))
    assert article.content_type == "audio"
    assert [v.url for v in article.videos] == [MP3]


def test_a_item_with_a_video_player_prefers_the_mp4() -> None:
    extra = f'<a class="download" href="{MP4}">MP4</a>'
    page = classic("<p>Autor: A. B.</p>", player=media_item("video", FLV, extra))
    article = parse_page(page)
    assert article.content_type == "video"
    assert [v.url for v in article.videos] == [MP4]


def test_video_element_with_flv_and_mp4_sources() -> None:
    player = f'<video controls><source src="{FLV}" type="video/x-flv"><source src="{MP4}"></video>'
    article = parse_page(classic("<p>Author: A. B.</p>", player=player, lang="en"))
    assert article.content_type == "video"
    assert [v.url for v in article.videos] == [MP4]


def test_flv_alone_is_kept() -> None:
    article = parse_page(classic("<p>Autor: A. B.</p>", player=media_item("video", FLV)))
    assert [v.url for v in article.videos] == [FLV]


def test_article_with_a_clip_above_its_text_stays_an_article() -> None:
    page = classic("<p>A real story with text.</p>", player=media_item("video", MP4))
    assert parse_page(page).content_type == "article"


def test_player_naming_the_item_itself_decides_even_with_text() -> None:
    page = classic(
        "<p>A description of the audio.</p>",
        player=media_item("audio", MP3, media_id=15000001),
    )
    article = parse_page(page)
    assert article.content_type == "audio"
    assert [b.type for b in article.blocks] == ["video", "paragraph"]


def test_media_inside_the_text_never_decides() -> None:
    page = classic("<p>Autor: A. B.</p>" + media_item("audio", MP3))
    assert parse_page(page).content_type == "article"
    page = classic(f'<p>Listen: <a href="{MP3}">mp3</a></p><p>Autor: A. B.</p>')
    assert parse_page(page).content_type == "article"
