"""The relaunch body: the blocks of ``div.rich-text`` and the media around it.

One walk over the article's content area, in page order: paragraphs, subheadings, lists,
quotes, figures (hero and inline images, gallery slides), players and embeds. Containers that
are never body content (ads, feedback, hidden text, related sections named by their
``data-tracking-name``) are skipped whole; whether a block lies inside a body container
(`BODY_CLASSES`) decides later whether an image above the text is the hero.
"""

from __future__ import annotations

import re
from typing import Any

from scraper.article import Video
from scraper.normalize.build import RawBlock, RawImage
from scraper.normalize.labels import is_boilerplate_text, is_read_more
from scraper.normalize.text import clean_text
from scraper.parsers.base import HtmlElement
from scraper.parsers.common import absolute_url, duration_seconds, nonblank
from scraper.parsers.fastpaths import FigureCaption, has_class, text_of, text_with_breaks


class BodyWalker:
    """Walks a relaunch content area into `RawBlock` s; ``apollo`` (the page's Apollo
    state) names the videos whose player markup lacks the file."""

    #: Containers inside the article that are never body content.
    SKIP_CLASSES = frozenset(
        {
            "advertisement",
            "rich-text-ad",
            "gpt-slot",
            "feedback",
            "feedback-sidebar",
            "vjs-no-js",
            "sr-only",
            "quick-item",
            "newsletter",
            "cookie",
            "title-prefix",
            "counter",
            "duration",
        }
    )
    #: Containers whose content is the body (the gallery has no div.rich-text).
    BODY_CLASSES = ("rich-text", "image-gallery", "liveblog-post", "live-blog-post")
    #: data-tracking-name hooks whose element is content, not a related/sharing section.
    CONTENT_TRACKING = frozenset({"embedded-video", "image-gallery", "embedded-audio"})

    def __init__(self, apollo: dict[str, Any]) -> None:
        self.apollo = apollo

    def blocks(self, scope: HtmlElement) -> list[RawBlock]:
        """The blocks under ``scope`` in page order."""
        out: list[RawBlock] = []
        self._walk(scope, out)
        return out

    #: Elements that are never body content, whatever their attributes.
    SKIP_TAGS = frozenset(
        {"header", "footer", "nav", "aside", "script", "style", "noscript", "svg", "button", "form"}
    )

    def _skip(self, el: HtmlElement, classes: str | None) -> bool:
        """Whether ``el`` (its ``class`` given: the walk reads it once) is no body content:
        a skipped class, a section hook other than content, ``aria-hidden``. (Its tag is
        tested first, against `SKIP_TAGS`.)"""
        if classes and not self.SKIP_CLASSES.isdisjoint(classes.split()):
            return True
        names = el.keys()  # most elements carry none of the other two: one call, not two
        if "data-tracking-name" in names:
            tracking = el.get("data-tracking-name")
            if tracking and tracking not in self.CONTENT_TRACKING:
                return True
        return "aria-hidden" in names and el.get("aria-hidden") == "true"

    def _walk(
        self,
        node: HtmlElement,
        out: list[RawBlock],
        in_body: bool = False,
        classes: str | None = None,
    ) -> None:
        """Blocks of ``node``'s children; ``classes``: its ``class`` (when read already)."""
        start = len(out)
        if not in_body:
            if classes is None:
                classes = node.get("class")
            in_body = bool(classes) and not _BODY_CLASSES.isdisjoint(classes.split())
        self._walk_children(node, out, in_body)
        if in_body:
            for block in out[start:]:
                block.in_body = True

    def _walk_children(self, node: HtmlElement, out: list[RawBlock], in_body: bool) -> None:
        for el in node:
            tag = el.tag
            if not isinstance(tag, str) or tag in self.SKIP_TAGS:
                continue
            classes = el.get("class")
            if self._skip(el, classes):
                continue
            if tag == "p":
                text = text_with_breaks(el)
                plain = clean_text(text)
                if plain and not is_boilerplate_text(plain, clean=True) and not is_read_more(plain):
                    out.append(RawBlock("paragraph", text, cleaned=plain))
            elif tag in ("h2", "h3", "h4", "h5", "h6"):
                out.append(RawBlock("heading", text_of(el), level=int(tag[1])))
            elif tag == "figure":
                caption = FigureCaption(el)
                if caption.slide_title is not None:  # gallery slide: its title is a heading
                    out.append(RawBlock("heading", text_of(caption.slide_title), level=2))
                image = self.figure_image(el, caption)
                if image is not None:
                    out.append(RawBlock("image", image=image))
            elif tag in ("ul", "ol"):
                items = [text_of(li) for li in el if li.tag == "li"]
                out.append(RawBlock("list", items=items))
            elif tag == "blockquote":
                out.append(RawBlock("quote", text_of(el)))
            elif tag == "iframe":
                src = el.get("src")
                if src:
                    out.append(
                        RawBlock("video", video=Video(url=absolute_url(src), title=el.get("title")))
                    )
            elif tag == "video" or "vjs-wrapper" in (classes or "").split():  # has_class
                video = self.player_video(el)
                if video is not None:
                    out.append(RawBlock("video", video=video))
            elif tag in ("div", "section", "span", "article", "picture", "a", "main"):
                self._walk(el, out, in_body, classes)

    def figure_image(
        self, figure: HtmlElement, captions: FigureCaption | None = None
    ) -> RawImage | None:
        """The image of a ``<figure>`` (``captions``: its `FigureCaption`, when found
        already). A figure is a handful of elements: walking it beats evaluating one XPath
        each (IMG, FIGCAPTION, COPYRIGHT, SLIDE_DESCRIPTION give the same first matches)."""
        if captions is None:
            captions = FigureCaption(figure)
        img = next(figure.iter("img"), None)
        cap = captions.first
        caption: str | None = None
        credit: str | None = None
        if cap is not None:
            copyright_el = captions.copyright
            credit = text_of(copyright_el) if copyright_el is not None else None
            if captions.description is not None:
                caption = text_of(captions.description)
            else:
                caption = _text_without(cap, CAPTION_EXCLUDED)
        url = self.image_url(figure, img)
        alt = img.get("alt") if img is not None else None
        if url is None and not caption and not alt:
            return None
        return RawImage(url=url, caption=caption, credit=credit, alt=alt)

    def image_url(self, figure: HtmlElement, img: HtmlElement | None) -> str | None:
        if img is not None:
            template = img.get("data-url")
            if template and "${formatId}" in template:
                return absolute_url(template.replace("${formatId}", "600"))
            src = img.get("src")
            if src and src.strip():
                return absolute_url(src.strip())
            srcset = img.get("srcset")
            if srcset:
                return _pick_srcset(srcset)
            data_id = img.get("data-id")
            if data_id and data_id.isdigit():
                return f"https://static.dw.com/image/{data_id}_600.jpg"
        for source in figure.iter("source"):
            srcset = source.get("srcset") if source.get("type") == "image/jpeg" else None
            if srcset is None:
                continue
            picked = _pick_srcset(srcset)
            if picked:
                return picked
        return None

    def player_video(self, wrapper: HtmlElement) -> Video | None:
        video_el = wrapper if wrapper.tag == "video" else next(wrapper.iter("video"), None)
        url: str | None = None
        duration: int | None = None
        title: str | None = None
        if video_el is not None:
            url = video_el.get("src") or video_el.get("data-src")
            if not url:
                sources = [s for s in video_el.iter("source") if s.get("src")]
                # A progressive MP4 (type video/mp4, or a .mp4 file) beats an HLS playlist,
                # whose URL may also contain ".mp4" (``…,.mp4.csmil/index.m3u8``).
                mp4 = [
                    s
                    for s in sources
                    if (s.get("type") or "").lower() == "video/mp4"
                    or (s.get("src") or "").split("?")[0].endswith(".mp4")
                ]
                chosen = (mp4 or sources or [None])[0]
                url = chosen.get("src") if chosen is not None else None
            title = video_el.get("title") or video_el.get("aria-label")
            duration = duration_seconds(
                video_el.get("data-duration") or wrapper.get("data-duration")
            )
        heading = next((h for h in wrapper.iter("h2", "h3") if isinstance(h.tag, str)), None)
        if heading is not None and clean_text(text_of(heading)):
            title = text_of(heading)
        entity = self._apollo_video(wrapper)
        if entity:
            url = url or nonblank(entity.get("mp4Src")) or nonblank(entity.get("hlsVideoSrc"))
            title = title or nonblank(entity.get("title")) or nonblank(entity.get("name"))
            if duration is None:
                duration = duration_seconds(entity.get("duration"))
        if duration is None:
            for el in wrapper.iter():
                if isinstance(el.tag, str) and has_class(el, "vjs-duration-display"):
                    duration = duration_seconds(text_of(el))
        if not url and not title:
            return None
        return Video(url=absolute_url(url) if url else None, title=title, duration_s=duration)

    def _apollo_video(self, wrapper: HtmlElement) -> dict[str, Any] | None:
        for el in wrapper.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("data-id", "data-media-id", "data-video-id"):
                value = el.get(attr)
                if value and value.isdigit():
                    entity = self.apollo.get(f"Video:{value}")
                    if isinstance(entity, dict):
                        return entity
        return None


