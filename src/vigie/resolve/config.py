"""Matching configuration, a validated data file (``matching.yaml``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import Field, field_validator

from vigie.datamodel import Strict as _Strict
from vigie.resolve.features import FEATURES


class FeatureSpec(_Strict):
    """A scoring feature: the name of a function of :mod:`vigie.resolve.features`, its weight."""

    name: str
    weight: float = Field(ge=-10, le=10)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FEATURES:
            raise ValueError(f"unknown feature {value!r}; known: {', '.join(sorted(FEATURES))}")
        return value


class Blocking(_Strict):
    """Candidate retrieval bounds."""

    typo_min_length: int = Field(ge=2)
    typo_min_alias_length: int = Field(ge=1)
    max_candidates: int = Field(ge=1)


class Qualifiers(_Strict):
    """Words allowed around an alias without changing the company."""

    leading_symbols: frozenset[str] = frozenset()
    leading_words: frozenset[str] = frozenset()
    trailing_symbols: frozenset[str] = frozenset()
    trailing_words: frozenset[str] = frozenset()
    nationalities: dict[str, str] = Field(default_factory=dict)


class MatchingConfig(_Strict):
    """Threshold, scoring features and retrieval bounds of supplier-name matching."""

    threshold: float = Field(ge=0, le=1)
    max_name_length: int = Field(ge=10)
    features: tuple[FeatureSpec, ...] = Field(min_length=1)
    blocking: Blocking
    qualifiers: Qualifiers
    extra_legal_forms: tuple[tuple[str, ...], ...] = ()

    @field_validator("features")
    @classmethod
    def _unique(cls, value: tuple[FeatureSpec, ...]) -> tuple[FeatureSpec, ...]:
        names = [f.name for f in value]
        if len(set(names)) != len(names):
            raise ValueError("a feature is declared twice")
        return value

    def weight(self, name: str) -> float:
        """The weight of a feature (0 when not declared)."""
        return next((f.weight for f in self.features if f.name == name), 0.0)


def load_matching_config(path: Path | None = None) -> MatchingConfig:
    """Load and validate a matching configuration (default: the one shipped with vigie)."""
    if path is None:
        text = files("vigie.resolve").joinpath("matching.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return MatchingConfig.model_validate(yaml.safe_load(text))
