"""Property tests for the sources layer: never crash, and account for every element."""

from __future__ import annotations

import dataclasses
import datetime
import html
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vigie.sources import Limits, ReadResult, decp_fields, read_decp
from vigie.sources.codes import REJECTION_CODES, WARNING_CODES
from vigie.sources.files import DecodedText, decode_text

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SMALL_LIMITS = Limits(max_member_bytes=50_000, ratio_floor_bytes=1000, max_ratio=50, max_members=5)


@contextmanager
def _workdir() -> Iterator[Path]:
    # A fresh directory per example (pytest's tmp_path is per test, not per example).
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read(data: bytes, name: str = "in.json", limits: Limits | None = None) -> ReadResult:
    with _workdir() as tmp:
        path = tmp / name
        path.write_bytes(data)
        return read_decp(path, name, limits)


def _assert_well_formed(result: ReadResult) -> None:
    """What the store and the reports rely on, for any input."""
    assert result.records_read == len(result.records) + len(result.rejections)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    for record in result.records:
        assert record.record_id
        assert record.kind in {"contract", "concession"}
        if record.amount is None:
            assert record.currency is None
        else:
            assert math.isfinite(record.amount)
            assert record.amount >= 0
            assert record.currency == "EUR"
        if record.date is not None:
            assert 1900 <= datetime.date.fromisoformat(record.date).year <= 2100
        if record.cpv is not None:
            assert len(record.cpv) == 8
            assert record.cpv.isascii()
            assert record.cpv.isdigit()
        texts = [
            record.record_id,
            record.title,
            record.procedure,
            record.cpv_raw,
            *(x for p in (record.buyer, *record.suppliers) for x in (p.id, p.scheme, p.name)),
        ]
        for text in texts:
            if text is not None:
                text.encode("utf-8")  # no lone surrogates: the store needs valid UTF-8
                assert text == text.strip()
                assert text
    for note in [r.note for r in result.rejections] + [w.note for w in result.warnings]:
        for key, value in note.params:
            assert isinstance(key, str)
            assert isinstance(value, str)


# --- (1) arbitrary bytes -------------------------------------------------------------------

TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b" ",
    b"\n",
    b'"marches"',
    b'"marche"',
    b'"id"',
    b'"uid"',
    b'"montant"',
    b'"valeurGlobale"',
    b'"dateNotification"',
    b'"codeCPV"',
    b'"titulaires"',
    b'"acheteur"',
    b'"concessionnaires"',
    b'"x"',
    b'"2019-02-31"',
    b'"9132100"',
    b'"1 234,5"',
    b'"\\ud800"',
    b'"&amp;"',
    b"1",
    b"-1e400",
    b"1" + b"0" * 400,
    b"NaN",
    b"null",
    b"true",
    b"\xe9",
    b"\xef\xbf\xbd",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
]
json_like_bytes = st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join)
decp_prefixed = json_like_bytes.map(lambda b: b'{"marches": [' + b)


@SETTINGS
@given(st.one_of(st.binary(max_size=2000), json_like_bytes, decp_prefixed))
def test_read_decp_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    result = _read(data)
    _assert_well_formed(result)
    # A plain (non-zip) file is one member: either it is not DECP (one rejection and nothing
    # else) or its array was found.
    not_decp = [r for r in result.rejections if r.note.code == "not_decp"]
    if not_decp:
        assert (len(result.rejections), result.records) == (1, [])
    assert result.size == len(data)


@SETTINGS
@given(st.binary(max_size=3000))
def test_read_decp_never_raises_on_arbitrary_zip_members(data: bytes) -> None:
    with _workdir() as tmp:
        buf = tmp / "in.zip"
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("a.json", data)
            archive.writestr("b.json", b'{"marches": [{"id": "b"}]}')
        result = read_decp(buf, "in.zip", SMALL_LIMITS)
    _assert_well_formed(result)
    assert [r.record_id for r in result.records if r.source_file == "in.zip!b.json"] == ["b"]


