"""What the demo site makes from its templates (``www/templates/``) instead of shipping files.

* Language samples: every DW language service of `scraper.languages` that has no page of its
  own on the site gets two articles, one with its language in the markup (``html lang``,
  ``inLanguage``) and one that names no language anywhere (no canonical link, no embedded
  data), so only its URL tells the language. Their feed (under the table's feed id, where one
  is known), article sitemap and news sitemap come from templates too.
* An archive (``DemoSite(archive={"fr": 36})``): the language's ``article-sitemap.xml``
  becomes a sitemap index of one ``article-sitemap-recent.xml`` and one sitemap per month
  (``article-sitemap-2021-07.xml``), each listing a few archived articles that are served but
  listed nowhere else, as on dw.com, where only the archive reaches old articles.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from string import Template

from scraper.languages import LANGUAGES, Language

SAMPLE_BASE_ID = 9_800_000
ARCHIVE_BASE_ID = 9_600_000
#: The newest archived month; the archive reaches back from here.
ARCHIVE_LAST_MONTH = (2023, 12)
_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


class Templates:
    """The template files, read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, Template] = {}

    def fill(self, template: str, **values: str) -> str:
        if template not in self._cache:
            self._cache[template] = Template((self.folder / template).read_text("utf-8"))
        escaped = {key: html.escape(value) for key, value in values.items()}
        return self._cache[template].substitute(escaped)


def sample_paths(lang: Language, index: int) -> tuple[str, str]:
    """The two sample articles of a language: with and without language data."""
    seg = lang.segment
    base = SAMPLE_BASE_ID + index * 10
    return (
        f"/{seg}/demo-story-{seg}/a-{base + 1}",
        f"/{seg}/demo-story-{seg}-without-language-data/a-{base + 2}",
    )


def language_samples(templates: Templates, have_pages: set[str]) -> dict[str, bytes]:
    """Sample articles for every language in the table without pages of its own."""
    pages: dict[str, bytes] = {}
    for index, lang in enumerate(LANGUAGES):
        if lang.segment in have_pages:
            continue
        rich, bare = sample_paths(lang, index)
        date = dt.datetime(2024, 1, 29, 6, index % 60, tzinfo=dt.UTC)
        pages[rich] = _article(templates, lang, rich, f"A {lang.name} story", date)
        title = f"A {lang.name} story without language data"
        pages[bare] = templates.fill("article-bare.html.tmpl", title=title).encode()
    return pages


def _article(
    templates: Templates, lang: Language, path: str, title: str, date: dt.datetime
) -> bytes:
    return templates.fill(
        "article.html.tmpl",
        lang=lang.segment,
        name=lang.name,
        title=title,
        path=path,
        date=date.isoformat().replace("+00:00", "Z"),
        day=date.strftime("%m/%d/%Y"),
    ).encode()


def archive_months(count: int) -> list[tuple[int, int]]:
    """``count`` months up to `ARCHIVE_LAST_MONTH`, oldest first."""
    year, month = ARCHIVE_LAST_MONTH
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def archive_path(seg: str, lang_index: int, month_index: int, year: int, month: int, k: int) -> str:
    story = ARCHIVE_BASE_ID + lang_index * 10_000 + month_index * 10 + k
    return f"/{seg}/archive-story-{year}-{month:02d}-{k}/a-{story}"


class Archive:
    """One language's archive: its index, monthly sitemaps and archived articles."""

    def __init__(self, templates: Templates, lang: Language, months: int, per_month: int) -> None:
        self.lang = lang
        self.months = archive_months(months)
        self.per_month = min(per_month, 9)
        lang_index = LANGUAGES.index(lang) if lang in LANGUAGES else 99
        self.entries: dict[tuple[int, int], list[tuple[str, dt.datetime]]] = {}
        self.pages: dict[str, bytes] = {}
        for m_index, (year, month) in enumerate(self.months):
            rows = []
            for k in range(1, self.per_month + 1):
                path = archive_path(lang.segment, lang_index, m_index, year, month, k)
                when = dt.datetime(year, month, k, 12, 0, tzinfo=dt.UTC)
                rows.append((path, when))
                title = f"Archived {lang.name} story {year}-{month:02d} #{k}"
                self.pages[path] = _article(templates, lang, path, title, when)
            self.entries[(year, month)] = rows

    def index(self) -> str:
        seg = self.lang.segment
        rows = [
            f"<sitemap><loc>https://www.dw.com/{seg}/article-sitemap-recent.xml</loc>"
            "<lastmod>2024-01-30T09:00:00Z</lastmod></sitemap>"
        ]
        for year, month in self.months:
            rows.append(
                f"<sitemap><loc>https://www.dw.com/{seg}/article-sitemap-{year}-{month:02d}.xml"
                f"</loc><lastmod>{year}-{month:02d}-28T00:00:00Z</lastmod></sitemap>"
            )
        body = "\n".join(rows)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_SITEMAP_NS}>\n{body}\n</sitemapindex>\n'

    def month(self, year: int, month: int) -> str | None:
        rows = self.entries.get((year, month))
        if rows is None:
            return None
        urls = "\n".join(
            f"<url><loc>https://www.dw.com{path}</loc>"
            f"<lastmod>{when.isoformat().replace('+00:00', 'Z')}</lastmod></url>"
            for path, when in rows
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SITEMAP_NS}>\n{urls}\n</urlset>\n'
        )

    def urls(self) -> list[str]:
        """Every archived article's DW URL."""
        return [f"https://www.dw.com{path}" for rows in self.entries.values() for path, _ in rows]
