"""Request and response bodies of the HTTP API (the OpenAPI description is built from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_QUERIES = 100


class EntityQuery(BaseModel):
    """An entity to match: a name, optionally its country and published identifiers."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=500)
    country: str | None = Field(default=None, max_length=64)
    identifiers: list[str] = Field(default_factory=list, max_length=20)
    date: str | None = Field(default=None, max_length=32, description="ISO date of the record")


class MatchRequest(BaseModel):
    """Several entities keyed by the caller's ids (as yente's /match)."""

    model_config = ConfigDict(extra="forbid")
    queries: dict[str, EntityQuery] = Field(max_length=MAX_QUERIES)
    limit: int = Field(default=5, ge=1, le=20, description="candidates per query, best first")


class Contribution(BaseModel):
    """One feature's share of the score."""

    feature: str
    value: float
    weight: float
    points: float
    detail: str


class Candidate(BaseModel):
    """A knowledge-base company the entity matches, with the score and why."""

    company_id: str
    company_name: str
    group_id: str
    group_name: str
    score: float
    match: bool
    rule: str
    matched_alias: str
    explanation: str
    features: list[Contribution]


class MatchResult(BaseModel):
    """The candidates of one query (best first) and the query as understood."""

    query: EntityQuery
    results: list[Candidate]
    total: int


class MatchResponse(BaseModel):
    """Results keyed as the queries were."""

    responses: dict[str, MatchResult]
    matcher: dict[str, Any]


class ScreenResponse(BaseModel):
    """A screening run's summary (the documented summary.json) and its decisions."""

    run_id: str
    summary: dict[str, Any]
    decisions: list[dict[str, Any]]
    downloads: dict[str, str]


class RecordOut(BaseModel):
    """A procurement record as published, with the companies it was matched to."""

    id: str
    source_file: str
    position: str
    record_id: str
    buyer: str | None
    title: str | None
    amount: float | None
    currency: str | None
    date: str | None
    category: str | None
    suppliers: list[str | None]
    matches: list[dict[str, Any]]


class RecordQuery(BaseModel):
    """Filters (as on the dashboard) and the page wanted."""

    model_config = ConfigDict(extra="forbid")
    group: str | None = Field(default=None, max_length=500)
    category: str | None = Field(default=None, max_length=100)
    buyer: str | None = Field(default=None, max_length=500)
    year: str | None = Field(default=None, max_length=10)
    offset: int = Field(default=0, ge=0, le=10**9)
    limit: int = Field(default=100, ge=1, le=1000)


class RecordsPage(BaseModel):
    """A page of records."""

    total: int
    offset: int
    records: list[RecordOut]


class Judgement(BaseModel):
    """A reviewer's judgement on a candidate pair."""

    model_config = ConfigDict(extra="forbid")
    status: str = Field(pattern="^(confirmed|rejected)$")
    note: str = Field(default="", max_length=2000)
