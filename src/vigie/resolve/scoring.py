"""Alignment of an alias inside a name, and the score of a candidate as a sum of features."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from vigie.resolve.config import MatchingConfig
from vigie.resolve.features import COUNTS, FEATURES, VALUES, Observation

Tokens = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One feature's part in a score: value x weight, and why it has that value."""

    feature: str
    value: float
    weight: float
    detail: str

    @property
    def points(self) -> float:
        """value x weight."""
        return self.value * self.weight


def align(
    words: Tokens, alias: Tokens, same_word: Callable[[str, str], bool]
) -> tuple[int, int] | None:
    """Where the alias's words appear in the name, in order and next to each other
    (each equal or one typo apart): ``(start, end)``; the first exact place wins."""
    n = len(alias)
    if n == 1:  # the common case, without slicing
        word = alias[0]
        if word in words:
            start = words.index(word)
            return start, start + 1
        return next(((i, i + 1) for i, w in enumerate(words) if same_word(w, word)), None)
    best: tuple[int, int] | None = None
    for start in range(len(words) - n + 1):
        window = words[start : start + n]
        if window == alias:
            return start, start + n
        if best is None and all(same_word(w, a) for w, a in zip(window, alias, strict=True)):
            best = (start, start + n)
    return best


def similarity(aligned: str, alias: str) -> float:
    """rapidfuzz ``fuzz.ratio`` scaled to 0-1 and rounded to 4 decimals."""
    return 1.0 if aligned == alias else round(fuzz.ratio(aligned, alias) / 100, 4)


Weighted = tuple[tuple[Callable[[Observation], float], float], ...]


def weighted(config: MatchingConfig) -> Weighted:
    """(value function, weight) of each configured feature, in order, ready for :func:`score`."""
    return tuple((VALUES[spec.name], spec.weight) for spec in config.features)


def score(obs: Observation, features: Weighted) -> float:
    """Sum of weight x value over the features, clipped to [0, 1], 4 decimals."""
    total = 0.0
    for value, weight in features:
        total += weight * value(obs)
    return round(min(1.0, max(0.0, total)), 4)


def contributions(obs: Observation, config: MatchingConfig) -> tuple[Contribution, ...]:
    """Each configured feature's value, weight and detail, in the declared order."""
    parts = []
    for spec in config.features:
        value, detail = FEATURES[spec.name](obs)
        parts.append(Contribution(spec.name, value, spec.weight, detail))
    return tuple(parts)


def ceiling(config: MatchingConfig) -> float | None:
    """The highest score a candidate could reach before counting its unexplained words
    (None when a count feature has a positive weight: no such bound)."""
    if any(f.name in COUNTS and f.weight > 0 for f in config.features):
        return None
    return sum(max(0.0, f.weight) for f in config.features if f.name not in COUNTS)


def explain(alias_text: str, company_id: str, total: float, parts: tuple[Contribution, ...]) -> str:
    """The explanation of a match: each non-zero feature's value x weight, then the total."""
    terms = [
        f"{p.feature} {p.value:g} x {p.weight:g} = {p.points:+.4g}"
        + (f" ({p.detail})" if p.detail else "")
        for p in parts
        if p.value
    ]
    return f"alias {alias_text!r} of {company_id}: " + "; ".join(terms) + f"; score {total:g}"


def rule_of(obs: Observation) -> str:
    """A one-word summary of how the name met the alias."""
    if obs.identifier > 0 and obs.similarity < 1.0:
        return "identifier"
    if obs.similarity < 1.0:
        return "fuzzy"
    if obs.extra.qualifiers or obs.extra.unexplained:
        return "qualified"
    return "exact"