@SETTINGS
@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0), st.data())
def test_read_decp_never_raises_on_damaged_zip(patch: bytes, where: int, data: Any) -> None:
    with _workdir() as tmp:
        path = tmp / "in.zip"
        compression = data.draw(
            st.sampled_from(
                [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
            )
        )
        with zipfile.ZipFile(path, "w", compression) as archive:
            archive.writestr("a.json", b'{"marches": [{"id": "a", "montant": 1}]}' * 5)
            archive.writestr("d/", b"")
            archive.writestr("b.json", b'{"marches": []}')
        raw = path.read_bytes()
        start = where % len(raw)
        path.write_bytes(raw[:start] + patch + raw[start + len(patch) :])
        result = read_decp(path, "in.zip", SMALL_LIMITS)
    _assert_well_formed(result)


# --- (2) arbitrary JSON elements -----------------------------------------------------------

DECP_KEYS = [
    "id",
    "uid",
    "_type",
    "acheteur",
    "titulaires",
    "montant",
    "dateNotification",
    "codeCPV",
    "objet",
    "procedure",
    "autoriteConcedante",
    "concessionnaires",
    "valeurGlobale",
    "dateSignature",
    "nom",
    "denominationSociale",
    "typeIdentifiant",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),  # NaN and infinities are written as NaN/Infinity, which the reader accepts
    st.text(max_size=20),
    # Lone surrogates, written by json.dumps as "\udXXX" escapes.
    st.text(alphabet=st.characters(categories=["Cs", "Ll"]), max_size=4),
    st.sampled_from(["2019-03-18", "2019-02-31", "9132100", "30234000-8", "1 234,5", "&amp;"]),
)
keys = st.one_of(st.sampled_from(DECP_KEYS), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=25,
)
elements = st.one_of(json_values, st.dictionaries(keys, json_values, max_size=8))


@SETTINGS
@given(st.lists(elements, max_size=12), st.sampled_from([None, 1, "\t"]), st.booleans())
def test_every_json_element_is_accounted_for(
    values: list[Any], indent: int | str | None, nested: bool
) -> None:
    document: dict[str, Any] = {"marches": {"marche": values} if nested else values}
    result = _read(json.dumps(document, indent=indent).encode("utf-8"))
    _assert_well_formed(result)
    assert len(result.records) + len(result.rejections) == len(values)
    objects = [v for v in values if isinstance(v, dict)]
    codes = [r.note.code for r in result.rejections]
    assert codes.count("not_object") == len(values) - len(objects)
    assert len(result.records) + codes.count("duplicate") + codes.count("missing_id") == len(
        objects
    )
    assert set(codes) <= {"not_object", "duplicate", "missing_id"}
    prefix = "/marches/marche/" if nested else "/marches/"
    positions = sorted(
        [r.position for r in result.records] + [r.position for r in result.rejections],
        key=lambda p: int(p.rsplit("/", 1)[1]),
    )
    assert positions == [f"{prefix}{i}" for i in range(len(values))]


@SETTINGS
@given(st.lists(elements, min_size=1, max_size=8), st.integers(min_value=1, max_value=40))
def test_truncated_document_keeps_the_elements_before_the_break(
    values: list[Any], cut: int
) -> None:
    text = json.dumps({"marches": values})
    result = _read(text[: max(len('{"marches": ['), len(text) - cut)].encode("utf-8"))
    _assert_well_formed(result)
    broken = [r for r in result.rejections if r.note.code == "broken_json"]
    if cut == 1:  # only the final "}" is missing: what follows the array is not checked
        assert (broken, result.records_read) == ([], len(values))
        return
    # Otherwise exactly one break, the last unit read (it may point one past the last
    # complete element when the cut falls right after it).
    assert len(broken) == 1
    index = int(broken[0].position.rsplit("/", 1)[1])
    assert index <= len(values)
    assert result.records_read == index + 1
    assert result.rejections[-1] == broken[0]


# --- (3) decode_text -----------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=500))
def test_decode_text_never_raises(data: bytes) -> None:
    decoded = decode_text(data)
    decoded.text.encode("utf-8")  # never a lone surrogate
    assert decoded.encoding in {"utf-8", "utf-8-sig", "utf-8+cp1252", "utf-8-sig+cp1252"}
    assert 0 <= decoded.repaired_bytes <= len(data)
    assert (decoded.repaired_bytes > 0) == decoded.encoding.endswith("+cp1252")
    assert decoded.lost_characters == decoded.text.count("\ufffd")
    # ASCII bytes are never swallowed or invented by the repair.
    assert "".join(c for c in decoded.text if c.isascii()) == bytes(
        b for b in data if b < 0x80
    ).decode("ascii")
    try:
        strict = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert decoded.repaired_bytes > 0
    else:
        assert decoded.text == strict
        assert decoded.repaired_bytes == 0


