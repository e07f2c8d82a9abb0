"""Importing a user's knowledge (FtM, GLEIF, CSV, evidence) and exporting FtM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.kb import KnowledgeBaseError, load_knowledge_base, starter_dir
from vigie.kb.ftm import export_entities, write_ftm
from vigie.kb.importing import ISSUE_CODES, ImportLimits
from vigie.kb.imports import ImportOutcome, import_file
from vigie.pipeline import ScreenOptions, screen
from vigie.present import LANGUAGES, Messages
from vigie.resolve import Matcher
from vigie.store import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "kb"
FTM = FIXTURES / "opensanctions-sample.ftm.json"
L1 = FIXTURES / "gleif-l1-sample.csv"
L2 = FIXTURES / "gleif-l2-sample.csv"
CHILD = "exempla-cloud-france-sas-969500exemplacld0257"


def _codes(outcome: ImportOutcome) -> dict[str, str]:
    return {i.position: i.code for i in outcome.rejected}


def _balanced(outcome: ImportOutcome) -> None:
    assert outcome.records_read == outcome.records_loaded + outcome.records_rejected
    assert outcome.records_rejected == len(outcome.rejected) or outcome.written is None


def test_ftm_import_reports_every_line(tmp_path: Path) -> None:
    outcome = import_file(FTM, "ftm", tmp_path)
    _balanced(outcome)
    assert (outcome.records_read, outcome.records_loaded, outcome.records_rejected) == (14, 8, 6)
    assert _codes(outcome) == {
        "line 5": "unknown_schema",
        "line 7": "broken_json",
        "line 8": "not_object",
        "line 9": "unknown_reference",
        "line 10": "unmapped_topics",
        "line 12": "missing_name",
    }
    remarks = {(i.position, i.code) for i in outcome.remarks}
    assert remarks == {("line 6", "merged"), ("line 14", "bad_identifier")}
    assert outcome.written == tmp_path / "ftm-opensanctions-sample-ftm.yaml"
    assert outcome.counts["evidence"] == 2


def test_ftm_import_changes_screening(tmp_path: Path) -> None:
    before = Matcher(load_knowledge_base([starter_dir()]))
    assert before.match_one("Exempla Data SAS") is None
    import_file(FTM, "ftm", tmp_path)
    kb = load_knowledge_base([starter_dir(), tmp_path])
    match = Matcher(kb).match_one("EXEMPLA DATA FRANCE")  # an alias from a fragment
    assert match is not None
    assert match.group_name == "Exempla Holdings Ltd"
    evidence = kb.evidence_for_group(match.group_id)
    assert [e.categories for e in evidence] == [("sanctions",), ("sanctions",)]
    sanction = next(e for e in evidence if e.confidence.value == "high")
    assert sanction.claim.en == (
        "Example Authority (fictional) lists Exempla Holdings Ltd under the sanctions "
        "programme Example Programme."
    )
    assert kb.sources[sanction.sources[0]].url == "https://example.org/sanctions/123"
    # The Palantir line extended the starter company instead of duplicating it.
    assert "Palantir Technologies Inc." in kb.companies["palantir"].aliases
    assert sum(1 for c in kb.companies.values() if "Palantir" in c.name) == 2  # + UK


def test_gleif_import_dates_the_group(tmp_path: Path) -> None:
    level1 = import_file(L1, "gleif-l1", tmp_path)
    _balanced(level1)
    assert _codes(level1) == {"line 6": "annulled", "line 7": "bad_identifier"}
    level2 = import_file(L2, "gleif-l2", tmp_path)
    _balanced(level2)
    assert _codes(level2) == {
        "line 4": "redundant_link",
        "line 5": "not_control_link",
        "line 6": "unknown_reference",
        "line 7": "inactive_without_end",
        "line 8": "bad_date",
    }
    kb = load_knowledge_base([starter_dir(), tmp_path])
    # Sold on 30 June 2021: in Exempla's group for a 2020 contract, not for a 2023 one.
    assert kb.group_of(CHILD, at="2020-05-01").name == "Exempla Group plc"
    assert kb.group_of(CHILD, at="2023-05-01").name == "Novator Holdings Inc."
    # The accounting period (2023) of the first row is not read as the ownership period.
    assert kb.group_of(CHILD, at="2021-06-29").name == "Exempla Group plc"
    child = kb.companies[CHILD]
    assert child.former_names == ("Exempla Data France SAS",)
    assert child.identifier("siren") == "552120222"
    match = Matcher(kb).match_one("Exempla Cloud France")
    assert match is not None and match.group_name == "Novator Holdings Inc."


def test_gleif_level2_alone_knows_no_lei(tmp_path: Path) -> None:
    outcome = import_file(L2, "gleif-l2", tmp_path)
    assert outcome.written is None
    assert outcome.records_loaded == 0
    assert set(_codes(outcome).values()) >= {"unknown_reference"}


def test_csv_import(tmp_path: Path) -> None:
    outcome = import_file(FIXTURES / "companies.csv", "csv", tmp_path)
    _balanced(outcome)
    assert _codes(outcome) == {
        "line 5": "unknown_reference",
        "line 6": "missing_name",
        "line 7": "bad_value",
        "line 9": "bad_date",
    }
    assert ("header", "unknown_columns") in {(i.position, i.code) for i in outcome.remarks}
    kb = load_knowledge_base([starter_dir(), tmp_path])
    labs = next(c for c in kb.companies.values() if c.name == "Exempla Labs BV")
    assert kb.group_of(labs.id, at="2022-01-01").id == "exempla-parent"
    assert kb.group_of(labs.id, at="2020-06-01").id == labs.id  # link starts in 2021
    assert "Exempla Soft" in kb.companies["exempla-software"].aliases
    assert "Palantir Tech" in kb.companies["palantir"].aliases
    source = kb.sources[kb.companies["exempla-software"].sources[0]]
    assert source.url == "https://example.org/registry/1"


def test_evidence_import_item_by_item(tmp_path: Path) -> None:
    outcome = import_file(FIXTURES / "user-evidence.yaml", "evidence", tmp_path)
    _balanced(outcome)
    assert _codes(outcome) == {
        "evidence[1]": "breaks_knowledge_base",
        "evidence[2]": "invalid_item",
        "evidence[3]": "not_object",
        "gossip": "unknown_schema",
    }
    kb = load_knowledge_base([starter_dir(), tmp_path])
    assert "user-exempla-claim" in [e.id for e in kb.evidence_for_group("palantir")]


def test_reimport_replaces_the_file(tmp_path: Path) -> None:
    first = import_file(FTM, "ftm", tmp_path)
    second = import_file(FTM, "ftm", tmp_path)
    assert first.written == second.written
    assert len(list(tmp_path.glob("*.yaml"))) == 1
    load_knowledge_base([starter_dir(), tmp_path])


def test_hostile_ftm_lines(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        b'{"id": "a", "schema": "Company", "properties": {"name": ["Alpha Example"]}}',
        b"\xff\xfe not utf-8",
        deep.encode(),
        b'"just a string"',
        b'{"id": "", "schema": "Company", "properties": {}}',
        b'{"id": "b", "schema": "Company", "properties": "oops"}',
        b"x" * 5000,
        b"",
        b'{"id": "c", "schema": "Company", "properties": {"name": [12]}}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    into = tmp_path / "kb"
    outcome = import_file(path, "ftm", into, ImportLimits(max_line_bytes=4096))
    _balanced(outcome)
    assert outcome.records_read == 8
    assert _codes(outcome) == {
        "line 2": "invalid_utf8",
        "line 3": "line_too_long",
        "line 4": "not_object",
        "line 5": "missing_field",
        "line 6": "missing_field",
        "line 7": "line_too_long",
        "line 9": "missing_name",
    }


def test_file_too_large_and_missing_columns(tmp_path: Path) -> None:
    outcome = import_file(FTM, "ftm", tmp_path, ImportLimits(max_bytes=10))
    assert outcome.fatal is not None and outcome.fatal.code == "file_too_large"
    assert outcome.written is None
    bad = tmp_path / "l1.csv"
    bad.write_text("LEI,Name\nX,Y\n", encoding="utf-8")
    outcome = import_file(bad, "gleif-l1", tmp_path / "kb")
    assert outcome.fatal is not None and outcome.fatal.code == "missing_field"
    with pytest.raises(ValueError, match="unknown format"):
        import_file(bad, "xml", tmp_path)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_ftm_reader_never_crashes(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(b"\n".join(lines))
    outcome = import_file(path, "ftm", tmp_path / "fuzz-kb")
    _balanced(outcome)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400))
def test_csv_reader_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("name,parent,lei,parent_start\n" + text, encoding="utf-8")
    outcome = import_file(path, "csv", tmp_path / "fuzz-kb")
    _balanced(outcome)


def test_every_issue_code_has_messages() -> None:
    for lang in LANGUAGES:
        keys = Messages(lang).keys()
        assert sorted(c for c in ISSUE_CODES if f"kb_issue_{c}" not in keys) == []
        assert (
            sorted(k for k in keys if k.startswith("kb_issue_") and k[9:] not in ISSUE_CODES) == []
        )


# --- export ------------------------------------------------------------------------------------


def test_export_reads_back_with_followthemoney(tmp_path: Path) -> None:
    model = pytest.importorskip("followthemoney").model
    kb = load_knowledge_base([starter_dir()])
    path = tmp_path / "kb.ftm.json"
    count = write_ftm(kb, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert count == len(lines) == len(kb.companies) + len(kb.groups.links)
    proxies = [model.get_proxy(json.loads(line), cleaned=False) for line in lines]
    by_id = {p.id: p for p in proxies}
    microsoft = by_id["vigie-microsoft"]
    assert microsoft.schema.name == "Company"
    assert microsoft.get("wikidataId") == ["Q2283"]
    owns = [p for p in proxies if p.schema.name == "Ownership"]
    vmware_dell = next(p for p in owns if p.get("asset") == ["vigie-vmware"] and p.get("endDate"))
    assert vmware_dell.get("owner") == ["vigie-dell-technologies"]
    assert vmware_dell.get("startDate") == ["2016-09-07"]
    assert vmware_dell.get("endDate") == ["2021-11-01"]
    assert vmware_dell.get("percentage") == ["81"]
    for proxy in proxies:  # every entity is valid for the FtM model once cleaned
        assert model.get_proxy(proxy.to_dict(), cleaned=True).id == proxy.id


def test_export_then_import_rebuilds_groups(tmp_path: Path) -> None:
    kb = load_knowledge_base([starter_dir()])
    path = tmp_path / "export.ftm.json"
    write_ftm(kb, path)
    entities = list(export_entities(kb))
    assert entities[0]["schema"] == "Company"
    # Importing our own export into the starter data merges every company (same names).
    outcome = import_file(path, "ftm", tmp_path / "kb")
    _balanced(outcome)
    assert outcome.counts["companies"] == 0
    assert outcome.counts["extensions"] == len(kb.companies)
    merged = load_knowledge_base([starter_dir(), tmp_path / "kb"])
    assert merged.group_of("vmware", at="2020-01-01").id == "dell-technologies"


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    outcome = import_file(path, "evidence", tmp_path / "kb")
    assert _codes(outcome) == {"bomb.yaml": "broken_json"}
    assert outcome.written is None
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "bomb.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="aliases"):
        load_knowledge_base([directory])


def _decp(path: Path, suppliers: list[str]) -> Path:
    records = [
        {
            "id": f"2023-TEST-{i}",
            "source": "test",
            "acheteur": {"id": "21750001600019", "nom": "Ville de Test"},
            "_type": "Marché",
            "nature": "Marché",
            "objet": "Hébergement de données",
            "codeCPV": "72300000",
            "procedure": "Procédure adaptée",
            "dureeMois": 12,
            "dateNotification": "2023-05-01",
            "montant": 1000 + i,
            "formePrix": "Ferme",
            "titulaires": [{"typeIdentifiant": "SIRET", "id": "0", "denominationSociale": name}],
            "modifications": [],
        }
        for i, name in enumerate(suppliers)
    ]
    path.write_text(json.dumps({"marches": records}, ensure_ascii=False), encoding="utf-8")
    return path


def test_imports_change_the_screening_end_to_end(tmp_path: Path, workspace: Workspace) -> None:
    decp = _decp(tmp_path / "decp.json", ["EXEMPLA DATA SAS", "Exempla Cloud France SAS"])
    before = screen([decp], tmp_path / "before", workspace, ScreenOptions(lang="en"))
    assert before.findings == []
    into = tmp_path / "mine"
    for fmt, path in (("ftm", FTM), ("gleif-l1", L1), ("gleif-l2", L2)):
        assert import_file(path, fmt, into).written is not None
    kb = load_knowledge_base([starter_dir(), into])
    after = screen([decp], tmp_path / "after", workspace, ScreenOptions(lang="en", kb=kb))
    groups = sorted(e.group_name for e in after.exposures)
    assert groups == ["Exempla Holdings Ltd", "Novator Holdings Inc."]
    summary = json.loads((tmp_path / "after" / "summary.json").read_text(encoding="utf-8"))
    assert summary["kb_version"] == kb.version != before.summary["kb_version"]
    report = (tmp_path / "after" / "report.html").read_text(encoding="utf-8")
    assert "Example Authority (fictional)" in report  # the imported sanction, attributed


def test_csv_in_windows_1252_and_gleif_in_a_zip(tmp_path: Path) -> None:
    import csv
    import zipfile

    latin = tmp_path / "sociétés.csv"
    latin.write_bytes("name,country\nSociété Générale d'Exemple,fr\n".encode("cp1252"))
    limit = csv.field_size_limit()
    outcome = import_file(latin, "csv", tmp_path / "kb")
    assert csv.field_size_limit() == limit  # the module-wide setting is restored
    assert outcome.records_loaded == 1
    assert ("file", "not_utf8") in {(i.position, i.code) for i in outcome.remarks}
    kb = load_knowledge_base([starter_dir(), tmp_path / "kb"])
    assert any(c.name == "Société Générale d'Exemple" for c in kb.companies.values())
    archive = tmp_path / "golden-copy-l1.csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(L1, "20250101-gleif-concatenated-file-lei2.csv")
    outcome = import_file(archive, "gleif-l1", tmp_path / "kb")
    assert (outcome.records_read, outcome.records_loaded) == (6, 4)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.csv", "LEI,Entity.LegalName\n")
        zf.writestr("b.csv", "LEI,Entity.LegalName\n")
    outcome = import_file(two, "gleif-l1", tmp_path / "kb")
    assert outcome.fatal is not None and outcome.fatal.code == "unreadable_archive"
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.csv", "LEI,Entity.LegalName\n" + "0" * 5_000_000)
    outcome = import_file(bomb, "gleif-l1", tmp_path / "kb")
    assert outcome.fatal is not None and outcome.fatal.code == "unreadable_archive"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    outcome = import_file(broken, "gleif-l1", tmp_path / "kb")
    assert outcome.fatal is not None and outcome.fatal.code == "unreadable_archive"
