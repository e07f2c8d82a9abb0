"""Browser tests: Playwright drives Debian's Chromium headless against a live server.

Skipped with the reason when Playwright or Chromium is missing. To install them on Debian:
``apt-get install chromium`` and ``pip install playwright`` (the dev extra); Playwright's own
browser download is not needed, the test passes ``executable_path``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from vigie.kb import KnowledgeBase
from web_helpers import PASSWORD, make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, kb: KnowledgeBase) -> Iterator[str]:
    """A live server on localhost (Secure cookies: Chromium accepts them on localhost)."""
    app = make_app(tmp_path, kb, secure=True)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):
        if instance.started:
            break
        time.sleep(0.05)
    yield f"http://localhost:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        except sync_api.Error as exc:
            pytest.skip(f"Chromium does not start: {str(exc).splitlines()[0]}")
        yield instance
        instance.close()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_login_upload_review_and_dashboard(server: str, browser: Any, decp_excerpt: Path) -> None:
    page = browser.new_page(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR"})
    _login(page, server, "reviewer")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Dashboard"

    page.goto(f"{server}/upload")
    page.set_input_files("input[type=file]", str(decp_excerpt))
    page.click("form[data-upload] button[type=submit]")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("[data-job-links]:not([hidden])", timeout=60_000)
    assert "Screening finished" in page.locator("[data-job-status]").inner_text()
    assert page.locator("progress").get_attribute("value") == "100"

    page.goto(f"{server}/")
    page.click("text=Oracle Corporation")
    assert "group=Oracle" in page.url
    page.click("a:has-text('show the records')")
    page.click("td a[href^='/records/']")
    assert "ORACLE FRANCE" in page.content()

    page.goto(f"{server}/review")
    row_id = page.locator("tr[id^=pair-]", has_text="ORACLE FRANCE").first.get_attribute("id")
    row = page.locator(f"tr#{row_id}")
    row.locator("input[name=note]").fill("checked in the register")
    row.locator("button[value=confirmed]").click()
    page.wait_for_url(f"{server}/review")
    assert "confirmed" in page.locator(f"tr#{row_id}").inner_text()
    assert "reviewer" in page.locator(f"tr#{row_id}").inner_text()


def test_viewer_cannot_upload(server: str, browser: Any) -> None:
    page = browser.new_page()
    _login(page, server, "viewer")
    assert page.locator("nav a[href='/upload']").count() == 0
    response = page.goto(f"{server}/upload")
    assert response is not None and response.status == 403
