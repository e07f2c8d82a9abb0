"""Versions of one DECP contract in several files: merged before screening, counted once."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.pipeline import ScreenOptions, ingest, merge_across_files, screen
from vigie.sources import Limits, ReadResult, read_decp
from vigie.sources.decp_across import merge_contracts_across_files, shared_keys
from vigie.sources.decp_v2 import read_decp_v2
from vigie.sources.sirene import load_sirene
from vigie.store import Workspace

BUYER = {"id": "21750001600019", "nom": "Ville de Paris"}
EXTRACT = Path(__file__).parent / "fixtures" / "sirene" / "StockUniteLegale-extract.csv"


def _contract(ident: str = "C1", **fields: Any) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": ident,
        "acheteur": BUYER,
        "objet": "Hébergement en nuage",
        "codeCPV": "72000000",
        "procedure": "Appel d'offres ouvert",
        "dateNotification": "2019-01-10",
        "montant": 100,
        "titulaires": [
            {"typeIdentifiant": "SIRET", "id": "78471226700060", "denominationSociale": "DS"}
        ],
        "modifications": [],
    }
    element.update(fields)
    return element


def _mod(day: str, amount: float) -> dict[str, Any]:
    return {"dateNotificationModification": day, "montant": amount}


def _write(path: Path, *elements: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"marches": list(elements)}, ensure_ascii=False), "utf-8")
    return path


def _merged(tmp_path: Path, *paths: Path) -> list[ReadResult]:
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        return merge_across_files(ingest(list(paths), ws, Limits()), ws)


def _amounts(results: list[ReadResult]) -> Counter[tuple[str, float | None]]:
    return Counter((r.record_id, r.amount) for result in results for r in result.records)


def _codes(result: ReadResult) -> list[str]:
    return [w.note.code for w in result.warnings]


def test_a_contract_republished_in_a_later_file_counts_once(tmp_path: Path) -> None:
    """January publishes the contract; February republishes it with a modification to 150:
    one record of 150, in January's file, not 100 + 150."""
    january = _write(tmp_path / "2019-01.json", _contract())
    february = _write(tmp_path / "2019-02.json", _contract(modifications=[_mod("2019-02-01", 150)]))
    first, second = _merged(tmp_path, january, february)
    assert _amounts([first, second]) == Counter({("C1", 150.0): 1})
    assert [r.position for r in first.records] == ["/marches/0"] and not second.records
    assert "decp_modified_amount" in _codes(first)
    moved = [w for w in second.warnings if w.note.code == "decp_merged_across_files"]
    assert [(w.position, dict(w.note.params)["of"]) for w in moved] == [
        ("/marches/0", "/marches/0")
    ]
    # the files' own counts are unchanged: the February element stays loaded
    assert (second.records_read, second.records_loaded) == (1, 1)


def test_the_first_file_given_keeps_the_contract(tmp_path: Path) -> None:
    january = _write(tmp_path / "a.json", _contract())
    february = _write(tmp_path / "b.json", _contract(modifications=[_mod("2019-02-01", 150)]))
    second, first = _merged(tmp_path, february, january)
    assert _amounts([second, first]) == Counter({("C1", 150.0): 1})
    assert len(second.records) == 1 and not first.records


def test_modifications_of_every_file_are_pooled_in_date_order(tmp_path: Path) -> None:
    early = _write(tmp_path / "a.json", _contract(modifications=[_mod("2019-03-01", 130)]))
    late = _write(tmp_path / "b.json", _contract(modifications=[_mod("2019-02-01", 120)]))
    results = _merged(tmp_path, early, late)
    assert _amounts(results) == Counter({("C1", 130.0): 1})
    notes = [dict(w.note.params) for w in results[0].warnings if w.note.code.endswith("amount")]
    assert notes == [{"n": "2", "initial": "100.00", "final": "130.00"}]  # once, not twice


def test_fields_left_empty_are_completed_from_a_later_file(tmp_path: Path) -> None:
    january = _write(tmp_path / "a.json", _contract(codeCPV=None))
    february = _write(tmp_path / "b.json", _contract())
    first, _ = _merged(tmp_path, january, february)
    assert [r.cpv for r in first.records] == ["72000000"]
    assert "decp_completed" in _codes(first)


