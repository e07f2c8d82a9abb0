"""The candidate index: every alias of every company, retrievable by its rarest word.

Each alias is filed once, under its *anchor*: the word of the alias that the fewest aliases
share (rarity-aware blocking). A name retrieves the aliases anchored on its words, and on words
one typo away (a one-deletion index over anchor words, as in SymSpell), then each candidate is
aligned and scored. Whole names are also looked up directly (``exact``), so an alias made only
of common words is still found when it is the whole name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from normality import ascii_text
from rapidfuzz.distance import OSA
from rigour.names import extract_org_types

from vigie.kb import Company
from vigie.resolve.identifiers import identifier_keys

Tokens = tuple[str, ...]
Key = tuple[str, str]
_SARL = re.compile(r"(?<![a-z])s\.?\s?a\.?\s?r\.?\s?l\b\.?")


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One alias of one company, with its normalised words."""

    company_id: str
    text: str
    tokens: Tokens
    forms: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """The words joined by single spaces."""
        return " ".join(self.tokens)


def legal_forms(name: str) -> frozenset[str]:
    """rigour's generic classes of the legal forms written in a name (``llc``, ``jsc``...).

    "S.à r.l." is read as one form (rigour would see "s.a", société anonyme, in it)."""
    text = (name if name.isascii() else ascii_text(name)).lower()
    text = _SARL.sub("sarl", text)
    return frozenset(generic for _, generic in extract_org_types(text, generic=True))


def deletions(word: str) -> Iterator[str]:
    """The word itself and every string with one of its characters removed."""
    yield word
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


def company_names(company: Company) -> tuple[str, ...]:
    """Every name a company is known by: name, aliases and former names (when recorded)."""
    return (company.name, *company.aliases, *company.former_names)


def company_identifier_keys(company: Company) -> frozenset[Key]:
    """Comparable keys of the company's recorded identifiers (none when not recorded)."""
    keys: set[Key] = set()
    for ident in company.identifiers:
        keys |= identifier_keys(ident.scheme, ident.value)
    return frozenset(keys)


@dataclass
class AliasIndex:
    """Aliases, with lookups by whole name, by anchor word, by typo and by identifier."""

    typo_min_length: int
    aliases: list[AliasEntry] = field(default_factory=list)
    exact: dict[Tokens, list[int]] = field(default_factory=dict)
    anchors: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()
    typos: dict[str, set[str]] = field(default_factory=dict)
    by_identifier: dict[Key, set[str]] = field(default_factory=dict)
    company_keys: dict[str, frozenset[Key]] = field(default_factory=dict)
    frequency: Counter[str] = field(default_factory=Counter)
    memo_size: int = 200_000
    _memo: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        companies: Iterable[Company],
        tokens: Callable[[str], Tokens],
        typo_min_length: int,
    ) -> AliasIndex:
        """Index every name of every company; an alias repeated within a company is kept once."""
        index = cls(typo_min_length)
        seen: set[tuple[str, Tokens]] = set()
        for company in companies:
            for name in company_names(company):
                words = tokens(name)
                if words and (company.id, words) not in seen:
                    seen.add((company.id, words))
                    index.aliases.append(AliasEntry(company.id, name, words, legal_forms(name)))
            keys = company_identifier_keys(company)
            index.company_keys[company.id] = keys
            for key in keys:
                index.by_identifier.setdefault(key, set()).add(company.id)
        index._file()
        return index

    def _file(self) -> None:
        self.frequency = Counter(w for a in self.aliases for w in set(a.tokens))
        exact: dict[Tokens, list[int]] = defaultdict(list)
        anchors: dict[str, list[int]] = defaultdict(list)
        for i, alias in enumerate(self.aliases):
            exact[alias.tokens].append(i)
            anchor = min(alias.tokens, key=lambda w: (self.frequency[w], -len(w), w))
            anchors[anchor].append(i)
        self.exact, self.anchors = dict(exact), dict(anchors)
        self.vocabulary = frozenset(self.frequency)
        typos: dict[str, set[str]] = defaultdict(set)
        for word in self.anchors:
            if len(word) >= self.typo_min_length:
                for variant in deletions(word):
                    typos[variant].add(word)
        self.typos = dict(typos)

    def same_word(self, a: str, b: str) -> bool:
        """Equal, or one typo apart (insertion, deletion, substitution or transposition) when
        both are at least ``typo_min_length`` characters long."""
        if a == b:
            return True
        n = self.typo_min_length
        return len(a) >= n and len(b) >= n and OSA.distance(a, b, score_cutoff=1) <= 1

    def anchor_words(self, word: str) -> tuple[str, ...]:
        """Anchor words equal to ``word`` or, when it is not a known word, one typo away.

        Results are remembered on the instance (words repeat across names; the memo is
        emptied when it reaches ``memo_size`` entries, so memory stays bounded)."""
        found = self._memo.get(word)
        if found is None:
            found = self._anchor_words(word)
            if len(self._memo) >= self.memo_size:
                self._memo.clear()
            self._memo[word] = found
        return found

    def _anchor_words(self, word: str) -> tuple[str, ...]:
        if word in self.anchors:
            return (word,)
        if word in self.vocabulary or len(word) < self.typo_min_length:
            return ()
        found: set[str] = set()
        for variant in deletions(word):
            found |= self.typos.get(variant, set())
        return tuple(sorted(w for w in found if self.same_word(word, w)))

    def candidates(self, words: Tokens, limit: int) -> list[int]:
        """Aliases that may be in the name: whole-name hits, then aliases anchored on its
        words or their typos, rarest anchors first, at most ``limit``."""
        found: dict[int, None] = dict.fromkeys(self.exact.get(words, ()))
        anchors: set[str] = set()
        for word in set(words):
            anchors.update(self.anchor_words(word))
        if not anchors:
            return list(found)
        for anchor in sorted(anchors, key=lambda w: (len(self.anchors[w]), w)):
            for i in self.anchors[anchor]:
                found[i] = None
                if len(found) >= limit:
                    return list(found)
        return list(found)
