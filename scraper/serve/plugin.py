"""The Datasette plugin of `dwscrape serve`: what plain Datasette cannot show of the schema.

- Agencies and topics live in link tables, so Datasette's column facets cannot count them: a
  ``dwscrape`` facet type counts the articles of the current result per agency or topic, and
  the ``?_agency=`` / ``?_topic=`` filters it toggles restrict the articles table to them.
- Titles in the articles table link to a readable article page (``/-/dwscrape/article/<id>``)
  rendered from the current revision's record: body in order, images with captions and
  credits, the credit line spelled out.

Everything is switched on per database by ``plugins.dwscrape`` in the metadata
(`scraper.serve.metadata`), so other databases served by the same Datasette are untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

ARTICLE_ROUTE = "/-/dwscrape/article/"
TEMPLATE = "dwscrape_article.html"


@dataclass(frozen=True, slots=True)
class Link:
    """An entity reached from articles through a link table."""

    table: str  # the link table
    column: str  # its column pointing at the entity
    entity: str  # the entity table (with a `name` column)

    def article_ids(self, param: str) -> str:
        return (
            f"select l.article_id from {self.table} l join {self.entity} e "
            f"on e.id = l.{self.column} where e.name = :{param}"
        )


LINKS = {
    "agency": Link("article_agencies", "agency_id", "agencies"),
    "topic": Link("article_topics", "topic_id", "topics"),
}


def _enabled(datasette: Any, database: str | None) -> bool:
    return bool(database) and datasette.plugin_config("dwscrape", database=database) is not None


class LinkFacet(Facet):
    """Counts of the current articles per agency or topic (``{"dwscrape": "agency"}``)."""

    type = "dwscrape"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        if not _enabled(self.ds, self.database):
            return results, timed_out
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            name = source_and_config["config"].get("simple")
            link = LINKS.get(name)
            if link is None:
                continue
            sql = (
                f"select e.name as value, count(distinct t.id) as count from ({self.sql}) t "
                f"join {link.table} l on l.article_id = t.id "
                f"join {link.entity} e on e.id = l.{link.column} "
                f"group by e.name order by count desc, value limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(name)
                continue
            results.append(
                {
                    "name": name,
                    "type": self.type,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {f"_facet_{self.type}": name})
                    ),
                    "results": [self._value(name, row) for row in rows.rows[:size]],
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out

    def _value(self, name: str, row: Any) -> dict[str, Any]:
        key, value = f"_{name}", row["value"]
        selected = (key, value) in self.get_querystring_pairs()
        toggle = path_with_removed_args if selected else path_with_added_args
        path = toggle(self.request, {key: value})
        return {
            "value": value,
            "label": value,
            "count": row["count"],
            "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
            "selected": selected,
        }


@hookimpl
def register_facet_classes() -> list[type]:
    return [LinkFacet]


@hookimpl
def filters_from_request(
    request: Any, database: str, table: str, datasette: Any
) -> FilterArguments | None:
    """``?_agency=AFP`` and ``?_topic=Russia`` on the articles table."""
    if table != "articles" or not _enabled(datasette, database):
        return None
    where: list[str] = []
    params: dict[str, str] = {}
    described: list[str] = []
    for name, link in LINKS.items():
        value = request.args.get(f"_{name}")
        if value:
            param = f"dwscrape_{name}"
            where.append(f"id in ({link.article_ids(param)})")
            params[param] = value
            described.append(f'{name} is "{value}"')
    return FilterArguments(where, params, described)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str, database: str, datasette: Any
) -> Markup | None:
    """Article titles link to the readable article page."""
    if table != "articles" or column != "title" or value is None:
        return None
    if not _enabled(datasette, database):
        return None
    try:
        article_id = row["id"]
    except (IndexError, KeyError):  # the id column is not among the selected ones
        return None
    href = datasette.urls.path(f"{ARTICLE_ROUTE}{article_id}")
    return Markup(f'<a class="dwscrape-article" href="{escape(href)}">{escape(value)}</a>')


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^{ARTICLE_ROUTE}(?P<article_id>\d+)$", article_page)]


async def article_page(datasette: Any, request: Any) -> Response:
    """The current version of one article, readable: from its revision's full record."""
    names = [name for name in datasette.databases if _enabled(datasette, name)]
    if not names:
        raise NotFound("no dwscrape database is served")
    article_id = int(request.url_vars["article_id"])
    result = await datasette.get_database(names[0]).execute(
        "select a.id, a.dw_id, a.current_revision, a.last_fetched_at, r.record "
        "from articles a join article_revisions r "
        "on r.article_id = a.id and r.revision_no = a.current_revision where a.id = :id",
        {"id": article_id},
    )
    row = result.first()
    if row is None:
        raise NotFound(f"no article with id {article_id}")
    record = json.loads(row["record"])
    context = {
        "database": names[0],
        "row": dict(row),
        "article": record,
        "figures": figures(record),
        "credit": credit_parts(record.get("credit_line")),
    }
    html = await datasette.render_template(TEMPLATE, context, request=request)
    return Response.html(html)


def figures(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The images of a record split into those placed by a body block ("inline", by index) and
    the others, shown above the body ("lead": the hero image has no block)."""
    images = record.get("images") or []
    placed = {b.get("image") for b in record.get("blocks") or [] if b.get("image") is not None}
    return {
        "lead": [img for i, img in enumerate(images) if i not in placed],
        "inline": images,
    }


def credit_parts(credit: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The credit line spelled out: (label, value) for writers, editors and agencies."""
    if not credit:
        return []
    parts = [
        ("Written by", ", ".join(credit.get("writers") or [])),
        ("Edited by", ", ".join(credit.get("editors") or [])),
        ("Agencies", ", ".join(credit.get("agencies") or [])),
    ]
    return [(label, value) for label, value in parts if value]
