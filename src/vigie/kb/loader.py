"""Loading, checking and versioning the knowledge base from YAML files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vigie.kb.base import KnowledgeBase
from vigie.kb.model import KnowledgeBaseFile

MAX_FILE_BYTES = 20 * 1024 * 1024


class KnowledgeBaseError(ValueError):
    """The knowledge base is invalid; ``problems`` lists every defect found (file: message)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("invalid knowledge base:\n  " + "\n  ".join(problems))
        self.problems = list(problems)


def starter_dir() -> Path:
    """The directory of the starter knowledge base shipped in the package."""
    return Path(str(files("vigie.kb").joinpath("data")))


def load_knowledge_base(directories: Iterable[Path] | None = None) -> KnowledgeBase:
    """Load and check every ``*.yaml`` file of the given directories (default: the starter data).

    Raises :class:`KnowledgeBaseError` listing every problem when the data is invalid.
    """
    paths = sorted(
        path for directory in (directories or [starter_dir()]) for path in directory.glob("*.yaml")
    )
    if not paths:
        raise KnowledgeBaseError(["no knowledge-base files (*.yaml) found"])
    problems: list[str] = []
    parts: list[tuple[str, KnowledgeBaseFile]] = []
    digest = hashlib.sha256()
    for path in paths:
        raw = _read(path, problems)
        if raw is None:
            continue
        digest.update(path.name.encode("utf-8") + b"\0" + raw + b"\0")
        parsed = _parse(path, raw, problems)
        if parsed is not None:
            parts.append((path.name, parsed))
    if problems:
        raise KnowledgeBaseError(problems)
    kb = KnowledgeBase.from_parts(parts, version=digest.hexdigest()[:16])
    problems.extend(kb.check())
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


def _read(path: Path, problems: list[str]) -> bytes | None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(f"{path.name}: file is {size} bytes, over {MAX_FILE_BYTES}")
        return None
    return path.read_bytes()


def _parse(path: Path, raw: bytes, problems: list[str]) -> KnowledgeBaseFile | None:
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name}: not valid UTF-8 YAML: {exc}")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{path.name}: top level must be a mapping of sections")
        return None
    try:
        return KnowledgeBaseFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = _where(data, error["loc"])
            problems.append(f"{path.name}: {where}: {error['msg']}")
        return None


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """Describe a validation error location, naming the item by its id where it has one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            item_id = node.get("id") if isinstance(node, dict) else None
            parts.append(f"[{key}]" + (f" (id {item_id!r})" if item_id else ""))
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(f".{key}" if parts else str(key))
    return "".join(parts)
