"""A classic page's own player: what makes an item audio or video whatever its id prefix.

Old classic pages (2010–2014) used the ``a-`` prefix for audio and video items too, so the
content type of such an item follows from the player its page carries above (outside) the
text body, in this order: a player container ``div.mediaItem`` (its ``player_type`` input,
else its file's extension), an ``<audio>`` or ``<video>`` element, a link to an audio file
(the "download MP3" link of audio items). Media inside ``div.longText`` belongs to the text
(an embedded clip of an ordinary article) and never decides the type.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from scraper.article import Video
from scraper.parsers import fastpaths as fp
from scraper.parsers.base import HtmlElement
from scraper.parsers.classic_body import (
    best_source,
    hidden_inputs,
    item_sources,
    media_kind,
    media_video,
)
from scraper.parsers.common import absolute_url


class Player(NamedTuple):
    """The page's own player: the type it makes the page, the media it plays, and the
    content id the player names (``data-media-id``), when it names one."""

    kind: Literal["audio", "video"]
    video: Video | None
    media_id: int | None = None


def own_player(
    col3: HtmlElement, media_items: list[HtmlElement], *, items_only: bool = False
) -> Player | None:
    """The first player of col3 outside ``div.longText`` (see the module docstring);
    ``items_only``: player containers only."""
    for item in media_items:
        if fp.in_long_text(item):
            continue
        inputs = hidden_inputs(item)
        player_type = inputs.get("player_type")
        video = media_video(item)
        kind = media_kind(video.url if video else None)
        if player_type == "audio":
            kind = "audio"
        elif player_type == "video":
            kind = "video"
        if kind is not None:
            media_id = item.get("data-media-id") or inputs.get("media_id") or ""
            return Player(kind, video, int(media_id) if media_id.isdigit() else None)
    if items_only:
        return None
    for el in col3.iterdescendants("audio", "video"):
        if not fp.in_long_text(el):
            url = best_source(el.get("src"), item_sources(el))
            element_kind: Literal["audio", "video"] = "audio" if el.tag == "audio" else "video"
            return Player(element_kind, Video(url=absolute_url(url)) if url else None)
    for link in col3.iterdescendants("a"):
        href = (link.get("href") or "").strip()
        if media_kind(href) == "audio" and not fp.in_long_text(link):
            return Player("audio", Video(url=absolute_url(href), title=None))
    return None
