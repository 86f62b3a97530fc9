"""The parser over the four real DW pages in ../shared/dw-pages (never copied into the repo).

Every value asserted here was checked by eye against the page source; the peer projects'
expectations (``*.peer-truth.json``) serve as a second opinion where they cover a field.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scraper import parse_page
from scraper.article import Article

RELAUNCH_DE = "dw_de_relaunch_2024-01-30_a-68117411.html"
CLASSIC_DE = "dw_de_classic_2023-04-28_a-65464327.html"
CLASSIC_EN = "dw_en_classic_2020-01-19_a-52060881.html"
VIDEO_DE = "dw_de_classic_2018-10-28_av-42986168.html"

#: Boilerplate that must not appear in any text field of any page.
BOILERPLATE = (
    "Skip to content",
    "Zum Inhalt springen",
    "Anzeige",
    "Advertisement",
    "Read more",
    "Schicken Sie uns Ihr Feedback",
    "Send us your feedback",
    "Sign up for the newsletter",
    "Permalink",
    "Watch video",
    "Video ansehen",
    "Die Redaktion empfiehlt",
    "DW recommends",
    "Mehr zum Thema",
    "Related content",
    "Ähnliche Themen",
    "DW_PLAYER",
    "Wrong language",
)


def _parse(shared_pages: Path, name: str) -> Article:
    return parse_page((shared_pages / name).read_bytes())


def _peer(shared_pages: Path, name: str) -> dict:
    return json.loads((shared_pages / name.replace(".html", ".peer-truth.json")).read_text())


def _all_text(article: Article) -> str:
    parts = [article.title or "", article.teaser or "", article.kicker or "", article.text]
    parts += [i.caption or "" for i in article.images] + [v.title or "" for v in article.videos]
    return "\n".join(parts)


@pytest.mark.parametrize("name", [RELAUNCH_DE, CLASSIC_DE, CLASSIC_EN, VIDEO_DE])
def test_no_boilerplate_anywhere(shared_pages: Path, name: str) -> None:
    article = _parse(shared_pages, name)
    text = _all_text(article)
    for bad in BOILERPLATE:
        assert bad not in text, (name, bad)
    assert "<!--" not in text and "\u00a0" not in text and "\u200b" not in text
    assert article.warnings == ()
    # The tracking-query crawl URL and a saved copy parse the same (the layout comes from markup).
    again = parse_page((shared_pages / name).read_text(encoding="utf-8"), url=article.canonical_url)
    assert again.to_dict() == article.to_dict()


def test_relaunch_de(shared_pages: Path) -> None:
    url = (
        "https://www.dw.com/de/russland-wahl-nadeschdin-setzt-auf-ein-ende-der-putin-%C3%A4ra"
        "/a-68117411"
    )
    a = parse_page(
        (shared_pages / RELAUNCH_DE).read_bytes(), url=url + "?maca=de-rss-de-all-1119-xml-mrss"
    )
    assert a.url == url + "?maca=de-rss-de-all-1119-xml-mrss"
    assert a.canonical_url == url
    assert (a.layout, a.content_type, a.language, a.dw_id) == (
        "relaunch",
        "article",
        "de",
        68117411,
    )
    assert a.title == "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära"
    assert a.kicker == "Politik | Russische Föderation"
    assert a.topics == (
        "Russische Föderation",
        "Ende des Getreideabkommens",
        "Russland",
        "Finnland",
        "Krieg in der Ukraine",
    )
    assert a.teaser == (
        "Tausende standen für ihn stundenlang in der Kälte: Boris Nadeschdin will bei der "
        "Präsidentschaftswahl am 17. März gegen Wladimir Putin antreten. Doch wer sind seine "
        "Wähler? Und hat der Kriegsgegner überhaupt eine Chance?"
    )
    assert a.published_at == dt.datetime(2024, 1, 30, 14, 13, 12, tzinfo=dt.UTC)
    assert a.modified_at == dt.datetime(2024, 1, 30, 14, 13, 51, tzinfo=dt.UTC)
    assert [(x.name, x.url) for x in a.authors] == [
        ("Jennifer Pahlke", "https://www.dw.com/de/jennifer-pahlke/person-51417817")
    ]
    assert a.short_url == "https://p.dw.com/p/4boRv"
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    headings = [b.text for b in a.blocks if b.type == "heading"]
    assert len(paragraphs) == 13
    assert headings == [
        "Wer ist Boris Nadeschdin?",
        "Vor allem junge Menschen unterstützen Nadeschdin",
        "Unterstützung durch die Opposition",
        "Wie realistisch ist ein Sieg Nadeschdins?",
    ]
    assert paragraphs[0].startswith("Die erste Hürde hat er gemeistert: Boris Nadeschdin darf")
    assert paragraphs[-1].endswith(
        "welches der Kreml nur zu gerne nutzt, würde sichtbare Kratzer bekommen."
    )
    # Hero (not a block) + three inline images, all with "Bild:" credits split.
    assert [i.url for i in a.images] == [
        "https://static.dw.com/image/68059583_600.jpg",
        "https://static.dw.com/image/59234409_600.jpg",
        "https://static.dw.com/image/67807421_600.jpg",
        "https://static.dw.com/image/64566788_600.jpg",
    ]
    hero = a.images[0]
    assert hero.caption == (
        "Gilt als einziger Antikriegskandidat für die russische Präsidentschaftswahl: Boris Nadeschdin"
    )
    assert hero.credit == "Mikhail Sinitsyn/TASS/dpa/picture alliance"
    assert hero.agencies == ("TASS", "dpa", "picture alliance")
    assert hero.photographers == ("Mikhail Sinitsyn",)
    assert a.images[1].caption.startswith("Alles streng im Blick: Bilder von Überwachungskameras")
    assert (a.images[1].credit, a.images[1].agencies) == ("Shamil Zhumatov/REUTERS", ("Reuters",))
    assert a.images[2].credit == "Alexander Zemlianichenko/AP Photo/picture alliance"
    assert a.images[3].credit == "Pavel Golovkin/dpa/picture alliance"
    assert [b.image for b in a.blocks if b.type == "image"] == [1, 2, 3]
    assert a.credit_line is None and a.agencies == ()  # this page has none
    assert a.videos == ()
    assert a.word_count == len(a.text.split())
    assert "Bild:" not in a.text and "Mikhail Sinitsyn" not in a.text
    # Second opinion: fundus' expectations for this page.
    peer = _peer(shared_pages, RELAUNCH_DE)
    assert a.title == peer["title"] and [x.name for x in a.authors] == peer["authors"]
    assert [a.teaser] == peer["body"]["summary"]
    peer_paragraphs = [p for s in peer["body"]["sections"] for p in s["paragraphs"]]
    assert paragraphs == peer_paragraphs
    assert headings == [s["headline"][0] for s in peer["body"]["sections"] if s["headline"]]


def test_classic_de(shared_pages: Path) -> None:
    a = _parse(shared_pages, CLASSIC_DE)
    assert (
        a.url
        == a.canonical_url
        == ("https://www.dw.com/de/ukrainische-gegenoffensive-ziele-chancen-risiken/a-65464327")
    )
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "article", "de", 65464327)
    assert a.title == "Ukrainische Gegenoffensive: Ziele, Chancen, Risiken"  # trailing space gone
    assert a.kicker == "Krieg in der Ukraine"
    assert a.teaser is not None and a.teaser.endswith("desto besser scheinen seine Chancen.")
    assert a.published_at == dt.date(2023, 4, 28)  # day precision, not midnight
    assert a.modified_at is None
    assert [x.name for x in a.authors] == ["Roman Goncharenko"]
    assert a.short_url == "https://p.dw.com/p/4QgGF"
    # Themenseiten links, then Schlagwörter, de-duplicated.
    assert a.topics == (
        "Krim-Krise",
        "Ukraine",
        "Russland",
        "Finnland",
        "Krieg in der Ukraine",
        "Ukrainekrieg",
        "Bachmut",
        "Waffenlieferungen",
        "Gegenoffensive",
    )
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    headings = [b.text for b in a.blocks if b.type == "heading"]
    assert len(paragraphs) == 13
    assert headings == [
        "Kämpfe um Bachmut, um Zeit zu gewinnen",
        "Darum wartet Kiew ab",
        "Krim als strategische Stoßrichtung",
        "Gegenoffensive dürfte den Krieg nicht beenden",
    ]
    assert paragraphs[0].startswith("Eine Autobahn in Polen nahe der Grenze zur Ukraine.")
    assert paragraphs[-1].endswith(
        "Er hofft deshalb auf weitere Konvois mit schwerem Kriegsgerät aus dem Westen."
    )
    assert [i.caption for i in a.images] == [
        "Ukrainische Kriegstechnik bei den Kämpfen um Bachmut, 24. April 2023",
        "Folgen eines russische Raketenangriffs auf die ukrainischen Stadt Uman, 28. April 2023",
        "Seit Monaten umkämpft: die ostukrainische Stadt Bachmut",
    ]
    assert all(i.credit is None for i in a.images)  # 2023 German pages carry none
    assert a.images[0].url == "https://static.dw.com/image/65453399_303.jpg"
    assert [v.url for v in a.videos] == [
        "https://www.youtube.com/embed/9nPlMXUhcm8?wmode=transparent"
    ]
    assert a.credit_line is None
    peer = _peer(shared_pages, CLASSIC_DE)
    assert paragraphs == [p for s in peer["body"]["sections"] for p in s["paragraphs"]]
    assert set(peer["topics"]) <= set(a.topics)
    assert a.published_at.isoformat() == peer["publishing_date"][:10]


def test_classic_en(shared_pages: Path) -> None:
    a = _parse(shared_pages, CLASSIC_EN)
    assert a.canonical_url == (
        "https://www.dw.com/en/berlin-confronts-germanys-colonial-past-with-new-initiative/a-52060881"
    )
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "article", "en", 52060881)
    assert a.title == "Berlin confronts Germany's colonial past with new initiative"
    assert a.kicker == "Germany"
    assert a.teaser == (
        "The German capital has launched a five-year project to mark its part in European "
        "colonialism. Streets which still honor leaders who led the Reich's imperial expansion "
        "will be renamed — and some locals aren't happy."
    )
    assert a.published_at == dt.date(2020, 1, 19)
    assert a.modified_at == dt.date(2020, 1, 19)  # articleChangeDateShort
    assert [x.name for x in a.authors] == ["Ben Knight"]
    assert a.short_url == "https://p.dw.com/p/3WRPd"  # not the embedded video's 2Xns8
    assert a.topics == ("Berlin", "colonialism", "German Reich", "Africa", "Wedding")
    paragraphs = [b.text for b in a.blocks if b.type == "paragraph"]
    headings = [b.text for b in a.blocks if b.type == "heading"]
    assert len(paragraphs) == 16
    assert headings == ["Freedom fighters replace colonial leaders", "Right-wing resistance"]
    assert paragraphs[0].startswith(
        "Berlin's relationship with its colonial history is being reconsidered"
    )
    assert paragraphs[-1].endswith(
        "which opened the gates to a period of intense imperialist activity."
    )
    # Credits come from the alt text's parentheses; the alt keeps only the description.
    hero, della, illustration = a.images
    assert (hero.url, hero.caption, hero.alt, hero.credit) == (
        "https://www.dw.com/image/43470564_303.jpg",
        None,
        "A new street sign reads Maji-Maji-Allee",
        "Tahir Della",
    )
    assert (della.caption, della.credit) == (
        "Tahir Della helped organize Berlin's new initiative",
        "picture-alliance/dpa/L. Schwedes",
    )
    assert (della.agencies, della.photographers) == (("picture alliance", "dpa"), ("L. Schwedes",))
    assert illustration.credit == "imago/UIG"
    # The nested gallery is dropped; the embedded video is a video block, its permalink is not text.
    assert "Our future is on the water" not in a.text
    assert [(v.title, v.duration_s) for v in a.videos] == [
        ("Namibians want Germany to remove monuments", 137)
    ]
    assert a.videos[0].url.endswith("wse20170217_Namibia_sd_avc.mp4")
    peer = _peer(shared_pages, CLASSIC_EN)
    for must in peer["body_must_contain"]:  # trafilatura counts the teaser as body; we don't
        assert must in f"{a.teaser}\n\n{a.text}"
    for must_not in peer["body_must_not_contain"]:
        assert must_not not in a.text
    assert a.teaser == peer["metadata_asserts"]["description"]
    assert [x.name for x in a.authors] == [
        peer["metadata_asserts"]["author_actual_per_test_comment"]
    ]


def test_classic_video_page(shared_pages: Path) -> None:
    a = _parse(shared_pages, VIDEO_DE)
    peer = _peer(shared_pages, VIDEO_DE)
    assert (a.layout, a.content_type, a.language, a.dw_id) == ("classic", "video", "de", 42986168)
    assert a.canonical_url == peer["url"]
    assert a.title == peer["title"] == "Global 3000 - Das Globalisierungsmagazin"
    assert a.kicker == peer["topic"] == "Global 3000"
    assert a.teaser == peer["description"]
    assert a.published_at == dt.date(2018, 10, 28)
    assert a.short_url == "https://p.dw.com/p/2uMfI"
    assert a.authors == ()
    assert len(a.videos) == 1
    video = a.videos[0]
    assert video.duration_s == 26 * 60 + 1  # PT26M1S
    assert (
        video.url
        == "https://tvdownloaddw-a.akamaihd.net/dwtv_video/flv/gld/gld20180319_gesamt_sd_vp6.flv"
    )
    assert [b.type for b in a.blocks] == ["video"]
    assert a.text == "" and a.word_count == 0
    assert a.topics[:4] == ("Irak", "Griechenland", "Kenia", "Comic")  # Themenseiten first
    assert "Waisenkinder" in a.topics
