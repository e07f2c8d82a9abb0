"""PDF from an HTML report through headless Chromium, where it is installed (never downloaded)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    """No headless Chromium was found, or it failed to print the page."""


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome executable on PATH, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: Path, pdf: Path, browser: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (no network, bounded time)."""
    executable = browser or find_chromium()
    if executable is None:
        raise PdfUnavailable("no Chromium or Chrome found on PATH")
    with tempfile.TemporaryDirectory(prefix="vigie-chromium-") as profile:
        command = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            "--proxy-server=127.0.0.1:9",  # offline: any network request fails at once
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfUnavailable(f"Chromium could not print the report: {exc}") from None
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise PdfUnavailable("Chromium produced no PDF")
    return pdf
