"""Full-text search over stored articles, on SQLite FTS5 or PostgreSQL tsvector + pg_trgm.

Query language (parsed by `db.search_syntax`): words, all of which must occur (``putin election``),
``"quoted phrases"``, prefixes (``Put*``) and exclusions (``-Kim``).
Each term is routed to the index that can find it:
- words of scripts that separate words with spaces (Latin, Cyrillic, Arabic, Greek, …) go to
  the word index (FTS5 ``unicode61 remove_diacritics 2``; PostgreSQL ``tsvector`` with the
  ``dwscrape_simple`` configuration — ``simple`` behind ``unaccent`` —, in the narrow table
  `article_search`), ranked by BM25 /
  ``ts_rank_cd`` with title > teaser > body;
- terms in scripts written without spaces (Chinese, Japanese, Thai, and Korean, whose words
  carry attached particles) are matched as substrings through the trigram index (FTS5
  ``trigram``; ``pg_trgm`` GIN + ``ILIKE``). Substrings shorter than three characters have no
  trigram, so such a term (``中国``) falls back to a scan with ``LIKE``: correct, but slower.

Snippets are cut in Python around the first match in the body (or teaser, or title), with the
matches wrapped in « », the same on both databases.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    case,
    column,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from db import models as m
from db.filters import (
    ArticleFilter,
    column_clauses,
    entity_clauses,
    filter_clauses,
    resolve_entities,
)
from db.search_syntax import (
    NO_SPACE_SCRIPT,
    Term,
    fts5_any,
    fts5_expression,
    fts5_phrase,
    parse_query,
    tsquery,
)

SNIPPET_CHARS = 200
MARK_OPEN, MARK_CLOSE = "«", "»"

#: The predicate of PostgreSQL's partial trigram indexes; queries must repeat it verbatim (as
#: a literal, not a parameter) for the planner to use them. Same ranges as `NO_SPACE_SCRIPT`.
POSTGRES_NO_SPACE_REGEX = (
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff]"
)
#: PostgreSQL: each article's weighted search vector, in a narrow table of its own kept by
#: triggers on `articles` (migration 0003). Not a model: it exists on PostgreSQL only. The
#: ``tsvector`` column is left untyped: the SQL written with it needs no type, and naming
#: `TSVECTOR` would import the PostgreSQL dialect into every SQLite command.
SEARCH_VECTORS = table("article_search", column("article_id", Integer), column("search_vector"))


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    dw_id: int | None
    url: str
    title: str | None
    language: str | None
    content_type: str
    published: dt.datetime | dt.date | None
    score: float  # higher is better; comparable within one result list only
    snippet: str


def needs_trigram(row: dict[str, Any]) -> bool:
    """Whether an article row belongs in the trigram index: it has text in a no-space script
    (the same test as the SQLite triggers' GLOB and PostgreSQL's partial-index predicate)."""
    return any(
        NO_SPACE_SCRIPT.search(row[c] or "") is not None for c in ("title", "teaser", "text")
    )


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _substring_clause(term: str, dialect: str) -> ColumnElement[bool]:
    a = m.articles
    pattern = _like_pattern(term)
    cols = (a.c.title, a.c.teaser, a.c.text)
    if dialect == "postgresql":
        if NO_SPACE_SCRIPT.search(term):
            predicate: Any = literal_column(f"'{POSTGRES_NO_SPACE_REGEX}'")
            return or_(*(and_(c.op("~")(predicate), c.ilike(pattern, escape="\\")) for c in cols))
        return or_(*(c.ilike(pattern, escape="\\") for c in cols))
    return or_(*(c.like(pattern, escape="\\") for c in cols))


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to rank one query: the row source, its id column, the score expression over it,
    and the conditions (match and filters)."""

    source: Any
    id_col: Any
    score: Any
    conditions: list[Any]
    fts: str | None = None  # the SQLite FTS5 table ranking the query (conditions[0] matches)
    #: Score the candidates in the statement that finds them (PostgreSQL's word index).
    score_in_place: bool = False


def _fts_ids(name: str, param: str, expression: str) -> Any:
    """The ids of the articles an FTS5 table matches, as a subquery."""
    query = text(f"SELECT rowid FROM {name} WHERE {name} MATCH :{param}")
    return query.bindparams(**{param: expression}).columns(column("rowid"))


