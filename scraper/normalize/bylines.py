"""Byline lines of old classic items: ``Autor: A. B.`` / ``Redaktion: C. D.``.

Old classic audio and video items (2010–2014) often carry no body paragraphs; their only
text is a byline block naming the author and the editor, one line each or both on one line
separated by ``/``. Those lines are data, not body text: `extract_bylines` takes them out of
the end of the body (past trailing images and videos, like the closing credit line) and
returns the authors' and editors' names with the lines as printed.

A line is a byline only when it starts with a label of `BYLINE_LABELS` followed by a colon
(``Auteur : X`` with French spacing too) and every name after it is short; a paragraph whose
lines are not all bylines keeps its text, so a sentence that happens to begin with
"Editor:" in the middle of a story stays body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scraper.article import Author, CreditLine
from scraper.normalize.build import RawBlock
from scraper.normalize.text import append_unique, clean_text

Role = Literal["author", "editor"]

#: Byline label (as printed, before its colon) -> role; compared case-insensitively.
#:
#: Seen on old DW items (evidence: ``dw-site.md``, "Old classic pages"): French
#: ``Auteur`` / ``Édition``, German ``Autor`` / ``Redaktion``, English ``Author`` /
#: ``Editor``. The other entries are the same two roles in the words DW's other language
#: services print: the author words are those of the classic facts box
#: (`scraper.normalize.labels`, ``author``), the editor words the usual newsroom term of
#: each language (Spanish ``Edición``/``Redacción``, Portuguese ``Edição``, Polish
#: ``Redakcja``, Russian/Ukrainian ``Редактор``, Chinese ``责编``, …). No page here shows
#: them: a missing or wrong entry only leaves a byline in the body, as before.
BYLINE_LABELS: dict[str, Role] = {
    # German
    "Autor": "author",
    "Autorin": "author",
    "Autoren": "author",
    "Autorinnen": "author",
    "Autorin/Autor": "author",
    "Redaktion": "editor",
    "Redakteur": "editor",
    "Redakteurin": "editor",
    # English
    "Author": "author",
    "Authors": "author",
    "Editor": "editor",
    "Editors": "editor",
    # French
    "Auteur": "author",
    "Auteure": "author",
    "Auteurs": "author",
    "Édition": "editor",
    "Edition": "editor",
    "Rédaction": "editor",
    # Spanish, Portuguese (Brazil and Africa)
    "Autora": "author",
    "Autores": "author",
    "Autoria": "author",
    "Editora": "editor",
    "Edición": "editor",
    "Redacción": "editor",
    "Edição": "editor",
    # Polish, Romanian, Albanian, Bosnian/Croatian/Serbian (Latin)
    "Autorka": "author",
    "Autoare": "author",
    "Autorica": "author",
    "Redakcja": "editor",
    "Redaktor": "editor",
    "Redactor": "editor",
    "Redaktimi": "editor",
    "Urednik": "editor",
    "Urednica": "editor",
    "Redakcija": "editor",
    # Russian, Ukrainian, Bulgarian, Macedonian, Serbian (Cyrillic)
    "Автор": "author",
    "Авторы": "author",
    "Автори": "author",
    "Аутор": "author",
    "Редактор": "editor",
    "Редакция": "editor",
    "Редакція": "editor",
    "Уредник": "editor",
    # Turkish, Kiswahili, Indonesian, Vietnamese, Greek
    "Yazar": "author",
    "Editör": "editor",
    "Mwandishi": "author",
    "Mhariri": "editor",
    "Penulis": "author",
    "Tác giả": "author",
    "Biên tập": "editor",
    "Συντάκτης": "author",
    "Επιμέλεια": "editor",
    # Arabic, Persian/Dari, Hindi, Chinese
    "الكاتب": "author",
    "الكاتبة": "author",
    "تحرير": "editor",
    "نویسنده": "author",
    "ویراستار": "editor",
    "लेखक": "author",
    "संपादन": "editor",
    "संपादक": "editor",
    "作者": "author",
    "责编": "editor",
    "責編": "editor",
    "编辑": "editor",
    "編輯": "editor",
}

_ROLES: dict[str, Role] = {label.casefold(): role for label, role in BYLINE_LABELS.items()}
_LABELS = "|".join(re.escape(label) for label in sorted(BYLINE_LABELS, key=len, reverse=True))
#: A labelled segment's start: the label, optional spaces, a colon (ASCII or full-width).
_LABEL_START = re.compile(rf"({_LABELS})\s*[:：]\s*", re.IGNORECASE)
#: Where a line holds several labelled segments: `` / ``, `` | `` or ``;`` before a label.
_SEGMENT_SPLIT = re.compile(rf"\s*(?:\s/\s|\s\|\s|;)\s*(?=(?:{_LABELS})\s*[:：])", re.IGNORECASE)
#: Between two names of one label (conjunctions as printed: lower-case, so that an initial
#: such as "Y." stays part of a name).
_NAME_SPLIT = re.compile(
    r"\s*(?:,|;|&|/|、|，|\b(?:und|and|et|y|e|i|ve|na|dan|și|и|і|та|και)\b)\s*"
)
#: A name longer than this many words is a sentence, not a byline.
MAX_NAME_WORDS = 5
#: Lower-case words a name may hold (``Ursula von der Leyen``); any other word starting
#: with a lower-case letter makes the "name" a phrase. Scripts without case pass.
NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "da", "das", "do", "dos", "du", "la", "le", "ter", "zu"}
    | {"zur", "di", "del", "della", "bin", "ibn", "al", "el"}
)


@dataclass(frozen=True, slots=True)
class Bylines:
    """The byline lines taken out of a body: the names by role, and the lines as printed
    joined by `` / `` (``Autor: A. B. / Redaktion: C. D.``)."""

    authors: tuple[str, ...]
    editors: tuple[str, ...]
    raw: str

    def author_records(self) -> list[Author]:
        return [Author(name) for name in self.authors]

    def credit_line(self, closing: CreditLine | None) -> CreditLine:
        """The article's credit line: the editors join ``closing`` (the closing credit
        line, when the body also had one), whose raw text comes first."""
        if closing is None:
            return CreditLine(raw=self.raw, editors=self.editors)
        editors = list(closing.editors)
        for name in self.editors:
            append_unique(editors, name)
        return CreditLine(
            raw=f"{closing.raw} / {self.raw}",
            writers=closing.writers,
            editors=tuple(editors),
            agencies=closing.agencies,
        )


@dataclass(frozen=True, slots=True)
class _Segment:
    role: Role
    names: tuple[str, ...]
    raw: str


def parse_byline(line: str) -> list[_Segment] | None:
    """The labelled segments of one printed line, or None when it is no byline line."""
    text = clean_text(line)
    if not text or _LABEL_START.match(text) is None:  # most lines: one failed match
        return None
    segments = []
    for piece in _SEGMENT_SPLIT.split(text):
        match = _LABEL_START.match(piece)
        if match is None:
            return None
        names = [n for n in (clean_text(x) for x in _NAME_SPLIT.split(piece[match.end() :])) if n]
        if not names or not all(_is_name(name) for name in names):
            return None
        segments.append(_Segment(_ROLES[match[1].casefold()], tuple(names), piece))
    return segments


def _is_name(text: str) -> bool:
    words = text.split()
    return len(words) <= MAX_NAME_WORDS and not any(
        word[0].islower() and word not in NAME_PARTICLES for word in words
    )


def _byline_suffix(text: str) -> tuple[list[str], list[_Segment]]:
    """(the lines before the byline lines that end ``text``, those byline segments)."""
    lines = [line for line in text.splitlines() if clean_text(line)]
    found: list[_Segment] = []
    while lines:
        segments = parse_byline(lines[-1])
        if segments is None:
            break
        found[:0] = segments
        lines.pop()
    return lines, found


def extract_bylines(blocks: list[RawBlock]) -> Bylines | None:
    """Take the byline lines that end the body out of ``blocks`` (whole paragraphs, or the
    last lines of the last paragraph after a ``<br>``), looking past trailing images and
    videos; None (and ``blocks`` untouched) when the body ends otherwise."""
    found: list[_Segment] = []
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.type in ("image", "video"):
            continue
        if block.type != "paragraph" or not block.text:
            break
        rest, segments = _byline_suffix(block.text)
        if not segments:
            break
        found[:0] = segments
        if rest:
            block.text = "\n".join(rest)
            block.cleaned = None
            break
        del blocks[index]
    return _collect(found) if found else None


def _collect(segments: Iterable[_Segment]) -> Bylines:
    names: dict[Role, list[str]] = {"author": [], "editor": []}
    raws = []
    for segment in segments:
        for name in segment.names:
            append_unique(names[segment.role], name)
        raws.append(segment.raw)
    return Bylines(tuple(names["author"]), tuple(names["editor"]), " / ".join(raws))
