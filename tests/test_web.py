"""The web application and API on the real DECP 2019 excerpt (TestClient, no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vigie.cli import app as cli_app
from vigie.kb import KnowledgeBase
from vigie.web.accounts import AccountStore
from web_helpers import PASSWORD, csrf_of, login, make_app

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def client(tmp_path: Path, kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path, kb)) as c:
        yield c


def screen_excerpt(client: TestClient, csrf: str, decp_excerpt: Path) -> dict[str, object]:
    with decp_excerpt.open("rb") as handle:
        response = client.post(
            "/api/screen",
            files={"file": ("excerpt.json", handle, "application/json")},
            headers={"X-CSRF-Token": csrf},
        )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_screen_api_counts_every_record(client: TestClient, decp_excerpt: Path) -> None:
    body = screen_excerpt(client, login(client, "reviewer"), decp_excerpt)
    summary = body["summary"]
    assert isinstance(summary, dict)
    assert summary["records_read"] == 16
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]
    assert summary["records_rejected"] == 3
    decisions = body["decisions"]
    assert isinstance(decisions, list)
    assert len(decisions) == sum(summary["decisions"].values())
    report = client.get(f"/runs/{body['run_id']}/report.html")
    assert report.status_code == 200 and "<html" in report.text
    assert client.get(f"/runs/{body['run_id']}/secrets.txt").status_code == 404


def test_records_and_dashboard_follow_the_workspace(client: TestClient, decp_excerpt: Path) -> None:
    screen_excerpt(client, login(client, "reviewer"), decp_excerpt)
    page = client.get("/api/records", params={"limit": 5})
    assert page.json()["total"] == 13 and len(page.json()["records"]) == 5
    matched = client.get("/api/records", params={"group": "Oracle Corporation"}).json()
    assert matched["total"] == 1
    record = matched["records"][0]
    assert record["matches"][0]["group_id"] == "oracle"
    assert client.get(f"/api/records/{record['id']}").json()["id"] == record["id"]
    dashboard = client.get("/")
    assert "Oracle Corporation" in dashboard.text
    drill = client.get("/records", params={"group": "Oracle Corporation"})
    assert f"/records/{record['id']}" in drill.text
    assert client.get(f"/records/{record['id']}").status_code == 200
    company = client.get("/api/companies/oracle").json()
    assert company["exposure"]["records"] == 1
    case = client.get(f"/run/decisions/case-{company['decisions'][0]}.html")
    assert case.status_code == 200 and "Oracle" in case.text
    assert client.get("/run/companies/oracle.html").status_code == 200


def test_match_api_explains_the_score(client: TestClient) -> None:
    login(client, "viewer")
    body = {
        "queries": {
            "a": {"name": "Microsoft France SAS", "country": "FR"},
            "b": {"name": "Boulangerie du Coin"},
        }
    }
    out = client.post("/api/match", json=body)
    # A viewer's session needs the CSRF header for a POST.
    assert out.status_code == 403
    csrf = csrf_of(client.get("/review").text)
    out = client.post("/api/match", json=body, headers={"X-CSRF-Token": csrf}).json()
    best = out["responses"]["a"]["results"][0]
    assert best["group_id"] == "microsoft" and best["score"] >= out["matcher"]["threshold"]
    assert best["match"] is True
    assert best["features"] and "name_similarity" in best["explanation"]
    assert out["responses"]["b"]["total"] == 0


def test_match_api_ranks_candidates_below_the_threshold(client: TestClient) -> None:
    login(client, "viewer")
    csrf = csrf_of(client.get("/review").text)
    # Alphabet France is BMW's leasing company: Alphabet Inc. is scored but not retained.
    body = {"queries": {"q": {"name": "ALPHABET FRANCE"}}, "limit": 3}
    out = client.post("/api/match", json=body, headers={"X-CSRF-Token": csrf}).json()
    results = out["responses"]["q"]["results"]
    assert results and len(results) <= 3
    assert results[0]["company_id"] == "alphabet"
    assert results[0]["score"] < out["matcher"]["threshold"]
    assert not any(r["match"] for r in results)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_bearer_token_from_the_cli(tmp_path: Path, kb: KnowledgeBase) -> None:
    app = make_app(tmp_path, kb)
    app.state.vigie.close()
    runner = CliRunner()
    ws = str(tmp_path / "ws.duckdb")
    result = runner.invoke(cli_app, ["users", "token", "viewer", "-w", ws, "--lang", "en"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    added = runner.invoke(
        cli_app, ["users", "add", "ana", "--role", "reviewer", "-w", ws, "--password", PASSWORD]
    )
    assert added.exit_code == 0, added.output
    with TestClient(make_app_again(tmp_path, kb)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        ok = client.post("/api/match", json={"queries": {"q": {"name": "Oracle"}}}, headers=headers)
        assert ok.status_code == 200
        bad = client.get("/api/decisions", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        login(client, "ana")


def make_app_again(tmp_path: Path, kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    from vigie.web import WebSettings, create_app

    return create_app(WebSettings(workspace=tmp_path / "ws.duckdb", secure_cookies=False), kb)


def _pending_oracle(client: TestClient) -> list[dict[str, object]]:
    items = client.get("/api/review").json()
    return [i for i in items if str(i["company_id"]).startswith("oracle") and not i["status"]]


def test_review_records_who_and_when_and_is_applied(client: TestClient, decp_excerpt: Path) -> None:
    csrf = login(client, "reviewer")
    screen_excerpt(client, csrf, decp_excerpt)
    (supplier,) = _pending_oracle(client)
    assert (supplier["kind"], supplier["subject_text"]) == ("supplier", "ORACLE FRANCE")
    page = client.post(
        f"/review/{supplier['pair_id']}",
        data={"status": "rejected", "note": "homonym", "csrf_token": csrf},
    )
    assert page.status_code == 200
    judged = {i["pair_id"]: i for i in client.get("/api/review").json()}[supplier["pair_id"]]
    assert judged["status"] == "rejected" and judged["reviewer"] == "reviewer"
    assert judged["reviewed_at"] and judged["note"] == "homonym"
    # Applied by the analysis: the supplier match is gone; the title's mention of Oracle
    # is now a finding of its own, and a candidate for review.
    (record,) = client.get("/api/records", params={"group": "Oracle Corporation"}).json()["records"]
    assert [m["kind"] for m in record["matches"]] == ["mention"]
    (mention,) = _pending_oracle(client)
    assert mention["kind"] == "mention"
    rejected = client.post(
        f"/api/review/{mention['pair_id']}",
        json={"status": "rejected"},
        headers={"X-CSRF-Token": csrf},
    )
    assert rejected.status_code == 200
    assert client.get("/api/records", params={"group": "Oracle Corporation"}).json()["total"] == 0
    again = screen_excerpt(client, csrf, decp_excerpt)["summary"]  # the next run applies them
    assert isinstance(again, dict) and "Oracle Corporation" not in again["by_group"]
    accounts: AccountStore = client.app.state.vigie.accounts  # type: ignore[attr-defined]
    actions = [e.action for e in accounts.audit_log()]
    assert actions.count("judgement") == 2 and "screen" in actions and "login" in actions
    unknown = client.post(
        "/api/review/000000000000", json={"status": "confirmed"}, headers={"X-CSRF-Token": csrf}
    )
    assert unknown.status_code == 404


def test_language_from_cookie_and_header(client: TestClient) -> None:
    login(client, "viewer")
    assert "Tableau de bord" in client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text
    client.get("/lang/en", params={"next": "/"})
    assert "Dashboard" in client.get("/", headers={"Accept-Language": "fr"}).text
    redirect = client.get("/lang/fr", params={"next": "//evil.example"}, follow_redirects=False)
    assert redirect.headers["location"] == "/"


def test_aia_score_api_and_form(client: TestClient) -> None:
    csrf = login(client, "viewer")
    answers = json.loads((FIXTURES / "aia" / "all-max.json").read_text(encoding="utf-8"))
    out = client.post("/api/aia/score", json=answers, headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200 and out.json()["level"] == 4
    bad = client.post("/api/aia/score", json={"data": []}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and bad.json()["detail"][0]["pointer"] == "/data"
    with (FIXTURES / "aia" / "all-min.json").open("rb") as handle:
        page = client.post("/aia", files={"file": ("a.json", handle)}, data={"csrf_token": csrf})
    assert page.status_code == 200 and "<strong>1</strong>" in page.text


def test_bias_api(client: TestClient, tmp_path: Path) -> None:
    csrf = login(client, "viewer")
    rows = ["g,y,p"] + ["a,1,1"] * 8 + ["a,0,0"] * 2 + ["b,1,0"] * 6 + ["b,0,0"] * 4
    data = "\n".join(rows) + "\n"
    form = {
        "group": "g",
        "label": "y",
        "label_positive": "1",
        "prediction": "p",
        "predicted_positive": "1",
        "bootstrap": "0",
    }
    out = client.post(
        "/api/bias",
        files={"file": ("d.csv", data.encode())},
        data=form,
        headers={"X-CSRF-Token": csrf},
    )
    assert out.status_code == 200, out.text
    groups = out.json()["groups"]
    assert groups["a"]["count"] == 10 and groups["b"]["count"] == 10
    wrong = client.post(
        "/api/bias",
        files={"file": ("d.csv", data.encode())},
        data={**form, "group": "nope"},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 422


def test_upload_page_runs_a_job(client: TestClient, decp_excerpt: Path) -> None:
    csrf = login(client, "reviewer")
    with decp_excerpt.open("rb") as handle:
        response = client.post(
            "/upload", files={"file": ("excerpt.json", handle)}, data={"csrf_token": csrf}
        )
    assert response.status_code == 200 and "/jobs/" in str(response.url)
    job_id = str(response.url).rsplit("/", 1)[-1]
    for _ in range(600):
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            break
        import time

        time.sleep(0.05)
    assert job["status"] == "done", job
    assert job["summary"]["records_read"] == 16


def test_cli_refuses_remote_host_and_bad_accounts(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "ws.duckdb")
    remote = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0", "-w", ws, "--lang", "en"])
    assert remote.exit_code == 2 and "--allow-remote" in remote.output
    short = runner.invoke(cli_app, ["users", "add", "ana", "-w", ws, "--password", "short"])
    assert short.exit_code == 2
    bad = runner.invoke(cli_app, ["users", "add", "a b", "-w", ws, "--password", PASSWORD])
    assert bad.exit_code == 2
    role = runner.invoke(
        cli_app, ["users", "add", "ana", "--role", "root", "-w", ws, "--password", PASSWORD]
    )
    assert role.exit_code == 2
    unknown = runner.invoke(cli_app, ["users", "token", "nobody", "-w", ws])
    assert unknown.exit_code == 2


def test_a_broken_file_is_reported_not_a_crash(client: TestClient) -> None:
    csrf = login(client, "reviewer")
    garbage = b'{"marches": [{"id": 1, "montant": "x"}, \xff\xfe'
    response = client.post(
        "/api/screen",
        files={"file": ("broken.json", garbage)},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.text
    summary = response.json()["summary"]
    assert (summary["records_read"], summary["records_loaded"], summary["records_rejected"]) == (
        2,
        1,
        1,
    )
    rejected = client.get(f"/runs/{response.json()['run_id']}/rejected.csv").text
    assert "/marches/1" in rejected and "invalid JSON" in rejected
    refused = client.post(
        "/api/screen", files={"file": ("notes.exe", b"MZ")}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 415


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_renders_in_both_languages(
    client: TestClient, decp_excerpt: Path, lang: str
) -> None:
    screen_excerpt(client, login(client, "admin"), decp_excerpt)
    client.get(f"/lang/{lang}")
    key = client.get("/api/records", params={"group": "Oracle Corporation"}).json()["records"][0]
    pages = ["/", "/records", "/decisions", "/review", "/upload", "/aia", "/bias", "/admin"]
    pages += [f"/records/{key['id']}", "/run/companies/oracle.html", "/run/decisions/case-1.html"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.text, url
