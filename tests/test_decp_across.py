"""Versions of one DECP contract in several files: merged before screening, counted once."""

from __future__ import annotations

import csv
import itertools
import json
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.pipeline import ScreenOptions, ingest, merge_across_files, screen
from vigie.sources import Limits, ReadResult, decp, read_decp
from vigie.sources.decp_across import merge_contracts_across_files, shared_keys
from vigie.sources.decp_merge import version_key
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


CANONICAL = {
    ident: {
        "objet": f"Marché {ident}",
        "dateNotification": f"2019-01-1{n}",
        "codeCPV": f"7200000{n}",
        "montant": 100 * n,
        "titulaires": [{"typeIdentifiant": "SIRET", "id": f"7847122670006{n}"}],
    }
    for n, ident in enumerate(("C1", "C2", "C3"), start=1)
}
MODS = st.lists(
    st.builds(_mod, st.sampled_from(["2019-02-01", "2019-03-01"]), st.sampled_from([150, 175])),
    max_size=2,
)
COMPATIBLE = st.builds(
    lambda ident, blank, mods: _contract(
        ident,
        **{k: (None if k in blank else v) for k, v in CANONICAL[ident].items()},
        modifications=mods,
    ),
    st.sampled_from(sorted(CANONICAL)),
    st.sets(st.sampled_from(sorted(CANONICAL["C1"]))),
    MODS,
)
ANY = st.builds(
    lambda ident, title, amount, day, mods: _contract(
        ident, objet=title, montant=amount, dateNotification=day, modifications=mods
    ),
    st.sampled_from(["C1", "C2"]),
    st.sampled_from(["Lot 1", "Lot 2", None]),
    st.sampled_from([100, 200, None]),
    st.sampled_from(["2019-01-10", "2019-01-11", None]),
    MODS,
)
CASES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _split(tmp_path: Path, elements: list[dict[str, Any]], cuts: list[int]) -> list[Path]:
    """The elements in files cut at ``cuts`` (a folder of its own per example)."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    bounds = [0, *sorted(min(c, len(elements)) for c in cuts), len(elements)]
    return [
        _write(folder / f"part{n}.json", *elements[a:b])
        for n, (a, b) in enumerate(itertools.pairwise(bounds))
    ]


def _contents(results: list[ReadResult]) -> Counter[tuple[Any, ...]]:
    return Counter(
        (r.record_id, r.amount, r.title, r.date, r.cpv, tuple(p.id for p in r.suppliers))
        for result in results
        for r in result.records
    )


@CASES
@given(st.lists(COMPATIBLE, min_size=1, max_size=7), st.lists(st.integers(0, 7), max_size=2))
def test_merging_across_files_equals_reading_the_files_as_one(
    tmp_path: Path, elements: list[dict[str, Any]], cuts: list[int]
) -> None:
    """Oracle: versions that agree wherever both give a field, split over several files and
    merged, give the records one file holding them all gives (amounts, titles, dates, CPV,
    suppliers)."""
    paths = _split(tmp_path, elements, cuts)
    whole = read_decp(_write(paths[0].parent / "whole.json", *elements))
    merged = merge_contracts_across_files([read_decp(path, str(path)) for path in paths])
    assert _contents(merged) == _contents([whole])


@CASES
@given(st.lists(ANY, min_size=1, max_size=7), st.lists(st.integers(0, 7), max_size=2))
def test_merging_keeps_every_element_accounted_for(
    tmp_path: Path, elements: list[dict[str, Any]], cuts: list[int]
) -> None:
    """Whatever the versions: each record position once, never also a rejection; a record
    merged away leaves a warning where it was; what the files rejected stays rejected."""
    paths = _split(tmp_path, elements, cuts)
    before = [read_decp(path, str(path)) for path in paths]
    after = merge_contracts_across_files(before)
    for old, new in zip(before, after, strict=True):
        places = [(r.source_file, r.position) for r in new.records]
        assert len(places) == len(set(places))
        assert not set(places) & {(r.source_file, r.position) for r in old.rejections}
        assert new.rejections == old.rejections
        moved = {
            (w.source_file, w.position)
            for w in new.warnings
            if w.note.code == "decp_merged_across_files"
        }
        for record in old.records:
            assert (record.source_file, record.position) in set(places) | moved
        lots = Counter(
            (w.source_file, w.position) for w in new.warnings if w.note.code == "decp_same_id"
        )
        assert all(n == 1 for n in lots.values())  # one note per lot
        assert not set(lots) & moved  # a lot is not also merged away


def test_what_a_file_rejected_stays_rejected(tmp_path: Path) -> None:
    """February alone folds its untitled version and its version titled Y into one contract
    (the second rejected as republished), titled Y. Across files the folded contracts are
    compared: January's X and February's Y are two lots; Y's version stays rejected rather
    than coming back as a record of its own."""
    january = _write(tmp_path / "a.json", _contract(objet="X", dateNotification=None))
    february = _write(tmp_path / "b.json", _contract(objet=None), _contract(objet="Y"))
    first, second = _merged(tmp_path, january, february)
    assert [(r.position, r.note.code) for r in second.rejections] == [
        ("/marches/1", "decp_republished")
    ]
    assert [(r.position, r.title) for r in second.records] == [("/marches/0", "Y")]
    assert [r.title for r in first.records] == ["X"]
    assert "decp_same_id" in _codes(second)


def test_lots_are_noted_once_and_never_beside_a_merge(tmp_path: Path) -> None:
    one = _write(tmp_path / "a.json", _contract(objet="Lot 1"))
    two = _write(tmp_path / "b.json", _contract(objet="Lot 2"), _contract(objet="Lot 3"))
    _, second = _merged(tmp_path, one, two)
    lots = [w.position for w in second.warnings if w.note.code == "decp_same_id"]
    assert lots == ["/marches/0", "/marches/1"]
    three = _write(tmp_path / "c.json", _contract(objet="Lot 2"))
    four = _write(tmp_path / "d.json", _contract(objet="Lot 1"), _contract(objet="Lot 2"))
    _, fourth = _merged(tmp_path, three, four)
    codes = {(w.position, w.note.code) for w in fourth.warnings}
    assert ("/marches/1", "decp_merged_across_files") in codes
    assert ("/marches/1", "decp_same_id") not in codes


def test_members_of_one_zip_are_merged_like_files(tmp_path: Path) -> None:
    archive = tmp_path / "exports.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name, element in (
            ("2019-01.json", _contract()),
            ("2019-02.json", _contract(modifications=[_mod("2019-02-01", 150)])),
        ):
            handle.writestr(name, json.dumps({"marches": [element]}))
    (result,) = _merged(tmp_path, archive)
    assert _amounts([result]) == Counter({("C1", 150.0): 1})
    assert "decp_merged_across_files" in _codes(result)


def test_a_lot_in_another_file_is_noted(tmp_path: Path) -> None:
    one = _write(tmp_path / "a.json", _contract(objet="Lot 1"))
    two = _write(tmp_path / "b.json", _contract(objet="Lot 2"))
    _, second = _merged(tmp_path, one, two)
    (note,) = [w.note for w in second.warnings if w.note.code == "decp_same_id"]
    assert dict(note.params)["of"] == f"{one} /marches/0"


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


def test_reading_again_finds_every_contract_by_its_key(decp_excerpt: Path, tmp_path: Path) -> None:
    """The key is checked on each element before it is mapped: it must be the key of the
    record reading gives (contracts and concessions, buyers by identifier or name)."""
    concession = {
        "id": "K1",
        "autoriteConcedante": {"nom": "Commune sans SIRET"},
        "concessionnaires": [{"id": "1", "denominationSociale": "Concessionnaire"}],
        "valeurGlobale": 10,
    }
    both = _write(tmp_path / "both.json", _contract(), concession)
    for path in (both, decp_excerpt):
        _check_keys(path)


def _check_keys(path: Path) -> None:
    records = read_decp(path, str(path)).records
    assert records
    keys = frozenset(version_key(r) for r in records)
    versions = decp.read_versions(path, str(path), Limits(), decp.DIALECT, keys)
    assert {version_key(v.record) for v in versions} == keys
    one = next(iter(keys))
    again = decp.read_versions(path, str(path), Limits(), decp.DIALECT, {one})
    assert again and {version_key(v.record) for v in again} == {one}
