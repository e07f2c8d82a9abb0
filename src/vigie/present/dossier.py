"""Per-company and per-decision HTML pages, written beside the screening report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vigie.assess import EvidenceView
from vigie.assess.alternatives import describe
from vigie.assess.decisions import CaseDecision
from vigie.assess.policy import Policy
from vigie.kb import KnowledgeBase
from vigie.present.i18n import Messages
from vigie.present.report import category_labeller, environment, fact_formatter


def _evidence_views(kb: KnowledgeBase, group_id: str) -> list[EvidenceView]:
    return [
        EvidenceView(item, tuple(kb.responses_to(item.id, group_id)))
        for item in kb.evidence_for_group(group_id)
    ]


def _contexts(views: Sequence[EvidenceView]) -> list[str]:
    return list(dict.fromkeys(v.evidence.context for v in views if v.evidence.context))


def render_company(
    lang: str,
    kb: KnowledgeBase,
    group_id: str,
    cases: Sequence[tuple[int, CaseDecision]],
    summary: Mapping[str, Any],
) -> str:
    """The dossier of a group: structure, products, contracts of this run, evidence timeline."""
    t = Messages(lang)
    views = _evidence_views(kb, group_id)
    return (
        environment()
        .get_template("company.html.j2")
        .render(
            t=t,
            kb=kb,
            group=kb.companies[group_id],
            members=kb.group_members(group_id),
            products=kb.products_of(group_id),
            relationships=kb.relationships_of(group_id),
            cases=cases,
            evidence=views,
            contexts=_contexts(views),
            summary=summary,
        )
    )


def render_case(
    lang: str,
    kb: KnowledgeBase,
    numbered: tuple[int, CaseDecision],
    policy: Policy,
    summary: Mapping[str, Any],
) -> str:
    """The page of one decision: record, facts and their derivation, rules, evidence, signature."""
    t = Messages(lang)
    number, case = numbered
    views = _evidence_views(kb, case.finding.match.group_id)
    return (
        environment()
        .get_template("case.html.j2")
        .render(
            t=t,
            kb=kb,
            number=number,
            case=case,
            policy=policy,
            evidence=views,
            contexts=_contexts(views),
            describe=lambda reason: describe(reason, t),
            summary=summary,
            fact=fact_formatter(t),
            category_label=category_labeller(t),
        )
    )


def write_dossiers(
    outdir: Path,
    lang: str,
    kb: KnowledgeBase,
    decisions: tuple[Policy, Sequence[CaseDecision]],
    summary: Mapping[str, Any],
) -> int:
    """Write companies/<group>.html and decisions/case-<n>.html; return the number of pages."""
    policy, cases = decisions
    numbered = list(enumerate(cases, start=1))
    (outdir / "companies").mkdir(parents=True, exist_ok=True)
    (outdir / "decisions").mkdir(parents=True, exist_ok=True)
    groups = dict.fromkeys(case.finding.match.group_id for case in cases)
    for group_id in groups:
        mine = [(n, c) for n, c in numbered if c.finding.match.group_id == group_id]
        html = render_company(lang, kb, group_id, mine, summary)
        (outdir / "companies" / f"{_safe(group_id)}.html").write_text(html, encoding="utf-8")
    for item in numbered:
        html = render_case(lang, kb, item, policy, summary)
        (outdir / "decisions" / f"case-{item[0]}.html").write_text(html, encoding="utf-8")
    return len(groups) + len(numbered)


def _safe(slug: str) -> str:
    """Knowledge-base ids are slugs already; keep only file-safe characters all the same."""
    return "".join(ch for ch in slug if ch.isalnum() or ch in "-_.").lstrip(".") or "company"
