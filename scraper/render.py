"""Text for people: an `Article` (``dwscrape parse --format text``, ``dwscrape show``) and the
one-line summaries of crawls, runs, re-parses and run statistics.

An article reads as a header (kicker, title, date, authors, teaser, links), then the body blocks
in page order with images and videos as bracketed lines, then the credit line, topics and any
parse warnings. Machines get records instead (`scraper.output`).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scraper.article import Article, format_date

if TYPE_CHECKING:
    from scraper.pipeline import RunReport, UrlResult
    from scraper.pipeline.reparsing import ReparseSummary
    from scraper.pipeline.stats import FillRateDrop, Totals

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
    line = (
        f"run {report.run_id} {report.status}: discovered {c['discovered']}, "
        f"fetched {c['fetched']} ({c['not_modified']} not modified), new {c['new']}, "
        f"changed {c['changed']}, unchanged {c['unchanged']}, failed {c['failed']} "
        f"in {report.duration_s:.1f}s{stopped}"
    )
    return "\n".join([line, *recovery_lines(report)])


def recovery_lines(report: RunReport) -> list[str]:
    """What the run found of earlier runs: abandoned ones, URLs other processes hold."""
    lines = []
    if report.abandoned_runs:
        lines.append(
            f"closed {report.abandoned_runs} abandoned run(s) whose process was gone; "
            "their leased URLs went back to the queue"
        )
    if report.still_leased and report.leased_until is not None:
        until = report.leased_until.isoformat(timespec="seconds")
        lines.append(
            f"{report.still_leased} URL(s) were leased by other processes at the start, "
            f"until {until} at the latest (after a crash they return to the queue then)"
        )
    return lines


def summary_event(report: RunReport) -> dict[str, Any]:
    """The closing summary of a run as a JSON log line: the fields of the log's events
    (``event``, ``level``, ``timestamp``) and the run's report."""
    return {
        "event": "run.summary",
        "level": "info",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "summary": run_summary(report),
        **report.to_dict(),
    }


def reparse_summary(summary: ReparseSummary) -> list[str]:
    """The counts of a re-parse, then one line per article whose extraction changed."""
    c = summary.counts
    lines = [
        f"reparsed {c['pages']} pages: changed {c['changed']}, unchanged {c['unchanged']}, "
        f"soft 404 {c['soft_404']}, failed {c['failed']}"
    ]
    lines += [f"changed  {dw_id}  {title}" for dw_id, title in summary.changed]
    lines += [f"soft 404  {url}" for url in summary.soft_404]
    return lines


def fill_rate_warning(drop: FillRateDrop) -> str:
    kind = f" in {drop.content_type} pages" if drop.content_type else ""
    return (
        f"warning: fill rate of {drop.field}{kind} fell to {drop.latest:.0%} "
        f"(earlier runs: {drop.baseline:.0%}) — DW may have changed its markup"
    )


def totals_lines(totals: Totals) -> list[str]:
    """What the database holds, in three short lines."""

    def split(counts: Mapping[str, int]) -> str:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(f"{k} {v}" for k, v in ordered) or "none"

    size = _size(totals.database_bytes) if totals.database_bytes is not None else "unknown"
    return [
        f"articles: {totals.articles} (revisions {totals.revisions}, raw pages "
        f"{totals.raw_pages}, database {size})",
        f"  per language: {split(totals.by_language)}",
        f"  per content type: {split(totals.by_content_type)}",
    ]


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def hits_table(records: Sequence[Mapping[str, Any]], width: int = 80) -> str:
    """Search hits for a terminal of `width` columns: per hit, a line with the DW id, the
    day, the language and the title (cut with …), then the snippet, indented and wrapped to
    two lines. Machines read the json/jsonl/csv formats, which carry every field in full."""
    head = f"{'dw_id':<10}{'date':<11}{'lang':<6}title"
    lines = [head[:width], "-" * min(width, 80)]
    for record in records:
        day = str(record.get("published_at") or "")[:10]
        prefix = f"{record.get('dw_id') or '':<10}{day:<11}{record.get('language') or '':<6}"
        lines.append(_cut(prefix + (record.get("title") or "(no title)"), width))
        snippet = " ".join(str(record.get("snippet") or "").split())
        if snippet:
            wrapped = textwrap.wrap(snippet, max(20, width - 10), max_lines=2, placeholder=" …")
            lines.extend(" " * 10 + line for line in wrapped)
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
