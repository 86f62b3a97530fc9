"""Soft 404s: a missing page that DW serves as 200 in its own chrome.

The decision is structural. A page whose layout was recognised (it wears DW's chrome) but
whose markup names no content of its own — no canonical content URL (``…/a-123``), no id in
the embedded data — and that holds no article body is no article: `check_soft_404` raises
`scraper.errors.SoftNotFoundError`. The URL the page was fetched from does not count: a
missing page answers at any URL. A "page not found" title is only a second signal: without
a body it marks the page as missing even when the markup echoes a content URL, and with a
body it decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scraper.errors import SoftNotFoundError
from scraper.parsers import fastpaths as fp
from scraper.parsers.base import HtmlElement
from scraper.parsers.common import canonical_or_none
from scraper.parsers.page import Page
from scraper.urls import content_type_from_url

#: Title wordings of a missing page, by language, compared case-insensitively as parts of
#: the page's title. UNVERIFIED: no sample of DW's error page exists here; these are the
#: usual phrasings of a "page not found" notice in each DW language, kept as a secondary
#: signal only (the structural test decides on its own).
NOT_FOUND_TITLES: dict[str, tuple[str, ...]] = {
    "en": ("page not found", "not found", "error 404"),
    "de": ("seite nicht gefunden", "nicht gefunden", "fehler 404"),
    "fr": ("page introuvable", "page non trouvée", "erreur 404"),
    "es": ("página no encontrada", "no se encontró la página", "error 404"),
    "pt": ("página não encontrada", "erro 404"),
    "it": ("pagina non trovata",),
    "pl": ("nie znaleziono strony", "strona nie została znaleziona"),
    "ro": ("pagina nu a fost găsită",),
    "ru": ("страница не найдена",),
    "uk": ("сторінку не знайдено", "сторінка не знайдена"),
    "bg": ("страницата не е намерена",),
    "tr": ("sayfa bulunamadı",),
    "el": ("η σελίδα δεν βρέθηκε",),
    "id": ("halaman tidak ditemukan",),
    "sw": ("ukurasa haupatikani",),
    "ar": ("الصفحة غير موجودة", "لم يتم العثور على الصفحة"),
    "fa": ("صفحه پیدا نشد", "صفحه یافت نشد"),
    "zh": ("页面未找到", "找不到页面", "頁面未找到", "找不到頁面"),
}
_WORDINGS = tuple(w.casefold() for words in NOT_FOUND_TITLES.values() for w in words)


def is_not_found_title(*titles: str | None) -> bool:
    """True when any of ``titles`` (the ``h1``, ``<title>``, ``og:title``) carries a
    not-found wording of `NOT_FOUND_TITLES`."""
    for title in titles:
        if title:
            folded = " ".join(title.split()).casefold()
            if any(wording in folded for wording in _WORDINGS):
                return True
    return False


def page_titles(page: Page, h1: HtmlElement | None) -> list[str | None]:
    """The titles a missing page would word: its ``h1``, ``<title>`` and ``og:title``."""
    head_title = next(page.root.iter("title"), None)
    return [
        fp.text_of(h1) if h1 is not None else None,
        fp.text_of(head_title) if head_title is not None else None,
        page.meta("og:title"),
    ]


def names_content(urls: Iterable[Any], ids: Iterable[Any] = ()) -> bool:
    """True when the page's markup names content of its own: one of ``urls`` (canonical
    link, ``og:url``, embedded URLs) is a dw.com content URL (``a-``, ``av-``, ``video-``,
    … with an id: not ``…/error-404``), or one of ``ids`` (embedded ids) is a number."""
    for url in urls:
        canon = canonical_or_none(url) if isinstance(url, str) else None
        if canon and content_type_from_url(canon) is not None:
            return True
    for value in ids:
        if isinstance(value, int) and not isinstance(value, bool):
            return True
        if isinstance(value, str) and value.strip().isdigit():
            return True
    return False


def check_soft_404(
    *, names_own_content: bool, has_body: bool, titles: Iterable[str | None], url: str | None
) -> None:
    """Raise `SoftNotFoundError` for a page without a body that names no content of its own
    or whose title says the page was not found (see the module docstring)."""
    if has_body:
        return
    titles = tuple(titles)
    if not names_own_content:
        reason = "names no content of its own"
    elif is_not_found_title(*titles):
        reason = "is titled as a missing page"
    else:
        return
    raise SoftNotFoundError(
        f"soft 404: a DW page without an article body that {reason} (looked for a canonical "
        "content URL, an embedded content id, an article body and the title)",
        url=url,
    )
