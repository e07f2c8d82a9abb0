"""Matching supplier names to knowledge-base companies.

Every alias of every company is normalised once into an :class:`AliasIndex`. For a name, the
index gives candidate aliases (rarest word first); each is aligned in the name, the words
around it are classified (qualifiers or not), identifiers and country are compared, and the
features of ``matching.yaml`` give the score. The best candidate at or above the threshold is
the match; a tie between different groups is ambiguous and not reported.

See docs/matching.md for the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from rapidfuzz import fuzz, process

from vigie.kb import KnowledgeBase
from vigie.resolve.config import MatchingConfig, load_matching_config
from vigie.resolve.features import Extra, Observation
from vigie.resolve.identifiers import compare_keys
from vigie.resolve.index import AliasEntry, AliasIndex, Key, Tokens, legal_forms
from vigie.resolve.normalize import LOST_CHARACTER, base_tokens, strip_endings
from vigie.resolve.qualifiers import WordClassifier
from vigie.resolve.scoring import (
    Contribution,
    align,
    ceiling,
    contributions,
    explain,
    rule_of,
    score,
    similarity,
    weighted,
)

_NO_EXTRA = Extra()
_MEMO_SIZE = 200_000


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
    contributions: tuple[Contribution, ...] = field(default=(), compare=False, repr=False)


class Query(NamedTuple):
    """A name to match, with what was published beside it (a tuple: cheap to build and hash,
    as a batch builds one per row)."""

    name: str
    country: str | None = None
    identifiers: frozenset[Key] = frozenset()
    date: str | None = None


@dataclass(slots=True)
class _Scored:
    score: float
    alias: AliasEntry
    obs: Observation


class Matcher:
    """An index of every alias in a knowledge base, and the features to score names with it."""

    def __init__(self, kb: KnowledgeBase, config: MatchingConfig | None = None) -> None:
        self.kb = kb
        self.config = config or load_matching_config()
        self.words = WordClassifier(self.config.qualifiers)
        self._conflicts: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = {}
        self._groups: dict[tuple[str, str | None], tuple[str, str]] = {}
        self._extras: dict[tuple[Tokens, Tokens, bool], Extra] = {}
        self._last_forms: tuple[str, frozenset[str]] | None = None
        self._endings = frozenset(e[-1] for e in self.config.extra_legal_forms if e)
        self._ceiling = ceiling(self.config)
        self._weighted = weighted(self.config)
        self.index = AliasIndex.build(
            kb.companies.values(), self.tokens, self.config.blocking.typo_min_length
        )
        self._unexplained_weight = self.config.weight("unexplained_words")

    def tokens(self, name: str) -> Tokens:
        """Normalised tokens of a name, as compared by every feature."""
        words = base_tokens(name, self.config.max_name_length)
        if words and words[-1] in self._endings:
            return strip_endings(words, self.config.extra_legal_forms)
        return words

    def match_one(
        self,
        name: str,
        country: str | None = None,
        identifiers: frozenset[Key] = frozenset(),
        date: str | None = None,
    ) -> Match | None:
        """The best match for one name, or None below the threshold or when ambiguous."""
        return self.match_query(Query(name, country, identifiers, date))

    def match_query(self, query: Query) -> Match | None:
        """The best match for one query, or None below the threshold or when ambiguous."""
        words = self.tokens(query.name)
        scored = [
            s for s in self._score_all(words, query, prune=True) if s.score >= self.config.threshold
        ]
        if not scored:
            return None
        scored.sort(key=lambda s: (-s.score, -len(s.alias.tokens), s.alias.company_id))
        best = scored[0]
        group = self._group(best.alias.company_id, query.date)
        for other in scored[1:]:
            if (other.score, len(other.alias.tokens)) != (best.score, len(best.alias.tokens)):
                break
            if self._group(other.alias.company_id, query.date) != group:
                return None  # the same evidence points to two groups: ambiguous
        return self._build(query, best)

    def candidates(self, query: Query, limit: int = 5) -> list[Match]:
        """Every company the query aligns with, best first (one per company, its best alias),
        at most ``limit``, whatever their score: for reviewers and the HTTP API, which show
        the threshold beside them. :meth:`match_query` decides what is a match."""
        best: dict[str, _Scored] = {}
        for scored in self._score_all(self.tokens(query.name), query):
            kept = best.get(scored.alias.company_id)
            if kept is None or scored.score > kept.score:
                best[scored.alias.company_id] = scored
        ranked = sorted(
            best.values(), key=lambda s: (-s.score, -len(s.alias.tokens), s.alias.company_id)
        )
        return [self._build(query, s) for s in ranked[: max(limit, 0)]]

    def _score_all(self, words: Tokens, query: Query, prune: bool = False) -> list[_Scored]:
        """Every aligned candidate with its score (``prune``: leave out those whose
        unexplained words alone keep them below the threshold)."""
        out: list[_Scored] = []
        seen: set[str] = set()
        limit = self.config.blocking.max_candidates
        for i in self.index.candidates(words, limit) if words else ():
            alias = self.index.aliases[i]
            span = align(words, alias.tokens, self.index.same_word)
            if span is None:
                continue
            start, end = span
            extra = self._extra(words[:start], words[end:], LOST_CHARACTER in query.name)
            if prune and self._hopeless(extra) and not query.identifiers:
                continue
            aligned = words[start:end]
            out.append(self._scored(query, alias, aligned, extra))
            seen.add(alias.company_id)
        for company_id in self._identified(query.identifiers) - seen:
            closest = self._closest_alias(company_id, " ".join(words))
            if closest is not None:
                out.append(self._scored(query, closest, words, Extra()))
        return out

    def _hopeless(self, extra: Extra) -> bool:
        if self._ceiling is None or not extra.unexplained:
            return False
        best = self._ceiling + self._unexplained_weight * len(extra.unexplained)
        return best < self.config.threshold

    def _extra(self, lead: Tokens, trail: Tokens, lost: bool = False) -> Extra:
        """The words around the alias, classified (remembered on the instance, bounded)."""
        if not lead and not trail:
            return _NO_EXTRA
        key = (lead, trail, lost)
        found = self._extras.get(key)
        if found is None:
            if len(self._extras) >= _MEMO_SIZE:
                self._extras.clear()
            found = self._extras[key] = self._classify(lead, trail, lost)
        return found

    def _classify(self, lead: Tokens, trail: Tokens, lost: bool) -> Extra:
        before = self.words.leading(lead, lost)
        after = self.words.trailing(trail)
        stray = tuple(w for w in after.unexplained if len(w) == 1)
        return Extra(
            before.qualifiers + after.qualifiers,
            before.unexplained + tuple(w for w in after.unexplained if len(w) > 1),
            after.countries,
            stray,
        )

    def _scored(self, query: Query, alias: AliasEntry, aligned: Tokens, extra: Extra) -> _Scored:
        company = self.kb.companies[alias.company_id]
        text = " ".join(aligned)
        obs = Observation(similarity(text, alias.key), text, alias.text, extra)
        if text != alias.key and len(aligned) == len(alias.tokens):
            obs.typos = tuple(w for w, a in zip(aligned, alias.tokens, strict=True) if w != a)
            obs.short_alias = len(alias.key) < self.config.blocking.typo_min_alias_length
        if query.identifiers:
            known = self.index.company_keys.get(company.id, frozenset())
            obs.identifier, obs.identifier_note = compare_keys(query.identifiers, known)
        published = (query.country or "").strip().lower()[:2]
        if published and company.country:
            obs.country = 1 if published == company.country else -1
            obs.country_note = f"{published} / {company.country}"
        if extra.countries:
            obs.location_conflict = self._location_conflict(
                company.id, extra.countries, alias.tokens
            )
        if alias.forms:
            forms = self._legal_forms(query.name)
            if forms and forms.isdisjoint(alias.forms):
                obs.legal_forms = f"{'/'.join(sorted(forms))} vs {'/'.join(sorted(alias.forms))}"
        return _Scored(score(obs, self._weighted), alias, obs)

    def _legal_forms(self, name: str) -> frozenset[str]:
        """Legal-form classes of the name being scored (kept for its other candidates)."""
        last = self._last_forms
        if last is None or last[0] != name:
            last = self._last_forms = (name, legal_forms(name[: self.config.max_name_length]))
        return last[1]

    def _location_conflict(self, company_id: str, countries: Tokens, alias: Tokens) -> str:
        """The name says country C; the company or one it controls is recorded in C under
        names that share no word with the alias: then this name is not that entity."""
        company = self.kb.companies[company_id]
        words = set(alias)
        for code in countries:
            if code == company.country:
                continue
            local = self._local_entities(company_id, code)
            if local and not any(words & names for _, names in local):
                return f"{code}: {local[0][0]}"
        return ""

    def _local_entities(self, company_id: str, code: str) -> list[tuple[str, frozenset[str]]]:
        """Companies in country ``code`` among the company and those it controls, each with
        every word of its names (cached on the instance)."""
        key = (company_id, code)
        if key not in self._conflicts:
            local = []
            for member in self.kb.group_members(company_id):
                c = self.kb.companies[member]
                if c.country == code:
                    names = frozenset(w for n in (c.name, *c.aliases) for w in self.tokens(n))
                    local.append((f"{c.name} ({c.id})", names))
            self._conflicts[key] = local
        return self._conflicts[key]

    def _identified(self, keys: frozenset[Key]) -> set[str]:
        found: set[str] = set()
        for key in keys:
            found |= self.index.by_identifier.get(key, set())
        return found

    def _closest_alias(self, company_id: str, text: str) -> AliasEntry | None:
        own = [a for a in self.index.aliases if a.company_id == company_id]
        if not own:
            return None
        best = process.extractOne(text, [a.key for a in own], scorer=fuzz.ratio)
        return own[best[2]] if best else own[0]

    def _group(self, company_id: str, date: str | None) -> tuple[str, str]:
        """(id, name) of the company's group on ``date`` (cached on the instance)."""
        key = (company_id, date)
        found = self._groups.get(key)
        if found is None:
            group = self.kb.group_of(company_id, at=date)
            found = self._groups[key] = (group.id, group.name)
        return found

    def at_date(self, match: Match, date: str | None) -> Match:
        """The match with its group as it was on ``date`` (ownership changes over time)."""
        if not date:
            return match
        group_id, group_name = self._group(match.company_id, date)
        if group_id == match.group_id:
            return match
        return replace(match, group_id=group_id, group_name=group_name)

    def _build(self, query: Query, best: _Scored) -> Match:
        company = self.kb.companies[best.alias.company_id]
        group_id, group_name = self._group(company.id, query.date)
        parts = contributions(best.obs, self.config)
        return Match(
            name=query.name,
            company_id=company.id,
            company_name=company.name,
            group_id=group_id,
            group_name=group_name,
            score=best.score,
            rule=rule_of(best.obs),
            matched_alias=best.alias.text,
            explanation=explain(best.alias.text, company.id, best.score, parts),
            contributions=parts,
        )
