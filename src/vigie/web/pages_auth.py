"""Sign in, sign out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vigie.present import LANGUAGES
from vigie.web.accounts import User
from vigie.web.deps import (
    ANON_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    page_role,
    safe_next,
    state_of,
)
from vigie.web.render import page
from vigie.web.security import csrf_token, new_token

router = APIRouter(include_in_schema=False)
MAX_FAILURES = 10  # failed sign-ins per user name in 15 minutes before refusing (429)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A cookie as every vigie cookie is: HttpOnly, SameSite=Strict, Secure unless turned off."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=state_of(request).settings.secure_cookies,
        path="/",
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form (an anonymous cookie binds its CSRF token)."""
    anon = request.cookies.get(ANON_COOKIE) or new_token()
    csrf = csrf_token(state_of(request).secret, request.cookies.get(SESSION_COOKIE) or anon)
    response = page(request, "login.html.j2", next=safe_next(next), csrf_login=csrf, error="")
    set_cookie(request, response, ANON_COOKIE, anon)
    return response


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password, open a session and go to ``next``."""
    state = state_of(request)
    if state.accounts.recent_failures(username) >= MAX_FAILURES:
        raise HTTPException(429, "too many failed sign-ins; try again in 15 minutes")
    user = state.accounts.authenticate(username, password)
    if user is None:
        state.accounts.audit(username, "login_failed", username, {})
        bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE, "")
        csrf = csrf_token(state.secret, bound)
        return page(request, "login.html.j2", 401, next=safe_next(next), csrf_login=csrf, error="1")
    token = state.accounts.open_session(user)
    state.accounts.audit(user.username, "login", user.username, {})
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(page_role("viewer"))]) -> Response:
    """End the session."""
    state = state_of(request)
    state.accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
    state.accounts.audit(user.username, "logout", user.username, {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, code)
    return response
