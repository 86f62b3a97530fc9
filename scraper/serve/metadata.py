"""Datasette metadata for a dwscrape database: titles, descriptions, facets, canned queries.

Datasette reads these as its ``metadata.json``; they describe the schema of `db/models.py` for
someone who opens the database without having read the code. The ``plugins.dwscrape`` entry
switches on `scraper.serve.plugin` (agency/topic facets, the article page) for this database
only.
"""

from __future__ import annotations

from typing import Any

from scraper.version import __version__

ARTICLE_COLUMNS = {
    "id": "dwscrape's row id (the article page is /-/dwscrape/article/<id>)",
    "dw_id": "DW's content id, the number at the end of the URL (a-66797777)",
    "canonical_url": "the URL DW declares canonical; one row per canonical URL",
    "url": "the URL the current version was fetched from",
    "short_url": "DW's short link (p.dw.com/p/…)",
    "content_type": "article, video, audio, gallery or liveblog",
    "layout": "the page layout the parser met: classic (before 2023) or relaunch",
    "language": "DW language code (en, de, ru, pt-br, …)",
    "title": "headline",
    "kicker": "the line above the headline (section | subject)",
    "teaser": "the lead paragraph",
    "text": "the body as plain text, paragraphs separated by blank lines",
    "blocks": "the body as JSON: paragraphs, headings, images, videos, quotes, lists in order",
    "videos": "embedded videos as JSON (url, title, duration_s)",
    "published_at": "publication time in UTC; empty when the page gives only the day",
    "published_date": "publication day (UTC); set whenever a date is known",
    "published_precision": "second or day: how precise the publication date is",
    "modified_at": "last update time in UTC, when DW states one",
    "modified_date": "last update day (UTC)",
    "modified_precision": "second or day",
    "credit_line": "the closing credit line as printed, e.g. js/msh (AP, Reuters)",
    "word_count": "words in the body",
    "content_hash": "hash of the record's content: a change means a new revision",
    "parser_version": "the dwscrape parser that extracted the current version",
    "current_revision": "number of the current revision (see article_revisions)",
    "raw_page_sha256": "the fetched page of the current version (raw_pages)",
    "first_seen_at": "when dwscrape first stored the article (UTC)",
    "last_fetched_at": "when the article was last fetched or confirmed unchanged (UTC)",
    "last_changed_at": "when the current version was stored (UTC)",
}

TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "title": "Articles",
        "description": (
            "One row per DW article, video, audio, gallery or live blog: its current version. "
            "Search with the box (all words must match, diacritics folded); facet by "
            "language, content type, agency and topic; click a title for the readable page."
        ),
        "columns": ARTICLE_COLUMNS,
        "facets": ["language", "content_type", {"dwscrape": "agency"}, {"dwscrape": "topic"}],
        "sort_desc": "published_date",
        "label_column": "title",
        "fts_table": "articles_fts",
        "fts_pk": "id",
    },
    "article_revisions": {
        "title": "Revisions",
        "description": "Every stored version of every article, with its full record as JSON.",
        "columns": {
            "revision_no": "1 for the first version, then one more per change",
            "cause": "new, source (DW changed the page) or parser (a newer parser extracted it)",
            "record": "the complete public record of this version (JSON)",
            "record_format": "which text form record was written in (empty: before 2026-12-07)",
            "created_at": "when this version was stored (UTC)",
        },
    },
    "authors": {"title": "Authors", "description": "People credited as authors."},
    "agencies": {"title": "Agencies", "description": "News and photo agencies (AFP, dpa, …)."},
    "topics": {"title": "Topics", "description": "DW's topic tags."},
    "article_authors": {"description": "Which authors wrote which article, in byline order."},
    "article_topics": {"description": "Which topics an article is tagged with."},
    "article_agencies": {
        "description": "Agencies credited by an article (role: text credit line or image).",
    },
    "article_credits": {
        "description": "Initials of the writers and editors in the closing credit line.",
    },
    "images": {
        "title": "Images",
        "description": "Images of each article in page order, with caption, credit and alt text.",
    },
    "image_agencies": {"description": "Agencies named in an image credit."},
    "image_photographers": {"description": "Photographers named in an image credit."},
    "url_aliases": {"description": "Every URL that led to an article (short links, variants)."},
    "raw_pages": {
        "title": "Raw pages",
        "description": "Fetched pages as bytes, compressed (zstd; older rows zlib), once per distinct content.",
    },
    "fetches": {"title": "Fetch log", "description": "Every HTTP fetch: status, outcome, timing."},
    "crawl_runs": {"title": "Runs", "description": "One row per crawl or scheduled run."},
    "frontier": {"description": "The queue of URLs to fetch, with retry state."},
}

#: Internal tables nobody browses: full-text index internals and bookkeeping.
HIDDEN = ("articles_fts_tri", "articles_fts_sync", "alembic_version")

QUERIES: dict[str, dict[str, Any]] = {
    "articles_by_agency_per_month": {
        "title": "Articles by agency per month",
        "description": "How many articles credit each agency, per month of publication.",
        "sql": (
            "select substr(a.published_date, 1, 7) as month, g.name as agency,\n"
            "  count(distinct a.id) as articles\n"
            "from articles a\n"
            "join article_agencies aa on aa.article_id = a.id\n"
            "join agencies g on g.id = aa.agency_id\n"
            "where a.published_date is not null\n"
            "group by month, agency\n"
            "order by month desc, articles desc, agency"
        ),
    },
    "latest_per_language": {
        "title": "Latest articles per language",
        "description": "The ten most recently published articles of each language.",
        "sql": (
            "select language, published, title, dw_id, id from (\n"
            "  select language, coalesce(published_at, published_date) as published,\n"
            "    title, dw_id, id, row_number() over (\n"
            "      partition by language\n"
            "      order by coalesce(published_at, published_date) desc) as n\n"
            "  from articles)\n"
            "where n <= 10\n"
            "order by language, published desc"
        ),
    },
    "revisions_of_article": {
        "title": "Revisions of an article",
        "description": "Every stored version of one article, by DW id (the number in its URL).",
        "sql": (
            "select r.revision_no, r.cause, r.created_at,\n"
            "  json_extract(r.record, '$.title') as title, r.content_hash, r.parser_version,\n"
            "  r.raw_page_sha256\n"
            "from article_revisions r join articles a on a.id = r.article_id\n"
            "where a.dw_id = :dw_id\n"
            "order by r.revision_no"
        ),
    },
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the dwscrape database Datasette calls `database`."""
    tables = {name: dict(table) for name, table in TABLES.items()}
    tables.update({name: {"hidden": True} for name in HIDDEN})
    return {
        "title": "dwscrape: Deutsche Welle articles",
        "description": (
            "Articles collected by dwscrape from dw.com, opened read-only. "
            "Start with the articles table or one of the canned queries."
        ),
        "source": f"dwscrape {__version__}",
        "source_url": "https://github.com/dwscrape/dwscrape",
        "databases": {
            database: {
                "tables": tables,
                "queries": QUERIES,
                "plugins": {"dwscrape": {"articles_table": "articles"}},
            }
        },
    }
