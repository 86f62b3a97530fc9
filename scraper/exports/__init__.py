"""File formats for analysis and archiving, beside the record writers of `scraper.output`.

- `scraper.exports.parquet`: articles as a typed Parquet table (pandas, DuckDB, Polars);
- `scraper.exports.warc`: stored raw pages as WARC response records, and WARC files read back
  as captures (Common Crawl, Wayback, ``wget --warc-file``).

Both stream: a batch of records at a time, whatever the number of articles. Neither prints;
the optional packages they need are imported through `scraper.extras.require`.
"""
