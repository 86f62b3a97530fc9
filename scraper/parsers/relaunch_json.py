"""The relaunch page's embedded JSON, parsed once per page: the Apollo state (React's data
cache, ``window.__APOLLO_STATE__={…}``) and the JSON-LD ``NewsArticle`` (or video, gallery,
live blog). Embedded JSON is the most trusted source of a relaunch field."""

from __future__ import annotations

import json
from typing import Any

from scraper.article import ContentType
from scraper.parsers.page import Page

#: Apollo entity types of article-like pages -> content type.
APOLLO_CONTENT_TYPES: dict[str, ContentType] = {
    "Article": "article",
    "Video": "video",
    "Audio": "audio",
    "ImageGallery": "gallery",
    "Liveblog": "liveblog",
    "LiveBlog": "liveblog",
}
JSONLD_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "VideoObject",
        "AudioObject",
        "ImageGallery",
        "MediaGallery",
    }
)


class EmbeddedJson:
    """``apollo`` (the whole state), ``content`` (the page's own entity: the ``content(…)``
    entry of ``ROOT_QUERY``, resolved) and ``jsonld`` (the first JSON-LD item of an
    article-like type, ``@graph`` searched too); each ``{}`` when absent or broken."""

    def __init__(self, page: Page, apollo_mark: str) -> None:
        self.apollo: dict[str, Any] = self._load_apollo(page, apollo_mark)
        self.content: dict[str, Any] = self._apollo_content()
        self.jsonld: dict[str, Any] = self._load_jsonld(page)

    def _load_apollo(self, page: Page, mark: str) -> dict[str, Any]:
        text = page.script_text(mark)
        state = raw_decode_after(text, mark) if text is not None else None
        return state if isinstance(state, dict) else {}

    def _apollo_content(self) -> dict[str, Any]:
        query = self.apollo.get("ROOT_QUERY")
        if not isinstance(query, dict):
            return {}
        for key, value in query.items():
            if key.startswith("content(") and isinstance(value, dict):
                entity = self.resolve(value)
                if isinstance(entity, dict):
                    return entity
        return {}

    def resolve(self, value: Any) -> Any:
        """Follow an Apollo ``{"__ref": "Article:1"}`` reference (one level)."""
        if isinstance(value, dict) and "__ref" in value:
            return self.apollo.get(str(value["__ref"]))
        return value

    def _load_jsonld(self, page: Page) -> dict[str, Any]:
        for script in page.root.iter("script"):
            if script.get("type") != "application/ld+json":
                continue
            data = load_json(script.text)
            candidates = data if isinstance(data, list) else [data]
            for item in list(candidates):
                if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                    candidates.extend(item["@graph"])
            for item in candidates:
                if not isinstance(item, dict):
                    continue
                types = item.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(t in JSONLD_TYPES for t in types):
                    return item
        return {}


def load_json(text: str | None) -> Any:
    """Parse JSON; None when it is not valid JSON (never raises)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def raw_decode_after(text: str, marker: str) -> Any:
    """The JSON value following ``marker`` in ``text`` (``window.__APOLLO_STATE__=``), read
    with `json.JSONDecoder.raw_decode` so trailing JavaScript does not matter."""
    start = text.find(marker)
    if start < 0:
        return None
    pos = start + len(marker)
    while pos < len(text) and text[pos] in " \t\r\n=":
        pos += 1
    try:
        value, _ = json.JSONDecoder().raw_decode(text, pos)
    except (ValueError, RecursionError):
        return None
    return value
