"""Tests for vigie.sources.decp.read_decp: the real 2019 excerpt and hand-written cases."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vigie.pipeline import ingest
from vigie.sources import Limits, Party, ProcurementRecord, ReadResult, Rejection, read_decp
from vigie.sources import decp as decp_module
from vigie.sources.codes import (
    INGEST_CODES,
    REJECTION_CODES,
    WARNING_CODES,
    XML_REJECTION_CODES,
    XML_WARNING_CODES,
)
from vigie.sources.decp import EXCERPT_CHARS, FORMAT
from vigie.sources.files import sha256_file
from vigie.sources.records import Classification, Note, Warning_
from vigie.store import Workspace

LABEL = "t.json"


def _check(result: ReadResult) -> ReadResult:
    """Invariants every read must satisfy."""
    assert result.records_read == len(result.records) + len(result.rejections)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    positions = [(r.source_file, r.position) for r in result.records]
    assert len(positions) == len(set(positions))
    return result


def _read_bytes(tmp_path: Path, data: bytes, limits: Limits | None = None) -> ReadResult:
    path = tmp_path / LABEL
    path.write_bytes(data)
    return _check(read_decp(path, LABEL, limits))


def _read_text(tmp_path: Path, text: str) -> ReadResult:
    return _read_bytes(tmp_path, text.encode("utf-8"))


def _read_elements(tmp_path: Path, *elements: Any) -> ReadResult:
    return _read_text(tmp_path, json.dumps({"marches": list(elements)}, ensure_ascii=False))


def _one(tmp_path: Path, element: dict[str, Any]) -> tuple[ProcurementRecord, list[Note]]:
    """Read one element that must load; return the record and its warnings."""
    result = _read_elements(tmp_path, element)
    assert result.rejections == []
    assert len(result.records) == 1
    assert all(w.position == "/marches/0" for w in result.warnings)
    return result.records[0], [w.note for w in result.warnings]


def _codes(notes: list[Note]) -> list[str]:
    return [n.code for n in notes]


BUYER = {"id": "28060051100024", "nom": "SDIS BP"}
SUPPLIER = {"typeIdentifiant": "SIRET", "id": "33509231800187", "denominationSociale": "X"}


def _contract(**fields: Any) -> dict[str, Any]:
    """A complete contract that loads without any warning; ``fields`` override or drop (None)."""
    base: dict[str, Any] = {
        "id": "C1",
        "_type": "Marché",
        "acheteur": BUYER,
        "titulaires": [SUPPLIER],
        "montant": 1000,
        "dateNotification": "2019-03-18",
        "codeCPV": "30234000-8",
        "objet": "Objet",
        "procedure": "Procédure adaptée",
    }
    for key, value in fields.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


# --- the real 2019 excerpt -----------------------------------------------------------------


def test_excerpt_counts_and_rejections(decp_excerpt: Path) -> None:
    result = _check(read_decp(decp_excerpt, "excerpt.json"))
    assert (result.records_read, len(result.records), len(result.rejections)) == (16, 13, 3)
    assert [(r.source_file, r.position, r.note) for r in result.rejections] == [
        ("excerpt.json", "/marches/7", Note("duplicate", (("of", "/marches/6"),))),
        ("excerpt.json", "/marches/8", Note("missing_id")),
        ("excerpt.json", "/marches/15", Note("duplicate", (("of", "/marches/11"),))),
    ]
    assert all(r.excerpt.startswith("{") for r in result.rejections)
    assert all(len(r.excerpt) <= EXCERPT_CHARS for r in result.rejections)


def test_excerpt_file_metadata(decp_excerpt: Path) -> None:
    result = read_decp(decp_excerpt)
    assert result.path == str(decp_excerpt)
    assert result.sha256 == sha256_file(decp_excerpt)
    assert result.size == decp_excerpt.stat().st_size
    assert result.format == FORMAT == "decp-v1-json"
    assert {r.source_file for r in result.records} == {str(decp_excerpt)}


def test_excerpt_positions(decp_excerpt: Path) -> None:
    result = read_decp(decp_excerpt, "excerpt.json")
    assert [r.position for r in result.records] == [
        f"/marches/{i}" for i in (0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14)
    ]
    assert [r.line for r in result.records][:3] == [3, 32, 61]
    assert {r.kind for r in result.records} == {"contract"}


def test_excerpt_warnings(decp_excerpt: Path) -> None:
    result = read_decp(decp_excerpt, "excerpt.json")
    no_date = Note("no_date", (("field", "dateNotification"),))
    leading_zero = Note("cpv_leading_zero", (("raw", "9132100"), ("fixed", "09132100")))
    assert [(w.source_file, w.position, w.note) for w in result.warnings] == [
        ("excerpt.json", "(file)", Note("lost_characters", (("n", "13"),))),
        ("excerpt.json", "/marches/0", no_date),
        ("excerpt.json", "/marches/1", leading_zero),
        ("excerpt.json", "/marches/1", no_date),
        *[("excerpt.json", f"/marches/{i}", no_date) for i in range(2, 7)],
    ]


def test_excerpt_oracle_record(decp_excerpt: Path) -> None:
    result = read_decp(decp_excerpt, "excerpt.json")
    [oracle] = [r for r in result.records if r.record_id == "2019A03000"]
    assert oracle == ProcurementRecord(
        source_file="excerpt.json",
        position="/marches/13",
        line=414,
        record_id="2019A03000",
        kind="contract",
        buyer=Party("28060051100024", "SIRET", "SDIS BP"),
        suppliers=(Party("33509231800187", "SIRET", "ORACLE FRANCE"),),
        title="Prestations de support technique ORACLE",
        amount=51430.44,
        currency="EUR",
        date="2019-03-18",
        cpv="30234000",
        cpv_raw="30234000-8",
        procedure="Procédure adaptée",
        content_hash=oracle.content_hash,
        classifications=(Classification("CPV", "30234000"),),
        date_time="2019-03-18T00:00:00+01:00",  # published as 2019-03-18+01:00
    )
    assert len(oracle.content_hash) == 64


def test_excerpt_html_entity_and_lost_characters(decp_excerpt: Path) -> None:
    result = read_decp(decp_excerpt, "excerpt.json")
    by_id = {r.record_id: r for r in result.records}
    assert by_id["2019A03100"].title is not None
    assert "d’intervention" in by_id["2019A03100"].title
    assert "&#8217;" not in by_id["2019A03100"].title
    assert by_id["2018COs68fWklM00"].buyer.name == (
        "Soci\ufffdt\ufffd de livraison des ouvrages olympiques (SOLIDEO)"
    )
    assert by_id["2018_TPLyTsQ2000"].cpv == "09132100"


def _zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def test_excerpt_zipped_gives_same_records(decp_excerpt: Path, tmp_path: Path) -> None:
    plain = read_decp(decp_excerpt, "excerpt.json")
    archive = _zip(tmp_path / "decp.zip", [("excerpt.json", decp_excerpt.read_bytes())])
    zipped = _check(read_decp(archive, "decp.zip"))
    member = "decp.zip!excerpt.json"
    assert zipped.records == [dataclasses.replace(r, source_file=member) for r in plain.records]
    assert zipped.rejections == [
        dataclasses.replace(r, source_file=member) for r in plain.rejections
    ]
    assert zipped.warnings == [dataclasses.replace(w, source_file=member) for w in plain.warnings]
    assert zipped.sha256 == sha256_file(archive) != plain.sha256


def test_zip_duplicates_are_detected_per_member(decp_excerpt: Path, tmp_path: Path) -> None:
    data = decp_excerpt.read_bytes()
    archive = _zip(tmp_path / "two.zip", [("a.json", data), ("b.json", data)])
    result = _check(read_decp(archive, "two.zip"))
    assert (result.records_read, len(result.records), len(result.rejections)) == (32, 26, 6)
    assert [r.source_file for r in result.records[12:14]] == ["two.zip!a.json", "two.zip!b.json"]


def test_members_of_one_name_are_told_apart(decp_excerpt: Path, tmp_path: Path) -> None:
    """A zip may hold two members of one name: each keeps positions of its own (the second is
    labelled ``#2``), so both load into the workspace instead of clashing."""
    data = decp_excerpt.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        archive = _zip(tmp_path / "same.zip", [("a.json", data), ("a.json", data)])
    result = _check(read_decp(archive, "same.zip"))
    assert {r.source_file for r in result.records} == {"same.zip!a.json", "same.zip!a.json#2"}
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        (loaded,) = ingest([archive], ws, Limits())
    assert len(loaded.records) == len(result.records) == 26


def test_zip_with_bad_members(tmp_path: Path) -> None:
    good = json.dumps({"marches": [_contract()]}).encode()
    inner = tmp_path / "inner.zip"
    _zip(inner, [("x.json", good)])
    archive = _zip(
        tmp_path / "t.zip",
        [("dir/", b""), ("readme.txt", b"hello"), ("n.zip", inner.read_bytes()), ("a.json", good)],
    )
    result = _check(read_decp(archive, "t.zip"))
    assert [(r.source_file, r.position, r.note.code) for r in result.rejections] == [
        ("t.zip!readme.txt", "(file)", "not_decp"),
        ("t.zip!n.zip", "(file)", "zip_nested"),
    ]
    assert [r.source_file for r in result.records] == ["t.zip!a.json"]


def test_zip_limits_reach_read_decp(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "t.zip", [("a.json", b" " * 10_000 + b'{"marches": []}')])
    limits = Limits(ratio_floor_bytes=1000, max_ratio=10)
    result = _check(read_decp(archive, "t.zip", limits))
    assert result.rejections == [
        Rejection("t.zip!a.json", "(file)", Note("zip_ratio", (("ratio", "10"),)))
    ]


def test_file_too_large(tmp_path: Path) -> None:
    result = _read_bytes(tmp_path, b'{"marches": []}', Limits(max_member_bytes=10))
    assert result.rejections == [
        Rejection(LABEL, "(file)", Note("file_too_large", (("size", "15"), ("limit", "10"))))
    ]
    assert result.records_read == 1


def test_corrupt_zip_member_is_one_rejection(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "t.zip", [("a.json", b'{"marches": []}' * 100)])
    data = bytearray(archive.read_bytes())
    data[30 + len("a.json")] = 0xFF  # invalid deflate block type
    archive.write_bytes(bytes(data))
    result = _check(read_decp(archive, "t.zip"))
    assert [(r.source_file, r.position, r.note.code) for r in result.rejections] == [
        ("t.zip!a.json", "(file)", "zip_corrupt")
    ]


def test_truncated_zip_is_not_decp(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "t.zip", [("a.json", b'{"marches": []}' * 100)])
    archive.write_bytes(archive.read_bytes()[:40])
    result = _check(read_decp(archive, "t.zip"))
    assert [(r.position, r.note.code) for r in result.rejections] == [("(file)", "not_decp")]


# --- whole-file shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "position", "detail"),
    [
        (b"[]", "(file)", "expected '{' but found '['"),
        (b'{"foo": 1}', "(file)", "no key /marches found"),
        (b"", "(file)", "expected '{' but found end of file"),
        (b"\xef\xbb\xbf", "(file)", "expected '{' but found end of file"),
        (b"null", "(file)", "expected '{' but found 'n'"),
        (
            b'{"marches": 5}',
            "/marches",
            "/marches is not an array; expected /marches or /marches/marche",
        ),
        (b"{marches: []}", "(file)", "invalid JSON: Expecting value (line 1, column 2)"),
        (b'{"marches": {"foo": []}}', "/marches", "no key /marches/marche found"),
    ],
)
def test_not_decp(tmp_path: Path, data: bytes, position: str, detail: str) -> None:
    result = _read_bytes(tmp_path, data)
    assert result.records == []
    assert result.rejections == [
        Rejection(LABEL, position, Note("not_decp", (("detail", detail),)))
    ]
    assert result.records_read == 1


