"""Merging the releases of one contracting process (one ``ocid``) into its latest state.

vigie keeps, from each release, only the fields it reads (:func:`project`), then merges the
projections in date order with the OCDS merge routine, simplified to need no schema:

- a field of a later release replaces the same field of earlier ones; ``null`` removes it;
- objects are merged field by field;
- arrays of objects that all have an ``id`` are merged by ``id`` (an object with a new ``id`` is
  added, one with a known ``id`` is merged into it); other arrays, and the arrays listed in
  :data:`WHOLE_LIST` (suppliers, tenderers, additional identifiers and classifications, roles),
  are replaced whole.

This is what ocdsmerge does with the OCDS 1.1 release schema for the fields vigie reads; it
differs only for fields vigie ignores. Releases are ordered by their ``date`` as published (ISO
8601 text), releases without a date first, then by their order in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

WHOLE_LIST = frozenset(
    {"suppliers", "tenderers", "additionalIdentifiers", "additionalClassifications", "roles", "tag"}
)

Spec = dict[str, "Spec | None"]

_ORG: Spec = {
    "id": None,
    "name": None,
    "identifier": {"scheme": None, "id": None, "legalName": None},
    "address": {"countryName": None, "countryCode": None, "country": None},
    "roles": None,
}
_VALUE: Spec = {"amount": None, "currency": None}
_CLASS: Spec = {"scheme": None, "id": None, "description": None}
_ITEM: Spec = {"id": None, "classification": _CLASS, "additionalClassifications": _CLASS}
PROJECTION: Spec = {
    "ocid": None,
    "id": None,
    "date": None,
    "tag": None,
    "buyer": _ORG,
    "parties": _ORG,
    "tender": {
        "id": None,
        "title": None,
        "description": None,
        "status": None,
        "procurementMethod": None,
        "procurementMethodDetails": None,
        "mainProcurementCategory": None,
        "value": _VALUE,
        "items": _ITEM,
        "procuringEntity": _ORG,
    },
    "awards": {
        "id": None,
        "title": None,
        "description": None,
        "status": None,
        "date": None,
        "value": _VALUE,
        "suppliers": _ORG,
        "items": _ITEM,
    },
    "contracts": {
        "id": None,
        "awardID": None,
        "title": None,
        "description": None,
        "status": None,
        "dateSigned": None,
        "value": _VALUE,
        "items": _ITEM,
    },
}


LANGUAGE_FIELDS = frozenset({"title", "description", "name", "legalName"})
"""Text fields that OCDS lets publishers give per language (``title_fr``, ``name_en``...)."""


def project(value: Mapping[str, Any], spec: Spec = PROJECTION) -> dict[str, Any]:
    """The fields of ``value`` named by ``spec``; arrays keep the projection of each element.

    A leaf keeps a scalar, or a list of scalars; a structure where a scalar is expected is kept
    as a marker (``"<dict>"``) so that readers report it instead of reading a structure.
    Language variants of the text fields (``title_en``) are kept beside them.
    """
    out: dict[str, Any] = {}
    for key, sub in spec.items():
        if key not in value:
            continue
        out[key] = _project_value(value[key], sub)
    if not LANGUAGE_FIELDS.isdisjoint(spec):
        for key, item in value.items():
            base, sep, _ = key.partition("_")
            if sep and base in LANGUAGE_FIELDS and base in spec and _scalar(item):
                out[key] = item
    return out


def _project_value(value: Any, sub: Spec | None) -> Any:
    if sub is None:
        if isinstance(value, list):
            return [v if _scalar(v) else f"<{type(v).__name__}>" for v in value]
        return value if _scalar(value) else f"<{type(value).__name__}>"
    if isinstance(value, dict):
        return project(value, sub)
    if isinstance(value, list):
        return [project(v, sub) if isinstance(v, dict) else _marker(v) for v in value]
    return value if value is None else _marker(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _marker(value: Any) -> Any:
    return value if _scalar(value) else f"<{type(value).__name__}>"


def merge(states: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge projected releases, already in date order, into one compiled state."""
    merged: dict[str, Any] = {}
    for state in states:
        merged = _merge_object(merged, state)
    return merged


def _merge_object(target: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(target)
    for key, value in source.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            current = out.get(key)
            out[key] = _merge_object(current if isinstance(current, dict) else {}, value)
        elif isinstance(value, list):
            current = out.get(key)
            if key in WHOLE_LIST or not isinstance(current, list) or not _identified(value):
                out[key] = list(value)
            else:
                out[key] = _merge_by_id(current, value)
        else:
            out[key] = value
    return out


def _identified(items: list[Any]) -> bool:
    return all(isinstance(i, dict) and _scalar(i.get("id")) and "id" in i for i in items)


def _merge_by_id(current: list[Any], new: list[Any]) -> list[Any]:
    if not _identified(current):
        return list(new)
    order: dict[str, Mapping[str, Any]] = {str(item["id"]): item for item in current}
    for item in new:
        key = str(item["id"])
        previous = order.get(key)
        order[key] = _merge_object(previous, item) if previous is not None else item
    return list(order.values())


def sort_key(state: Mapping[str, Any], seq: int) -> tuple[int, str, int]:
    """Order of releases for merging: undated first, then by date text, then file order."""
    date = state.get("date")
    if isinstance(date, str) and date:
        return (1, date, seq)
    return (0, "", seq)
