"""Reading pages: dashboard, records, record, company dossier and decision pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from vigie.present.dossier import render_case, render_company
from vigie.web.accounts import User
from vigie.web.analysis import DIMENSIONS, Filters, breakdowns
from vigie.web.deps import lang_of, page_role, state_of
from vigie.web.render import page

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(page_role("viewer"))]
MAX_ROWS = 500


def _filters(request: Request) -> Filters:
    return Filters.of({k: request.query_params.get(k) for k in DIMENSIONS})


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: Viewer) -> Response:
    """Exposure by group, category, buyer and year, filtered; each slice drills down."""
    analysis = state_of(request).analysis()
    filters = _filters(request)
    findings = filters.apply(analysis.findings)
    kept = {id(f.record) for f in findings}
    cases = [c for c in analysis.cases if id(c.finding.record) in kept]
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.kind.value] = counts.get(case.kind.value, 0) + 1
    return page(
        request,
        "dashboard.html.j2",
        analysis=analysis,
        filters=filters.values,
        slices=breakdowns(findings),
        findings=len(findings),
        records=len({(f.record.source_file, f.record.position) for f in findings}),
        decision_counts=counts,
    )


@router.get("/records", response_class=HTMLResponse)
def records(request: Request, user: Viewer) -> Response:
    """The findings that pass the filters (drill-down from the dashboard)."""
    analysis = state_of(request).analysis()
    filters = _filters(request)
    findings = filters.apply(analysis.findings)
    return page(
        request,
        "records.html.j2",
        filters=filters.values,
        findings=findings[:MAX_ROWS],
        more=max(0, len(findings) - MAX_ROWS),
    )


@router.get("/records/{key}", response_class=HTMLResponse)
def record(request: Request, key: str, user: Viewer) -> Response:
    """One record as published, its matches and the decisions about it."""
    analysis = state_of(request).analysis()
    if key not in analysis.records:
        raise HTTPException(404, "no such record")
    return page(
        request,
        "record.html.j2",
        record=analysis.records[key],
        findings=analysis.findings_of(key),
        cases=analysis.cases_of(key),
    )


@router.get("/run/companies/{group_id}.html", response_class=HTMLResponse)
def company(request: Request, group_id: str, user: Viewer) -> Response:
    """The dossier of a corporate group (the report's company page, on the workspace)."""
    state = state_of(request)
    if group_id not in state.kb.companies:
        raise HTTPException(404, "no such company")
    analysis = state.analysis()
    html = render_company(
        lang_of(request), state.kb, group_id, analysis.cases_of_group(group_id), analysis.summary()
    )
    return HTMLResponse(html)


@router.get("/run/decisions/case-{number}.html", response_class=HTMLResponse)
def case(request: Request, number: int, user: Viewer) -> Response:
    """The page of one decision: facts, rules, evidence with citations."""
    state = state_of(request)
    analysis = state.analysis()
    if not 1 <= number <= len(analysis.cases):
        raise HTTPException(404, "no such decision")
    numbered = (number, analysis.cases[number - 1])
    html = render_case(lang_of(request), state.kb, numbered, analysis.policy, analysis.summary())
    return HTMLResponse(html)


@router.get("/decisions", response_class=HTMLResponse)
def decisions(request: Request, user: Viewer) -> Response:
    """Every decision of the workspace under the server's policy."""
    analysis = state_of(request).analysis()
    numbered = list(enumerate(analysis.cases, start=1))
    return page(request, "decisions.html.j2", cases=numbered[:MAX_ROWS], policy=analysis.policy)
