"""Storage benchmark: bulk upserts, unchanged re-upserts and search latency, SQLite and PostgreSQL.

Records are made from real parsed DW pages (``fixtures/dw/*.html`` and, when present,
``../shared/dw-pages/*.html``), varied per copy: a new DW id and URL, paragraphs shuffled and
subsets taken, a sentence of vocabulary words added, a date spread over ten years, and marker
words injected at fixed rates so that the search query mix has known frequencies:

    rare    ~10 articles per 100k     (``ostrogothic``, ``zeppelinfeld``)
    medium  ~1% of the articles       (``petrichor``, ``gravelbed``)
    common  every article             (real words: ``the``, ``und`` / ``die``)

Each class is run without filters and with filters (language + date range, and an agency).

    PYTHONPATH=. python benchmarks/store_bench.py                       # full run, table
    PYTHONPATH=. python benchmarks/store_bench.py --json                # one JSON object
    PYTHONPATH=. python benchmarks/store_bench.py --articles 200 --search-articles 1000 --repeat 3
    PostgreSQL: --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test (or
    DWSCRAPE_TEST_POSTGRES_URL); a scratch database is created and dropped.

Building the 100k search database takes minutes (PostgreSQL ~6-8). While iterating on search:

    ... --postgres-only --articles 0 --keep     # build once, keep it, print its URL
    ... --reuse URL                             # search only, on that database (migrated to
                                                # head first; never dropped: drop it yourself)

By default every run is clean and isolated: whatever it creates is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.databases import fresh_postgres  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.repository import Repository  # noqa: E402
from db.search import RANK_CANDIDATES  # noqa: E402
from scraper.article import Article, Block  # noqa: E402

RARE = ["ostrogothic", "zeppelinfeld"]
MEDIUM = ["petrichor", "gravelbed"]
COMMON = {"en": "the", "de": "die"}
BATCH = 500


def load_templates() -> list[Article]:
    """Parsed real pages with body text; the article factory if the parser is unavailable."""
    pages = sorted((ROOT / "fixtures" / "dw").glob("*.html"))
    pages += sorted((ROOT.parent / "shared" / "dw-pages").glob("*.html"))
    templates: list[Article] = []
    try:
        from scraper import ParseError, parse_page

        for page in pages:
            try:
                art = parse_page(page.read_bytes())
            except ParseError:  # the topic and non-DW fixture pages: not articles
                continue
            if len(art.text) > 500 and art.language in COMMON:
                templates.append(art)
    except ImportError:
        pass
    if not templates:
        from tests.support.articles import make_article

        templates = [make_article(i, lang=("en", "de")[i % 2]) for i in range(1, 9)]
    return templates


def _hash(article: Article) -> str:
    try:
        from scraper.article import content_hash_of

        return content_hash_of(article)
    except ImportError:
        import hashlib

        return hashlib.sha256(article.text.encode()).hexdigest()


class Varier:
    """Makes the i-th varied copy of the templates (deterministic)."""

    def __init__(self, templates: list[Article], total: int) -> None:
        self.templates = templates
        self.total = max(total, 1)
        self.vocab = sorted({w for t in templates for w in t.text.split() if w.isalpha()})

    def make(self, i: int, *, edit: int = 0) -> Article:
        rng = random.Random(i * 7919 + edit)
        tpl = self.templates[i % len(self.templates)]
        lang = tpl.language or "en"
        paragraphs = [b for b in tpl.blocks if b.type == "paragraph" and b.text]
        rng.shuffle(paragraphs)
        keep = paragraphs[: max(1, int(len(paragraphs) * rng.uniform(0.6, 1.0)))]
        extra = " ".join(rng.choice(self.vocab) for _ in range(25)) + "."
        markers = []
        if i % 10_000 == 17:
            markers.append(RARE[(i // 10_000) % 2])
        if i % 100 == 3:
            markers.append(MEDIUM[(i // 100) % 2])
        if edit:
            markers.append(f"edit{edit}")
        extra_block = Block("paragraph", " ".join([extra, *markers]))
        blocks = (*keep, extra_block)
        body = "\n\n".join(b.text or "" for b in blocks)
        dw_id = 80_000_000 + i
        url = f"https://www.dw.com/{lang}/bench-article-{i}/a-{dw_id}"
        published = dt.datetime(2014, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            minutes=int(i / self.total * 5_256_000)
        )
        art = tpl.with_changes(
            url=url,
            canonical_url=url,
            short_url=None,
            dw_id=dw_id,
            title=f"{tpl.title} {rng.choice(self.vocab)}",
            blocks=blocks,
            text=body,
            published_at=published,
            word_count=len(body.split()),
        )
        return art.with_changes(content_hash=_hash(art))

    def batches(self, start: int, stop: int, *, edit: int = 0) -> Iterator[list[Article]]:
        for lo in range(start, stop, BATCH):
            yield [self.make(i, edit=edit) for i in range(lo, min(stop, lo + BATCH))]


class Backend:
    """A scratch database: a temporary SQLite file or a throw-away PostgreSQL database."""

    def __init__(self, kind: str, postgres_url: str | None, workdir: Path) -> None:
        self.kind = kind
        self.postgres_url = postgres_url
        self.workdir = workdir
        self.drops: list[Callable[[], None]] = []

    def new(self, *, keep: bool = False) -> str:
        """A new, migrated database. With `keep`, it outlives the run (a SQLite file outside
        the temporary directory; a PostgreSQL database `close` does not drop)."""
        if self.kind == "sqlite":
            where = Path(tempfile.mkdtemp(prefix="dwscrape-bench-keep-")) if keep else self.workdir
            path = where / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
            url = f"sqlite:///{path}"
        else:
            assert self.postgres_url
            url, drop = fresh_postgres(self.postgres_url)
            if not keep:
                self.drops.append(drop)
        upgrade(url)
        return url

    def close(self) -> None:
        for drop in self.drops:
            drop()


def timed_store(
    repo: Repository, varier: Varier, n: int, *, edit: int = 0
) -> tuple[float, dict[str, int]]:
    """Articles per second for storing n varied records in batches (generation excluded)."""
    elapsed = 0.0
    statuses: dict[str, int] = {}
    for batch in varier.batches(0, n, edit=edit):
        t0 = time.perf_counter()
        for res in repo.store_articles(batch):
            statuses[res.status] = statuses.get(res.status, 0) + 1
        elapsed += time.perf_counter() - t0
    return n / elapsed, statuses


def bench_upserts(backend: Backend, varier: Varier, n: int, single: int) -> dict[str, Any]:
    url = backend.new()
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        new_rate, s1 = timed_store(repo, varier, n)
        same_rate, s2 = timed_store(repo, varier, n)
        changed_rate, s3 = timed_store(repo, varier, n // 10, edit=1)
        assert s1 == {"new": n} and s2 == {"unchanged": n}, (s1, s2)
        assert s3 == {"changed": n // 10}, s3
        # one article per transaction, as a crawler stores them
        arts = [varier.make(i) for i in range(n, n + single)]
        t0 = time.perf_counter()
        for art in arts:
            repo.store_article(art)
        single_rate = single / (time.perf_counter() - t0)
        return {
            "articles": n,
            "new_per_s": round(new_rate, 1),
            "unchanged_per_s": round(same_rate, 1),
            "changed_per_s": round(changed_rate, 1),
            "single_new_per_s": round(single_rate, 1),
        }
    finally:
        engine.dispose()


def build_search_db(backend: Backend, varier: Varier, n: int, *, keep: bool) -> tuple[str, float]:
    """A new database holding n varied records: its URL and the build time in seconds."""
    url = backend.new(keep=keep)
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        t0 = time.perf_counter()
        for batch in varier.batches(0, n):
            repo.store_articles(batch)
        return url, time.perf_counter() - t0
    finally:
        engine.dispose()


def bench_search(url: str, repeat: int) -> dict[str, Any]:
    """p50 / p95 of each query class on the database at `url` (built by `build_search_db`)."""
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        with engine.begin() as conn:
            n = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        since, until = dt.date(2016, 1, 1), dt.date(2021, 12, 31)
        queries: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for cls, terms in (
            ("rare", RARE),
            ("medium", MEDIUM),
            ("common", list(COMMON.values())),
        ):
            queries[cls] = [(t, {}) for t in terms]
            queries[f"{cls}+filters"] = [
                (terms[0], {"lang": "en", "since": since, "until": until}),
                (terms[-1], {"agency": "dpa"}),
            ]
        out: dict[str, Any] = {"articles": n, "rank_candidates": RANK_CANDIDATES}
        for cls, mix in queries.items():
            times: list[float] = []
            hits = 0
            for term, flt in mix:
                repo.search(term, **flt)  # warm up
                for _ in range(repeat):
                    t1 = time.perf_counter()
                    hits = max(hits, len(repo.search(term, **flt)))
                    times.append((time.perf_counter() - t1) * 1000)
            times.sort()
            out[cls] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
                "max_hits": hits,
            }
        return out
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> dict[str, Any]:
    templates = load_templates()
    result: dict[str, Any] = {
        "templates": len(templates),
        "template_languages": sorted({t.language or "" for t in templates}),
        "mean_text_chars": round(statistics.mean(len(t.text) for t in templates)),
        "backends": {},
    }
    if args.reuse:
        kind = make_url(args.reuse).get_backend_name()
        upgrade(args.reuse)  # a database kept by an older checkout: bring it to this code's schema
        search = {"database": args.reuse, **bench_search(args.reuse, args.repeat)}
        result["backends"][kind] = {"search": search}
        return result
    kinds = [] if args.postgres_only else ["sqlite"]
    postgres_url = args.postgres_url or os.environ.get("DWSCRAPE_TEST_POSTGRES_URL")
    if postgres_url and not args.sqlite_only:
        kinds.append("postgresql")
    with tempfile.TemporaryDirectory(prefix="dwscrape-bench-") as tmp:
        for kind in kinds:
            backend = Backend(kind, postgres_url, Path(tmp))
            try:
                entry: dict[str, Any] = {}
                if args.articles:
                    entry["upsert"] = bench_upserts(
                        backend, Varier(templates, args.articles), args.articles, args.single
                    )
                size = args.search_articles
                if kind == "postgresql" and args.postgres_search_articles is not None:
                    size = args.postgres_search_articles
                if size:
                    url, build_s = build_search_db(
                        backend, Varier(templates, size), size, keep=args.keep
                    )
                    entry["search"] = {
                        "build_s": round(build_s, 1),
                        **bench_search(url, args.repeat),
                    }
                    if args.keep:
                        entry["search"]["database"] = url
                result["backends"][kind] = entry
            finally:
                backend.close()
    return result


def render(result: dict[str, Any]) -> str:
    lines = [
        f"records from {result['templates']} parsed pages ({', '.join(result['template_languages'])}), "
        f"mean text {result['mean_text_chars']} chars",
        "",
        f"{'backend':<11}{'articles':>9}{'new/s':>10}{'unchanged/s':>13}{'changed/s':>11}{'one-by-one/s':>14}",
    ]
    for kind, entry in result["backends"].items():
        u = entry.get("upsert")
        if not u:
            continue
        lines.append(
            f"{kind:<11}{u['articles']:>9}{u['new_per_s']:>10}{u['unchanged_per_s']:>13}"
            f"{u['changed_per_s']:>11}{u['single_new_per_s']:>14}"
        )
    lines.append("")
    lines.append(f"{'backend':<11}{'query class':<16}{'p50 ms':>9}{'p95 ms':>9}{'hits':>6}")
    for kind, entry in result["backends"].items():
        s = entry.get("search")
        if not s:
            continue
        built = f" in {s['build_s']} s" if "build_s" in s else ", reused"
        lines.append(f"{kind:<11}({s['articles']} articles{built})")
        if "database" in s:
            lines.append(f"{'':<11}kept: {s['database']}")
        for cls, v in s.items():
            if isinstance(v, dict):
                lines.append(f"{'':<11}{cls:<16}{v['p50_ms']:>9}{v['p95_ms']:>9}{v['max_hits']:>6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=10_000, help="records for the upsert runs (0: skip)"
    )
    parser.add_argument(
        "--search-articles", type=int, default=100_000, help="database size for search (0: skip)"
    )
    parser.add_argument(
        "--postgres-search-articles",
        type=int,
        help="database size for search on PostgreSQL (default: --search-articles)",
    )
    parser.add_argument(
        "--single", type=int, default=1000, help="records stored one per transaction"
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs of each search query")
    parser.add_argument("--postgres-url", help="PostgreSQL server (a scratch database is created)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the search database(s) this run builds and print their URL, for --reuse "
        "(they are not dropped: drop them yourself)",
    )
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="run only the search benchmark, on this database kept by an earlier --keep run "
        "(migrated to head first, not rebuilt, never dropped)",
    )
    args = parser.parse_args(argv)
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    result = run(args)
    print(json.dumps(result, indent=None if args.json else 2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