def test_empty_array(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": []}')
    assert (result.records, result.rejections, result.warnings) == ([], [], [])


def test_marches_marche_shape(tmp_path: Path) -> None:
    text = json.dumps({"marches": {"marche": [_contract(), _contract(id="C2")]}})
    result = _read_text(tmp_path, text)
    assert [(r.record_id, r.position) for r in result.records] == [
        ("C1", "/marches/marche/0"),
        ("C2", "/marches/marche/1"),
    ]
    assert result.warnings == []


def test_broken_json_mid_array(tmp_path: Path) -> None:
    good = [json.dumps(_contract(id=f"C{i}")) for i in range(3)]
    text = '{"marches": [\n' + ",\n".join(good) + ',\n{"id": "bad",, "x": 1},\n' + good[0] + "]}"
    result = _read_text(tmp_path, text)
    assert [r.record_id for r in result.records] == ["C0", "C1", "C2"]
    assert len(result.rejections) == 1
    rejection = result.rejections[0]
    assert (rejection.source_file, rejection.position) == (LABEL, "/marches/3")
    assert rejection.note.code == "broken_json"
    params = rejection.note.as_dict()
    assert params["line"] == "5"
    assert params["detail"].startswith("invalid JSON: Expecting property name")
    assert rejection.excerpt.startswith('{"id": "bad",, "x": 1}')
    assert result.records_read == 4


def test_broken_json_missing_comma(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": [{"id": "a"} {"id": "b"}]}')
    assert [r.record_id for r in result.records] == ["a"]
    assert result.rejections == [
        Rejection(
            LABEL,
            "/marches/1",
            Note(
                "broken_json",
                (("detail", "expected ',' or ']' after element but found '{'"), ("line", "1")),
            ),
            '{"id": "b"}]}',
        )
    ]


def test_truncated_file(tmp_path: Path) -> None:
    text = json.dumps({"marches": [_contract(), _contract(id="C2")]})
    result = _read_text(tmp_path, text[:-20])
    assert [r.record_id for r in result.records] == ["C1"]
    assert [(r.position, r.note.code) for r in result.rejections] == [("/marches/1", "broken_json")]


def test_broken_json_excerpt_is_clipped(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": [' + "x" * 1000)
    assert [len(r.excerpt) for r in result.rejections] == [200]


def test_rejection_excerpt_is_clipped_and_flattened(tmp_path: Path) -> None:
    long_title = "mot  \n " * 200
    result = _read_text(tmp_path, json.dumps({"marches": [{"objet": long_title}]}, indent=2))
    [rejection] = result.rejections
    assert rejection.note == Note("missing_id")
    assert len(rejection.excerpt) == EXCERPT_CHARS
    assert rejection.excerpt.endswith("…")
    assert "\n" not in rejection.excerpt
    assert rejection.excerpt.startswith('{ "objet": "mot \\n mot')


def test_not_object_elements(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": [1, "x", null, [], true, 2.5, {"id": "a"}]}')
    assert [r.record_id for r in result.records] == ["a"]
    assert [(r.position, r.note, r.excerpt) for r in result.rejections] == [
        ("/marches/0", Note("not_object", (("kind", "int"),)), "1"),
        ("/marches/1", Note("not_object", (("kind", "str"),)), '"x"'),
        ("/marches/2", Note("not_object", (("kind", "NoneType"),)), "null"),
        ("/marches/3", Note("not_object", (("kind", "list"),)), "[]"),
        ("/marches/4", Note("not_object", (("kind", "bool"),)), "true"),
        ("/marches/5", Note("not_object", (("kind", "float"),)), "2.5"),
    ]
    assert result.records_read == 7


# --- identifiers and duplicates ------------------------------------------------------------


def test_missing_id_variants(tmp_path: Path) -> None:
    result = _read_elements(
        tmp_path,
        {},
        {"id": None},
        {"id": ""},
        {"id": "   "},
        {"id": True},
        {"id": {"x": 1}},
        {"id": [1]},
    )
    assert result.records == []
    assert [(r.position, r.note) for r in result.rejections] == [
        (f"/marches/{i}", Note("missing_id")) for i in range(7)
    ]


def test_id_forms(tmp_path: Path) -> None:
    result = _read_elements(
        tmp_path,
        {"id": 123},
        {"id": " a \n b "},
        {"uid": "U1"},
        {"id": "", "uid": "U2"},
        {"id": "I", "uid": "U3"},
        {"id": "x&amp;y"},
    )
    assert [r.record_id for r in result.records] == ["123", "a b", "U1", "U2", "I", "x&y"]


def test_duplicates_are_by_canonical_content(tmp_path: Path) -> None:
    text = (
        '{"marches": [{"id": "a", "montant": 1}, {"montant": 1,\n "id": "a"},'
        ' {"id": "a", "montant": 2}, {"id": "a", "montant": 1}]}'
    )
    result = _read_text(tmp_path, text)
    assert [(r.record_id, r.amount, r.position) for r in result.records] == [
        ("a", 1.0, "/marches/0"),
        ("a", 2.0, "/marches/2"),
    ]
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/1", Note("duplicate", (("of", "/marches/0"),))),
        ("/marches/3", Note("duplicate", (("of", "/marches/0"),))),
    ]


def test_duplicate_of_rejected_element(tmp_path: Path) -> None:
    result = _read_elements(tmp_path, {"objet": "x"}, {"objet": "x"})
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/0", Note("missing_id")),
        ("/marches/1", Note("duplicate", (("of", "/marches/0"),))),
    ]


def test_content_hash_is_sha256_of_canonical_json(tmp_path: Path) -> None:
    element = {"z": [1, "é", {"b": 1.5, "a": None}], "id": "a"}
    record, _ = _one(tmp_path, element)
    # Compact, keys sorted, UTF-8: the same text from orjson and from json.
    canonical = json.dumps(element, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert record.content_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_content_hash_of_values_orjson_cannot_serialise(tmp_path: Path) -> None:
    # A lone surrogate and an integer beyond 64 bits fall back to json, with the same form.
    text = '{"marches": [{"id": "a", "x": "\\ud800", "n": 123456789012345678901234567890}]}'
    result = _read_text(tmp_path, text)
    [record] = result.records
    canonical = '{"id":"a","n":123456789012345678901234567890,"x":"\ud800"}'
    expected = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    assert record.content_hash == expected


# --- full records --------------------------------------------------------------------------


def test_complete_contract(tmp_path: Path) -> None:
    element = _contract(
        titulaires=[SUPPLIER, {"id": "FR123", "typeIdentifiant": "TVA", "nom": "Y"}],
        montant="1 234,56",
        objet="  Fourniture  de\n matériel  ",
    )
    record, notes = _one(tmp_path, element)
    assert notes == []
    assert record == ProcurementRecord(
        source_file=LABEL,
        position="/marches/0",
        line=1,
        record_id="C1",
        kind="contract",
        buyer=Party("28060051100024", "SIRET", "SDIS BP"),
        suppliers=(Party("33509231800187", "SIRET", "X"), Party("FR123", "TVA", "Y")),
        title="Fourniture de matériel",
        amount=1234.56,
        currency="EUR",
        date="2019-03-18",
        cpv="30234000",
        cpv_raw="30234000-8",
        procedure="Procédure adaptée",
        content_hash=record.content_hash,
        classifications=(Classification("CPV", "30234000"),),
    )


def test_concession(tmp_path: Path) -> None:
    element = {
        "id": "K1",
        "_type": "Contrat de concession",
        "autoriteConcedante": {"id": "80128543800017", "nom": "Essentiel"},
        "concessionnaires": [{"id": "123", "denominationSociale": "Conc SA"}],
        "valeurGlobale": 250000.5,
        "dateSignature": "2019-01-15",
        "acheteur": {"id": "IGNORED"},
        "titulaires": [{"id": "IGNORED"}],
        "montant": 1,
        "dateNotification": "2000-01-01",
    }
    record, notes = _one(tmp_path, element)
    assert notes == []
    assert record.kind == "concession"
    assert record.buyer == Party("80128543800017", "SIRET", "Essentiel")
    assert record.suppliers == (Party("123", None, "Conc SA"),)
    assert (record.amount, record.currency, record.date) == (250000.5, "EUR", "2019-01-15")


def test_concession_detected_by_concessionnaires_only(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, {"id": "K", "concessionnaires": []})
    assert record.kind == "concession"
    assert notes == [
        Note("no_buyer"),
        Note("no_supplier"),
        Note("no_amount"),
        Note("no_date", (("field", "dateSignature"),)),
    ]


def test_concession_detected_by_autorite_only(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, {"id": "K", "autoriteConcedante": {"nom": "Ville"}})
    assert (record.kind, record.buyer) == ("concession", Party(None, "SIRET", "Ville"))
    assert _codes(notes) == ["no_supplier", "no_amount", "no_date"]


def test_minimal_contract_warnings(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, {"id": "M"})
    assert record == ProcurementRecord(
        source_file=LABEL,
        position="/marches/0",
        line=1,
        record_id="M",
        kind="contract",
        buyer=Party(None, None, None),
        suppliers=(),
        title=None,
        amount=None,
        currency=None,
        date=None,
        cpv=None,
        cpv_raw=None,
        procedure=None,
        content_hash=record.content_hash,
    )
    assert notes == [
        Note("no_buyer"),
        Note("no_supplier"),
        Note("no_amount"),
        Note("no_date", (("field", "dateNotification"),)),
    ]


# --- parties -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buyer", "party", "warned"),
    [
        ({"id": "1"}, Party("1", "SIRET", None), False),
        ({"nom": "N"}, Party(None, "SIRET", "N"), False),
        ({"denominationSociale": "D"}, Party(None, "SIRET", "D"), False),
        ({"nom": "", "denominationSociale": "D"}, Party(None, "SIRET", "D"), False),
        ({"id": 5, "typeIdentifiant": "TVA"}, Party("5", "TVA", None), False),
        ({"nom": "A &amp; B"}, Party(None, "SIRET", "A & B"), False),
        ({}, Party(None, "SIRET", None), True),
        ({"id": " ", "nom": None}, Party(None, "SIRET", None), True),
        ("SDIS", Party(None, None, None), True),
        ([{"id": "1"}], Party(None, None, None), True),
    ],
)
def test_buyer(tmp_path: Path, buyer: Any, party: Party, warned: bool) -> None:
    record, notes = _one(tmp_path, _contract(acheteur=buyer))
    assert record.buyer == party
    assert notes == ([Note("no_buyer")] if warned else [])


def test_suppliers_not_list(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, _contract(titulaires=SUPPLIER))
    assert record.suppliers == ()
    assert notes == [Note("suppliers_not_list"), Note("no_supplier")]


def test_supplier_items_that_are_not_objects(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, _contract(titulaires=["X", None, {"nom": "Z"}]))
    assert record.suppliers == (
        Party(None, None, None),
        Party(None, None, None),
        Party(None, None, "Z"),
    )
    assert notes == []


def test_no_supplier(tmp_path: Path) -> None:
    for titulaires in ([], None):
        record, notes = _one(tmp_path, _contract(titulaires=titulaires))
        assert record.suppliers == ()
        assert notes == [Note("no_supplier")]


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("montant", "amount"),
    [
        (0, 0.0),
        (26130, 26130.0),
        (51430.44, 51430.44),
        ("51430.44", 51430.44),
        ("51430,44", 51430.44),
        ("1 234 567,8", 1234567.8),
        (" 12 ", 12.0),
        ("1e3", 1000.0),
    ],
)
def test_amount_read(tmp_path: Path, montant: Any, amount: float) -> None:
    record, notes = _one(tmp_path, _contract(montant=montant))
    assert (record.amount, record.currency) == (amount, "EUR")
    assert notes == []


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ('"montant": ""', Note("no_amount")),
        ('"montant": null', Note("no_amount")),
        ('"montant": "abc"', Note("amount_not_number", (("value", "'abc'"),))),
        ('"montant": "12 €"', Note("amount_not_number", (("value", "'12 €'"),))),
        ('"montant": "1.234,56"', Note("amount_not_number", (("value", "'1.234,56'"),))),
        ('"montant": true', Note("amount_not_number", (("value", "True"),))),
        ('"montant": false', Note("amount_not_number", (("value", "False"),))),
        ('"montant": -5', Note("amount_out_of_range", (("value", "-5"),))),
        ('"montant": -0.5', Note("amount_out_of_range", (("value", "-0.5"),))),
        ('"montant": "-1,5"', Note("amount_out_of_range", (("value", "'-1,5'"),))),
        ('"montant": NaN', Note("amount_out_of_range", (("value", "nan"),))),
        ('"montant": Infinity', Note("amount_out_of_range", (("value", "inf"),))),
        ('"montant": -Infinity', Note("amount_out_of_range", (("value", "-inf"),))),
        ('"montant": 1e400', Note("amount_out_of_range", (("value", "inf"),))),
        ('"montant": "NaN"', Note("amount_out_of_range", (("value", "'NaN'"),))),
        ('"montant": "inf"', Note("amount_out_of_range", (("value", "'inf'"),))),
        ('"montant": "1e400"', Note("amount_out_of_range", (("value", "'1e400'"),))),
    ],
)
def test_amount_warnings(tmp_path: Path, text: str, note: Note) -> None:
    result = _read_text(tmp_path, '{"marches": [{"id": "a", "titulaires": [{}],' + text + "}]}")
    [record] = result.records
    assert (record.amount, record.currency) == (None, None)
    assert [w.note for w in result.warnings if "amount" in w.note.code] == [note]


