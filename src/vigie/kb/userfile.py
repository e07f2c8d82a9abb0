"""A user's own knowledge-base YAML file (evidence, sources, responses...), item by item.

The file has the same sections as the starter data files. Each item is validated on its
own, so one bad item is rejected (with its section, index and reason) and the others load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from vigie.kb.base import KnowledgeBase
from vigie.kb.importing import Draft, ImportLimits, Issue, validated
from vigie.kb.loader import MAX_FILE_BYTES, load_yaml
from vigie.kb.model import KnowledgeBaseFile, Ownership


def _section_model(section: str) -> type[BaseModel] | None:
    field = KnowledgeBaseFile.model_fields.get(section)
    if field is None:
        return None
    args = getattr(field.annotation, "__args__", ())
    model = args[0] if args else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def read_kb_yaml(
    path: Path, name: str, kb: KnowledgeBase | None, limits: ImportLimits | None = None
) -> Draft:
    """Read a knowledge-base YAML file into a draft, one record per item."""
    del kb, limits  # checked by the caller (size) and by finalise (references)
    draft = Draft(name=name)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            draft.fatal = Issue.of(
                name, "file_too_large", size=path.stat().st_size, limit=MAX_FILE_BYTES
            )
            return draft
        data: Any = load_yaml(path.read_bytes().decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        draft.records_read = 1
        draft.reject(name, "broken_json", reason=str(exc)[:200])
        return draft
    if not isinstance(data, dict):
        draft.records_read = 1
        draft.reject(name, "not_object")
        return draft
    for section, items in data.items():
        model = _section_model(str(section))
        if model is None or not isinstance(items, list):
            draft.records_read += 1
            draft.reject(str(section), "unknown_schema", schema=section)
            continue
        for index, raw in enumerate(items):
            position = f"{section}[{index}]"
            draft.records_read += 1
            if not isinstance(raw, dict):
                draft.reject(position, "not_object")
                continue
            item = validated(model, raw, draft, position)
            if item is not None:
                _add(draft, str(section), item, position)
    return draft


def _add(draft: Draft, section: str, item: Any, position: str) -> None:
    if isinstance(item, Ownership):
        draft.add_link(item, position)
        return
    key = item.company if section == "extensions" else item.id
    tables: dict[str, dict[str, Any]] = {
        "companies": draft.companies,
        "extensions": draft.extensions,
        "sources": draft.sources,
        "evidence": draft.evidence,
    }
    if section in tables:
        if key in tables[section]:
            draft.reject(position, "invalid_item", field="id", reason=f"{key!r} defined twice")
            return
        tables[section][key] = item
    else:
        draft.other.setdefault(section, []).append(item)
    draft.origin[(section, key)] = position
