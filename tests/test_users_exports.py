"""`export` for analysis: each format read back with pandas / pyarrow, with the types and the
column order users rely on (Parquet typed, CSV in the JSONL order with its documented cell
encoding), and Parquet written in bounded row groups."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scraper.article import RECORD_KEYS
from scraper.exitcodes import ExitCode
from scraper.exports import parquet
from tests.support.cli import dwscrape
from tests.support.users_corpus import build_corpus_db

PUTIN_ID = 66797777
DAY_ONLY_ID = 62789104  # a classic page that gives only the day


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_corpus_db(tmp_path_factory.mktemp("exports") / "corpus.sqlite3")


@pytest.fixture(scope="module")
def records(corpus: str) -> dict[int, dict]:
    result = dwscrape("export", "--db", corpus)
    assert result.returncode == 0, result.stderr
    return {r["dw_id"]: r for r in map(json.loads, result.stdout.splitlines())}


def test_parquet_has_proper_types(corpus: str, records: dict[int, dict], tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    result = dwscrape("export", "--db", corpus, "--format", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr

    schema = pq.read_schema(out)
    assert schema.names == list(parquet.columns())
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("published_date").type == pa.date32()
    assert schema.field("topics").type == pa.list_(pa.string())
    assert pa.types.is_struct(schema.field("credit_line").type)
    assert pa.types.is_struct(schema.field("images").type.value_type)

    df = pd.read_parquet(out).set_index("dw_id")
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(df["modified_at"].dtype) == "datetime64[us, UTC]"
    assert df["word_count"].dtype.kind == "i" and df.index.dtype.kind == "i"
    assert set(df.index) == set(records)

    putin = df.loc[PUTIN_ID]
    assert putin["published_at"] == pd.Timestamp("2023-09-13T05:41:00Z")
    assert putin["published_date"] == dt.date(2023, 9, 13)
    assert putin["published_precision"] == "second"
    assert list(putin["topics"]) == records[PUTIN_ID]["topics"]
    assert putin["title"] == records[PUTIN_ID]["title"]
    assert [i["caption"] for i in putin["images"]] == [
        i["caption"] for i in records[PUTIN_ID]["images"]
    ]

    day_only = df.loc[DAY_ONLY_ID]
    assert records[DAY_ONLY_ID]["published_at"] == "2022-08-12"
    assert pd.isna(day_only["published_at"])  # never faked as midnight
    assert day_only["published_date"] == dt.date(2022, 8, 12)
    assert day_only["published_precision"] == "day"
    assert day_only["credit_line"]["raw"] == records[DAY_ONLY_ID]["credit_line"]["raw"]


def test_csv_follows_the_jsonl_order_and_documented_cells(
    corpus: str, records: dict[int, dict]
) -> None:
    jsonl = dwscrape("export", "--db", corpus).stdout.splitlines()
    assert list(json.loads(jsonl[0])) == list(RECORD_KEYS)

    result = dwscrape("export", "--db", corpus, "--format", "csv")
    assert result.returncode == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header == list(RECORD_KEYS)

    df = pd.read_csv(io.StringIO(result.stdout)).set_index("dw_id")
    assert df.index.dtype.kind == "i" and df["word_count"].dtype.kind == "i"
    putin, record = df.loc[PUTIN_ID], records[PUTIN_ID]
    assert putin["topics"] == "; ".join(record["topics"])  # lists of strings: "; "-joined
    assert json.loads(putin["images"]) == record["images"]  # lists of objects: JSON text
    assert json.loads(putin["credit_line"]) == record["credit_line"]
    assert putin["published_at"] == "2023-09-13T05:41:00Z"

    frame = pd.read_json(io.StringIO("\n".join(jsonl)), lines=True)
    assert list(frame.columns) == list(RECORD_KEYS)


def test_parquet_is_written_in_bounded_row_groups(
    records: dict[int, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scraper.article import Article

    monkeypatch.setattr(parquet, "BATCH_ROWS", 3)
    articles = [Article.from_dict(r) for r in records.values()]
    out = tmp_path / "batched.parquet"
    assert parquet.write_parquet(iter(articles), out) == len(articles)
    assert pq.ParquetFile(out).num_row_groups == -(-len(articles) // 3)

    empty = tmp_path / "empty.parquet"
    assert parquet.write_parquet(iter([]), empty) == 0
    assert pq.read_table(empty).num_rows == 0


def test_binary_formats_need_a_file(corpus: str) -> None:
    for fmt in ("parquet", "warc"):
        result = dwscrape("export", "--db", corpus, "--format", fmt)
        assert result.returncode == ExitCode.USAGE
        assert "-o FILE" in result.stderr


def test_an_unwritable_file_is_one_line_not_a_crash(corpus: str, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "articles.parquet"
    result = dwscrape("export", "--db", corpus, "--format", "parquet", "-o", str(out))
    assert result.returncode == ExitCode.USAGE  # refused before any work
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
