"""Scoring features: each turns what was observed about a (name, alias) pair into a value.

``matching.yaml`` declares which features are used and their weights; a candidate's score is
the sum of weight x value, clipped to [0, 1]. Each feature also says, in words, why it has
its value, so that every match carries its own explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Extra:
    """The words of a name outside the aligned alias, classified."""

    qualifiers: tuple[str, ...] = ()
    unexplained: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    stray: tuple[str, ...] = ()


@dataclass(slots=True)
class Observation:
    """What was observed about a name and one candidate alias of one company.

    ``identifier``: 1 when a published identifier equals one of the company's, -1 when the
    company has identifiers of that scheme and none is equal, 0 otherwise (``identifier_note``
    says which). ``country``: 1 same country as the company, -1 another, 0 unknown.
    ``location_conflict``: the country named in the name whose entity is recorded otherwise.
    """

    similarity: float
    aligned: str
    alias: str
    extra: Extra
    typos: tuple[str, ...] = ()
    short_alias: bool = False
    identifier: int = 0
    identifier_note: str = ""
    country: int = 0
    country_note: str = ""
    location_conflict: str = ""
    legal_forms: str = ""


FeatureValue = tuple[float, str]


def name_similarity(obs: Observation) -> FeatureValue:
    """rapidfuzz ``ratio`` (0-1) between the aligned words of the name and the alias."""
    if obs.similarity == 1.0:
        return 1.0, f"{obs.aligned!r} = alias {obs.alias!r}"
    return obs.similarity, f"ratio({obs.aligned!r}, {obs.alias!r})"


def typo_words(obs: Observation) -> FeatureValue:
    """The number of words of the alias matched with one typo."""
    return float(len(obs.typos)), " ".join(obs.typos)


def short_alias_typo(obs: Observation) -> FeatureValue:
    """1 when a word was matched with a typo and the alias is short (few letters to go on)."""
    return (1.0, obs.alias) if obs.typos and obs.short_alias else (0.0, "")


def qualifier_words(obs: Observation) -> FeatureValue:
    """1 when the name has qualifier words around the alias, else 0."""
    if obs.extra.qualifiers:
        return 1.0, " ".join(obs.extra.qualifiers)
    return 0.0, ""


def unexplained_words(obs: Observation) -> FeatureValue:
    """The number of words around the alias that are not qualifiers (stray characters aside)."""
    return float(len(obs.extra.unexplained)), " ".join(obs.extra.unexplained)


def stray_characters(obs: Observation) -> FeatureValue:
    """The number of one-character words after the alias (numbering, debris of markup)."""
    return float(len(obs.extra.stray)), " ".join(obs.extra.stray)


def identifier_match(obs: Observation) -> FeatureValue:
    """1 when a published identifier is the company's."""
    return (1.0, obs.identifier_note) if obs.identifier > 0 else (0.0, "")


def identifier_conflict(obs: Observation) -> FeatureValue:
    """1 when the company has identifiers of the published scheme and none is equal."""
    return (1.0, obs.identifier_note) if obs.identifier < 0 else (0.0, "")


def country(obs: Observation) -> FeatureValue:
    """1 when the published country is the company's, -1 when another, 0 when unknown."""
    return float(obs.country), obs.country_note


def legal_form_conflict(obs: Observation) -> FeatureValue:
    """1 when the name and the alias both carry a legal form and the kinds differ (rigour's
    generic classes: ``llc`` for SARL, GmbH, Ltd, Inc.; ``jsc`` for SA, AG, plc)."""
    return (1.0, obs.legal_forms) if obs.legal_forms else (0.0, "")


def location_conflict(obs: Observation) -> FeatureValue:
    """1 when the name names a country where the company's own entity has another name."""
    return (1.0, obs.location_conflict) if obs.location_conflict else (0.0, "")


# Features whose value is a count of words (not bounded by 1).
COUNTS = frozenset({"typo_words", "unexplained_words", "stray_characters"})


# The value alone, for scoring every candidate quickly (the explanation of the winner uses
# FEATURES, whose values are the same: tests check that they agree).
def _name_similarity(o: Observation) -> float:
    return o.similarity


def _typo_words(o: Observation) -> float:
    return float(len(o.typos))


def _short_alias_typo(o: Observation) -> float:
    return 1.0 if o.typos and o.short_alias else 0.0


def _qualifier_words(o: Observation) -> float:
    return 1.0 if o.extra.qualifiers else 0.0


def _unexplained_words(o: Observation) -> float:
    return float(len(o.extra.unexplained))


def _stray_characters(o: Observation) -> float:
    return float(len(o.extra.stray))


def _identifier_match(o: Observation) -> float:
    return 1.0 if o.identifier > 0 else 0.0


def _identifier_conflict(o: Observation) -> float:
    return 1.0 if o.identifier < 0 else 0.0


def _country(o: Observation) -> float:
    return float(o.country)


def _location_conflict(o: Observation) -> float:
    return 1.0 if o.location_conflict else 0.0


def _legal_form_conflict(o: Observation) -> float:
    return 1.0 if o.legal_forms else 0.0


VALUES: dict[str, Callable[[Observation], float]] = {
    "name_similarity": _name_similarity,
    "typo_words": _typo_words,
    "short_alias_typo": _short_alias_typo,
    "qualifier_words": _qualifier_words,
    "unexplained_words": _unexplained_words,
    "stray_characters": _stray_characters,
    "identifier_match": _identifier_match,
    "identifier_conflict": _identifier_conflict,
    "country": _country,
    "location_conflict": _location_conflict,
    "legal_form_conflict": _legal_form_conflict,
}

FEATURES: dict[str, Callable[[Observation], FeatureValue]] = {
    f.__name__: f
    for f in (
        name_similarity,
        typo_words,
        short_alias_typo,
        qualifier_words,
        unexplained_words,
        stray_characters,
        identifier_match,
        identifier_conflict,
        country,
        location_conflict,
        legal_form_conflict,
    )
}
