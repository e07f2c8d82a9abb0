"""Matching configuration, a validated data file (``matching.yaml``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scores(_Strict):
    """Score given by each exact rule."""

    exact: float = Field(ge=0, le=1)
    qualified: float = Field(ge=0, le=1)


class Fuzzy(_Strict):
    """Approximate matching bounds."""

    min_ratio: float = Field(ge=0, le=1)
    min_length: int = Field(ge=1)


class MatchingConfig(_Strict):
    """Rules and weights of supplier-name matching."""

    threshold: float = Field(ge=0, le=1)
    scores: Scores
    fuzzy: Fuzzy
    extra_legal_forms: tuple[tuple[str, ...], ...] = ()
    leading_qualifiers: frozenset[str] = frozenset()
    trailing_qualifiers: frozenset[str] = frozenset()


def load_matching_config(path: Path | None = None) -> MatchingConfig:
    """Load and validate a matching configuration (default: the one shipped with vigie)."""
    if path is None:
        text = files("vigie.resolve").joinpath("matching.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return MatchingConfig.model_validate(yaml.safe_load(text))
