"""Helpers of the web tests: an application on a temporary workspace, users, signing in."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from vigie.kb import KnowledgeBase
from vigie.web import WebSettings, create_app

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]*)"')


def make_app(
    tmp_path: Path, kb: KnowledgeBase, max_upload: int = 5 * 1024 * 1024, secure: bool = False
) -> FastAPI:
    """An application on a fresh workspace, with admin, reviewer and viewer accounts.

    Cookies are not Secure by default: the test client speaks plain HTTP to testserver.
    """
    settings = WebSettings(
        workspace=tmp_path / "ws.duckdb", secure_cookies=secure, max_upload_bytes=max_upload
    )
    app = create_app(settings, kb)
    accounts = app.state.vigie.accounts
    for role in ("admin", "reviewer", "viewer"):
        accounts.add_user(role, PASSWORD, role)
    return app


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the CSRF token of the session's forms."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/review").text)
