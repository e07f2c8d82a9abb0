"""The FastAPI application: pages, API, static files, security headers and body limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigie import __version__
from vigie.kb import KnowledgeBase
from vigie.web import api, pages_auth, pages_main, pages_work
from vigie.web.deps import LoginRequired
from vigie.web.settings import WebSettings
from vigie.web.state import AppState

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
     b"form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


class GuardMiddleware:
    """Security headers on every response; request bodies above the limit refused (413),
    whether they announce their length or not."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise HTTPException(413, "request body too large")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, limited, with_headers)


async def _too_large(send: Send) -> None:
    body = b'{"detail":"request body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(settings: WebSettings, kb: KnowledgeBase | None = None) -> FastAPI:
    """The application on ``settings.workspace`` (opened now, closed at shutdown)."""
    state = AppState(settings, kb)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.reopen()
        yield
        state.close()

    app = FastAPI(
        title="vigie",
        version=__version__,
        description="Human-rights due diligence for public technology procurement: screening, "
        "matching, decisions and AI assessment. Authentication: `Authorization: Bearer <token>` "
        "(`vigie users token NAME`) or the session cookie with an `X-CSRF-Token` header on "
        "changes. See docs/web.md.",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: off (offline, CSP).
        docs_url=None,
        redoc_url=None,
    )
    app.state.vigie = state
    app.add_middleware(GuardMiddleware, max_body=settings.max_upload_bytes)
    static = Path(str(files("vigie.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")
    for module in (api, pages_auth, pages_main, pages_work):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def to_login(_: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    return app
