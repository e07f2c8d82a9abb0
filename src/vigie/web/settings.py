"""Settings of the web application (passed explicitly, never module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigie.pipeline import DEFAULT_POLICY

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Where the workspace is and how the server behaves.

    ``data_dir`` holds uploaded files and run outputs (default: beside the workspace file).
    ``secure_cookies`` adds the Secure attribute (turn off only for plain-HTTP tests).
    """

    workspace: Path
    data_dir: Path | None = None
    secure_cookies: bool = True
    max_upload_bytes: int = 50 * MEBIBYTE
    session_hours: int = 12
    policy: str = DEFAULT_POLICY
    default_lang: str = "en"

    @property
    def files_dir(self) -> Path:
        """The directory of uploads and run outputs."""
        if self.data_dir is not None:
            return self.data_dir
        return self.workspace.parent / "web"
