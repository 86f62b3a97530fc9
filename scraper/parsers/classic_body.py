"""The classic body: the blocks of the outer ``div.longText``, and the media of video,
audio and gallery pages that have none.

Paragraphs, subheadings (``h2``, or on English pages a ``p`` holding only ``strong``), lists,
quotes, picture boxes and media items, in page order. "Read more" lines, the newsletter plug,
nested galleries and related-content boxes are not body text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from scraper.article import Video
from scraper.normalize.build import RawBlock, RawImage
from scraper.normalize.credits import split_alt_credit
from scraper.normalize.labels import is_boilerplate_text, is_read_more
from scraper.normalize.text import clean_text
from scraper.parsers.base import HtmlElement
from scraper.parsers.common import absolute_url, duration_seconds
from scraper.parsers.fastpaths import first_descendant, text_of, text_with_breaks

#: Containers in the body that are never body content (the newsletter plug and
#: "Read more" lines are recognised by their text).
SKIP_CLASSES = frozenset(
    {
        "gallery",
        "slideshow",
        "relatedContent",
        "linkList",
        "sharing-bar",
        "shareInfo",
        "teaserContentWrap",
        "playButtonArea",
        "advertisement",
        "adContainer",
    }
)


#: Elements in the body that are never content, whatever their class.
SKIP_TAGS = frozenset({"script", "style", "noscript", "form", "input"})


def walk(node: HtmlElement, out: list[RawBlock]) -> None:
    """The blocks of ``node``'s children, in page order, appended to ``out``."""
    for el in node:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            continue
        classes = el.get("class") or ""  # read once for the skip and the div tests
        if classes and not SKIP_CLASSES.isdisjoint(classes.split()):
            continue
        if tag == "p":
            _paragraph(el, out)
        elif tag in ("h2", "h3", "h4", "h5", "h6"):
            out.append(RawBlock("heading", text_of(el), level=int(tag[1])))
        elif tag in ("ul", "ol"):
            out.append(RawBlock("list", items=[text_of(li) for li in el if li.tag == "li"]))
        elif tag == "blockquote":
            out.append(RawBlock("quote", text_of(el)))
        elif tag == "iframe":
            src = el.get("src")
            if src:
                out.append(
                    RawBlock("video", video=Video(url=absolute_url(src), title=el.get("title")))
                )
        elif tag == "div" and "picBox" in classes:
            image = picbox_image(el)
            if image is not None:
                out.append(RawBlock("image", image=image))
        elif tag == "div" and "mediaItem" in classes.split():  # has_class
            video = media_video(el)
            if video is not None:
                out.append(RawBlock("video", video=video))
        elif tag in ("div", "span", "section"):
            walk(el, out)


def _paragraph(p: HtmlElement, out: list[RawBlock]) -> None:
    text = text_with_breaks(p)
    plain = clean_text(text)
    if not plain or is_read_more(plain) or is_boilerplate_text(plain, clean=True):
        return
    if not len(p):  # no child element: neither of the two shapes below
        out.append(RawBlock("paragraph", text, cleaned=plain))
        return
    links = list(p.iter("a"))
    if len(links) == 1 and "newsletter" in (links[0].get("href") or ""):
        link_text = clean_text(text_of(links[0]))
        if link_text == plain:
            return  # the newsletter plug: a paragraph that is only a newsletter link
    # English classic subheadings: a p holding only <strong>/<b>.
    strong = [c for c in p if isinstance(c.tag, str)]
    if (
        len(strong) == 1
        and strong[0].tag in ("strong", "b")
        and not clean_text(p.text)
        and not clean_text(strong[0].tail)
        and clean_text(text_of(strong[0])) == plain
    ):
        out.append(RawBlock("heading", text_of(strong[0]), level=2))
        return
    out.append(RawBlock("paragraph", text, cleaned=plain))


def picbox_image(box: HtmlElement) -> RawImage | None:
    img = first_descendant(box, "img")
    captions = [c for c in box if c.tag == "p"]
    caption = text_of(captions[0]) if captions else None
    if img is None:
        return None
    alt, credit = split_alt_credit(img.get("alt") or img.get("title"))
    if credit is None:
        _, credit = split_alt_credit(img.get("title"))
    return RawImage(url=absolute_url(img.get("src")), caption=caption, credit=credit, alt=alt)


#: File extensions of media sources, by the content type they make a page.
AUDIO_EXTENSIONS = frozenset({"mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "wma"})
VIDEO_EXTENSIONS = frozenset({"mp4", "m4v", "flv", "webm", "mov", "m3u8", "wmv"})


def media_kind(url: str | None) -> Literal["audio", "video"] | None:
    """``audio`` or ``video`` by the URL's file extension (query and fragment ignored)."""
    if not url:
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return None


def best_source(named: str | None, others: Iterable[str | None]) -> str | None:
    """The media URL to record: ``named`` (the player's ``file_name``) unless it is missing
    or an ``.flv`` while the page also names an ``.mp4`` (old players listed both; the mp4
    is the one still served and playable); then the first mp4, else the first media URL."""
    if named and not _has_ext(named, "flv"):
        return named
    sources = [u for u in others if u and media_kind(u) is not None]
    mp4 = next((u for u in sources if _has_ext(u, "mp4")), None)
    return mp4 or named or (sources[0] if sources else None)


def _has_ext(url: str, ext: str) -> bool:
    return url.split("#", 1)[0].split("?", 1)[0].lower().endswith("." + ext)


def item_sources(item: HtmlElement) -> list[str]:
    """Every media URL a player container names besides ``file_name``: its other hidden
    inputs, ``<source src>``, ``<audio|video src>`` and links (download links)."""
    found = []
    for el in item.iter("input", "source", "audio", "video", "a"):
        if el.tag == "input":
            value = el.get("value") if el.get("name") != "file_name" else None
        else:
            value = el.get("href") if el.tag == "a" else el.get("src")
        if value and media_kind(value.strip()) is not None:
            found.append(value.strip())
    return found


def media_video(item: HtmlElement) -> Video | None:
    inputs = hidden_inputs(item)
    url = inputs.get("file_name")
    if not url or _has_ext(url, "flv"):
        url = best_source(url, item_sources(item))
    title = inputs.get("media_title")
    if not url and not title:
        return None
    return Video(
        url=absolute_url(url) if url else None,
        title=title,
        duration_s=duration_seconds(inputs.get("file_duration")),
    )


def gallery_slide(slide: HtmlElement, out: list[RawBlock]) -> None:
    img = first_descendant(slide, "img")
    heading = next(slide.iter("h2"), None)
    paragraph = next(slide.iter("p"), None)
    if heading is not None:
        out.append(RawBlock("heading", text_of(heading), level=2))
    if img is not None:
        alt, credit = split_alt_credit(img.get("alt") or img.get("title"))
        caption = text_of(paragraph) if paragraph is not None else None
        out.append(
            RawBlock("image", image=RawImage(absolute_url(img.get("src")), caption, credit, alt))
        )


def hidden_inputs(item: HtmlElement) -> dict[str, str]:
    """A classic media item's hidden inputs (``file_name``, ``file_duration``, …)."""
    return {
        str(i.get("name")): str(i.get("value") or "")
        for i in item.iter("input")
        if i.get("name") and i.get("type") == "hidden"
    }