def _build_sqlite(terms: list[Term], flt: ArticleFilter, entity_ids: dict[str, list[int]]) -> _Plan:
    a = m.articles
    clauses = filter_clauses(flt, entity_ids)
    words = [t for t in terms if not t.trigram]
    long_tri = [t for t in terms if t.trigram and not t.short and not t.negated]
    short_tri = [t for t in terms if t.trigram and t.short and not t.negated]
    extra = [_substring_clause(t.text, "sqlite") for t in short_tri]
    extra += [not_(_substring_clause(t.text, "sqlite")) for t in terms if t.trigram and t.negated]
    tri_expression = " ".join(fts5_phrase(t.text) for t in long_tri)
    if any(not t.negated for t in words):
        name, expression = "articles_fts", fts5_expression(words)
        if long_tri:
            extra.append(a.c.id.in_(_fts_ids("articles_fts_tri", "tq", tri_expression)))
    else:
        # Only exclusions in the word index (FTS5's NOT needs a left side): a NOT IN.
        if words:
            extra.append(a.c.id.not_in(_fts_ids("articles_fts", "nq", fts5_any(words))))
        if not long_tri:
            return _Plan(a, a.c.id, _title_bonus(short_tri, "sqlite"), [*extra, *clauses])
        name, expression = "articles_fts_tri", tri_expression
    fts = table(name, column("rowid"))
    match = text(f"{name} MATCH :fq").bindparams(fq=expression)
    # The articles table joins in only when a filter needs its columns: the ids of the
    # matches come from the index alone.
    needs_rows = bool(extra or clauses)
    source = fts.join(a, a.c.id == fts.c.rowid) if needs_rows else fts
    score: Any = -literal_column(f"bm25({name}, 10.0, 4.0, 1.0)")
    return _Plan(source, fts.c.rowid, score, [match, *extra, *clauses], fts=name)


def _title_bonus(terms: list[Term], dialect: str) -> Any:
    """Score for pure substring queries: a match in the title counts more."""
    a = m.articles
    op = "ilike" if dialect == "postgresql" else "like"
    score: Any = literal_column("0.0")
    for t in terms:
        score = score + case(
            (getattr(a.c.title, op)(_like_pattern(t.text), escape="\\"), 1.0), else_=0.0
        )
    return score


def _all_of(parts: list[Any]) -> Any:
    """The tsqueries joined with ``&&`` as a balanced tree: a left-deep chain of thousands of
    terms exhausts Python's recursion limit when SQLAlchemy compiles it (and the server's
    stack when it parses it); a balanced one is only log2(n) deep."""
    while len(parts) > 1:
        pairs = zip(parts[0::2], parts[1::2], strict=False)
        joined = [left.op("&&")(right) for left, right in pairs]
        parts = joined + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def _build_postgres(
    terms: list[Term], flt: ArticleFilter, entity_ids: dict[str, list[int]]
) -> _Plan:
    a = m.articles
    words = [t for t in terms if not t.trigram]
    tri = [t for t in terms if t.trigram]
    extra = [
        not_(_substring_clause(t.text, "postgresql"))
        if t.negated
        else _substring_clause(t.text, "postgresql")
        for t in tri
    ]
    if words:
        tsq = _all_of([tsquery(t, f"w{i}", TS_CONFIG) for i, t in enumerate(words)])
        s = SEARCH_VECTORS
        columns = column_clauses(flt)
        # The article rows join in only when a filter or a substring term needs their columns;
        # entity filters probe their link tables by `article_search.article_id`.
        source = s.join(a, a.c.id == s.c.article_id) if columns or extra else s
        conditions = [
            s.c.search_vector.op("@@")(tsq),
            *extra,
            *columns,
            *entity_clauses(flt, entity_ids, s.c.article_id),
        ]
        score = func.ts_rank_cd(s.c.search_vector, tsq)
        return _Plan(source, s.c.article_id, score, conditions, score_in_place=True)
    return _Plan(
        a, a.c.id, _title_bonus(tri, "postgresql"), [*extra, *filter_clauses(flt, entity_ids)]
    )


#: At most this many matches (the newest, by article id) are ranked for one query. Rare and
#: medium terms never reach it, so their ranking is exact; a term in nearly every article
#: ("the", "und") would otherwise have BM25 / ts_rank_cd computed for every match (0.3-0.8 s at
#: 100k articles). Trade-off: the best-ranked hits of such a query come from its newest
#: `RANK_CANDIDATES` matches (after filters), not from the whole archive.
RANK_CANDIDATES = 2000

