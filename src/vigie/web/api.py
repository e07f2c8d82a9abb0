"""The HTTP API under /api (OpenAPI description at /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from vigie.ai.bias_data import BiasInputError
from vigie.present import Messages
from vigie.present.decision_outputs import decisions_document
from vigie.present.run import OUTPUT_FILES
from vigie.resolve import Match
from vigie.resolve import Query as MatchQuery
from vigie.resolve.identifiers import guess_identifier_keys
from vigie.web.accounts import User
from vigie.web.ai_forms import BiasForm, bias_audit_upload, score_aia_document
from vigie.web.analysis import DIMENSIONS, Filters, record_key
from vigie.web.api_models import (
    Candidate,
    Contribution,
    EntityQuery,
    Judgement,
    MatchRequest,
    MatchResponse,
    MatchResult,
    RecordOut,
    RecordQuery,
    RecordsPage,
    ScreenResponse,
)
from vigie.web.deps import api_role, lang_of, state_of
from vigie.web.records import record_out
from vigie.web.review import ReviewItem
from vigie.web.uploads import save_upload

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Body that cannot be parsed"},
    401: {"description": "No or unknown credentials"},
    403: {"description": "Role too low, or CSRF token missing on a cookie-authenticated change"},
    404: {"description": "No such item"},
    413: {"description": "Request body above the upload limit"},
    415: {"description": "File type not accepted"},
    422: {"description": "Invalid input"},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
Viewer = Annotated[User, Depends(api_role("viewer"))]
Reviewer = Annotated[User, Depends(api_role("reviewer"))]


def _candidate(match: Match, retained: bool = True) -> Candidate:
    return Candidate(
        company_id=match.company_id,
        company_name=match.company_name,
        group_id=match.group_id,
        group_name=match.group_name,
        score=match.score,
        match=retained,
        rule=match.rule,
        matched_alias=match.matched_alias,
        explanation=match.explanation,
        features=[
            Contribution(
                feature=c.feature, value=c.value, weight=c.weight, points=c.points, detail=c.detail
            )
            for c in match.contributions
        ],
    )


def _query(entity: EntityQuery) -> MatchQuery:
    keys = frozenset(k for ident in entity.identifiers for k in guess_identifier_keys(ident))
    return MatchQuery(entity.name, entity.country, keys, entity.date)


@router.post("/match", response_model=MatchResponse)
async def match(body: MatchRequest, request: Request, user: Viewer) -> MatchResponse:
    """Match entities against the knowledge base. Each result lists the scored candidates, best
    first (at most ``limit``, one per company), with every feature's contribution to the score;
    ``match`` is true for the one the matcher retains (at or above its threshold, not ambiguous
    between groups). (Runs on the event loop: matching is a few milliseconds of CPU, a thread
    hop would cost more than it saves.)"""
    matcher = state_of(request).matcher
    responses = {}
    for key, entity in body.queries.items():
        query = _query(entity)
        found = matcher.match_query(query)
        retained = None if found is None else found.company_id
        results = [
            _candidate(c, c.company_id == retained) for c in matcher.candidates(query, body.limit)
        ]
        responses[key] = MatchResult(query=entity, results=results, total=len(results))
    config = {"threshold": matcher.config.threshold, "kb_version": matcher.kb.version}
    return MatchResponse(responses=responses, matcher=config)


@router.post("/screen", response_model=ScreenResponse)
async def screen_file(
    request: Request, user: Reviewer, file: Annotated[UploadFile, File()]
) -> ScreenResponse:
    """Upload a procurement file (DECP JSON or ZIP), screen it under the server's policy and
    return the summary and every decision; the outputs stay downloadable."""
    state = state_of(request)
    folder = state.settings.files_dir / "uploads"
    path = await save_upload(file, folder, state.settings.max_upload_bytes)
    job = state.new_job(path.name, user.username)
    lang = lang_of(request)
    result = await run_in_threadpool(state.run_screen, job, path, lang)
    if result is None:
        raise HTTPException(422, job.error)
    return ScreenResponse(
        run_id=job.run_id,
        summary=result.summary,
        decisions=decisions_document(result.decisions, Messages(lang)),
        downloads={name: f"/runs/{job.run_id}/{name}" for name in OUTPUT_FILES},
    )


@router.get("/jobs/{job_id}")
def job_status(job_id: str, request: Request, user: Viewer) -> dict[str, Any]:
    """Progress of a screening job started from the upload page."""
    job = state_of(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such job")
    return job.as_dict()


@router.get("/records", response_model=RecordsPage)
def records(request: Request, user: Viewer, params: Annotated[RecordQuery, Query()]) -> RecordsPage:
    """Records of the workspace; with filters (group, category, buyer, year: as on the
    dashboard), only the records with a finding that passes them."""
    analysis = state_of(request).analysis()
    filters = Filters.of(params.model_dump(include=set(DIMENSIONS)))
    keys = list(analysis.records)
    if filters.values:
        keys = list(dict.fromkeys(record_key(f.record) for f in filters.apply(analysis.findings)))
    chosen = keys[params.offset : params.offset + params.limit]
    out = [record_out(k, analysis.records[k], analysis.findings_of(k)) for k in chosen]
    return RecordsPage(total=len(keys), offset=params.offset, records=out)


@router.get("/records/{key}", response_model=RecordOut)
def record(key: str, request: Request, user: Viewer) -> RecordOut:
    """One record, with its matches."""
    analysis = state_of(request).analysis()
    if key not in analysis.records:
        raise HTTPException(404, "no such record")
    return record_out(key, analysis.records[key], analysis.findings_of(key))


@router.get("/companies/{company_id}")
def company(company_id: str, request: Request, user: Viewer) -> dict[str, Any]:
    """A knowledge-base company: its record, group, members and the workspace's exposure."""
    state = state_of(request)
    if company_id not in state.kb.companies:
        raise HTTPException(404, "no such company")
    kb, analysis = state.kb, state.analysis()
    group = kb.group_of(company_id)
    exposure = next((e for e in analysis.exposures if e.group_id == group.id), None)
    return {
        "company": kb.companies[company_id].model_dump(mode="json"),
        "group": {"id": group.id, "name": group.name},
        "members": kb.group_members(group.id),
        "exposure": None
        if exposure is None
        else {
            "records": exposure.records,
            "amount_by_currency": exposure.amount_by_currency,
            "records_without_amount": exposure.records_without_amount,
        },
        "decisions": [n for n, _ in analysis.cases_of_group(group.id)],
        "dossier": f"/run/companies/{group.id}.html",
    }


