"""PDF printing through a headless browser: the invocation, and failures reported clearly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vigie.present.pdf import PdfUnavailable, find_chromium, html_to_pdf


def _fake_browser(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_browser_is_called_headless_and_offline(tmp_path: Path) -> None:
    log = tmp_path / "args.txt"
    body = (
        f'printf "%s\\n" "$@" > {log}\n'
        'for a in "$@"; do case "$a" in\n'
        '  --print-to-pdf=*) printf "%%PDF-1.4" > "${a#*=}";;\n'
        "esac; done"
    )
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    out = html_to_pdf(html, tmp_path / "r.pdf", browser=_fake_browser(tmp_path, body))
    assert out.read_bytes().startswith(b"%PDF")
    args = log.read_text("utf-8").split("\n")
    assert "--headless" in args
    assert "--proxy-server=127.0.0.1:9" in args
    assert html.resolve().as_uri() in args


@pytest.mark.parametrize("body", ["exit 3", "exit 0"])
def test_browser_failure_or_no_output_is_reported(tmp_path: Path, body: str) -> None:
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfUnavailable):
        html_to_pdf(html, tmp_path / "r.pdf", browser=_fake_browser(tmp_path, body))


def test_missing_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() is None
    with pytest.raises(PdfUnavailable, match="no Chromium"):
        html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed here")
def test_real_chromium_prints_a_pdf(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    html.write_text("<!DOCTYPE html><title>t</title><p>vigie</p>", encoding="utf-8")
    assert html_to_pdf(html, tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
