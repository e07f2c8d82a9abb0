"""Mentions of knowledge-base brands and products in contract titles and descriptions.

Precision first: a term is found only as whole words, in order ("BOWINDOWS" is not Windows,
"FRANCISCO" is not Cisco); an ambiguous term ("Windows", "Teams") counts only beside another
term of the same group. Each text gives at most one mention per group, with the relation the
text describes: a purchase or licence, services on the product, or a mere mention (training).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from normality import ascii_text
from pydantic import Field

from vigie.datamodel import Strict as _Strict
from vigie.kb import KnowledgeBase
from vigie.resolve.matcher import Match

_WORD = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[^\W_]+")
# A word elided before another ("dell'Unione", "d'Aix"), not an English possessive ("'s").
_ELIDED = re.compile(r"[^\W_]+['\u2019](?!s\b)(?=[^\W\d_])")
Tokens = tuple[str, ...]


class MentionScores(_Strict):
    """Score of a mention by the kind of term found."""

    product_term: float = Field(ge=0, le=1)
    company_name: float = Field(ge=0, le=1)
    ambiguous_term: float = Field(ge=0, le=1)


class Relation(_Strict):
    """A kind of relation and the words that show it."""

    kind: str = Field(pattern=r"^[a-z_]+$")
    words: frozenset[str] = Field(min_length=1)


class MentionConfig(_Strict):
    """Scores, text bound and relation words of mention matching."""

    threshold: float = Field(ge=0, le=1)
    scores: MentionScores
    max_text_length: int = Field(ge=10)
    short_term_length: int = Field(ge=0)
    relations: tuple[Relation, ...]
    default_kind: str


def load_mention_config(path: Path | None = None) -> MentionConfig:
    """Load and validate the mention configuration (default: the one shipped with vigie)."""
    if path is None:
        text = files("vigie.resolve").joinpath("mentions.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return MentionConfig.model_validate(yaml.safe_load(text))


def text_tokens(text: str, max_length: int = 100_000) -> Tokens:
    """Words of a text: ASCII, lower case, split on anything that is not a letter or digit."""
    text = text[:max_length]
    if not text.isascii():
        text = ascii_text(text)
    return tuple(_WORD.findall(text.lower()))


def term_words(text: str, max_length: int = 100_000) -> Tokens:
    """Words of a text as terms are compared: lower case; a word written with letters outside
    ASCII is kept as written ("máximo" is not the product "Maximo"); elided words
    ("dell'Unione": "dell" is Italian for "of the", not Dell) are left out."""
    text = _ELIDED.sub(" ", text[:max_length].lower())
    out: list[str] = []
    for word in _LETTERS.findall(text):
        out.extend(_WORD.findall(word) if word.isascii() else (word,))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Term:
    """A term to find in texts, and what it stands for."""

    text: str
    tokens: Tokens
    company_id: str
    strength: str  # product_term, company_name or ambiguous_term
    product_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Hit:
    term: Term
    position: int
    group_id: str


class MentionFinder:
    """Finds brand and product terms in texts; no global state, build once per knowledge base."""

    def __init__(self, kb: KnowledgeBase, config: MentionConfig | None = None) -> None:
        self.kb = kb
        self.config = config or load_mention_config()
        self.terms: dict[str, list[Term]] = {}
        for term in self._all_terms():
            self.terms.setdefault(term.tokens[0], []).append(term)

    def _all_terms(self) -> Iterable[Term]:
        brand_owners = {p.company for p in self.kb.products.values()}
        for product in sorted(self.kb.products.values(), key=lambda p: p.id):
            for strength, texts in (
                ("product_term", product.terms),
                ("ambiguous_term", product.ambiguous_terms),
            ):
                for text in texts:
                    yield from self._term(text, product.company, strength, product.id)
        for company_id in sorted(brand_owners & set(self.kb.companies)):
            company = self.kb.companies[company_id]
            for text in (company.name, *company.aliases):
                yield from self._term(text, company_id, "company_name", None)

    def _term(self, text: str, company_id: str, strength: str, product: str | None) -> list[Term]:
        tokens = term_words(text)
        return [Term(text, tokens, company_id, strength, product)] if tokens else []

    def find(self, text: str | None, date: str | None = None) -> list[Match]:
        """Mentions in one text: at most one per group, best term first, in group order."""
        if not text:
            return []
        hits = self._hits(term_words(text, self.config.max_text_length), date)
        if not hits:
            return []
        kind, why = self._relation(text_tokens(text, self.config.max_text_length))
        by_group: dict[str, list[_Hit]] = {}
        for hit in hits:
            by_group.setdefault(hit.group_id, []).append(hit)
        out = []
        for group_id, group_hits in by_group.items():
            match = self._best(group_id, group_hits, kind, why, date)
            if match is not None:
                out.append(match)
        return sorted(out, key=lambda m: (-m.score, m.group_id))

    def _hits(self, words: Tokens, date: str | None) -> list[_Hit]:
        hits = []
        for i, word in enumerate(words):
            for term in self.terms.get(word, ()):
                n = len(term.tokens)
                if words[i : i + n] == term.tokens:
                    group = self.kb.group_of(term.company_id, at=date).id
                    hits.append(_Hit(term, i, group))
        return hits

    def _relation(self, words: Tokens) -> tuple[str, str]:
        present = set(words)
        for relation in self.config.relations:
            found = sorted(relation.words & present)
            if found:
                return relation.kind, " ".join(found)
        return self.config.default_kind, ""

    def _short(self, hit: _Hit) -> bool:
        tokens = hit.term.tokens
        return len(tokens) == 1 and len(tokens[0]) <= self.config.short_term_length

    def _best(
        self, group_id: str, hits: list[_Hit], kind: str, why: str, date: str | None
    ) -> Match | None:
        distinct = {h.term.tokens for h in hits}
        context = len(distinct) > 1
        usable = [
            h
            for h in hits
            if context or (h.term.strength != "ambiguous_term" and (why or not self._short(h)))
        ]
        if not usable:
            return None
        scores = self.config.scores
        best = max(usable, key=lambda h: (getattr(scores, h.term.strength), len(h.term.tokens)))
        score = float(getattr(scores, best.term.strength))
        if score < self.config.threshold:
            return None
        company = self.kb.companies[best.term.company_id]
        group = self.kb.group_of(company.id, at=date)
        what = f"product {best.term.product_id}" if best.term.product_id else "company name"
        relation = f"relation {kind}" + (f" ({why})" if why else " (no relation word)")
        explanation = (
            f"term {best.term.text!r} ({best.term.strength}, {what} of {company.id}) "
            f"at word {best.position + 1}; {relation}; score {score:g}"
        )
        return Match(
            name=best.term.text,
            company_id=company.id,
            company_name=company.name,
            group_id=group.id,
            group_name=group.name,
            score=score,
            rule=kind,
            matched_alias=best.term.text,
            explanation=explanation,
        )


def find_mentions(
    texts: Iterable[str | None], finder: MentionFinder, dates: Iterable[str | None] | None = None
) -> list[list[Match]]:
    """Mentions of a column of texts; each distinct (text, date) is read once. Input order."""
    cache: dict[tuple[str, str | None], list[Match]] = {}
    out: list[list[Match]] = []
    date_list = list(dates) if dates is not None else None
    for i, text in enumerate(texts):
        date = date_list[i] if date_list is not None else None
        if not text:
            out.append([])
            continue
        key = (text, date)
        if key not in cache:
            cache[key] = finder.find(text, date)
        out.append(cache[key])
    return out
