"""Fast path for one JSON line holding one release: decode only the fields vigie reads.

msgspec decodes the line against typed structures mirroring
:data:`vigie.sources.ocds_merge.PROJECTION`, skipping every other field without building it,
and gives the same dict as ``project(json.loads(line))``. Any line it cannot take exactly
(a package, a record, a structure where a value is expected, invalid UTF-8...) returns
``None`` and is read by the general path instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, get_type_hints

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
_LANGUAGE_VARIANT = re.compile(rb'"(?:title|description|name|legalName)_([^"\\]*)"')
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}$")
_VARIANTS: dict[type[Struct], tuple[str, ...]] = {
    _Identifier: ("legalName",),
    _Org: ("name",),
    _Class: ("description",),
    _Tender: ("title", "description"),
    _Award: ("title", "description"),
    _Contract: ("title", "description"),
}
MAX_DECODERS = 64


def _with_languages(base: type[Struct], languages: tuple[str, ...], made: dict[Any, Any]) -> Any:
    """``base`` with its text fields' variants for ``languages`` added, and its nested types
    replaced by theirs (built once per set of languages)."""
    if base in made:
        return made[base]
    fields: list[tuple[str, Any, Any]] = []
    for name, hint in get_type_hints(base).items():
        fields.append((name, _retype(hint, languages, made), UNSET))
    for field in _VARIANTS.get(base, ()):
        fields.extend((f"{field}_{lang}", Leaf, UNSET) for lang in languages)
    made[base] = msgspec.defstruct(base.__name__, fields, omit_defaults=True)
    return made[base]


def _retype(hint: Any, languages: tuple[str, ...], made: dict[Any, Any]) -> Any:
    if isinstance(hint, type) and issubclass(hint, Struct):
        return _with_languages(hint, languages, made)
    args = getattr(hint, "__args__", None)
    if not args:
        return hint
    retyped = tuple(_retype(arg, languages, made) for arg in args)
    if getattr(hint, "__origin__", None) is list:
        return list[retyped[0]]  # type: ignore[valid-type]
    result = retyped[0]
    for arg in retyped[1:]:
        result = result | arg
    return result


@lru_cache(maxsize=MAX_DECODERS)
def _decoder(languages: tuple[str, ...]) -> msgspec.json.Decoder[Any]:
    if not languages:
        return _DECODER
    return msgspec.json.Decoder(_with_languages(_Release, languages, {}))


_VARIANT_STEMS = (b"title", b"description", b"name", b"legalName")
_SCAN_UNDERSCORES = 64


def _languages(line: bytes) -> set[str] | None:
    """The languages of the text variants in ``line`` (``title_en``...), ``None`` when one is
    not a language code. Most lines have none: the underscores are looked at first (a variant
    is one preceded by a field name), the pattern run only when one may be a variant."""
    at, seen = line.find(b"_"), 0
    while at >= 0 and seen < _SCAN_UNDERSCORES and not line.endswith(_VARIANT_STEMS, 0, at):
        at, seen = line.find(b"_", at + 1), seen + 1
    if at < 0:
        return set()
    found = {m.decode("utf-8", "replace") for m in _LANGUAGE_VARIANT.findall(line)}
    return found if all(_LANGUAGE.match(lang) for lang in found) else None


def fast_release(line: bytes) -> dict[str, Any] | None:
    """The projected release of a JSON line, or ``None`` to use the general path.

    Language variants of text fields (``title_en``, ``name_hy``) are decoded by structures
    extended with those fields for the languages found in the line."""
    found = _languages(line)
    if found is None:
        return None
    try:
        release = _decoder(tuple(sorted(found))).decode(line)
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


def fast_ocid(line: bytes | memoryview) -> str | None:
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
