"""Matching supplier names to knowledge-base companies: a pure batch function.

Every alias of every company is normalised once into an index. A name is then scored by
three rules, in order, and the first that reaches the threshold wins:

1. ``exact``: the normalised name equals a normalised alias;
2. ``qualified``: the name is an alias preceded or followed only by qualifier words;
3. ``fuzzy``: rapidfuzz similarity with an alias of at least ``fuzzy.min_length`` characters.

See docs/matching.md for the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from vigie.kb import KnowledgeBase
from vigie.resolve.config import MatchingConfig, load_matching_config
from vigie.resolve.normalize import base_tokens, strip_endings


@dataclass(frozen=True, slots=True)
class Match:
    """A name resolved to a company and its group, with the score and why."""

    name: str
    company_id: str
    company_name: str
    group_id: str
    group_name: str
    score: float
    rule: str
    matched_alias: str
    explanation: str


@dataclass(frozen=True, slots=True)
class _Alias:
    text: str
    company_id: str


class Matcher:
    """An index of every alias in a knowledge base, and the rules to score names against it."""

    def __init__(self, kb: KnowledgeBase, config: MatchingConfig | None = None) -> None:
        self.kb = kb
        self.config = config or load_matching_config()
        self._index: dict[tuple[str, ...], list[_Alias]] = {}
        for company in kb.companies.values():
            for alias in (company.name, *company.aliases):
                key = self.tokens(alias)
                if key:
                    entries = self._index.setdefault(key, [])
                    if all(e.company_id != company.id for e in entries):
                        entries.append(_Alias(alias, company.id))
        self._fuzzy_keys = [
            " ".join(key)
            for key in self._index
            if len(" ".join(key)) >= self.config.fuzzy.min_length
        ]

    def tokens(self, name: str) -> tuple[str, ...]:
        """Normalised tokens of a name, as compared by every rule."""
        return strip_endings(base_tokens(name), self.config.extra_legal_forms)

    def match_one(self, name: str) -> Match | None:
        """The best match for one name, or None below the threshold."""
        tokens = self.tokens(name)
        if not tokens:
            return None
        for candidate in (
            self._exact(name, tokens),
            self._qualified(name, tokens),
            self._fuzzy(name, tokens),
        ):
            if candidate is not None and candidate.score >= self.config.threshold:
                return candidate
        return None

    def _exact(self, name: str, tokens: tuple[str, ...]) -> Match | None:
        entries = self._index.get(tokens)
        if not entries:
            return None
        score = self.config.scores.exact
        why = f"exact: normalised name {' '.join(tokens)!r} equals alias {entries[0].text!r}"
        return self._build(name, entries, score, "exact", why)

    def _qualified(self, name: str, tokens: tuple[str, ...]) -> Match | None:
        lead = 0
        while lead < len(tokens) - 1 and tokens[lead] in self.config.leading_qualifiers:
            lead += 1
        core = tokens[lead:]
        for end in range(len(core), 0, -1):
            entries = self._index.get(core[:end])
            rest = core[end:]
            if (
                entries
                and (rest or lead)
                and all(t in self.config.trailing_qualifiers for t in rest)
            ):
                extra = [*tokens[:lead], *rest]
                why = (
                    f"qualified: alias {entries[0].text!r} with qualifier words {' '.join(extra)!r}"
                )
                return self._build(name, entries, self.config.scores.qualified, "qualified", why)
        return None

    def _fuzzy(self, name: str, tokens: tuple[str, ...]) -> Match | None:
        text = " ".join(tokens)
        if len(text) < self.config.fuzzy.min_length or not self._fuzzy_keys:
            return None
        best = process.extractOne(
            text,
            self._fuzzy_keys,
            scorer=fuzz.ratio,
            score_cutoff=self.config.fuzzy.min_ratio * 100,
        )
        if best is None:
            return None
        key_text, ratio, _ = best
        entries = self._index[tuple(key_text.split())]
        score = round(ratio / 100, 4)
        why = f"fuzzy: ratio {score:.4f} between {text!r} and alias {entries[0].text!r}"
        return self._build(name, entries, score, "fuzzy", why)

    def _build(
        self, name: str, entries: Sequence[_Alias], score: float, rule: str, why: str
    ) -> Match | None:
        groups = {self.kb.group_of(e.company_id).id for e in entries}
        if len(groups) > 1:
            return None  # the alias is shared by unrelated groups: ambiguous, not reported
        entry = entries[0]
        company = self.kb.companies[entry.company_id]
        group = self.kb.group_of(company.id)
        return Match(
            name, company.id, company.name, group.id, group.name, score, rule, entry.text, why
        )


def match_names(names: Iterable[str | None], matcher: Matcher) -> list[Match | None]:
    """Match a column of names; each distinct name is scored once. Output order = input order."""
    cache: dict[str, Match | None] = {}
    out: list[Match | None] = []
    for name in names:
        if not name:
            out.append(None)
            continue
        if name not in cache:
            cache[name] = matcher.match_one(name)
        out.append(cache[name])
    return out