def test_amount_not_number_value_is_truncated(tmp_path: Path) -> None:
    _, notes = _one(tmp_path, _contract(montant="x" * 100))
    assert notes == [Note("amount_not_number", (("value", repr("x" * 40)),))]


def test_amount_of_unexpected_type(tmp_path: Path) -> None:
    for montant in ([1], {"valeur": 1}):
        record, notes = _one(tmp_path, _contract(montant=montant))
        assert record.amount is None
        assert _codes(notes) == ["amount_not_number"]


def test_huge_integer_amount_is_out_of_range(tmp_path: Path) -> None:
    text = '{"marches": [{"id": "a", "montant": 1' + "0" * 400 + "}]}"
    result = _read_text(tmp_path, text)
    [record] = result.records
    assert record.amount is None
    assert [w.note.code for w in result.warnings if "amount" in w.note.code] == [
        "amount_out_of_range"
    ]


def test_very_long_amount_text_is_out_of_range_with_short_value(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, _contract(montant="9" * 1000))
    assert record.amount is None
    [note] = notes
    assert note.code == "amount_out_of_range"
    assert len(note.as_dict()["value"]) < 100


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2019-03-18", "2019-03-18"),
        ("2019-03-18+01:00", "2019-03-18"),
        ("2019-03-18T10:00:00Z", "2019-03-18"),
        ("1900-01-01", "1900-01-01"),
        ("2100-12-31", "2100-12-31"),
        ("2020-02-29", "2020-02-29"),
    ],
)
def test_date_read(tmp_path: Path, value: str, date: str) -> None:
    record, notes = _one(tmp_path, _contract(dateNotification=value))
    assert (record.date, notes) == (date, [])


