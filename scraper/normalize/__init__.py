"""Normalisation: from raw per-layout fields to a clean, comparable `Article`.

- `text`: Unicode and whitespace clean-up (`clean_text`), shared by everything below;
  `textscan` holds its exact one-pass string tests.
- `labels`: the words DW prints on its pages, per language (facts-box labels, credit
  prefixes, boilerplate, month names).
- `credits`: the one agency table, image credits, closing credit lines.
- `page_dates`: dates as article pages show them (the ISO part is `scraper.dates`'s).
- `build`: the raw records parsers fill and `build_article`, which assembles the `Article`.
"""