#: PostgreSQL text-search configuration of the stored vectors and of every query (migration
#: 0004): ``simple`` (no stemming, every language alike) behind ``unaccent``, so accents fold
#: as in SQLite's FTS5 (`uber` finds `über`).
TS_CONFIG = "dwscrape_simple"


#: SQLite: a covering index of the filter columns (migration 0002). Joined to the FTS5 matches
#: through it, filters never read the wide article rows (whose later columns sit in overflow
#: pages behind the text); SQLite's planner prefers the rowid lookup, hence the hint.
SQLITE_FILTER_INDEX = "ix_articles_search_filter"


def _ranked_ids(conn: Connection, plan: _Plan, limit: int) -> list[Any]:
    """(id, score) of the best `limit` matches, best first.

    First the candidate ids, newest first and at most `RANK_CANDIDATES` (index work only: no
    ranking function, no wide rows), then the ranking function over the candidates alone,
    then nothing else: the article rows are read only for the hits that are returned.

    On PostgreSQL's word index both steps are one statement: ``ts_rank_cd`` scores each
    candidate from the `article_search` row the scan fetched anyway (its vector is stored in
    the row), and an outer query orders the capped candidates by score. The vectors never
    enter a sort: sorting 1,500 of them by id spilled to disk with the default 4 MB work_mem.
    The subquery's LIMIT keeps PostgreSQL from flattening it; when the scan is the backward
    walk of the primary key (frequent terms), only the rows that reach the cap are scored, and
    when it is the GIN bitmap (up to a few thousand matches), every match is."""
    a = m.articles
    joined = plan.fts is not None and plan.source is not plan.id_col.table
    candidates = (
        select(plan.id_col.label("id"))
        .select_from(plan.source)
        .where(*plan.conditions)
        .order_by(plan.id_col.desc())
        .limit(RANK_CANDIDATES)
    )
    if plan.score_in_place:
        scored = candidates.add_columns(plan.score.label("score")).subquery("candidates")
        best = (
            select(scored.c.id, scored.c.score)
            .order_by(scored.c.score.desc(), scored.c.id.desc())
            .limit(limit)
        )
        return list(conn.execute(best).all())
    if joined:
        candidates = candidates.with_hint(a, f"INDEXED BY {SQLITE_FILTER_INDEX}", "sqlite")
    ids = conn.execute(candidates).scalars().all()
    if not ids:
        return []
    if plan.fts is not None:
        # bm25() needs the MATCH in its own query. The candidates' id range bounds the scan of
        # the index; membership is tested by SQLite (the unary + keeps the IN away from FTS5,
        # which would re-run the MATCH once per id).
        ranked = (
            select(plan.id_col.label("id"), plan.score.label("score"))
            .select_from(plan.id_col.table)
            .where(
                plan.conditions[0],
                plan.id_col >= min(ids),
                text(f"+{plan.fts}.rowid IN (SELECT value FROM json_each(:ids))").bindparams(
                    ids=json.dumps(ids)
                ),
            )
        )
    else:
        ranked = select(plan.id_col.label("id"), plan.score.label("score")).where(
            plan.id_col.in_(ids)
        )
    ranked = ranked.order_by(plan.score.desc(), plan.id_col.desc()).limit(limit)
    return list(conn.execute(ranked).all())