@pytest.mark.parametrize(
    ("value", "note"),
    [
        (None, Note("no_date", (("field", "dateNotification"),))),
        (
            "18/03/2019",
            Note("bad_date", (("field", "dateNotification"), ("value", "'18/03/2019'"))),
        ),
        ("", Note("bad_date", (("field", "dateNotification"), ("value", "''")))),
        ("2019-3-18", Note("bad_date", (("field", "dateNotification"), ("value", "'2019-3-18'")))),
        (20190318, Note("bad_date", (("field", "dateNotification"), ("value", "'20190318'")))),
        (
            "2019-13-01",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2019-13-01"))),
        ),
        (
            "2019-00-10",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2019-00-10"))),
        ),
        (
            "2019-03-32",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2019-03-32"))),
        ),
        (
            "1899-12-31",
            Note("impossible_date", (("field", "dateNotification"), ("value", "1899-12-31"))),
        ),
        (
            "2101-01-01",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2101-01-01"))),
        ),
        (
            "2019-02-29",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2019-02-29"))),
        ),
        (
            "2019-04-31",
            Note("impossible_date", (("field", "dateNotification"), ("value", "2019-04-31"))),
        ),
    ],
)
def test_date_warnings(tmp_path: Path, value: Any, note: Note) -> None:
    element = _contract(dateNotification=value)
    if value is None:
        element["dateNotification"] = None  # present but null
    record, notes = _one(tmp_path, element)
    assert (record.date, notes) == (None, [note])


