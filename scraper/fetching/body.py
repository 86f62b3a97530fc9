"""Reading a response body: under the size cap, above a minimum transfer rate, to its end.

A body is read raw and decoded by the bounded decoder of its Content-Encoding (so the size
cap counts decoded bytes). Unless enough bytes arrive within each window
(``min_rate_bytes_s`` × ``min_rate_window_s``) the reading is abandoned: a drip that beats
the read timeout byte by byte, or a server that stalls after its headers, cannot hold a
connection and its host's politeness slot for long. A body the server ends before its
declared length is `Truncated`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from scraper.fetching.decoders import TooLarge, decoder_for
from scraper.fetching.settings import FetchSettings


async def read_body(
    response: httpx.Response, settings: FetchSettings, body_cap: int | None = None
) -> bytes:
    """The body, decoded, under the size cap (``body_cap``: only its first bytes, the
    rest left unread) and the minimum transfer rate. A body the server ends before its
    declared length raises `Truncated`."""
    limit = settings.max_bytes
    declared = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding")
    too_long = declared and declared.isdigit() and int(declared) > limit
    if too_long and not encoding and body_cap is None:
        raise TooLarge
    if response.is_stream_consumed:  # a pre-read response (httpx.MockTransport)
        if len(response.content) > limit and body_cap is None:
            raise TooLarge
        return response.content[:body_cap]
    decoder = decoder_for(encoding, limit)
    chunks: list[bytes] = []
    got = 0
    try:
        async with MinRate(settings) as rate:
            async for raw in response.aiter_raw():
                rate.received(len(raw))
                chunk = decoder.feed(raw)
                chunks.append(chunk)
                got += len(chunk)
                if body_cap is not None and got >= body_cap:
                    break
    except httpx.RemoteProtocolError as exc:
        expected = f" of {declared}" if declared else ""
        raise Truncated(f"body ended after {got}{expected} bytes ({exc})") from exc
    body = b"".join(chunks)
    return body if body_cap is None else body[:body_cap]


class Truncated(Exception):
    """The body ended before its end: short of its Content-Length, or HTML without its
    ``</html>``. Retried like a transient error; never handed on as a page."""


class SlowTransfer(Exception):
    """The body arrived slower than the minimum transfer rate."""


class MinRate:
    """``async with MinRate(settings) as rate:`` around a body's reading; ``rate.received(n)``
    after each chunk. Unless ``min_rate_bytes_s`` × ``min_rate_window_s`` bytes arrive within
    each window, the reading is cancelled and `SlowTransfer` raised, whether bytes trickle in
    or none come at all."""

    def __init__(self, settings: FetchSettings) -> None:
        self.rate = settings.min_rate_bytes_s
        self.window = settings.min_rate_window_s
        self.needed = self.rate * self.window
        self._timeout = asyncio.timeout(None)
        self._got = 0

    async def __aenter__(self) -> MinRate:
        await self._timeout.__aenter__()
        self._arm()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self._timeout.__aexit__(*exc_info)
        except TimeoutError:
            if self._timeout.expired():
                raise SlowTransfer(
                    f"body slower than {self.rate} bytes/s over {self.window:g} s"
                ) from None
            raise

    def _arm(self) -> None:
        if self.rate > 0:
            self._timeout.reschedule(asyncio.get_running_loop().time() + self.window)

    def received(self, n: int) -> None:
        self._got += n
        if self._got >= self.needed:  # this window's share arrived: a new window begins
            self._got = 0
            self._arm()


async def discard_connection(response: httpx.Response) -> None:
    """Close the connection ``response`` came on, so the pool never reuses it."""
    stream = response.extensions.get("network_stream")
    if stream is not None:
        await stream.aclose()
