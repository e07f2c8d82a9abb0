"""Working pages: review queue, upload with progress, runs and downloads, AI forms, admin."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from vigie.ai.bias_report import render_bias_html
from vigie.pipeline import INPUT_SUFFIXES
from vigie.present import Messages
from vigie.present.run import OUTPUT_FILES
from vigie.web.accounts import AccountError, User
from vigie.web.ai_forms import BiasForm, bias_document, score_aia_upload
from vigie.web.deps import lang_of, page_role, state_of
from vigie.web.render import page
from vigie.web.review import STATUSES
from vigie.web.security import ROLES, PasswordPolicyError
from vigie.web.uploads import save_upload

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(page_role("viewer"))]
Reviewer = Annotated[User, Depends(page_role("reviewer"))]
Admin = Annotated[User, Depends(page_role("admin"))]


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, user: Viewer) -> Response:
    """Candidate matches, pending first, with the latest judgement of each."""
    state = state_of(request)
    state.analysis()  # candidates of the workspace are recorded by the analysis
    return page(request, "review.html.j2", items=state.reviews.items())


@router.post("/review/{pair}")
def review_judge(
    request: Request,
    pair: str,
    user: Reviewer,
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Confirm or reject a candidate (who and when go to the audit log)."""
    state = state_of(request)
    if status not in STATUSES:
        raise HTTPException(422, "status must be confirmed or rejected")
    try:
        state.judge(pair, status, user.username, note)
    except KeyError:
        raise HTTPException(404, "no such candidate") from None
    return RedirectResponse("/review", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, user: Reviewer) -> Response:
    """The upload form and the runs of the workspace."""
    state = state_of(request)
    rows = (
        state.cursor()
        .execute(
            "SELECT run_id, started_at, findings, inputs FROM runs "
            "ORDER BY started_at DESC LIMIT 50"
        )
        .fetchall()
    )
    return page(
        request,
        "upload.html.j2",
        runs=rows,
        max_mb=state.settings.max_upload_bytes >> 20,
        suffixes=INPUT_SUFFIXES,
    )


@router.post("/upload")
async def upload(request: Request, user: Reviewer, file: Annotated[UploadFile, File()]) -> Response:
    """Save the file, start screening it in the background, show its progress page."""
    state = state_of(request)
    path = await save_upload(
        file, state.settings.files_dir / "uploads", state.settings.max_upload_bytes
    )
    job = state.new_job(path.name, user.username)
    state.accounts.audit(user.username, "upload", path.name, {"job": job.id})
    thread = threading.Thread(
        target=state.run_screen, args=(job, path, lang_of(request)), daemon=True
    )
    thread.start()
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, user: Viewer) -> Response:
    """Progress of a screening job (the page polls /api/jobs/{id})."""
    job = state_of(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such job")
    return page(request, "job.html.j2", job=job)


@router.get("/runs/{run_id}/{name}")
def download(request: Request, run_id: str, name: str, user: Viewer) -> Response:
    """A file written by a screening run (report, CSV, JSON, XLSX)."""
    if name not in OUTPUT_FILES:
        raise HTTPException(404, "no such output")
    row = (
        state_of(request)
        .cursor()
        .execute("SELECT outdir FROM runs WHERE run_id = ?", [run_id])
        .fetchone()
    )
    if row is None:
        raise HTTPException(404, "no such run")
    target = Path(str(row[0])) / name
    if not target.is_file():
        raise HTTPException(404, "no such output")
    return FileResponse(target, filename=name)


@router.get("/aia", response_class=HTMLResponse)
def aia_form(request: Request, user: Viewer) -> Response:
    """The questionnaire form: upload saved answers of the Canada AIA."""
    return page(request, "aia.html.j2", result=None, problems=[], unknown=[])


@router.post("/aia", response_class=HTMLResponse)
async def aia_score(
    request: Request, user: Viewer, file: Annotated[UploadFile, File()]
) -> Response:
    """Score uploaded answers and show the impact level (or every problem found)."""
    state = state_of(request)
    result, problems, unknown = await score_aia_upload(file, state.settings)
    return page(
        request,
        "aia.html.j2",
        200 if result else 422,
        result=result,
        problems=problems,
        unknown=unknown,
    )


@router.get("/bias", response_class=HTMLResponse)
def bias_form(request: Request, user: Viewer) -> Response:
    """The bias audit form: a CSV of decisions and the meaning of its columns."""
    return page(request, "bias.html.j2", error="")


@router.post("/bias", response_class=HTMLResponse)
async def bias_audit(
    request: Request,
    user: Viewer,
    file: Annotated[UploadFile, File()],
    form: Annotated[BiasForm, Form()],
) -> Response:
    """Run the bias audit on the uploaded decisions and show its report."""
    state = state_of(request)
    lang = lang_of(request)
    document, error = await bias_document(file, form, state.settings, lang)
    if document is None:
        return page(request, "bias.html.j2", 422, error=error)
    return HTMLResponse(render_bias_html(document, Messages(lang)))


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, user: Admin) -> Response:
    """Users and the audit log."""
    accounts = state_of(request).accounts
    return page(
        request,
        "admin.html.j2",
        users=accounts.users(),
        log=accounts.audit_log(),
        roles=ROLES,
        error="",
    )


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    """Create an account."""
    accounts = state_of(request).accounts
    try:
        accounts.add_user(username, password, role)
    except AccountError as exc:
        error = exc.code
    except PasswordPolicyError:
        error = "short_password"
    else:
        accounts.audit(user.username, "user_added", username, {"role": role})
        return RedirectResponse("/admin", status_code=303)
    return page(
        request,
        "admin.html.j2",
        422,
        users=accounts.users(),
        log=accounts.audit_log(),
        roles=ROLES,
        error=error,
    )
