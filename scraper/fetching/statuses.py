"""The HTTP statuses the fetcher treats specially, each set defined once.

Kept in a leaf module because the client (what to follow, retry, classify) and politeness
(what counts as a strike against a host) must agree on them without importing each other.
"""

from __future__ import annotations

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Statuses worth another try (scrapy's RETRY_HTTP_CODES).
DEFAULT_RETRY_STATUSES = frozenset({500, 502, 503, 504, 522, 524, 408, 429})
#: "You are not welcome": the page is ``blocked``, and a run of them backs the host off.
BLOCK_STATUSES = frozenset({403, 429, 451})
NOT_FOUND_STATUSES = frozenset({404, 410})
#: Statuses whose ``Retry-After`` delays every request to the host.
RETRY_AFTER_STATUSES = frozenset({429, 503})
