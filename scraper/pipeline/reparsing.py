"""Re-parse stored raw pages with the current parser, without the network.

When the parser improves, the archive can be brought up to date from the raw pages the database
kept. The repository decides whether anything changed (content hash); a changed extraction
becomes a new revision with cause ``parser``, so editorial changes at DW stay distinguishable
from changes of our own extraction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import structlog

from scraper import parse_page
from scraper.errors import DwscrapeError, ParseError
from scraper.pipeline.storage import Store

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class ReparseSummary:
    counts: Counter[str] = field(default_factory=Counter)
    changed: list[tuple[int | None, str | None]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {k: self.counts[k] for k in ("pages", "changed", "unchanged", "failed")},
            "changed": [{"dw_id": d, "title": t} for d, t in self.changed],
        }


def reparse(store: Store, filters: Any = None) -> ReparseSummary:
    """Parse every stored raw page matching `filters` again and store the result."""
    summary = ReparseSummary()
    for page in store.raw_pages(filters):
        summary.counts["pages"] += 1
        try:
            article = parse_page(page.body, url=page.url)
            stored = store.store_article(article, cause="parser")
        except ParseError as exc:
            summary.counts["failed"] += 1
            log.warning("reparse.parse_failed", url=page.url, error=str(exc))
            continue
        except DwscrapeError as exc:
            summary.counts["failed"] += 1
            log.error("reparse.store_failed", url=page.url, error=str(exc))
            continue
        if stored.status == "unchanged":
            summary.counts["unchanged"] += 1
        else:
            summary.counts["changed"] += 1
            summary.changed.append((article.dw_id, article.title))
            log.info("reparse.changed", url=page.url, dw_id=article.dw_id)
    return summary
