"""Request helpers: the state, the signed-in user, roles, CSRF checks and the language.

Authentication: a session cookie (browser) or ``Authorization: Bearer <token>`` (API). A
request authenticated by cookie that changes anything must carry the CSRF token: the form
field ``csrf_token`` or the ``X-CSRF-Token`` header. Bearer requests need no CSRF token
(browsers never add that header by themselves).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request

from vigie.present import LANGUAGES
from vigie.web.accounts import User
from vigie.web.security import csrf_token, csrf_valid, role_allows
from vigie.web.state import AppState

SESSION_COOKIE = "vigie_session"
ANON_COOKIE = "vigie_anon"
LANG_COOKIE = "vigie_lang"


class LoginRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def state_of(request: Request) -> AppState:
    """The application state."""
    state: AppState = request.app.state.vigie
    return state


def bearer(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def user_of(request: Request) -> User | None:
    """The signed-in user (API token or session cookie), else None."""
    accounts = state_of(request).accounts
    token = bearer(request)
    if token:
        return accounts.token_user(token)
    cookie = request.cookies.get(SESSION_COOKIE)
    return accounts.session_user(cookie) if cookie else None


def csrf_for(request: Request) -> str:
    """The CSRF token to put in this page's forms ('' when there is no cookie yet)."""
    bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE) or ""
    return csrf_token(state_of(request).secret, bound) if bound else ""


async def check_csrf(request: Request) -> None:
    """Refuse (403) a cookie-authenticated change without the right CSRF token."""
    if bearer(request):
        return
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get("csrf_token")
        given = value if isinstance(value, str) else None
    bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE) or ""
    if not csrf_valid(state_of(request).secret, bound, given):
        raise HTTPException(403, "CSRF token missing or invalid")


def api_role(role: str) -> Callable[[Request], Coroutine[Any, Any, User]]:
    """An API dependency: 401 without credentials, 403 without ``role``, CSRF on changes."""

    async def dependency(request: Request) -> User:
        user = user_of(request)
        if user is None:
            raise HTTPException(401, "authentication required", {"WWW-Authenticate": "Bearer"})
        if not role_allows(user.role, role):
            raise HTTPException(403, f"role {role} required")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            await check_csrf(request)
        return user

    return dependency


def page_role(role: str) -> Callable[[Request], Coroutine[Any, Any, User]]:
    """A page dependency: login redirect without a session, 403 without ``role``, CSRF on
    form posts."""

    async def dependency(request: Request) -> User:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = state_of(request).accounts.session_user(cookie) if cookie else None
        if user is None:
            raise LoginRequired(request.url.path)
        if not role_allows(user.role, role):
            raise HTTPException(403, f"role {role} required")
        if request.method == "POST":
            await check_csrf(request)
        return user

    return dependency


def lang_of(request: Request) -> str:
    """The language: the cookie, else the first supported one of Accept-Language, else the
    server's default."""
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGUAGES:
        return cookie
    ranked = []
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, tag[:2].lower()))
    for _, code in sorted(ranked):
        if code in LANGUAGES:
            return code
    return str(state_of(request).settings.default_lang)


def safe_next(target: str | None) -> str:
    """A local redirect target (absolute path on this site), else '/'."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