@router.get("/decisions")
def decisions(request: Request, user: Viewer) -> dict[str, Any]:
    """Every decision of the workspace under the server's policy (as decisions.json)."""
    analysis = state_of(request).analysis()
    cases = decisions_document(analysis.cases, Messages(lang_of(request)))
    for number, case in enumerate(cases, start=1):
        case["page"] = f"/run/decisions/case-{number}.html"
    policy = analysis.policy
    return {"policy": {"id": policy.id, "version": policy.version}, "cases": cases}


@router.post("/aia/score")
def aia_score(answers: dict[str, Any], request: Request, user: Viewer) -> dict[str, Any]:
    """Score Canada AIA answers: the JSON the official tool saves (``{"data": {...}}``) or
    its answers object (name -> value); 422 lists every problem by JSON pointer."""
    result, problems, unknown = score_aia_document(answers, state_of(request).settings)
    if result is None:
        detail = [{"pointer": p.pointer, "code": p.code, "params": p.params} for p in problems]
        raise HTTPException(422, detail)
    return {**result.model_dump(mode="json"), "unknown_names": unknown}


@router.post("/bias")
async def bias(
    request: Request,
    user: Viewer,
    file: Annotated[UploadFile, File()],
    form: Annotated[BiasForm, Form()],
) -> dict[str, Any]:
    """Audit a CSV of decisions for disparities between groups (as ``vigie bias``)."""
    state = state_of(request)
    try:
        return await bias_audit_upload(file, form, state.settings)
    except BiasInputError as exc:
        message = Messages(lang_of(request))(exc.code, **exc.params)
        raise HTTPException(422, {"code": exc.code, "message": message}) from None


@router.get("/review", response_model=list[dict[str, Any]])
def review_items(request: Request, user: Viewer) -> list[dict[str, Any]]:
    """Candidate matches with their latest judgement (pending first)."""
    state = state_of(request)
    state.analysis()  # candidates of the workspace are recorded by the analysis
    return [
        {name: getattr(i, name) for name in ReviewItem.__slots__} for i in state.reviews.items()
    ]


@router.post("/review/{pair}")
def review_judge(pair: str, body: Judgement, request: Request, user: Reviewer) -> dict[str, str]:
    """Confirm or reject a candidate pair (recorded with who and when, applied by the next
    analysis and screening runs)."""
    state = state_of(request)
    try:
        state.judge(pair, body.status, user.username, body.note)
    except KeyError:
        raise HTTPException(404, "no such candidate") from None
    return {"pair_id": pair, "status": body.status, "reviewer": user.username}


__all__ = ["DIMENSIONS", "router"]
