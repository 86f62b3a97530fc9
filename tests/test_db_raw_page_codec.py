"""Raw pages: new rows are written with the current codec, rows of an older codec still read."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest
from sqlalchemy import insert, select

from db import models as m
from db.repository import Repository
from scraper.rawpages import CODEC, PackedPage, pack, unpack
from tests.support.articles import make_article

HTML = ("<html>" + "DW page body " * 2000 + "</html>").encode()


def test_codec_round_trips_and_old_markers_read() -> None:
    packed = pack(HTML)
    assert packed.compression == CODEC == "zstd"
    assert packed.size == len(HTML) and len(packed.data) < len(HTML) // 10
    assert unpack(packed.compression, packed.data) == HTML
    assert unpack("zlib", zlib.compress(HTML, 6)) == HTML
    assert unpack("none", HTML) == HTML
    with pytest.raises(ValueError, match="unknown raw page compression"):
        unpack("lzma", b"")


def test_new_rows_get_the_new_marker_and_old_zlib_rows_still_read(repo: Repository) -> None:
    stored = repo.store_article(make_article(7101), raw_html=HTML)
    old_html = HTML.replace(b"DW", b"Old")
    old = pack(old_html)
    with repo.engine.begin() as conn:
        conn.execute(
            insert(m.raw_pages).values(
                sha256=old.sha256,
                compression="zlib",
                size=len(old_html),
                body=zlib.compress(old_html, 6),
                first_seen_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            )
        )
        query = select(m.raw_pages.c.sha256, m.raw_pages.c.compression)
        markers = {row.sha256: row.compression for row in conn.execute(query)}
    assert markers == {pack(HTML).sha256: "zstd", old.sha256: "zlib"}
    assert repo.get_raw_page(old.sha256) == old_html
    assert repo.get_raw_page(pack(HTML).sha256) == HTML
    assert [r.body for r in repo.raw_pages()] == [HTML]
    assert stored.status == "new"


def test_a_page_packed_by_the_caller_is_stored_as_given(repo: Repository) -> None:
    packed = pack(HTML)
    assert isinstance(packed, PackedPage)
    repo.store_article(make_article(7102), raw_html=packed)
    repo.record_fetches(
        [{"url": "https://www.dw.com/en/x/a-7102", "outcome": "ok", "body": packed}]
    )
    with repo.engine.connect() as conn:
        rows = conn.execute(select(m.raw_pages.c.sha256, m.raw_pages.c.body)).all()
    assert rows == [(packed.sha256, packed.data)]