def test_date_with_non_ascii_digits_is_bad(tmp_path: Path) -> None:
    # Arabic-Indic digits match \d in Python regexes; DuckDB cannot cast them to DATE.
    record, notes = _one(tmp_path, _contract(dateNotification="٢٠١٩-٠٣-١١"))
    assert record.date is None
    assert _codes(notes) == ["bad_date"]


def test_date_bad_value_is_truncated(tmp_path: Path) -> None:
    _, notes = _one(tmp_path, _contract(dateNotification="y" * 100))
    assert notes == [Note("bad_date", (("field", "dateNotification"), ("value", repr("y" * 40))))]


def test_date_of_unexpected_type(tmp_path: Path) -> None:
    for value in ([2019, 3, 18], {"d": "2019-03-18"}):
        record, notes = _one(tmp_path, _contract(dateNotification=value))
        assert record.date is None
        assert _codes(notes) == ["bad_date"]


# --- CPV codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cpv", "raw", "notes"),
    [
        ("30234000-8", "30234000", "30234000-8", []),
        ("30234000", "30234000", "30234000", []),
        (" 30234000 ", "30234000", "30234000", []),
        (
            "9132100",
            "09132100",
            "9132100",
            [Note("cpv_leading_zero", (("raw", "9132100"), ("fixed", "09132100")))],
        ),
        (
            "9132100-3",
            "09132100",
            "9132100-3",
            [Note("cpv_leading_zero", (("raw", "9132100-3"), ("fixed", "09132100")))],
        ),
        (
            9132100,
            "09132100",
            "9132100",
            [Note("cpv_leading_zero", (("raw", "9132100"), ("fixed", "09132100")))],
        ),
        (30234000, "30234000", "30234000", []),
        ("ABC", None, "ABC", [Note("bad_cpv", (("value", "'ABC'"),))]),
        ("123456", None, "123456", [Note("bad_cpv", (("value", "'123456'"),))]),
        ("302340001", None, "302340001", [Note("bad_cpv", (("value", "'302340001'"),))]),
        ("30234000-88", None, "30234000-88", [Note("bad_cpv", (("value", "'30234000-88'"),))]),
        ("", None, None, []),
        ([1], None, None, []),
    ],
)
def test_cpv(
    tmp_path: Path, value: Any, cpv: str | None, raw: str | None, notes: list[Note]
) -> None:
    record, got = _one(tmp_path, _contract(codeCPV=value))
    assert (record.cpv, record.cpv_raw, got) == (cpv, raw, notes)