def test_lots_sharing_an_identifier_stay_separate(tmp_path: Path) -> None:
    one = _write(tmp_path / "a.json", _contract(objet="Lot 1"))
    two = _write(tmp_path / "b.json", _contract(objet="Lot 2", montant=200))
    results = _merged(tmp_path, one, two)
    assert _amounts(results) == Counter({("C1", 100.0): 1, ("C1", 200.0): 1})
    assert not any(w.note.code == "decp_merged_across_files" for r in results for w in r.warnings)


def test_nothing_shared_changes_nothing(tmp_path: Path) -> None:
    one = _write(tmp_path / "a.json", _contract("C1"))
    two = _write(tmp_path / "b.json", _contract("C2"))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest([one, two], ws, Limits())
        assert not shared_keys(results)
        assert merge_contracts_across_files(results) == results


def test_a_file_changed_since_it_was_read_is_not_merged(tmp_path: Path) -> None:
    january = _write(tmp_path / "a.json", _contract())
    february = _write(tmp_path / "b.json", _contract(modifications=[_mod("2019-02-01", 150)]))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest([january, february], ws, Limits())
        _write(february, _contract(montant=999))
        first, second = merge_across_files(results, ws)
    assert _amounts([first, second]) == Counter({("C1", 100.0): 1, ("C1", 150.0): 1})
    assert "decp_merge_unavailable" in _codes(second)


def test_screening_counts_the_contract_once(tmp_path: Path) -> None:
    """Through ``screen``: the supplier's exposure is the modified amount (150), not 250,
    and warnings.csv says where February's record went; each file's element stays loaded."""
    supplier = [
        {
            "typeIdentifiant": "SIRET",
            "id": "32773318400516",
            "denominationSociale": "Microsoft France",
        }
    ]
    january = _write(tmp_path / "a.json", _contract(titulaires=supplier))
    february = _write(
        tmp_path / "b.json",
        _contract(titulaires=supplier, modifications=[_mod("2019-02-01", 150)]),
    )
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        result = screen([january, february], tmp_path / "out", ws, ScreenOptions())
    assert [f.record.amount for f in result.findings if f.record.record_id == "C1"] == [150.0]
    with (tmp_path / "out" / "warnings.csv").open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert "decp_merged_across_files" in codes
    assert [f["records_read"] for f in result.summary["files"]] == [1, 1]


CONTRACTS = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["C1", "C2"]),
        "objet": st.sampled_from(["Lot 1", "Lot 2", None]),
        "montant": st.sampled_from([100, 200, None]),
        "modifications": st.lists(
            st.builds(
                _mod, st.sampled_from(["2019-02-01", "2019-03-01"]), st.sampled_from([150, 175])
            ),
            max_size=2,
        ),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(CONTRACTS, min_size=1, max_size=6), st.integers(min_value=0, max_value=6))
def test_merging_across_files_equals_reading_the_files_as_one(
    tmp_path: Path, drafts: list[dict[str, Any]], cut: int
) -> None:
    """Oracle: the elements split over two files, merged, give the amounts that one file
    holding them all gives."""
    elements = [_contract(**draft) for draft in drafts]
    folder = tmp_path / f"case{abs(hash((json.dumps(drafts), cut)))}"
    folder.mkdir()
    whole = read_decp(_write(folder / "whole.json", *elements))
    one = _write(folder / "one.json", *elements[:cut])
    two = _write(folder / "two.json", *elements[cut:])
    merged = _merged(folder, one, two)
    assert _amounts(merged) == _amounts([whole])


def test_decp_2_versions_keep_their_sirene_names(tmp_path: Path) -> None:
    """A DECP 2.0 file is named from a SIRENE extract when read; read again for merging, its
    parties take the names the stored records have."""
    marche = {
        "id": "M1",
        "acheteur": {"id": "28060051100024"},
        "objet": "Logiciel",
        "codeCPV": "48000000",
        "dateNotification": "2024-03-18",
        "montant": 1000,
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "33509231800187"}}],
    }
    later = {**marche, "modifications": [{"modification": {"id": 1, "montant": 1500}}]}
    paths = []
    for name, element in (("a.json", marche), ("b.json", later)):
        path = tmp_path / name
        path.write_text(json.dumps({"marches": {"marche": [element]}}), encoding="utf-8")
        paths.append(path)
    with load_sirene(EXTRACT) as names:
        results = [read_decp_v2(path, str(path), names=names) for path in paths]
    first, second = merge_contracts_across_files(results)
    assert not second.records
    (record,) = first.records
    assert (record.amount, record.buyer.name) == (1500.0, "SDIS BP")
    assert record.suppliers[0].name == "ORACLE FRANCE"
