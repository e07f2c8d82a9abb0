"""Alternative providers by technology category: screening and viability.

The providers and their sourced attributes come from the data file
(:mod:`vigie.assess.alternatives_data`, docs/alternatives.md). Each provider's names and the
names of its ties are screened against the knowledge base like any supplier;
:func:`alternatives_for` then tells, under a policy's
:class:`~vigie.assess.policy.AlternativeCriteria`, whether each provider of a category is
viable, with one reason per criterion (a message key, its parameters and its sources).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from vigie.assess.alternatives_data import (
    CATEGORIES,
    AlternativesError,
    AlternativesFile,
    Provider,
    Tie,
    load_alternatives,
    parse_alternatives,
    shipped_alternatives,
)
from vigie.assess.policy import AlternativeCriteria
from vigie.kb import KnowledgeBase
from vigie.resolve import Matcher, match_names

__all__ = [
    "CATEGORIES",
    "AlternativeView",
    "AlternativesError",
    "AlternativesFile",
    "Reason",
    "ScreenHit",
    "alternatives_for",
    "describe",
    "load_alternatives",
    "parse_alternatives",
    "screen",
    "shipped_alternatives",
    "viability",
    "viable_count",
    "view_record",
]


@dataclass(frozen=True, slots=True)
class ScreenHit:
    """A provider name or tie name that matched a knowledge-base group."""

    screened_name: str
    tie: Tie | None
    group_id: str
    group_name: str
    evidence_ids: tuple[str, ...]

    @property
    def own_group(self) -> bool:
        """Whether the hit concerns the provider's own group (its names or a controlling tie)."""
        return self.tie is None or self.tie.controlling


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a criterion holds or not: a message key with parameters, and its sources.

    ``outcome`` is ``pass``, ``fail``, ``unknown`` or ``note``; a ``blocking`` reason makes the
    provider not viable.
    """

    key: str
    params: Mapping[str, str | int]
    outcome: Literal["pass", "fail", "unknown", "note"]
    blocking: bool
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlternativeView:
    """One provider of a category under a policy's criteria."""

    provider: Provider
    viable: bool
    reasons: tuple[Reason, ...]
    hits: tuple[ScreenHit, ...]


def screen(
    providers: Sequence[Provider], kb: KnowledgeBase, matcher: Matcher
) -> dict[str, tuple[ScreenHit, ...]]:
    """Screen every provider's names and tie names in one batch; hits by provider id."""
    rows: list[tuple[str, str, Tie | None]] = [
        (p.id, name, None) for p in providers for name in dict.fromkeys((p.name, *p.aliases))
    ]
    rows += [(p.id, tie.name, tie) for p in providers for tie in p.ties]
    matches = match_names([name for _, name, _ in rows], matcher)
    hits: dict[str, list[ScreenHit]] = {p.id: [] for p in providers}
    seen: set[tuple[str, str, str | None]] = set()
    for (provider_id, name, tie), match in zip(rows, matches, strict=True):
        if match is None:
            continue
        key = (provider_id, match.group_id, tie.name if tie else None)
        if key in seen:
            continue
        seen.add(key)
        group = kb.companies.get(match.group_id)
        evidence = tuple(e.id for e in kb.evidence_for_group(match.group_id))
        group_name = group.name if group else match.group_id
        hits[provider_id].append(ScreenHit(name, tie, match.group_id, group_name, evidence))
    return {pid: tuple(found) for pid, found in hits.items()}


def viability(
    provider: Provider, hits: Sequence[ScreenHit], criteria: AlternativeCriteria
) -> tuple[bool, tuple[Reason, ...]]:
    """Whether a provider is viable under ``criteria``, with one reason per criterion checked."""
    reasons = (
        *_documented_reasons(hits, criteria.exclude_documented),
        *(_exposure_reason(provider, law) for law in criteria.exclude_exposure),
        *(_certification_reason(provider, s) for s in criteria.require_certifications),
        *([_open_source_reason(provider)] if criteria.require_open_source else []),
    )
    return not any(r.blocking for r in reasons), reasons


