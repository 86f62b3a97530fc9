"""A small factory of realistic, varied `Article` records for storage tests and benchmarks.

Articles look like DW's: a language, a kicker, a title, a teaser, paragraphs and headings,
images with agency credits and photographers, authors, topics, a credit line such as
``js/msh (AP, Reuters)``, and dates that are either exact (UTC) or known only to the day.
Everything is derived from a seed, so a test can rebuild the same article to store it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from scraper.article import Article, Author, Block, CreditLine, Image, Video


def _words(value: str) -> list[str]:
    return value.split()


WORDS: dict[str, list[str]] = {
    "en": _words(
        "government election minister parliament protest economy climate energy border "
        "refugees war ceasefire talks summit president opposition court ruling police "
        "investigation report inflation market growth vaccine hospital drought flood harvest "
        "football championship festival museum"
    ),
    "de": _words(
        "Regierung Wahl Minister Bundestag Protest Wirtschaft Klima Energie Grenze "
        "Flüchtlinge Krieg Waffenruhe Gespräche Gipfel Präsident Opposition Gericht Urteil "
        "Polizei Ermittlungen Bericht Inflation Markt Wachstum Impfstoff Krankenhaus Dürre "
        "Hochwasser Ernte Fußball Meisterschaft Übersetzung Straßenbahn"
    ),
    "ru": _words(
        "правительство выборы министр парламент протест экономика климат энергия граница "
        "беженцы война перемирие переговоры саммит президент оппозиция суд решение полиция "
        "расследование доклад инфляция рынок рост вакцина больница засуха наводнение Москва"
    ),
    "ar": _words(
        "الحكومة الانتخابات الوزير البرلمان احتجاج الاقتصاد المناخ الطاقة الحدود اللاجئين "
        "الحرب وقف إطلاق النار محادثات قمة الرئيس المعارضة المحكمة الشرطة تحقيق تقرير "
        "التضخم السوق النمو اللقاح المستشفى الجفاف الفيضانات"
    ),
    "zh": list(
        "政府选举部长议会抗议经济气候能源边境难民战争停火谈判峰会总统反对派法院裁决警方调查报告"
        "通货膨胀市场增长疫苗医院干旱洪水收成足球锦标赛节日博物馆德国之声北京上海柏林"
    ),
}
AGENCIES = ["AP", "AFP", "Reuters", "dpa", "epd", "KNA", "Getty Images", "picture alliance"]
TOPICS = ["Germany", "Europe", "Russia", "Ukraine", "China", "Middle East", "Africa", "Climate"]
PEOPLE = ["Anna Schmidt", "Jonas Weber", "Mariam Haddad", "Li Wei", "Olga Ivanova", "Tom Brady"]
INITIALS = ["js", "tg", "msh", "dh", "ab", "kb", "rs", "ln"]


def _sentence(rng: random.Random, lang: str, n: int) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(n)]
    if lang == "zh":
        return "".join(words) + "。"
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + "."


def make_article(
    dw_id: int = 1000,
    *,
    lang: str = "en",
    seed: int | None = None,
    paragraphs: int = 8,
    day_precision: bool | None = None,
    **overrides: Any,
) -> Article:
    """A realistic article; the same (dw_id, lang, seed) always gives the same record."""
    rng = random.Random(seed if seed is not None else dw_id)
    slug = "-".join(rng.choice(WORDS["en"]) for _ in range(4))
    url = f"https://www.dw.com/{lang}/{slug}/a-{dw_id}"
    blocks: list[Block] = []
    images: list[Image] = []
    for p in range(paragraphs):
        if p and p % 3 == 0:
            blocks.append(Block("heading", _sentence(rng, lang, 4).rstrip(".。"), level=2))
        if p and p % 4 == 0:
            agency = rng.choice(AGENCIES)
            photographer = rng.choice(PEOPLE)
            images.append(
                Image(
                    url=f"https://static.dw.com/image/{dw_id}{p}_6.jpg",
                    caption=_sentence(rng, lang, 8),
                    credit=f"{photographer}/{agency}",
                    alt=_sentence(rng, lang, 4),
                    agencies=(agency,),
                    photographers=(photographer,),
                )
            )
            blocks.append(Block("image", images[-1].caption, image=len(images) - 1))
        blocks.append(Block("paragraph", " ".join(_sentence(rng, lang, 14) for _ in range(4))))
    text = "\n\n".join(b.text or "" for b in blocks if b.type in ("paragraph", "heading"))
    writers = tuple(rng.sample(INITIALS, rng.randint(1, 2)))
    editors = (rng.choice(INITIALS),)
    text_agencies = tuple(rng.sample(AGENCIES[:5], rng.randint(0, 2)))
    credit = CreditLine(
        f"{','.join(writers)}/{editors[0]}"
        + (f" ({', '.join(text_agencies)})" if text_agencies else ""),
        writers,
        editors,
        text_agencies,
    )
    published: dt.datetime | dt.date
    base = dt.datetime(2015, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(5_000_000))
    exact = rng.random() > 0.3 if day_precision is None else not day_precision
    published = base.replace(second=0, microsecond=0) if exact else base.date()
    title = _sentence(rng, lang, 7).rstrip(".。")
    fields: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "dw_id": dw_id,
        "content_type": "article",
        "layout": rng.choice(["classic", "relaunch"]),
        "language": lang,
        "title": title,
        "short_url": f"https://p.dw.com/p/{_code(dw_id)}",
        "kicker": rng.choice(TOPICS),
        "topics": tuple(rng.sample(TOPICS, rng.randint(1, 3))),
        "teaser": _sentence(rng, lang, 20),
        "published_at": published,
        "modified_at": base + dt.timedelta(hours=rng.randint(0, 48)) if exact else None,
        "authors": tuple(Author(n, None) for n in rng.sample(PEOPLE, rng.randint(0, 2))),
        "blocks": tuple(blocks),
        "text": text,
        "images": tuple(images),
        "videos": (Video(f"https://tvdownloaddw-a.akamaihd.net/{dw_id}.mp4", "Video", 95),)
        if rng.random() < 0.2
        else (),
        "credit_line": credit,
        "agencies": text_agencies,
        "parser_version": "1.0.0",
    }
    fields.update(overrides)
    return finish(Article(**fields))


def finish(article: Article) -> Article:
    """Recompute word count and content hash after changing an article's text."""
    words = len(article.text.split()) if article.language != "zh" else len(article.text)
    basis = "\n".join([article.title or "", article.teaser or "", article.text])
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()
    return article.with_changes(word_count=words, content_hash=f"sha256:{digest}")


def _code(n: int) -> str:
    alphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    out = ""
    n += 12_345_678
    while n:
        n, r = divmod(n, len(alphabet))
        out += alphabet[r]
    return out
