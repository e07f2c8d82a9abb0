"""What one OCDS unit (a release, a record, a line's release) brings: the projected states of
the contracting processes it is about, each with its ``ocid``, or why it is rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigie.sources.ocds_merge import project
from vigie.sources.ocds_stream import Unit
from vigie.sources.records import Note, storable

_LINKED_ONLY = frozenset({"url", "date", "tag", "id"})


def unit_states(unit: Unit) -> list[tuple[str, dict[str, Any]]] | Note:
    """The projected release states a unit brings, with their ocid, or why it is rejected."""
    value = unit.value
    if unit.projected:
        ocid = _ocid(value)
        return [(ocid, value)] if ocid else Note.of("ocds_no_ocid")
    if not isinstance(value, dict):
        return Note.of("not_object", kind=type(value).__name__)
    compiled = value.get("compiledRelease")
    if isinstance(compiled, dict):
        ocid = _ocid(compiled) or _ocid(value)
        return [(ocid, project(compiled))] if ocid else Note.of("ocds_no_ocid")
    releases = value.get("releases")
    if isinstance(releases, list):
        return _record_states(value, releases)
    ocid = _ocid(value)
    return [(ocid, project(value))] if ocid else Note.of("ocds_no_ocid")


def _record_states(
    record: Mapping[str, Any], releases: list[Any]
) -> list[tuple[str, dict[str, Any]]] | Note:
    """A record without compiled release: its embedded releases (links give nothing to read)."""
    embedded = [r for r in releases if isinstance(r, dict) and set(r) - _LINKED_ONLY]
    if not embedded:
        return Note.of("ocds_linked_only")
    ocid = _ocid(record)
    found = [((_ocid(r) or ocid), project(r)) for r in embedded]
    if not all(o for o, _ in found):
        return Note.of("ocds_no_ocid")
    return [(str(o), s) for o, s in found]


def _ocid(value: Mapping[str, Any]) -> str | None:
    ocid = value.get("ocid")
    if isinstance(ocid, str) and ocid.strip():
        return storable(ocid.strip())
    if isinstance(ocid, int) and not isinstance(ocid, bool):
        return str(ocid)
    return None
