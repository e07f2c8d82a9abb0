"""Tests for vigie.sources.decp_v2: DECP schema 2.0 JSON, identifiers joined to SIRENE names."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.assess import find_supplier_matches
from vigie.kb import KnowledgeBase
from vigie.resolve import Matcher
from vigie.sources import decp, decp_v2
from vigie.sources.codes import REJECTION_CODES, WARNING_CODES
from vigie.sources.decp_v2 import FORMAT, read_decp_v2, sniff
from vigie.sources.records import Note, Party, ReadResult, Warning_
from vigie.sources.sirene import load_sirene

FIXTURES = Path(__file__).parent / "fixtures"
V2 = FIXTURES / "decp-v2" / "marches-2.0.json"
EXTRACT = FIXTURES / "sirene" / "StockUniteLegale-extract.csv"
LABEL = "v2.json"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: ReadResult) -> ReadResult:
    assert result.records_read == len(result.records) + len(result.rejections)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    return result


def _read_text(tmp_path: Path, text: str, **kwargs: Any) -> ReadResult:
    path = tmp_path / LABEL
    path.write_text(text, encoding="utf-8")
    return _check(read_decp_v2(path, LABEL, **kwargs))


def _titulaire(kind: str, ident: str) -> dict[str, Any]:
    return {"titulaire": {"typeIdentifiant": kind, "id": ident}}


def _marche(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "M1",
        "acheteur": {"id": "28060051100024"},
        "objet": "Logiciel",
        "codeCPV": "48000000",
        "dateNotification": "2024-03-18",
        "montant": 1000,
        "titulaires": [_titulaire("SIRET", "33509231800187")],
    }
    base.update(fields)
    return base


def test_fixture_without_sirene_loads_identifiers_only() -> None:
    result = _check(read_decp_v2(V2, "m.json"))
    assert result.format == FORMAT == "decp-v2-json"
    assert (result.records_read, len(result.records), len(result.rejections)) == (6, 5, 1)
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/marche/4", Note.of("decp_republished", of="/marches/marche/0"))
    ]
    oracle = result.records[0]
    assert oracle.buyer == Party("28060051100024", "SIRET", None)
    assert oracle.suppliers == (Party("33509231800187", "SIRET", None),)
    assert oracle.amount == 60000.0  # the modification's new amount, not 51,430.44 + 60,000
    assert oracle.cpv == "72267000"
    assert [r.kind for r in result.records] == ["contract"] * 4 + ["concession"]
    assert result.records[4].amount == 350000.0
    assert result.records[1].suppliers == (Party("00000000300015", "SIRET", None),)
    # 5 buyers + 5 suppliers, all by identifier only
    assert result.warnings[-1] == Warning_("m.json", "(file)", Note.of("decp_sirene_missing", n=10))


def test_fixture_with_sirene_names_parties() -> None:
    with load_sirene(EXTRACT) as names:
        result = _check(read_decp_v2(V2, "m.json", names=names))
    by_position = {r.position: r for r in result.records}
    oracle = by_position["/marches/marche/0"]
    assert oracle.buyer.name == "SDIS BP"
    assert oracle.suppliers == (Party("33509231800187", "SIRET", "ORACLE FRANCE"),)
    assert by_position["/marches/marche/1"].suppliers[0].name == "ATELIER FICTIF"
    assert by_position["/marches/marche/2"].suppliers[0].name is None  # [ND]: not public
    assert by_position["/marches/marche/3"].suppliers[0].name is None  # not in the extract
    assert by_position["/marches/contrat-concession/0"].suppliers[0].name == "CAMILLE EXEMPLE"
    assert result.warnings[-1].note == Note.of("decp_sirene_unnamed", n=2, not_found=2, not_siret=0)


def test_named_v2_supplier_is_matched_to_the_knowledge_base(kb: KnowledgeBase) -> None:
    with load_sirene(EXTRACT) as names:
        result = read_decp_v2(V2, "m.json", names=names)
    findings = find_supplier_matches(result.records, Matcher(kb))
    assert any(f.supplier.name == "ORACLE FRANCE" for f in findings)
    without = find_supplier_matches(read_decp_v2(V2, "m.json").records, Matcher(kb))
    assert not any(f.supplier.name == "ORACLE FRANCE" for f in without)


def test_zipped_fixture_gives_the_same_records(tmp_path: Path) -> None:
    archive = tmp_path / "v2.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(V2, "marches-2.0.json")
    plain = read_decp_v2(V2, "m.json")
    zipped = _check(read_decp_v2(archive, "v2.zip"))
    assert [r.amount for r in zipped.records] == [r.amount for r in plain.records]
    assert {r.source_file for r in zipped.records} == {"v2.zip!marches-2.0.json"}
    assert zipped.warnings[-1].source_file == "v2.zip!marches-2.0.json"


def test_single_object_form_of_the_schema_examples(tmp_path: Path) -> None:
    text = json.dumps({"marches": {"marche": _marche(), "contrat-concession": {
        "id": "K1", "autoriteConcedante": {"id": "28060051100024"}, "valeurGlobale": 5,
        "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "TVA", "id": "FR1"}}]}}},
        indent=1)  # fmt: skip
    result = _read_text(tmp_path, text)
    lines = text.splitlines()
    key_line = next(i for i, line in enumerate(lines, 1) if '"contrat-concession"' in line)
    assert [(r.position, r.kind, r.line) for r in result.records] == [
        ("/marches/marche", "contract", 3),
        ("/marches/contrat-concession", "concession", key_line),
    ]
    assert result.records[1].suppliers == (Party("FR1", "TVA", None),)


def test_flat_marches_array_is_accepted(tmp_path: Path) -> None:
    result = _read_text(tmp_path, json.dumps({"marches": [_marche(), _marche(id="M2")]}))
    assert [r.position for r in result.records] == ["/marches/0", "/marches/1"]


def test_only_concessions(tmp_path: Path) -> None:
    concession = {"id": "K1", "autoriteConcedante": {"id": "1"}, "valeurGlobale": 5}
    result = _read_text(tmp_path, json.dumps({"marches": {"contrat-concession": [concession]}}))
    assert [r.kind for r in result.records] == ["concession"]


@pytest.mark.parametrize(
    "text",
    ["{}", '{"marches": 3}', '{"marches": {"autre": []}}', "[1]", "not json", ""],
)
def test_not_v2_files_are_one_rejection(tmp_path: Path, text: str) -> None:
    result = _read_text(tmp_path, text)
    assert result.records == []
    assert [r.note.code for r in result.rejections] == ["decp_v2_not_decp"]


def test_broken_element_keeps_earlier_ones(tmp_path: Path) -> None:
    text = json.dumps({"marches": {"marche": [_marche(), _marche(id="M2")]}})
    result = _read_text(tmp_path, text[:-25])
    assert [r.record_id for r in result.records] == ["M1"]
    assert [(r.position, r.note.code) for r in result.rejections] == [
        ("/marches/marche/1", "broken_json")
    ]


def test_non_siret_and_malformed_identifiers_are_counted(tmp_path: Path) -> None:
    element = _marche(titulaires=[_titulaire("HORS-UE", "US-1"), _titulaire("SIRET", "12")])
    with load_sirene(EXTRACT) as names:
        result = _read_text(tmp_path, json.dumps({"marches": {"marche": [element]}}), names=names)
    assert result.warnings[-1].note == Note.of("decp_sirene_unnamed", n=2, not_found=0, not_siret=2)


def test_published_names_are_kept(tmp_path: Path) -> None:
    named = {"typeIdentifiant": "SIRET", "id": "33509231800187", "nom": "Publié"}
    element = _marche(titulaires=[{"titulaire": named}])
    with load_sirene(EXTRACT) as names:
        result = _read_text(tmp_path, json.dumps({"marches": {"marche": [element]}}), names=names)
    assert result.records[0].suppliers[0].name == "Publié"


def test_sniffers_tell_v1_from_v2() -> None:
    v2_head = V2.read_bytes()[:2000]
    v1_head = (FIXTURES / "decp-2019" / "excerpt.json").read_bytes()[:2000]
    assert sniff(v2_head, "x.json")
    assert not decp.sniff(v2_head, "x.json")
    assert decp.sniff(v1_head, "x.json")
    assert not sniff(v1_head, "x.json")
    assert not sniff(b'{"releases": []}', "x.json")
    assert not decp.sniff(b'{"releases": []}', "x.json")


def test_every_v2_code_is_exercised(tmp_path: Path) -> None:
    seen: set[str] = set()
    seen.update(r.note.code for r in _read_text(tmp_path, "{}").rejections)
    seen.update(w.note.code for w in read_decp_v2(V2).warnings)
    with load_sirene(EXTRACT) as names:
        seen.update(w.note.code for w in read_decp_v2(V2, names=names).warnings)
    assert {"decp_v2_not_decp", "decp_sirene_missing", "decp_sirene_unnamed"} <= seen


def test_v1_reader_on_a_nested_file_also_reads_concessions() -> None:
    result = _check(decp.read_decp(V2, "m.json"))
    assert result.format == "decp-v1-json"
    assert (result.records_read, len(result.records)) == (6, 5)
    assert result.records[-1].position == "/marches/contrat-concession/0"


def test_module_exports_for_the_registry() -> None:
    assert decp_v2.__all__ == ["DIALECT", "FORMAT", "read_decp_v2", "sniff"]


# --- properties --------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=10,
)  # fmt: skip
_party = st.one_of(
    _json,
    st.fixed_dictionaries({"titulaire": st.fixed_dictionaries({
        "typeIdentifiant": st.sampled_from(["SIRET", "TVA", "HORS-UE", "x"]),
        "id": st.one_of(st.from_regex(r"[0-9]{14}", fullmatch=True), st.text(max_size=15)),
    })}),
)  # fmt: skip
_element = st.one_of(
    _json,
    st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(["A", "B"]), _json)},
        optional={
            "acheteur": st.one_of(st.just({"id": "28060051100024"}), _json),
            "objet": st.one_of(st.sampled_from(["x", "y"]), _json),
            "montant": st.one_of(st.integers(-5, 10**6), st.floats(), _json),
            "dateNotification": st.one_of(st.sampled_from(["2024-01-02", "2024-13-01"]), _json),
            "titulaires": st.one_of(st.lists(_party, max_size=3), _json),
            "modifications": st.one_of(
                st.lists(st.fixed_dictionaries({"modification": st.fixed_dictionaries(
                    {"id": st.integers(0, 3)},
                    optional={"montant": _json, "titulaires": st.lists(_party, max_size=2),
                              "dateNotificationModification": _json},
                )}), max_size=3),
                _json,
            ),
        },
    ),
)  # fmt: skip


@SETTINGS
@given(
    st.lists(_element, max_size=6),
    st.lists(_element, max_size=3),
    st.integers(0, 400),
    st.booleans(),
)
def test_any_v2_document_reconciles(
    marches: list[Any], concessions: list[Any], cut: int, with_names: bool
) -> None:
    text = json.dumps({"marches": {"marche": marches, "contrat-concession": concessions}})
    if cut:
        text = text[: max(1, len(text) - cut)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.json"
        path.write_text(text, encoding="utf-8")
        if with_names:
            with load_sirene(EXTRACT) as names:
                result = _check(read_decp_v2(path, "in.json", names=names))
        else:
            result = _check(read_decp_v2(path, "in.json"))
    if not cut:
        assert result.records_read == len(marches) + len(concessions)
    for record in result.records:
        assert record.record_id
        assert (record.amount is None) == (record.currency is None)
        assert record.amount is None or record.amount >= 0


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.json"
        path.write_bytes(data)
        result = _check(read_decp_v2(path, "in.json"))
    assert result.records_read >= 1
