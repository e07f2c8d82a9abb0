"""The data of `vigie footprint`: cited coefficients (shipped) and a system description (input).

Both are YAML validated with pydantic; every coefficient names a source of ``sources``.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Span(BaseModel):
    """A low / central / high value (low <= central <= high)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float = Field(ge=0)
    central: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if not self.low <= self.central <= self.high:
            raise ValueError("expected low <= central <= high")
        return self

    @classmethod
    def point(cls, value: float) -> Span:
        """A single value as a span."""
        return cls(low=value, central=value, high=value)

    def times(self, other: Span) -> Span:
        """Product, low by low and high by high (every factor is non-negative)."""
        return Span(
            low=self.low * other.low,
            central=self.central * other.central,
            high=self.high * other.high,
        )

    def plus(self, other: Span) -> Span:
        """Sum, end by end."""
        return Span(
            low=self.low + other.low,
            central=self.central + other.central,
            high=self.high + other.high,
        )

    def scaled(self, factor: float) -> Span:
        """Every end multiplied by a non-negative number."""
        return Span(low=self.low * factor, central=self.central * factor, high=self.high * factor)


class Source(BaseModel):
    """A cited source."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    citation: str
    url: str | None = None
    note: str | None = None


class TaskCoefficient(BaseModel):
    """Energy (and optionally water) per 1,000 requests of one kind of task."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label_en: str
    label_fr: str
    kwh_per_1000: Span
    water_l_per_1000: Span | None = None
    range_published: bool
    includes_overhead: bool
    source: str


class Hardware(BaseModel):
    """Maximum power draw of an accelerator."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    watts: float = Field(gt=0)
    source: str


class SpanWithSource(Span):
    """A span with its source."""

    source: str


class GridIntensity(BaseModel):
    """Carbon intensity of electricity in a country (gCO2e/kWh)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float = Field(ge=0)
    name: str
    source: str


class Coefficients(BaseModel):
    """Every coefficient, with the sources they cite (checked on load)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    sources: dict[str, Source]
    tasks: dict[str, TaskCoefficient]
    hardware: dict[str, Hardware]
    pue: dict[str, SpanWithSource]
    wue: dict[str, SpanWithSource]
    grid_g_per_kwh: dict[str, GridIntensity]

    @model_validator(mode="after")
    def _cited(self) -> Coefficients:
        tables: list[dict[str, Any]] = [
            self.tasks,
            self.hardware,
            self.pue,
            self.wue,
            self.grid_g_per_kwh,
        ]
        missing = sorted(
            {v.source for table in tables for v in table.values() if v.source not in self.sources}
        )
        if missing:
            raise ValueError(f"coefficients cite unknown sources: {', '.join(missing)}")
        return self


@cache
def load_coefficients() -> Coefficients:
    """The coefficients shipped with vigie (validated once)."""
    path = files("vigie.ai").joinpath("data", "footprint", "coefficients.yaml")
    return Coefficients.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class UsageLine(BaseModel):
    """Requests per year of one kind of task."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    task: str
    requests_per_year: float = Field(ge=0, le=1e15)


class AcceleratorLine(BaseModel):
    """Accelerators running for some hours a year at a fraction of their maximum power."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    hardware: str
    count: int = Field(ge=0, le=10_000_000)
    hours_per_year: float = Field(ge=0, le=8784)
    power_fraction: Span = Span.point(1.0)


class Scenario(BaseModel):
    """Where and how the system runs; every field of an option replaces the base's."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str | None = None
    grid_g_per_kwh: float | None = Field(default=None, ge=0, le=5000)
    grid_source: str | None = None
    pue: str | float = "industry-average"
    wue: str | float = "google-2025-derived"
    usage: tuple[UsageLine, ...] = ()
    accelerators: tuple[AcceleratorLine, ...] = ()


class Option(Scenario):
    """An alternative to compare (a smaller model, another region...)."""

    name: str


class SystemDescription(Scenario):
    """The input file: a named system, its scenario and the options to compare."""

    name: str
    options: tuple[Option, ...] = ()

    def option_scenarios(self) -> list[tuple[str, Scenario]]:
        """Each option merged over the base scenario (its fields replace the base's)."""
        base = self.model_dump(exclude={"name", "options"})
        out: list[tuple[str, Scenario]] = []
        for option in self.options:
            merged = base | option.model_dump(exclude={"name"}, exclude_unset=True)
            out.append((option.name, Scenario.model_validate(merged)))
        return out
