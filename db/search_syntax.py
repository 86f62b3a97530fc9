"""The search syntax of `dwscrape query`: the user's text as typed terms, and how each term is
written for SQLite's FTS5 and PostgreSQL's tsquery.

Syntax (the same on both databases):
- ``putin kim``: every word must occur (any case, any accents: ``uber`` finds ``über``);
- ``"north korea"``: the words in this order, next to each other;
- ``Put*``: a word (or a phrase's last word) starting with ``Put``;
- ``-Kim``, ``-"kim jong"``: articles containing the word or phrase are left out.

Folding is the same on both databases: case, diacritics (``é``, ``ü``, ``å``) and ``ß``/``ss``
(``strassenbahn`` finds ``Straßenbahn`` and ``Strasse`` finds ``Straße``). PostgreSQL's
``unaccent`` folds ``ß`` to ``ss`` in the index and the query; SQLite's ``unicode61`` tokenizer
keeps ``ß`` a letter of its own, so on SQLite a word with ``ss`` or ``ß`` is searched in both
spellings (`fts5_term`). Letters that ``unaccent`` replaces by other letters (``ø``, ``æ``,
``œ``, ``ł``, ``đ``, ``þ``) are searched in both spellings when the query contains them (the
query ``Ørsted`` finds ``Orsted`` on both databases).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, literal_column

#: Scripts written without spaces between words (and Hangul): matched by the trigram index.
NO_SPACE_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)

# An optional exclusion sign, then a quoted phrase or a bare word, then an optional prefix star.
_TERM = re.compile(r'(-?)(?:"([^"]*)"|([^\s"]+))')

#: Letters PostgreSQL's ``unaccent`` replaces by other letters while SQLite's tokenizer keeps
#: them: a query containing one also searches the replaced spelling on SQLite.
_LETTER_FOLDS = {
    "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ĳ": "ij",
}  # fmt: skip

#: At most this many spellings of one term are searched on SQLite (each ``ss``/``ß`` doubles
#: them; a word with more than three is searched in its first eight spellings).
MAX_SPELLINGS = 8


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a query: a word or a phrase (``text``), and how it is matched."""

    text: str
    trigram: bool  # substring match through the trigram index (scripts without spaces)
    prefix: bool = False  # ``Put*``: the (last) word is a prefix
    negated: bool = False  # ``-Kim``: articles containing it are excluded

    @property
    def short(self) -> bool:
        return len(self.text) < 3

    @property
    def words(self) -> list[str]:
        return [w for w in re.split(r"\W+", self.text) if w]


def parse_query(query: str) -> list[Term]:
    """The terms of a query. Terms without any letter or digit are dropped (they cannot
    match a word index), and so are stars and signs that stand alone."""
    terms: list[Term] = []
    for match in _TERM.finditer(query):
        sign, phrase, word = match.groups()
        raw = (phrase if phrase is not None else word).strip()
        prefix = False
        if phrase is None:
            prefix = raw.endswith("*")
            raw = raw.rstrip("*")
        elif query[match.end() : match.end() + 1] == "*":
            prefix = True
        if not any(ch.isalnum() for ch in raw):
            continue
        trigram = bool(NO_SPACE_SCRIPT.search(raw))
        terms.append(Term(raw, trigram, prefix=prefix and not trigram, negated=bool(sign)))
    return terms


# ---------------------------------------------------------------------- SQLite FTS5


def spellings(text: str) -> list[str]:
    """The spellings of a term that SQLite must search to fold as PostgreSQL does: ``ss`` and
    ``ß`` both ways, and the letters of `_LETTER_FOLDS` replaced."""
    lowered = text.lower()
    for letter, replacement in _LETTER_FOLDS.items():
        if letter in lowered:
            lowered = lowered.replace(letter, replacement)
    pieces = re.split(r"(ss|ß)", lowered)
    choices = [("ss", "ß") if p in ("ss", "ß") else (p,) for p in pieces]
    out = [text.lower()] if text.lower() != lowered else []
    for combo in itertools.islice(itertools.product(*choices), MAX_SPELLINGS):
        spelled = "".join(combo)
        if spelled not in out:
            out.append(spelled)
    return out


def fts5_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_term(term: Term) -> str:
    """One term as an FTS5 expression: its spellings as phrases, ORed."""
    star = " *" if term.prefix else ""
    options = [fts5_phrase(s) + star for s in spellings(term.text)]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def fts5_expression(terms: list[Term]) -> str:
    """Word-index terms as one FTS5 MATCH expression. At least one term must be positive:
    FTS5's NOT is binary (``a NOT b``)."""
    positive = " ".join(fts5_term(t) for t in terms if not t.negated)
    return positive + "".join(f" NOT {fts5_term(t)}" for t in terms if t.negated)


def fts5_any(terms: list[Term]) -> str:
    """Terms as an FTS5 expression matching an article containing any of them."""
    return " OR ".join(fts5_term(t) for t in terms)


# ---------------------------------------------------------------------- PostgreSQL tsquery


def tsquery_prefix_text(term: Term) -> str:
    """A prefix term as `to_tsquery` input: its words quoted, in sequence, the last a prefix
    (``"north kor"*`` -> ``'north' <-> 'kor':*``). Words are runs of word characters, so they
    never contain a quote or an operator."""
    return " <-> ".join(f"'{w}'" for w in term.words) + ":*"


def tsquery(term: Term, param: str, config: str) -> Any:
    """One word-index term as a PostgreSQL tsquery expression in the text-search `config`
    (which folds case and accents as the stored vectors were folded)."""
    regconfig: Any = literal_column(f"'{config}'::regconfig")
    if term.prefix:
        query: Any = func.to_tsquery(regconfig, bindparam(param, tsquery_prefix_text(term)))
    else:
        query = func.phraseto_tsquery(regconfig, bindparam(param, term.text))
    return func.tsquery_not(query) if term.negated else query