def _documented_reasons(hits: Sequence[ScreenHit], exclude: bool) -> list[Reason]:
    reasons = []
    for hit in hits:
        params: dict[str, str | int] = {
            "name": hit.screened_name,
            "group": hit.group_name,
            "count": len(hit.evidence_ids),
        }
        if not hit.evidence_ids:
            key, blocking = "alternatives_reason_matched_no_evidence", False
        elif hit.own_group:
            key, blocking = "alternatives_reason_documented", exclude
        else:
            key, blocking = "alternatives_reason_tied", False
        if hit.tie is not None:
            params["relation"] = hit.tie.relation
            key = key.replace("alternatives_reason_", "alternatives_reason_tie_")
        outcome: Literal["fail", "note"] = "fail" if blocking else "note"
        sources = hit.tie.sources if hit.tie else ()
        reasons.append(Reason(key, params, outcome, blocking, sources))
    if exclude and not any(r.blocking for r in reasons):
        reasons.insert(0, Reason("alternatives_reason_not_documented", {}, "pass", False))
    return reasons


def _exposure_reason(provider: Provider, law: str) -> Reason:
    entry = next((e for e in provider.exposure if e.law == law), None)
    if entry is None:
        return Reason("alternatives_reason_exposure_unknown", {"law": law}, "unknown", False)
    if entry.exposed:
        return Reason("alternatives_reason_exposed", {"law": law}, "fail", True, entry.sources)
    return Reason("alternatives_reason_not_exposed", {"law": law}, "pass", False, entry.sources)


def _certification_reason(provider: Provider, scheme: str) -> Reason:
    entry = next((c for c in provider.certifications if c.scheme == scheme), None)
    if entry is None:
        params: dict[str, str | int] = {"scheme": scheme}
        return Reason("alternatives_reason_certification_unknown", params, "unknown", True)
    params = {"scheme": scheme, "offer": entry.offer or "-"}
    if entry.status == "qualified":
        return Reason("alternatives_reason_certified", params, "pass", False, entry.sources)
    return Reason("alternatives_reason_lacks_certification", params, "fail", True, entry.sources)


def _open_source_reason(provider: Provider) -> Reason:
    entry = provider.open_source
    if entry is None:
        return Reason("alternatives_reason_open_source_unknown", {}, "unknown", True)
    if entry.value:
        params: dict[str, str | int] = {"licence": entry.licence or "-"}
        return Reason("alternatives_reason_open_source", params, "pass", False, entry.sources)
    return Reason("alternatives_reason_not_open_source", {}, "fail", True, entry.sources)


def alternatives_for(
    category: str,
    kb: KnowledgeBase,
    matcher: Matcher,
    criteria: AlternativeCriteria,
    data: AlternativesFile | None = None,
) -> list[AlternativeView]:
    """Every provider of ``category``, screened and judged under ``criteria``.

    Viable providers first, then by name and id, so the order is deterministic. ``data``
    defaults to the shipped alternatives file.
    """
    data = data or shipped_alternatives()
    providers = [p for p in data.providers if category in p.categories.ids]
    screened = screen(providers, kb, matcher)
    views = []
    for provider in providers:
        viable, reasons = viability(provider, screened[provider.id], criteria)
        views.append(AlternativeView(provider, viable, reasons, screened[provider.id]))
    return sorted(views, key=lambda v: (not v.viable, v.provider.name.casefold(), v.provider.id))


def describe(reason: Reason, t: Callable[..., str]) -> str:
    """The text of a reason with a message catalogue ``t`` (e.g. ``Messages("fr")``).

    A tie's relation is translated through the ``alternatives_relation_*`` messages.
    """
    params = dict(reason.params)
    if "relation" in params:
        params["relation"] = t(f"alternatives_relation_{params['relation']}")
    return t(reason.key, **params)


def view_record(view: AlternativeView, t: Callable[..., str]) -> dict[str, object]:
    """A JSON-ready summary of a view, with the reasons' texts in the catalogue ``t``'s language.

    For reports and exports: provider id and name, viability, each reason (key, text, outcome,
    blocking, source ids) and each screening hit (name, tie, group, evidence ids).
    """
    return {
        "id": view.provider.id,
        "name": view.provider.name,
        "viable": view.viable,
        "reasons": [
            {
                "key": r.key,
                "text": describe(r, t),
                "outcome": r.outcome,
                "blocking": r.blocking,
                "sources": list(r.sources),
            }
            for r in view.reasons
        ],
        "hits": [
            {
                "name": h.screened_name,
                "tie": h.tie.relation if h.tie else None,
                "own_group": h.own_group,
                "group_id": h.group_id,
                "group_name": h.group_name,
                "evidence": list(h.evidence_ids),
            }
            for h in view.hits
        ],
    }


def viable_count(views: Iterable[AlternativeView]) -> int:
    """How many of ``views`` are viable (the policy fact ``alternatives.viable``)."""
    return sum(1 for v in views if v.viable)
