"""One page being parsed: the tree and the lookups every field extractor shares.

A `Page` is built once per parse (by `scraper.parsers.dw.parse_dw`) and handed to layout
detection and to the layout parser, which hands it to every field: whatever one lookup found
(the marked divs, a script's text, the head's metas) is there for the next, and nothing about
the page lives anywhere else. The tree must not change while its `Page` is in use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree

from scraper.parsers.base import HtmlElement

#: The divs the layouts look up document-wide, as (attribute, value) with the attribute
#: ``id`` or ``data-tracking-name`` (`Page` reads those two): the relaunch root, the classic
#: body, the relaunch kicker, the classic breadcrumbs and share bar. Layout detection and
#: parsing would otherwise walk the divs of a page several times to find them.
MARKED_DIVS: tuple[tuple[str, str], ...] = (
    ("id", "root"),
    ("id", "bodyContent"),
    ("data-tracking-name", "content-detail-kicker"),
    ("id", "navPath"),
    ("id", "sharing-bar"),
)
_MARKED = frozenset(MARKED_DIVS)
_MARKED_IDS = tuple(v for a, v in MARKED_DIVS if a == "id")
_MARKED_HOOKS = tuple(v for a, v in MARKED_DIVS if a != "id")
#: libxml2's ID table: the first element (document order) whose ``id`` (or ``<a name>``) is
#: the value. One expression per value: without a variable to bind, a call costs less.
_BY_ID = {value: etree.XPath(f"id('{value}')") for value in _MARKED_IDS}


class IdAnswer:
    """What libxml2's ID table says about the first div with an ``id``: ``known`` with
    ``div`` the div or None (no element has that id), or not ``known`` (the first element
    with that id is no such div: the walk must tell)."""

    __slots__ = ("div", "known")

    def __init__(self, known: bool, div: HtmlElement | None = None) -> None:
        self.known = known
        self.div = div


class Page:
    """The parse-wide state of one page (fundus calls it ``Precomputed``):

    - ``root``, ``url``, ``fetched_at`` (the reference time of relative display dates).
    - The `MARKED_DIVS` (`with_attr`): one walk over the divs, lazy — it goes only as far
      as the match asked for (the relaunch root is the first div of a page, the kicker
      about the thirtieth) and serves every key at once.
    - With ``ids_indexed`` (the tree comes straight from
      `scraper.parsers.base.load_tree`, whose parser fills libxml2's ID table with every
      ``id`` attribute, first one wins) an ``id`` lookup asks the table first: no entry
      means no such element at all — on a classic page the walk would otherwise have to
      cover every div to prove there is no relaunch root — and an entry that is a div with
      that very ``id`` is the first such div. Anything else (an ``<a name>``, a span first)
      falls back to the walk. The page's first div is read before asking: the relaunch
      root is that div.
    - The text of the first script containing given markers (`script_text`: the Apollo
      state is sought by the layout check and read by the parser, decoded once).
    - The head's metas (`meta`), read in document order only as far as needed.
    """

    def __init__(
        self,
        root: HtmlElement,
        url: str | None = None,
        fetched_at: dt.datetime | None = None,
        *,
        ids_indexed: bool = False,
    ) -> None:
        self.root = root
        self.url = url
        self.fetched_at = fetched_at
        self.ids_indexed = ids_indexed
        self._divs: Iterator[HtmlElement] | None = None  # the walk, begun when first needed
        self._walked = False
        self._by_id: dict[str, list[HtmlElement]] = {v: [] for v in _MARKED_IDS}
        self._by_hook: dict[str, list[HtmlElement]] = {v: [] for v in _MARKED_HOOKS}
        self._id_answers: dict[str, IdAnswer] = {}
        self._first_div_read = False
        self._first_div: HtmlElement | None = None
        self._scripts: dict[tuple[str, ...], str | None] = {}
        self._meta: dict[str, str] = {}
        self._metas: Iterator[HtmlElement] | None = None  # begun by the first `meta` call

    # -- elements by attribute ------------------------------------------------------------

    def with_attr(self, tag: str, attr: str, value: str) -> Iterator[HtmlElement]:
        """XPath ``//tag[@attr=value]`` (document order), lazily: lxml's tag-filtered `iter`
        walks the tree in C, only the few ``tag`` elements reach Python (an XPath ``//``
        step or an ElementPath predicate costs two to three times as much). The
        `MARKED_DIVS` come from the page's shared lookups."""
        if tag == "div" and (attr, value) in _MARKED:
            return self._marked_divs(attr, value)
        return (el for el in self.root.iter(tag) if el.get(attr) == value)

    def with_id(self, tag: str, id_: str) -> Iterator[HtmlElement]:
        """XPath ``//tag[@id=id_]``, lazily (see `with_attr`)."""
        return self.with_attr(tag, "id", id_)

    def under_marked(
        self,
        tag: str,
        attr: str,
        value: str,
        inner: Callable[[HtmlElement], Iterable[Any]],
        whole: etree.XPath,
    ) -> list[Any]:
        """``whole`` is ``//tag[@attr=value]`` followed by a relative ``.//…`` path, which
        ``inner`` evaluates (the XPath or a walk that finds the same): find the marked
        container by C tag iteration and evaluate ``inner`` in it alone. With several
        containers (nested ones could interleave their matches) the whole-document XPath
        is the answer, so the result is always exactly ``whole``'s."""
        found = list(self.with_attr(tag, attr, value))
        if not found:
            return []
        return list(inner(found[0]) if len(found) == 1 else whole(self.root))

    def _marked_divs(self, attr: str, value: str) -> Iterator[HtmlElement]:
        """``//div[@attr=value]`` in document order, for a `MARKED_DIVS` key."""
        found = (self._by_id if attr == "id" else self._by_hook)[value]
        index = 0
        if attr == "id" and self.ids_indexed:
            answer = self._first_div_with_id(value)
            if answer.known:
                if answer.div is None:
                    return
                yield answer.div  # also the walk's first match, once it gets there
                index = 1
        while True:
            while index >= len(found) and not self._walked:
                self._walk_to_next_match()
            if index >= len(found):
                return
            yield found[index]
            index += 1

    def _first_div_with_id(self, value: str) -> IdAnswer:
        """What the ID table says about the first div whose ``id`` is ``value``. The
        page's first div (the relaunch root) is read directly: an XPath call costs
        several microseconds on a fresh document."""
        answer = self._id_answers.get(value)
        if answer is None:
            if not self._first_div_read:
                self._first_div = next(self.root.iter("div"), None)
                self._first_div_read = True
            div = self._first_div
            if div is not None and div.get("id") == value:
                answer = IdAnswer(True, div)
            else:
                hits = _BY_ID[value](self.root)
                hit = hits[0] if hits else None
                if hit is None:
                    answer = IdAnswer(True, None)
                elif hit.tag == "div" and hit.get("id") == value:
                    answer = IdAnswer(True, hit)
                else:
                    answer = IdAnswer(False)  # an <a name>, a span first: the walk knows
            self._id_answers[value] = answer
        return answer

    def _walk_to_next_match(self) -> None:
        if self._divs is None:
            self._divs = self.root.iter("div")
        for el in self._divs:
            # One attribute-name list per div instead of two attribute reads: most divs
            # carry neither attribute.
            names = el.keys()
            hit = False
            if "id" in names:
                found = self._by_id.get(el.get("id"))
                if found is not None:
                    found.append(el)
                    hit = True
            if "data-tracking-name" in names:
                found = self._by_hook.get(el.get("data-tracking-name"))
                if found is not None:
                    found.append(el)
                    hit = True
            if hit:
                return
        self._walked = True

    # -- scripts and metas ----------------------------------------------------------------

    def script_text(self, *needles: str) -> str | None:
        """The text of the first inline ``<script>`` that contains one of ``needles``."""
        if needles not in self._scripts:
            self._scripts[needles] = _script_text(self.root, needles)
        return self._scripts[needles]

    def meta(self, key: str) -> str | None:
        """``<meta name=key>`` or ``<meta property=key>`` content (first one wins: what
        `scraper.parsers.fastpaths.HEAD_META` answers, or ``ANY_META`` without a head). The
        metas are read in document order only as far as needed, each once for all keys: a
        classic head holds a hundred (``fb:pages``…), over which each XPath evaluation cost
        more than the rest of the head fields together."""
        if self._metas is None:
            head = next(self.root.iterchildren("head"), None)  # XPath head[1]
            self._metas = (self.root if head is None else head).iter("meta")
        while key not in self._meta:
            for el in self._metas:
                content = el.get("content")
                if content is None:
                    continue
                name = el.get("name")
                prop = el.get("property")
                if name is not None:
                    self._meta.setdefault(name, content)
                if prop is not None:
                    self._meta.setdefault(prop, content)
                if name == key or prop == key:
                    break
            else:
                break  # all read (a spent iterator stays spent: later calls read nothing)
        return self._meta.get(key)


def _script_text(root: HtmlElement, needles: tuple[str, ...]) -> str | None:
    for script in root.iter("script"):
        text = script.text
        if text:
            for needle in needles:
                if needle in text:
                    return text
    return None
