"""Text for people: an `Article` (``dwscrape parse --format text``, ``dwscrape show``) and the
one-line summaries of crawls, runs, re-parses and run statistics.

An article reads as a header (kicker, title, date, authors, teaser, links), then the body blocks
in page order with images and videos as bracketed lines, then the credit line, topics and any
parse warnings. Machines get records instead (`scraper.output`).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from scraper.article import Article, format_date

if TYPE_CHECKING:
    from scraper.pipeline import RunReport, UrlResult
    from scraper.pipeline.reparsing import ReparseSummary
    from scraper.pipeline.stats import FillRateDrop

WIDTH = 88


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(
        textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent) or indent
        for line in text.splitlines()
    )


def article_to_text(article: Article) -> str:
    """The article as plain text for a terminal (no colour codes, wrapped at 88 columns)."""
    out: list[str] = []
    if article.kicker:
        out.append(article.kicker.upper())
    out.append(article.title or "(no title)")
    out.append("=" * min(WIDTH, len(out[-1])))
    meta = [format_date(article.published_at) or "date unknown"]
    if article.modified_at and article.modified_at != article.published_at:
        meta.append(f"updated {format_date(article.modified_at)}")
    if article.authors:
        meta.append("by " + ", ".join(a.name for a in article.authors))
    meta.append(f"{article.content_type}, {article.layout} layout, {article.language or '?'}")
    out.append(" · ".join(meta))
    for label, value in (
        ("URL", article.canonical_url or article.url),
        ("Short link", article.short_url),
    ):
        if value:
            out.append(f"{label}: {value}")
    if article.teaser:
        out.extend(["", _wrap(article.teaser)])
    for block in article.blocks:
        out.append("")
        if block.type == "heading":
            out.append(f"## {block.text}")
        elif block.type == "image" and block.image is not None:
            image = article.images[block.image]
            line = f"[Image: {image.caption or image.alt or image.url or ''}"
            line += f" — {image.credit}]" if image.credit else "]"
            out.append(_wrap(line))
        elif block.type == "video" and block.video is not None:
            video = article.videos[block.video]
            duration = (
                f" ({video.duration_s // 60}:{video.duration_s % 60:02d})"
                if video.duration_s
                else ""
            )
            out.append(_wrap(f"[Video: {video.title or video.url or ''}{duration}]"))
        elif block.type == "list":
            out.extend(_wrap(item, "  ").replace("  ", "- ", 1) for item in block.items)
        elif block.type == "quote":
            out.append(_wrap(block.text or "", "> "))
        else:
            out.append(_wrap(block.text or ""))
    if article.credit_line:
        out.extend(["", article.credit_line.raw])
    if article.topics:
        out.extend(["", "Topics: " + ", ".join(article.topics)])
    out.append(f"Words: {article.word_count} · content hash {article.content_hash[:12]}")
    if article.warnings:
        out.extend(["", "Warnings:"] + [f"  - {w}" for w in article.warnings])
    return "\n".join(out) + "\n"


def url_result_line(result: UrlResult) -> str:
    """``new       URL  dw_id=… 'title'``, or ``error     URL  reason``: one line per crawled URL."""
    if not result.ok:
        return f"{'error':<9} {result.url}  {result.error}"
    what = f"dw_id={result.dw_id} " if result.dw_id is not None else ""
    title = f"{result.title!r}" if result.title else ""
    return f"{result.status:<9} {result.url}  {what}{title}".rstrip()


def run_summary(report: RunReport) -> str:
    """The closing line of a run: its status and counts."""
    c = report.counts
    stopped = f", stopped by {report.stopped_by}" if report.stopped_by else ""
    if c["suspect"]:
        stopped = f", suspect {c['suspect']} (kept aside: see show --revisions){stopped}"
    return (
        f"run {report.run_id} {report.status}: discovered {c['discovered']}, "
        f"fetched {c['fetched']} ({c['not_modified']} not modified), new {c['new']}, "
        f"changed {c['changed']}, unchanged {c['unchanged']}, failed {c['failed']} "
        f"in {report.duration_s:.1f}s{stopped}"
    )


def reparse_summary(summary: ReparseSummary) -> list[str]:
    """The counts of a re-parse, then one line per article whose extraction changed."""
    c = summary.counts
    lines = [
        f"reparsed {c['pages']} pages: changed {c['changed']}, unchanged {c['unchanged']}, "
        f"failed {c['failed']}"
    ]
    lines += [f"changed  {dw_id}  {title}" for dw_id, title in summary.changed]
    return lines


def fill_rate_warning(drop: FillRateDrop) -> str:
    return (
        f"warning: fill rate of {drop.field} fell to {drop.latest:.0%} "
        f"(earlier runs: {drop.baseline:.0%}) — DW may have changed its markup"
    )
