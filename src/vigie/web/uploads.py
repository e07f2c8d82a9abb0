"""Saving uploaded files: a safe name, an allowed suffix, a size limit, a fresh directory."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi import HTTPException, UploadFile

from vigie.pipeline import INPUT_SUFFIXES

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str | None, default: str = "upload") -> str:
    """The last component of a client's file name, with only safe characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[:120]
    return cleaned or default


async def save_upload(
    upload: UploadFile, folder: Path, max_bytes: int, suffixes: tuple[str, ...] = INPUT_SUFFIXES
) -> Path:
    """Copy an upload into a new sub-directory of ``folder``; 415 for a suffix not in
    ``suffixes``, 413 above ``max_bytes`` (the partial file is removed)."""
    name = safe_name(upload.filename)
    if not name.lower().endswith(suffixes):
        raise HTTPException(415, f"expected a file ending in {', '.join(suffixes)}")
    target = folder / uuid.uuid4().hex / name
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                target.unlink()
                target.parent.rmdir()
                raise HTTPException(413, "file too large")
            out.write(chunk)
    return target
