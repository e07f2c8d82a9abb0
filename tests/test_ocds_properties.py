"""Property tests: whatever the input, the OCDS reader and its normalisers never crash, and
every unit is loaded or rejected."""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vigie.sources import ocds_fast, ocds_stream
from vigie.sources.files import Limits
from vigie.sources.ocds import read_ocds
from vigie.sources.ocds_fast import fast_release
from vigie.sources.ocds_map import Origin, process_records
from vigie.sources.ocds_merge import merge, project
from vigie.sources.ocds_values import money, text, when
from vigie.sources.records import ReadResult

KEYS = st.sampled_from(
    [
        "ocid",
        "id",
        "date",
        "tag",
        "releases",
        "records",
        "compiledRelease",
        "parties",
        "buyer",
        "tender",
        "awards",
        "contracts",
        "suppliers",
        "items",
        "classification",
        "additionalClassifications",
        "value",
        "amount",
        "currency",
        "awardID",
        "dateSigned",
        "status",
        "name",
        "identifier",
        "scheme",
        "address",
        "countryName",
        "roles",
        "title",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["ocds-a", "ocds-b", "EUR", "eur", "XYZ", "CPV", "45000000-7", "2020-01-01"]),
    st.sampled_from(["2020-02-30T00:00:00Z", "2021-05-05T10:00:00+02:00", "cancelled", "A1"]),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=6)
    ),
    max_leaves=40,
)
SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read(data: bytes) -> ReadResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_bytes(data)
        result = read_ocds(path, "input.json", Limits())
    assert result.records_read == result.records_loaded + result.records_rejected
    assert result.records_loaded >= 0
    positions = [r.position for r in result.records]
    assert len(positions) == len(set(positions))
    return result


@SETTINGS
@given(JSON)
def test_any_json_document(value: Any) -> None:
    _read(json.dumps(value).encode())


@SETTINGS
@given(st.lists(JSON, min_size=1, max_size=5))
def test_any_json_lines(values: list[Any]) -> None:
    result = _read("\n".join(json.dumps(v) for v in values).encode())
    plain = [v for v in values if not isinstance(v, list | dict)]
    assert result.records_rejected >= len(plain)  # a scalar line is never a release


@SETTINGS
@given(st.lists(JSON, max_size=6))
def test_any_release_package(releases: list[Any]) -> None:
    result = _read(json.dumps({"uri": "u", "releases": releases}, indent=1).encode())
    assert result.records_read == len(releases)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _read(data)


@SETTINGS
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=400))
def test_truncated_or_corrupted_package(noise: bytes, cut: int) -> None:
    release = {"ocid": "ocds-a", "awards": [{"id": 1, "value": {"amount": 3, "currency": "EUR"}}]}
    text = json.dumps({"releases": [release, release]}, indent=1).encode()
    _read(text[:cut] + noise)


@SETTINGS
@given(st.lists(st.dictionaries(KEYS, JSON, max_size=6), max_size=4))
def test_merge_and_map_any_states(states: list[dict[str, Any]]) -> None:
    merged = merge(project(s) for s in states)
    records, _ = process_records(merged, Origin("f", "/", 0))
    assert len({r.position for r in records}) == len(records)


@SETTINGS
@given(JSON)
def test_fast_path_agrees_or_declines(value: Any) -> None:
    fast = fast_release(json.dumps(value).encode())
    if fast is not None:
        assert isinstance(value, dict)
        assert fast == project(value)


@SETTINGS
@given(JSON, JSON)
def test_value_and_date_normalisers(value: Any, date: Any) -> None:
    notes: list[Any] = []
    found = money(value, "v", notes)
    assert found.amount is None or found.amount >= 0
    published = when(date, "d", notes)
    assert published.day is None or len(published.day) == 10


@SETTINGS
@given(st.text(max_size=30))
@example("a ")
@example(" a")
@example("a  b")
@example("a\tb")
@example("a\xa0b")
@example("\ud800")
def test_text_fast_path_equals_the_full_cleaning(value: str) -> None:
    expected = " ".join(re.sub("[\ud800-\udfff]", "\ufffd", value).split()) or None
    assert text(value) == expected


def _reference_lines(data: bytes, limit: int) -> list[tuple[int, bytes | None]]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out: list[tuple[int, bytes | None]] = []
    for number, line in enumerate(lines, 1):
        if len(line) > limit:
            out.append((number, None))
            continue
        raw = line[3:] if number == 1 and line.startswith(b"\xef\xbb\xbf") else line
        if raw.strip():
            out.append((number, raw))
    return out


@SETTINGS
@given(
    st.lists(st.sampled_from([b"", b"\n", b"ab", b"x" * 17, b"\xef\xbb\xbf", b"  ", b"{}"])),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=9),
)
def test_lines_in_chunks_equal_splitting_lines(pieces: list[bytes], limit: int, chunk: int) -> None:
    data = b"".join(pieces)
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setattr(ocds_stream, "MAX_LINE_BYTES", limit)
        monkey.setattr(ocds_stream, "READ_CHUNK", chunk)
        found = [
            (number, None if view is None else bytes(view))
            for number, view in ocds_stream.line_views(io.BytesIO(data))
        ]
    finally:
        monkey.undo()
    assert found == _reference_lines(data, limit)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.sampled_from([b'"', b"_", b"en", b"x-y", b"\\", b"a", b":", b"Name_", b"_" * 70]),
            st.tuples(
                st.sampled_from([b"title", b"name", b"legalName", b"description", b"Title"]),
                st.sampled_from([b"", b"en", b"hy", b"x-y", b"abcd", b"e\\"]),
            ).map(lambda key: b'"%s_%s"' % key),
        ),
        max_size=30,
    )
)
def test_language_scan_finds_what_the_pattern_finds(pieces: list[bytes]) -> None:
    line = b"".join(pieces)
    found = {m.decode() for m in ocds_fast._LANGUAGE_VARIANT.findall(line)}
    expected = found if all(ocds_fast._LANGUAGE.match(lang) for lang in found) else None
    assert ocds_fast._languages(line) == expected
