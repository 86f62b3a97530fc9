"""Articles as a Parquet file with proper column types, written in record batches.

The columns are the public record's (`scraper.article.RECORD_KEYS`, in the JSONL order) with
two additions after each date, because the record's dates mix two precisions that no single
column type holds: ``published_at`` is a UTC timestamp, null when the page gives only the day;
``published_date`` is the UTC day, always set when a date is known; ``published_precision`` says
which (``second`` or ``day``). The same for ``modified_*``. Lists are list columns, nested
records (authors, blocks, images, videos, credit line) structs, so pandas, DuckDB and Polars see
types instead of JSON text.

Memory stays constant: rows are converted and written one batch (one row group) at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scraper.article import RECORD_KEYS, Article, split_date
from scraper.extras import require

#: Rows per record batch and row group: large enough for good compression, small enough that a
#: batch of long articles stays a few megabytes.
BATCH_ROWS = 1000

#: The columns that follow each date column of the record.
_DATE_COLUMNS = {
    "published_at": ("published_date", "published_precision"),
    "modified_at": ("modified_date", "modified_precision"),
}


def columns() -> tuple[str, ...]:
    """The Parquet column names, in order."""
    out: list[str] = []
    for key in RECORD_KEYS:
        out.append(key)
        out.extend(_DATE_COLUMNS.get(key, ()))
    return tuple(out)


def schema() -> Any:
    """The pyarrow schema of the file (needs pyarrow)."""
    pa = _pyarrow()
    strings = pa.list_(pa.string())
    timestamp = pa.timestamp("us", tz="UTC")
    types: dict[str, Any] = {
        "schema_version": pa.int16(),
        "dw_id": pa.int64(),
        "topics": strings,
        "published_at": timestamp,
        "published_date": pa.date32(),
        "modified_at": timestamp,
        "modified_date": pa.date32(),
        "authors": pa.list_(pa.struct([("name", pa.string()), ("url", pa.string())])),
        "blocks": pa.list_(
            pa.struct(
                [
                    ("type", pa.string()),
                    ("text", pa.string()),
                    ("level", pa.int8()),
                    ("items", strings),
                    ("image", pa.int32()),
                    ("video", pa.int32()),
                ]
            )
        ),
        "images": pa.list_(
            pa.struct(
                [
                    ("url", pa.string()),
                    ("caption", pa.string()),
                    ("credit", pa.string()),
                    ("alt", pa.string()),
                    ("agencies", strings),
                    ("photographers", strings),
                ]
            )
        ),
        "videos": pa.list_(
            pa.struct([("url", pa.string()), ("title", pa.string()), ("duration_s", pa.int32())])
        ),
        "credit_line": pa.struct(
            [
                ("raw", pa.string()),
                ("writers", strings),
                ("editors", strings),
                ("agencies", strings),
            ]
        ),
        "agencies": strings,
        "word_count": pa.int32(),
    }
    return pa.schema([pa.field(name, types.get(name, pa.string())) for name in columns()])


def row(article: Article) -> dict[str, Any]:
    """One Parquet row: the public record, its dates split into timestamp, day and precision."""
    record = article.to_dict()
    for key, value in (("published", article.published_at), ("modified", article.modified_at)):
        parts = split_date(value)
        record[f"{key}_at"] = parts.at
        record[f"{key}_date"] = parts.day
        record[f"{key}_precision"] = parts.precision
    # A block's record omits empty keys; a list column is clearer with an empty list.
    record["blocks"] = [{**block, "items": block.get("items", [])} for block in record["blocks"]]
    return record


def write_parquet(articles: Iterable[Article], path: str | Path) -> int:
    """Write `articles` to a Parquet file at `path` (zstd-compressed); how many were written.

    An empty iterable still gives a valid file with the schema and no rows."""
    pa = _pyarrow()
    pq = require("pyarrow.parquet", "parquet", "Parquet export")
    table_schema = schema()
    count = 0
    with pq.ParquetWriter(str(path), table_schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for article in articles:
            batch.append(row(article))
            if len(batch) >= BATCH_ROWS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=table_schema))
                count += len(batch)
                batch = []
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=table_schema))
            count += len(batch)
    return count


def _pyarrow() -> Any:
    return require("pyarrow", "parquet", "Parquet export")
