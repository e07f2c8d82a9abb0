"""Loading, checking and versioning the knowledge base from YAML files.

The starter data shipped in the package is loaded first, then the user's knowledge
directory (``VIGIE_KB_DIR``, default ``./vigie-data/kb``) when it exists, so a user's own
sources layer over the starter data without editing it (docs/knowledge-base.md).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vigie.kb.base import KnowledgeBase
from vigie.kb.model import KnowledgeBaseFile

MAX_FILE_BYTES = 20 * 1024 * 1024
USER_DIR_ENV = "VIGIE_KB_DIR"
DEFAULT_USER_DIR = Path("vigie-data") / "kb"


class KnowledgeBaseError(ValueError):
    """The knowledge base is invalid; ``problems`` lists every defect found (file: message)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("invalid knowledge base:\n  " + "\n  ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class LoadedParts:
    """Validated files (name, content), the problems found reading them, and their hash."""

    parts: tuple[tuple[str, KnowledgeBaseFile], ...]
    problems: tuple[str, ...]
    version: str


def starter_dir() -> Path:
    """The directory of the starter knowledge base shipped in the package."""
    return Path(str(files("vigie.kb").joinpath("data")))


def user_dir() -> Path:
    """The user's knowledge directory: ``$VIGIE_KB_DIR``, else ``./vigie-data/kb``."""
    configured = os.environ.get(USER_DIR_ENV)
    return Path(configured) if configured else DEFAULT_USER_DIR


def default_directories() -> list[Path]:
    """The starter data, then the user's knowledge directory when it exists."""
    extra = user_dir()
    return [starter_dir(), *([extra] if extra.is_dir() else [])]


def load_parts(directories: Iterable[Path] | None = None, skip: Path | None = None) -> LoadedParts:
    """Read and validate every ``*.yaml`` file of the directories (but ``skip``), in order."""
    paths = [
        path
        for directory in (directories if directories is not None else default_directories())
        for path in sorted(directory.glob("*.yaml"))
        if skip is None or path != skip
    ]
    problems: list[str] = [] if paths else ["no knowledge-base files (*.yaml) found"]
    parts: list[tuple[str, KnowledgeBaseFile]] = []
    digest = hashlib.sha256()
    for path in paths:
        raw = _read(path, problems)
        if raw is None:
            continue
        digest.update(path.name.encode("utf-8") + b"\0" + raw + b"\0")
        parsed = parse_file(path.name, raw, problems)
        if parsed is not None:
            parts.append((path.name, parsed))
    return LoadedParts(tuple(parts), tuple(problems), digest.hexdigest()[:16])


def load_knowledge_base(directories: Iterable[Path] | None = None) -> KnowledgeBase:
    """Load and check the knowledge base (default: starter data, then the user directory).

    Files are merged in order: the directories as given, each directory's files sorted by
    name. Raises :class:`KnowledgeBaseError` listing every problem when the data is invalid.
    """
    loaded = load_parts(list(directories) if directories else None)
    if loaded.problems:
        raise KnowledgeBaseError(loaded.problems)
    kb = KnowledgeBase.from_parts(loaded.parts, version=loaded.version)
    problems = kb.check()
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


def _read(path: Path, problems: list[str]) -> bytes | None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(f"{path.name}: file is {size} bytes, over {MAX_FILE_BYTES}")
        return None
    return path.read_bytes()


class _NoAliasLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses anchors and aliases (no "billion laughs" expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, _NO_ALIASES)
        return super().compose_node(parent, index)


_NO_ALIASES = "YAML aliases (*name) are not allowed"


def load_yaml(text: str) -> Any:
    """Parse YAML safely: plain data only, no anchors or aliases (libyaml when available)."""
    fast: Any = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.load(text, Loader=_NoAliasLoader)
    for event in yaml.parse(text, Loader=fast):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise yaml.composer.ComposerError(None, None, f"{_NO_ALIASES} (line {line})")
    return yaml.load(text, Loader=fast)


def dump_yaml(data: Any) -> str:
    """Serialise plain data as block YAML, keys in order (libyaml when available)."""
    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


def parse_file(name: str, raw: bytes, problems: list[str]) -> KnowledgeBaseFile | None:
    """Parse and validate one knowledge-base YAML file; problems are appended, named by file."""
    try:
        data: Any = load_yaml(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        problems.append(f"{name}: not valid UTF-8 YAML: {exc}")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{name}: top level must be a mapping of sections")
        return None
    try:
        return KnowledgeBaseFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(f"{name}: {where(data, error['loc'])}: {error['msg']}")
        return None


def where(data: Any, loc: tuple[int | str, ...]) -> str:
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