def test_cpv_with_non_ascii_digits_is_bad(tmp_path: Path) -> None:
    record, notes = _one(tmp_path, _contract(codeCPV="٣٠٢٣٤٠٠٠"))
    assert (record.cpv, record.cpv_raw) == (None, "٣٠٢٣٤٠٠٠")
    assert _codes(notes) == ["bad_cpv"]


# --- text ----------------------------------------------------------------------------------


def test_html_entities_unescaped(tmp_path: Path) -> None:
    element = _contract(
        objet="Travaux d&#8217;entretien &amp; r&eacute;paration &lt;lot 1&gt;",
        procedure="Proc&eacute;dure adapt&eacute;e",
        titulaires=[{"denominationSociale": "Dupont &amp; Fils", "id": "1"}],
    )
    record, notes = _one(tmp_path, element)
    assert record.title == "Travaux d’entretien & réparation <lot 1>"
    assert record.procedure == "Procédure adaptée"
    assert record.suppliers == (Party("1", None, "Dupont & Fils"),)
    assert notes == []


def test_text_fields_blank_become_none(tmp_path: Path) -> None:
    record, _ = _one(tmp_path, _contract(objet=" \n\t ", procedure=12))
    assert (record.title, record.procedure) == (None, "12")


def test_lone_surrogate_escape_does_not_crash(tmp_path: Path) -> None:
    text = (
        '{"marches": [{"id": "a\\ud800", "objet": "x\\udc00y", "\\udfff": 1,'
        ' "acheteur": {"nom": "\\ud83d\\ude00"}}]}'
    )
    result = _read_text(tmp_path, text)
    [record] = result.records
    assert record.record_id == "a\ufffd"
    assert record.title == "x\ufffdy"
    assert record.buyer.name == "😀"  # a valid pair is kept


