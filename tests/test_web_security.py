"""Security of the web application: CSRF, roles, escaping, upload limits, cookies, passwords."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vigie.kb import KnowledgeBase
from vigie.web.security import csrf_token, csrf_valid, hash_password, role_allows, verify_password
from web_helpers import PASSWORD, csrf_of, login, make_app

XSS = "<script>alert('xss')</script>"


@pytest.fixture
def client(tmp_path: Path, kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path, kb)) as c:
        yield c


def hostile_file(decp_excerpt: Path, tmp_path: Path) -> Path:
    """The excerpt with a script in the Oracle record's buyer, title and supplier name."""
    document = json.loads(decp_excerpt.read_text(encoding="utf-8"))
    record = document["marches"][13]
    record["acheteur"]["nom"] = f"SDIS {XSS}"
    record["objet"] = f"Support {XSS}"
    record["titulaires"][0]["denominationSociale"] = f"ORACLE FRANCE {XSS}"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def post_file(client: TestClient, url: str, path: Path, csrf: str | None) -> int:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    with path.open("rb") as handle:
        response = client.post(url, files={"file": (path.name, handle)}, headers=headers)
    return response.status_code


def test_stored_text_is_escaped_on_every_page(
    client: TestClient, decp_excerpt: Path, tmp_path: Path
) -> None:
    csrf = login(client, "reviewer")
    assert post_file(client, "/api/screen", hostile_file(decp_excerpt, tmp_path), csrf) == 200
    records = client.get("/api/records", params={"limit": 1000}).json()["records"]
    key = next(r["id"] for r in records if XSS in (r["title"] or ""))
    pages = ["/", "/records", "/decisions", "/review", f"/records/{key}"]
    pages += [f"/records?buyer=SDIS {XSS}"]
    for url in pages:
        text = client.get(url).text
        assert XSS not in text, url
    assert "&lt;script&gt;" in client.get(f"/records/{key}").text


def test_csrf_is_required(client: TestClient, decp_excerpt: Path) -> None:
    page = client.get("/login")
    refused = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert refused.status_code == 403
    wrong = {"username": "admin", "password": PASSWORD, "csrf_token": "0" * 64}
    assert client.post("/login", data=wrong).status_code == 403
    csrf = login(client, "reviewer")
    assert csrf and csrf != csrf_of(page.text)  # bound to the new session
    assert post_file(client, "/api/screen", decp_excerpt, None) == 403
    assert post_file(client, "/upload", decp_excerpt, None) == 403
    assert client.post("/review/abc", data={"status": "confirmed"}).status_code == 403
    assert client.post("/logout").status_code == 403


def test_roles_are_enforced(client: TestClient, decp_excerpt: Path) -> None:
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    assert client.get("/api/decisions").status_code == 401
    csrf = login(client, "viewer")
    assert client.get("/upload").status_code == 403
    assert client.get("/admin").status_code == 403
    assert post_file(client, "/api/screen", decp_excerpt, csrf) == 403
    judged = client.post("/review/abc", data={"status": "confirmed", "csrf_token": csrf})
    assert judged.status_code == 403
    assert (
        client.post(
            "/api/review/abc", json={"status": "confirmed"}, headers={"X-CSRF-Token": csrf}
        ).status_code
        == 403
    )
    csrf = login(client, "reviewer")
    assert client.get("/admin").status_code == 403
    csrf = login(client, "admin")
    assert client.get("/admin").status_code == 200


def test_admin_adds_users_and_names_are_checked(client: TestClient) -> None:
    csrf = login(client, "admin")
    form = {"username": "bea", "password": PASSWORD, "role": "reviewer", "csrf_token": csrf}
    assert client.post("/admin/users", data=form).status_code == 200
    assert client.post("/admin/users", data=form).status_code == 422  # taken
    short = {**form, "username": "cyd", "password": "short"}
    assert client.post("/admin/users", data=short).status_code == 422
    bad = {**form, "username": XSS}
    response = client.post("/admin/users", data=bad)
    assert response.status_code == 422 and XSS not in response.text
    login(client, "bea")


def test_oversize_uploads_are_refused(
    tmp_path: Path, kb: KnowledgeBase, decp_excerpt: Path
) -> None:
    with TestClient(make_app(tmp_path, kb, max_upload=4096)) as client:
        csrf = login(client, "reviewer")
        assert post_file(client, "/api/screen", decp_excerpt, csrf) == 413

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b"x" * 1024

        streamed = client.post(
            "/api/aia/score",
            content=chunks(),
            headers={"X-CSRF-Token": csrf, "content-type": "application/json"},
        )
        assert streamed.status_code == 413


def test_cookies_and_headers(tmp_path: Path, kb: KnowledgeBase) -> None:
    from vigie.web import WebSettings, create_app

    app = create_app(WebSettings(workspace=tmp_path / "ws.duckdb"), kb)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/login")
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"


def test_passwords_and_tokens() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # a salt per hash
    assert verify_password(PASSWORD, first) and not verify_password("wrong password", first)
    assert not verify_password(PASSWORD, "garbage")
    token = csrf_token("secret", "session")
    assert csrf_valid("secret", "session", token)
    assert not csrf_valid("secret", "other", token) and not csrf_valid("secret", "", token)
    assert role_allows("admin", "reviewer") and not role_allows("viewer", "reviewer")
    assert not role_allows("root", "viewer")


def test_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    login(client, "admin")
    for url in ("/", "/records", "/decisions", "/review", "/upload", "/aia", "/bias", "/admin"):
        text = client.get(url).text
        assert '<script src="/static/app.js"' in text, url
        assert 'src="http' not in text and 'rel="stylesheet" href="http' not in text, url
    assert client.get("/docs").status_code == 404  # FastAPI's page would load a CDN
    assert client.get("/static/app.js").status_code == 200


def test_repeated_failed_sign_ins_are_refused(client: TestClient) -> None:
    for _ in range(10):
        page = client.get("/login")
        wrong = {
            "username": "admin",
            "password": "wrong password",
            "csrf_token": csrf_of(page.text),
        }
        assert client.post("/login", data=wrong).status_code == 401
    page = client.get("/login")
    right = {"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    assert client.post("/login", data=right).status_code == 429
    login(client, "viewer")  # another user is not affected
