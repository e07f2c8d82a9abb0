"""DECP modifications and republished versions: amounts and suppliers are never counted twice."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.sources import ReadResult, read_decp
from vigie.sources.codes import REJECTION_CODES, WARNING_CODES
from vigie.sources.decp_merge import Modification, apply_modifications, chronological
from vigie.sources.records import Note, Party

LABEL = "m.json"
BUYER = {"id": "28060051100024", "nom": "SDIS BP"}
A = {"typeIdentifiant": "SIRET", "id": "33509231800187", "denominationSociale": "A"}
B = {"typeIdentifiant": "SIRET", "id": "44306184100047", "denominationSociale": "B"}


def _contract(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "C1",
        "acheteur": BUYER,
        "titulaires": [A],
        "montant": 1000,
        "dateNotification": "2019-03-18",
        "datePublicationDonnees": "2019-03-20",
        "codeCPV": "72000000",
        "objet": "Logiciel",
        "procedure": "Procédure adaptée",
    }
    base.update(fields)
    return base


def _read(tmp_path: Path, *elements: Any) -> ReadResult:
    path = tmp_path / LABEL
    path.write_text(json.dumps({"marches": list(elements)}), encoding="utf-8")
    result = read_decp(path, LABEL)
    assert result.records_read == len(result.records) + len(result.rejections) == len(elements)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    return result


def _codes(result: ReadResult) -> list[tuple[str, str]]:
    return [(w.position, w.note.code) for w in result.warnings]


def test_latest_modification_amount_replaces_the_initial_one(tmp_path: Path) -> None:
    mods = [
        {"objetModification": "Avenant 1", "montant": 1200,
         "dateNotificationModification": "2019-05-01"},
        {"objetModification": "Avenant 2", "montant": 1500,
         "dateNotificationModification": "2019-09-01"},
    ]  # fmt: skip
    result = _read(tmp_path, _contract(modifications=mods))
    [record] = result.records
    assert (record.amount, record.currency) == (1500.0, "EUR")  # not 1000 + 1200 + 1500
    assert [w.note for w in result.warnings] == [
        Note.of("decp_modified_amount", n=2, initial="1000.00", final="1500.00")
    ]


def test_modifications_are_ordered_by_date_not_array_position(tmp_path: Path) -> None:
    mods = [
        {"montant": 1500, "dateNotificationModification": "2019-09-01"},
        {"montant": 1200, "dateNotificationModification": "2019-05-01"},
    ]
    [record] = _read(tmp_path, _contract(modifications=mods)).records
    assert record.amount == 1500.0


def test_modification_suppliers_replace_the_initial_ones(tmp_path: Path) -> None:
    mods = [{"titulaires": [B], "datePublicationDonneesModification": "2019-06-01"}]
    result = _read(tmp_path, _contract(modifications=mods))
    [record] = result.records
    assert record.suppliers == (Party("44306184100047", "SIRET", "B"),)
    assert record.amount == 1000.0  # no amount in the modification: the initial one stays
    assert _codes(result) == [("/marches/0", "decp_modified_suppliers")]


def test_modification_of_duration_only_changes_nothing_counted(tmp_path: Path) -> None:
    mods = [{"dureeMois": 24, "dateNotificationModification": "2019-05-01"}]
    result = _read(tmp_path, _contract(modifications=mods))
    assert result.records[0].amount == 1000.0
    assert result.warnings == []


def test_concession_modification_uses_valeur_globale(tmp_path: Path) -> None:
    element = {
        "id": "K1",
        "autoriteConcedante": BUYER,
        "concessionnaires": [A],
        "valeurGlobale": 5000,
        "dateSignature": "2019-01-01",
        "modifications": [
            {"valeurGlobale": 8000, "montant": 1, "dateSignatureModification": "2019-06-01",
             "concessionnaires": [B]},
        ],
    }  # fmt: skip
    [record] = _read(tmp_path, element).records
    assert (record.kind, record.amount) == ("concession", 8000.0)
    assert [s.id for s in record.suppliers] == ["44306184100047"]


def test_bad_modifications_are_warned_and_ignored(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        _contract(modifications={"montant": 5}),
        _contract(id="C2", modifications=[7, {"montant": "abc"}, {"montant": -3}]),
    )
    assert [r.amount for r in result.records] == [1000.0, 1000.0]
    assert [(w.position, w.note) for w in result.warnings] == [
        ("/marches/0", Note.of("decp_modifications_not_list")),
        ("/marches/1", Note.of("decp_bad_modification", index=0)),
        ("/marches/1", Note.of("decp_modification_bad_amount", index=1, value="'abc'")),
        ("/marches/1", Note.of("decp_modification_bad_amount", index=2, value="-3")),
    ]


def test_republished_version_with_a_modification_is_merged(tmp_path: Path) -> None:
    first = _contract()
    later = _contract(
        datePublicationDonnees="2019-07-01",
        modifications=[{"montant": 1300, "dateNotificationModification": "2019-06-20"}],
    )
    result = _read(tmp_path, first, later)
    [record] = result.records
    assert (record.position, record.amount) == ("/marches/0", 1300.0)
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/1", Note.of("decp_republished", of="/marches/0"))
    ]
    assert result.rejections[0].excerpt.startswith('{"id": "C1"')
    assert _codes(result) == [("/marches/0", "decp_modified_amount")]


def test_republished_versions_share_their_modifications_once(tmp_path: Path) -> None:
    mod1 = {"montant": 1300, "dateNotificationModification": "2019-06-20"}
    mod2 = {"montant": 900, "dateNotificationModification": "2019-10-01"}
    result = _read(
        tmp_path,
        _contract(modifications=[mod1]),
        _contract(datePublicationDonnees="2019-11-01", modifications=[mod1, mod2]),
        _contract(datePublicationDonnees="2019-12-01", modifications=[mod1]),
    )
    [record] = result.records
    assert record.amount == 900.0
    [note] = [w.note for w in result.warnings]
    assert note == Note.of("decp_modified_amount", n=2, initial="1000.00", final="900.00")


def test_later_version_completes_empty_fields(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        _contract(dateNotification=None, datePublicationDonnees=None),
        _contract(dateNotification="2019-02-26"),
    )
    [record] = result.records
    assert record.date == "2019-02-26"
    assert [r.note.code for r in result.rejections] == ["decp_republished"]
    assert [(w.position, w.note) for w in result.warnings] == [
        ("/marches/0", Note.of("no_date", field="dateNotification")),
        ("/marches/0", Note.of("decp_completed", fields="date", of="/marches/1")),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"objet": "Lot 2"},
        {"montant": 2000},
        {"titulaires": [B]},
        {"codeCPV": "30200000"},
        {"dateNotification": "2019-04-01"},
    ],
)
def test_same_identifier_with_other_content_is_another_lot(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    result = _read(tmp_path, _contract(), _contract(**change))
    assert len(result.records) == 2
    assert result.rejections == []
    assert [(w.position, w.note) for w in result.warnings] == [
        ("/marches/1", Note.of("decp_same_id", of="/marches/0"))
    ]


def test_same_identifier_of_another_buyer_is_unrelated(tmp_path: Path) -> None:
    other = _contract(acheteur={"id": "21750001600019", "nom": "Autre"})
    result = _read(tmp_path, _contract(), other)
    assert len(result.records) == 2
    assert result.warnings == []


def test_contract_and_concession_with_one_identifier_are_separate(tmp_path: Path) -> None:
    concession = {"id": "C1", "autoriteConcedante": BUYER, "concessionnaires": [A],
                  "valeurGlobale": 1000, "dateSignature": "2019-03-18"}  # fmt: skip
    result = _read(tmp_path, _contract(), concession)
    assert [r.kind for r in result.records] == ["contract", "concession"]


def test_versions_are_only_merged_within_one_file(tmp_path: Path) -> None:
    a = _read(tmp_path, _contract())
    (tmp_path / "b").mkdir()
    b = _read(tmp_path / "b", _contract(datePublicationDonnees="2019-07-01"))
    assert len(a.records) == len(b.records) == 1


def test_v2_wrapped_modifications_are_read_by_the_shared_engine(tmp_path: Path) -> None:
    mods = [{"modification": {"id": 1, "montant": 4000, "dateNotificationModification":
             "2024-06-15", "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET",
             "id": "44306184100047"}}]}}]  # fmt: skip
    [record] = _read(tmp_path, _contract(modifications=mods)).records
    assert record.amount == 4000.0
    assert record.suppliers == (Party("44306184100047", "SIRET", None),)


def _mod(index: int, day: str | None, order: int | None, amount: float) -> Modification:
    return Modification(index, order, day, amount, None)


def test_chronological_order_rules() -> None:
    dated = [_mod(0, "2020-02-01", 2, 2), _mod(1, "2020-01-01", 1, 1)]
    assert [m.amount for m in chronological(dated)] == [1, 2]
    numbered = [_mod(0, None, 2, 2), _mod(1, "2020-01-01", 1, 1)]
    assert [m.amount for m in chronological(numbered)] == [1, 2]
    neither = [_mod(0, None, None, 2), _mod(1, "2020-01-01", 1, 1)]
    assert [m.amount for m in chronological(neither)] == [2, 1]


def test_apply_modifications_without_change_adds_no_note(
    tmp_path: Path,
) -> None:
    [record] = _read(tmp_path, _contract()).records
    notes: list[Note] = []
    same = apply_modifications(record, [_mod(0, "2020-01-01", 1, 1000.0)], notes)
    assert (same, notes) == (record, [])


def test_demo_file_amounts_are_not_double_counted() -> None:
    """On the real 2019 files, no loaded pair shares buyer, id and content."""
    from vigie.demo import demo_files

    for path in demo_files():
        result = read_decp(path)
        keys = [
            (r.kind, r.buyer.id, r.record_id, r.title, r.amount, r.date,
             frozenset(s.id for s in r.suppliers))
            for r in result.records
        ]  # fmt: skip
        assert len(keys) == len(set(keys)), path.name
        assert result.records_read == len(result.records) + len(result.rejections)


def test_demo_files_fold_and_flag_as_documented() -> None:
    """The figures quoted in docs/inputs.md ("Modifications")."""
    from collections import Counter

    from vigie.demo import demo_files

    counts: Counter[str] = Counter()
    for path in demo_files():
        result = read_decp(path)
        counts.update(r.note.code for r in result.rejections)
        counts.update(w.note.code for w in result.warnings)
    assert counts["decp_republished"] == 70
    assert counts["decp_same_id"] == 53
    assert counts["decp_modified_amount"] == 35
    assert counts["decp_modified_suppliers"] == 14


# --- properties: an amount is never the sum of versions or modifications --------------------

_amount = st.one_of(st.integers(0, 10**7), st.floats(0, 1e7), st.none(), st.text(max_size=4))
_day = st.one_of(st.none(), st.dates().map(str), st.text(max_size=6))
_modification = st.one_of(
    st.integers(),
    st.fixed_dictionaries(
        {},
        optional={
            "montant": _amount,
            "dateNotificationModification": _day,
            "id": st.integers(0, 5),
            "titulaires": st.lists(st.sampled_from([A, B]), max_size=2),
        },
    ),
)
_version = st.fixed_dictionaries(
    {"montant": st.sampled_from([1000, 2000])},
    optional={
        "modifications": st.one_of(st.lists(_modification, max_size=4), st.none()),
        "datePublicationDonnees": _day,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_version, min_size=1, max_size=4))
def test_amounts_come_from_one_publication_never_a_sum(versions: list[dict[str, Any]]) -> None:
    elements = [_contract(**v) for v in versions]
    with tempfile.TemporaryDirectory() as tmp:
        result = _read(Path(tmp), *elements)
    published: set[float] = {float(v["montant"]) for v in versions}
    for element in elements:
        for mod in element.get("modifications") or []:
            value = mod.get("montant") if isinstance(mod, dict) else None
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    published.add(float(value.replace(" ", "").replace(",", ".")))
            elif isinstance(value, int | float):
                published.add(float(value))
    for record in result.records:
        assert record.amount in published
    # One record per distinct initial amount at most: versions of one contract fold together.
    assert len(result.records) <= len({v["montant"] for v in versions})


def test_keys_sharing_a_hash_stay_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.sources import decp_merge

    monkeypatch.setattr(decp_merge, "hash", lambda key: 0, raising=False)
    result = _read(
        tmp_path,
        _contract(),
        _contract(id="C2"),
        _contract(id="C3"),
        _contract(id="C2", datePublicationDonnees="2020-01-01"),
    )
    assert [r.record_id for r in result.records] == ["C1", "C2", "C3"]
    assert [(r.position, r.note) for r in result.rejections] == [
        ("/marches/3", Note.of("decp_republished", of="/marches/1"))
    ]
    assert result.warnings == []