@SETTINGS
@given(st.text(max_size=300))
def test_decode_text_round_trips_valid_utf8(text: str) -> None:
    decoded = decode_text(text.encode("utf-8"))
    expected = text.removeprefix("\ufeff")
    assert decoded.text == expected
    assert decoded.encoding == ("utf-8-sig" if text.startswith("\ufeff") else "utf-8")
    assert decoded.repaired_bytes == 0
    assert decoded.lost_characters == expected.count("\ufffd")


@SETTINGS
@given(st.text(alphabet=st.characters(codec="cp1252"), max_size=200))
def test_decode_text_reads_any_cp1252(text: str) -> None:
    data = text.encode("cp1252")
    decoded = decode_text(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decoded.repaired_bytes > 0
        assert decoded.lost_characters == 0  # every byte here has a cp1252 character
    else:  # valid UTF-8 by chance (e.g. "Ã©"): read as UTF-8, which it then is
        assert decoded.repaired_bytes == 0


@SETTINGS
@given(
    st.lists(
        st.tuples(st.characters(codec="ascii"), st.characters(codec="cp1252")),
        max_size=100,
    )
)
def test_decode_text_repairs_separated_cp1252_exactly(pairs: list[tuple[str, str]]) -> None:
    # Each non-ASCII character follows an ASCII one: no run of bytes can be valid UTF-8.
    text = "".join(a + b for a, b in pairs)
    data = text.encode("cp1252")
    assert decode_text(data) == DecodedText(
        text,
        "utf-8+cp1252" if not text.isascii() else "utf-8",
        sum(1 for b in data if b >= 0x80),
        0,
    )


# --- (4) zip wrapping ----------------------------------------------------------------------

parties = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=14), st.integers(min_value=0)),
        "nom": st.text(max_size=20),
        "denominationSociale": st.text(max_size=20),
        "typeIdentifiant": st.sampled_from(["SIRET", "TVA", "HORS-UE"]),
    },
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()), st.sampled_from(["2019-02-31", "31/01/2019", ""])
)
amounts = st.one_of(
    st.integers(min_value=-10, max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1 234,56", "12.5", "x", ""]),
)
contracts = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=12)},
    optional={
        "acheteur": parties,
        "titulaires": st.lists(parties, max_size=3),
        "montant": amounts,
        "dateNotification": dates,
        "codeCPV": st.sampled_from(["30234000-8", "9132100", "ABC", "72000000"]),
        "objet": st.text(max_size=40),
        "procedure": st.text(max_size=20),
    },
)
concessions = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=12),
        "autoriteConcedante": parties,
        "concessionnaires": st.lists(parties, max_size=3),
    },
    optional={"valeurGlobale": amounts, "dateSignature": dates},
)
decp_files = st.lists(st.one_of(contracts, concessions), max_size=10)


@SETTINGS
@given(
    decp_files,
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA]),
    st.booleans(),
)
def test_zipped_file_gives_the_same_records(
    values: list[dict[str, Any]], compression: int, ascii_only: bool
) -> None:
    data = json.dumps({"marches": values}, indent=1, ensure_ascii=ascii_only).encode("utf-8")
    with _workdir() as tmp:
        plain_path = tmp / "decp.json"
        plain_path.write_bytes(data)
        plain = read_decp(plain_path, "decp.json")
        zip_path = tmp / "decp.zip"
        with zipfile.ZipFile(zip_path, "w", compression) as archive:
            archive.writestr("decp.json", data)
        zipped = read_decp(zip_path, "decp.zip")
    _assert_well_formed(plain)
    _assert_well_formed(zipped)
    assert plain.records_read == len(values)
    member = "decp.zip!decp.json"
    assert zipped.records == [dataclasses.replace(r, source_file=member) for r in plain.records]
    assert zipped.rejections == [
        dataclasses.replace(r, source_file=member) for r in plain.rejections
    ]
    assert zipped.warnings == [dataclasses.replace(w, source_file=member) for w in plain.warnings]


@SETTINGS
@given(st.one_of(st.text(max_size=30), st.text(alphabet="a é&amp;#;\t\xa0 \ud800", max_size=12)))
@example("a ")
@example(" a")
@example("a  b")
@example("a\tb")
@example("a\xa0b")
@example("&amp;nbsp; &#32;")
@example("\ud800")
@example("")
def test_decp_text_fast_path_equals_the_full_cleaning(value: str) -> None:
    unescaped = html.unescape(value) if "&" in value else value
    expected = " ".join(re.sub("[\ud800-\udfff]", "\ufffd", unescaped).split()) or None
    assert decp_fields.text(value) == expected