def test_lone_surrogate_duplicates_still_detected(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": [{"id": "\\ud800"}, {"id": "\\ud800"}]}')
    assert len(result.records) == 1
    assert [r.note.code for r in result.rejections] == ["duplicate"]


# --- encodings -----------------------------------------------------------------------------


def test_cp1252_file_is_repaired_with_warning(tmp_path: Path) -> None:
    text = json.dumps({"marches": [_contract(objet="Matériel réseau – 2019")]}, ensure_ascii=False)
    result = _read_bytes(tmp_path, text.encode("cp1252"))
    [record] = result.records
    assert record.title == "Matériel réseau – 2019"
    assert record.procedure == "Procédure adaptée"
    assert result.warnings == [Warning_(LABEL, "(file)", Note("not_utf8", (("n", "6"),)))]


def test_lost_characters_warning(tmp_path: Path) -> None:
    result = _read_elements(tmp_path, _contract(objet="Soci\ufffdt\ufffd"))
    assert result.warnings == [Warning_(LABEL, "(file)", Note("lost_characters", (("n", "2"),)))]
    assert result.records[0].title == "Soci\ufffdt\ufffd"


def test_bom_file(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + json.dumps({"marches": [_contract()]}).encode()
    result = _read_bytes(tmp_path, data)
    assert [r.record_id for r in result.records] == ["C1"]
    assert result.warnings == []


def test_warnings_on_not_decp_file_are_kept(tmp_path: Path) -> None:
    result = _read_bytes(tmp_path, b"caf\xe9")
    assert [w.note for w in result.warnings] == [Note("not_utf8", (("n", "1"),))]
    assert [r.note.code for r in result.rejections] == ["not_decp"]


# --- hostile nesting -----------------------------------------------------------------------


def test_deeply_nested_element_is_broken_json(tmp_path: Path) -> None:
    depth = 100_000
    text = '{"marches": [{"id": "a"}, {"x": ' + "[" * depth + "]" * depth + "}]}"
    result = _read_text(tmp_path, text)
    assert [r.record_id for r in result.records] == ["a"]
    assert [(r.position, r.note.code) for r in result.rejections] == [("/marches/1", "broken_json")]


def test_deeply_nested_skipped_key_is_not_decp(tmp_path: Path) -> None:
    depth = 100_000
    result = _read_text(tmp_path, '{"a": ' + "[" * depth + "]" * depth + ', "marches": []}')
    assert [(r.position, r.note.code) for r in result.rejections] == [("/a", "not_decp")]


def test_nesting_near_the_recursion_limit_never_crashes(tmp_path: Path) -> None:
    # Around the interpreter's recursion limit an element can parse but not re-serialise
    # (content hash) or not be printed (str() of a list): every depth must be accounted for.
    limit = sys.getrecursionlimit()
    for depth in range(limit - 150, limit + 10, 3):
        nested = "[" * depth + "]" * depth
        text = (
            '{"marches": [{"id": "a", "x": '
            + nested
            + ', "montant": '
            + nested
            + ', "dateNotification": '
            + nested
            + '}, {"id": "b"}]}'
        )
        result = _read_text(tmp_path, text)
        loaded = [r.record_id for r in result.records]
        rejected = [(r.position, r.note.code) for r in result.rejections]
        # Either the element is read (with a record), or it is broken JSON and the scan stops.
        assert (loaded, rejected) in ((["a", "b"], []), ([], [("/marches/0", "broken_json")])), (
            depth
        )


def test_huge_integer_element_is_broken_json(tmp_path: Path) -> None:
    result = _read_text(tmp_path, '{"marches": [{"id": "a"}, {"id": 1' + "0" * 5000 + "}]}")
    assert [r.record_id for r in result.records] == ["a"]
    assert [(r.position, r.note.code) for r in result.rejections] == [("/marches/1", "broken_json")]


# --- every code is reachable ---------------------------------------------------------------


def test_every_code_is_exercised(tmp_path: Path) -> None:
    """Each rejection and warning code can be produced by read_decp (guards the code list)."""
    seen: set[str] = set()

    def collect(result: ReadResult) -> None:
        seen.update(r.note.code for r in result.rejections)
        seen.update(w.note.code for w in result.warnings)

    sub = tmp_path / "codes"
    sub.mkdir()
    collect(_read_bytes(sub, b"\xe9\xef\xbf\xbd{}", Limits()))
    collect(_read_bytes(sub, b"0123456789ABCDEF", Limits(max_member_bytes=5)))
    collect(
        _read_text(
            sub,
            json.dumps(
                {
                    "marches": [
                        1,
                        {"x": 1},
                        {"x": 1},
                        {"id": "a", "titulaires": {}, "montant": "x", "codeCPV": "ABC"},
                        {"id": "b", "montant": -1, "dateNotification": "x", "codeCPV": "1234567"},
                        {"id": "c", "dateNotification": "2019-13-01"},
                        {"id": "d", "modifications": {}},
                        {"id": "e", "modifications": [1, {"montant": "x"}]},
                        {"id": "f", "montant": 1, "modifications": [{"montant": 2}]},
                        {"id": "f", "montant": 1, "modifications": [{"titulaires": [{"id": "1"}]}]},
                        {"id": "f", "montant": 3},
                        {"id": "g"},
                        {"id": "g", "objet": "x"},
                    ]
                }
            )[:-2]
            + ", oops]}",
        )
    )
    raw = json.dumps({"marches": []}).encode()
    archive = _zip(sub / "m.zip", [("a.zip", b""), ("big", b"\0" * 100_000), ("b", raw)])
    collect(_check(read_decp(archive, "m.zip", Limits(ratio_floor_bytes=10, max_ratio=5))))
    collect(_check(read_decp(archive, "m.zip", Limits(max_member_bytes=50_000))))
    collect(_check(read_decp(archive, "m.zip", Limits(max_members=1))))
    enc = bytearray(_zip(sub / "e.zip", [("s", b"S")]).read_bytes())
    central = enc.index(b"PK\x01\x02")
    enc[central + 8] |= 1
    (sub / "e.zip").write_bytes(bytes(enc))
    collect(_check(read_decp(sub / "e.zip", "e.zip")))
    bad = bytearray(enc)
    bad[central : central + 4] = b"XXXX"
    (sub / "u.zip").write_bytes(bytes(bad))
    collect(_check(read_decp(sub / "u.zip", "u.zip")))
    corrupt = bytearray(_zip(sub / "c.zip", [("s", b"S" * 100)]).read_bytes())
    corrupt[30 + 1] = 0xFF
    (sub / "c.zip").write_bytes(bytes(corrupt))
    collect(_check(read_decp(sub / "c.zip", "c.zip")))
    # Codes of the 2.0 reader and SIRENE names are exercised in test_decp_v2.py.
    v2_only = {"decp_v2_not_decp", "decp_sirene_missing", "decp_sirene_unnamed"}
    # Merging across files gives its own codes (exercised in test_decp_across.py).
    across = {"decp_merged_across_files", "decp_merge_unavailable"}
    other_readers = XML_REJECTION_CODES | XML_WARNING_CODES | INGEST_CODES
    assert seen == (REJECTION_CODES | WARNING_CODES) - v2_only - across - other_readers


def test_content_hash_falls_back_to_raw_text_when_too_deep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_deep(*args: object, **kwargs: object) -> str:
        raise RecursionError

    monkeypatch.setattr(decp_module.json, "dumps", too_deep)
    monkeypatch.setattr(decp_module.orjson, "dumps", too_deep)
    result = _read_text(tmp_path, '{"marches": [{"id": "a"}, {"id": "a"}, {"id":"a"}]}')
    # The third differs from the first only by spacing: not an exact duplicate of its raw
    # text, but the same contract (same key, same content): a republished version.
    assert [r.content_hash for r in result.records] == [
        hashlib.sha256(b'{"id": "a"}').hexdigest(),
    ]
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/1", Note("duplicate", (("of", "/marches/0"),))),
        ("/marches/2", Note("decp_republished", (("of", "/marches/0"),))),
    ]


def test_garbage_collector_state_is_restored(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    _read_elements(tmp_path, _contract())
    assert gc.isenabled()
    gc.disable()
    try:
        _read_elements(tmp_path, _contract())
        assert not gc.isenabled()
    finally:
        gc.enable()