_BODY_CLASSES = frozenset(BodyWalker.BODY_CLASSES)


def _text_without(el: HtmlElement, excluded_classes: frozenset[str]) -> str:
    """Text of ``el`` minus the subtrees carrying one of ``excluded_classes`` (the credit,
    a gallery counter or slide title inside a figcaption); comments excluded."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not (
            set((child.get("class") or "").split()) & excluded_classes
        ):
            parts.append(_text_without(child, excluded_classes))
        parts.append(child.tail or "")
    return "".join(parts)


CAPTION_EXCLUDED = frozenset({"copyright", "counter", "slide-title", "sr-only"})


_WIDTH = re.compile(r"(\d+)w")
_FORMAT_600 = re.compile(r"_600\.(?:jpg|webp)$")


def _pick_srcset(srcset: str) -> str | None:
    """A jpg from a srcset: the ``_600`` format when offered, else the widest candidate."""
    candidates: list[tuple[int, str]] = []
    for entry in srcset.split(","):
        pieces = entry.split()
        if not pieces:
            continue
        width = 0
        if len(pieces) > 1 and (m := _WIDTH.match(pieces[1])):
            width = int(m[1])
        candidates.append((width, pieces[0]))
    for _, url in candidates:
        if _FORMAT_600.search(url):
            return absolute_url(url)
    if not candidates:
        return None
    return absolute_url(max(candidates)[1])