def run_search(conn: Connection, query: str, flt: ArticleFilter) -> list[SearchHit]:
    """Run a search (see the module docstring) and return up to ``flt.limit`` hits."""
    a = m.articles
    terms = parse_query(query)
    entity_ids = resolve_entities(conn, flt)
    if entity_ids is None:
        return []  # the agency, author or topic named does not exist
    dialect = conn.dialect.name
    limit = flt.limit if flt.limit is not None else 20
    if query.strip() and not terms:
        return []  # only punctuation: nothing can match (an empty query lists the newest)
    if terms:
        builder = _build_postgres if dialect == "postgresql" else _build_sqlite
        ranked = _ranked_ids(conn, builder(terms, flt, entity_ids), limit)
    else:
        # No terms: the newest articles matching the filters.
        newest = (
            select(a.c.id, literal_column("0.0").label("score"))
            .where(*filter_clauses(flt, entity_ids))
            .order_by(a.c.published_date.desc().nulls_last(), a.c.id.desc())
            .limit(limit)
        )
        ranked = list(conn.execute(newest).all())
    if not ranked:
        return []
    rows = {
        row.id: row
        for row in conn.execute(
            select(
                a.c.id,
                a.c.dw_id,
                a.c.canonical_url,
                a.c.title,
                a.c.language,
                a.c.content_type,
                a.c.published_at,
                a.c.published_date,
                a.c.teaser,
                a.c.text,
            ).where(a.c.id.in_([r.id for r in ranked]))
        )
    }
    hits = []
    for ranked_row in ranked:
        row = rows[ranked_row.id]
        published = row.published_at or row.published_date
        hits.append(
            SearchHit(
                article_id=row.id,
                dw_id=row.dw_id,
                url=row.canonical_url,
                title=row.title,
                language=row.language,
                content_type=row.content_type,
                published=published,
                score=float(ranked_row.score or 0.0),
                snippet=make_snippet(terms, row.title, row.teaser, row.text),
            )
        )
    return hits


# ---------------------------------------------------------------------- snippets


def _fold_fast(value: str) -> tuple[str, Sequence[int]] | None:
    """The text as it is: the fast patterns match it case-insensitively (``re.IGNORECASE``
    folds character by character, so every offset stays put, even in German text with ``ß``,
    whose full case folding changes its length)."""
    return value, range(len(value))


def _fold(value: str) -> tuple[str, Sequence[int]]:
    """Case- and diacritic-folded text plus, for every folded character, the index of the
    original character it came from (so matches found in the folded text map back)."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(value):
        base = "".join(
            c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
        ).casefold()
        for c in base or ch:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def _term_regex(term: Term, *, diacritics: bool = False) -> re.Pattern[str]:
    """The term's pattern over folded text (case and diacritics), or, with `diacritics`,
    a case-insensitive pattern over the text as it is."""
    folded = term.text if diacritics else _fold(term.text)[0]
    flags = re.IGNORECASE if diacritics else 0
    if term.trigram:
        return re.compile(re.escape(folded), flags)
    words = [re.escape(w) for w in re.split(r"\W+", folded) if w]
    end = r"\w*" if term.prefix else r"(?!\w)"
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + end, flags)


def make_snippet(terms: list[Term], title: str | None, teaser: str | None, body: str | None) -> str:
    """About `SNIPPET_CHARS` characters around the first match, matches marked « »."""
    shown = [t for t in terms if not t.negated]  # an excluded term is not in the article
    patterns = [_term_regex(t) for t in shown]
    fast_patterns = [_term_regex(t, diacritics=True) for t in shown]
    for source in (body, teaser, title):
        if not source:
            continue
        spans: list[tuple[int, int]] = []
        # Case-insensitive matching first (fast, C); the per-character diacritic folding only
        # when that finds nothing (a match that needed ``ü`` == ``u``).
        foldings: tuple[Callable[[str], tuple[str, Sequence[int]] | None], ...] = (
            _fold_fast,
            _fold,
        )
        for folding in foldings:
            done = folding(source)
            if done is None:
                continue
            folded, origin = done
            for pattern in fast_patterns if folding is _fold_fast else patterns:
                for match in pattern.finditer(folded):
                    if match.end() > match.start():
                        spans.append((origin[match.start()], origin[match.end() - 1] + 1))
            if spans:
                break
        if not spans and patterns:
            continue
        first = min(spans)[0] if spans else 0
        start = max(0, first - SNIPPET_CHARS // 3)
        if start > 0:
            space = source.rfind(" ", max(0, start - 20), start)
            start = space + 1 if space != -1 else start
        end = min(len(source), start + SNIPPET_CHARS)
        if end < len(source):
            space = source.find(" ", end, end + 20)
            end = space if space != -1 else end
        pieces: list[str] = []
        cursor = start
        for s, e in sorted(_merge(spans)):
            if e <= start or s >= end:
                continue
            s, e = max(s, start), min(e, end)
            pieces += [source[cursor:s], MARK_OPEN, source[s:e], MARK_CLOSE]
            cursor = e
        pieces.append(source[cursor:end])
        snippet = " ".join("".join(pieces).split())
        return ("…" if start > 0 else "") + snippet + ("…" if end < len(source) else "")
    return (teaser or title or "")[:SNIPPET_CHARS]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
