"""Fast path for one JSON line holding one release: decode only the fields vigie reads.

msgspec decodes the line against typed structures mirroring
:data:`vigie.sources.ocds_merge.PROJECTION`, skipping every other field without building it,
and gives the same dict as ``project(json.loads(line))``. Any line it cannot take exactly
(a package, a record, a structure where a value is expected, invalid UTF-8...) returns
``None`` and is read by the general path instead.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

Scalar = str | int | float | bool | None
Leaf = Scalar | UnsetType
Tags = list[Scalar] | Scalar | UnsetType


class _Identifier(Struct, omit_defaults=True):
    scheme: Leaf = UNSET
    id: Leaf = UNSET
    legalName: Leaf = UNSET


class _Address(Struct, omit_defaults=True):
    countryName: Leaf = UNSET
    countryCode: Leaf = UNSET
    country: Leaf = UNSET


class _Org(Struct, omit_defaults=True):
    id: Leaf = UNSET
    name: Leaf = UNSET
    identifier: _Identifier | UnsetType | None = UNSET
    address: _Address | UnsetType | None = UNSET
    roles: Tags = UNSET


class _Value(Struct, omit_defaults=True):
    amount: Leaf = UNSET
    currency: Leaf = UNSET


class _Class(Struct, omit_defaults=True):
    scheme: Leaf = UNSET
    id: Leaf = UNSET
    description: Leaf = UNSET


class _Item(Struct, omit_defaults=True):
    id: Leaf = UNSET
    classification: _Class | UnsetType | None = UNSET
    additionalClassifications: list[_Class] | UnsetType | None = UNSET


class _Tender(Struct, omit_defaults=True):
    id: Leaf = UNSET
    title: Leaf = UNSET
    description: Leaf = UNSET
    status: Leaf = UNSET
    procurementMethod: Leaf = UNSET
    procurementMethodDetails: Leaf = UNSET
    mainProcurementCategory: Leaf = UNSET
    value: _Value | UnsetType | None = UNSET
    items: list[_Item] | UnsetType | None = UNSET
    procuringEntity: _Org | UnsetType | None = UNSET


class _Award(Struct, omit_defaults=True):
    id: Leaf = UNSET
    title: Leaf = UNSET
    description: Leaf = UNSET
    status: Leaf = UNSET
    date: Leaf = UNSET
    value: _Value | UnsetType | None = UNSET
    suppliers: list[_Org] | UnsetType | None = UNSET
    items: list[_Item] | UnsetType | None = UNSET


class _Contract(Struct, omit_defaults=True):
    id: Leaf = UNSET
    awardID: Leaf = UNSET
    title: Leaf = UNSET
    description: Leaf = UNSET
    status: Leaf = UNSET
    dateSigned: Leaf = UNSET
    value: _Value | UnsetType | None = UNSET
    items: list[_Item] | UnsetType | None = UNSET


class _Release(Struct, omit_defaults=True):
    ocid: Leaf = UNSET
    id: Leaf = UNSET
    date: Leaf = UNSET
    tag: Tags = UNSET
    buyer: _Org | UnsetType | None = UNSET
    parties: list[_Org] | UnsetType | None = UNSET
    tender: _Tender | UnsetType | None = UNSET
    awards: list[_Award] | UnsetType | None = UNSET
    contracts: list[_Contract] | UnsetType | None = UNSET
    # Present only in records and packages: their presence sends the line to the general path.
    releases: msgspec.Raw | UnsetType = UNSET
    records: msgspec.Raw | UnsetType = UNSET
    compiledRelease: msgspec.Raw | UnsetType = UNSET


_DECODER = msgspec.json.Decoder(_Release)


def fast_release(line: bytes) -> dict[str, Any] | None:
    """The projected release of a JSON line, or ``None`` to use the general path."""
    try:
        release = _DECODER.decode(line)
    except (msgspec.DecodeError, RecursionError, ValueError, OverflowError):
        return None
    if (
        release.releases is not UNSET
        or release.records is not UNSET
        or release.compiledRelease is not UNSET
        or not isinstance(release.ocid, str)
    ):
        return None
    projected: dict[str, Any] = msgspec.to_builtins(release)
    return projected


class _OcidOnly(Struct):
    ocid: Leaf = UNSET
    releases: msgspec.Raw | UnsetType = UNSET
    records: msgspec.Raw | UnsetType = UNSET
    compiledRelease: msgspec.Raw | UnsetType = UNSET


_OCID_DECODER = msgspec.json.Decoder(_OcidOnly)


def fast_ocid(line: bytes) -> str | None:
    """The ``ocid`` of a JSON line holding one release, skipping everything else; ``None``
    when the line is anything else (package, record, invalid) and needs the general path."""
    try:
        found = _OCID_DECODER.decode(line)
    except (msgspec.DecodeError, RecursionError, ValueError, OverflowError):
        return None
    if found.releases is not UNSET or found.records is not UNSET:
        return None
    if found.compiledRelease is not UNSET or not isinstance(found.ocid, str):
        return None
    return found.ocid
