"""dwscrape's exception tree.

Every error the library raises on purpose derives from `DwscrapeError` and carries the URL it
concerns (when there is one), so a caller can log it and move on. Third-party exceptions (lxml,
bs4, json, httpx, SQLAlchemy) are wrapped with ``raise ... from exc`` and never escape.

    DwscrapeError
    ├── ParseError            the page could not be turned into an Article
    │   ├── NotDWPageError    no DW markup found (neither layout recognised)
    │   ├── NotArticleError   DW page, but not an article-like page (topic, section, index)
    │   ├── SoftNotFoundError DW's chrome around no content: a missing page served as 200
    │   └── MalformedPageError  undecodable or structurally broken input
    │       └── PageLimitError  over a parser cap (nesting depth, tags, blocks, text)
    ├── StorageError          the database refused or failed (db/ wraps SQLAlchemy errors)
    │   └── SchemaOutOfDateError  the database needs `dwscrape db upgrade`
    └── ConfigError           bad settings or arguments
"""

from __future__ import annotations


class DwscrapeError(Exception):
    """Base of all dwscrape errors."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return f"{self.message} ({self.url})" if self.url else self.message


class ParseError(DwscrapeError):
    """The page could not be parsed into an Article; the message says what was looked for."""


class NotDWPageError(ParseError):
    """Neither DW layout (classic or relaunch) was recognised in the markup."""


class NotArticleError(ParseError):
    """A DW page, but not an article-like page (e.g. a topic, section or author page)."""


class SoftNotFoundError(ParseError):
    """A soft 404: a page in DW's own chrome (a layout was recognised) whose markup names no
    content of its own (no canonical content URL, no id in the embedded data) and holds no
    article body, or holds no body under a "page not found" title. The page behind the URL
    is gone although the server answered 200: a caller records it as fetch outcome
    ``not_found``, never as an article."""


class MalformedPageError(ParseError):
    """The input could not be decoded or is structurally broken beyond recovery."""


class PageLimitError(MalformedPageError):
    """The page exceeds one of the parser's caps (`scraper.parsers.limits`): nested deeper
    than libxml2 parses, or more tags, blocks or text than any article has. Refused whole."""


class StorageError(DwscrapeError):
    """A database operation failed."""


class SchemaOutOfDateError(StorageError):
    """The database schema is behind the code: run `dwscrape db upgrade`."""


class ConfigError(DwscrapeError):
    """Invalid configuration or arguments."""
