"""Releases of one OCDS process spread over several files are merged before screening."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.pipeline import ScreenOptions, ingest, merge_processes_across_files, screen
from vigie.sources import Limits
from vigie.store import Workspace

SUPPLIER = {"id": "S1", "name": "ORACLE FRANCE", "roles": ["supplier"]}
BUYER = {"id": "B1", "name": "Ville d'Exemple", "roles": ["buyer"]}


def _award(ocid: str, date: str, amount: int) -> dict[str, Any]:
    award = {
        "id": "A1",
        "status": "active",
        "value": {"amount": amount, "currency": "EUR"},
        "suppliers": [{"id": "S1", "name": "ORACLE FRANCE"}],
    }
    return {
        "ocid": ocid,
        "id": f"{ocid}-award-{date}",
        "date": date,
        "tag": ["award"],
        "parties": [BUYER, SUPPLIER],
        "buyer": {"id": "B1", "name": "Ville d'Exemple"},
        "tender": {"id": "T1", "title": "Licences de base de données"},
        "awards": [award],
    }


def _amendment(ocid: str, date: str, amount: int) -> dict[str, Any]:
    """A later release that only amends the award's value (no parties, no title)."""
    award = {"id": "A1", "value": {"amount": amount, "currency": "EUR"}}
    return {"ocid": ocid, "id": f"{ocid}-amend-{date}", "date": date, "tag": ["awardUpdate"],
            "awards": [award]}  # fmt: skip


def _jsonl(path: Path, releases: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in releases), encoding="utf-8")
    return path


def _files(tmp_path: Path) -> list[Path]:
    january = _jsonl(
        tmp_path / "2024-01.jsonl",
        [_award("ocds-x-1", "2024-01-10T00:00:00Z", 100), _award("ocds-x-2", "2024-01-11", 7)],
    )
    february = _jsonl(
        tmp_path / "2024-02.jsonl",
        [_amendment("ocds-x-1", "2024-02-03T00:00:00Z", 150)],
    )
    return [january, february]


def test_a_process_amended_in_a_later_file_is_counted_once(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest(_files(tmp_path), ws, Limits())
        assert [len(r.records) for r in results] == [2, 1]  # each file on its own
        merged = merge_processes_across_files(results, ws)
    assert [len(r.records) for r in results] == [2, 1]  # the caller's results are unchanged
    january, february = merged
    assert [r.record_id for r in january.records] == ["ocds-x-2/award/A1"]
    (record,) = february.records
    assert record.record_id == "ocds-x-1/award/A1"
    assert record.amount == 150.0  # the latest value, once
    assert [s.name for s in record.suppliers] == ["ORACLE FRANCE"]  # from January's release
    assert record.title == "Licences de base de données"
    assert record.source_file == str(tmp_path / "2024-02.jsonl")
    (note,) = [w for w in january.warnings if w.note.code == "ocds_merged_across_files"]
    assert note.position == "line 1/awards/0"
    assert dict(note.note.params)["file"] == str(tmp_path / "2024-02.jsonl")
    for result in merged:  # units are still all loaded
        assert result.records_read == result.records_loaded + result.records_rejected


def test_merge_order_is_by_date_whatever_the_file_order(tmp_path: Path) -> None:
    """Files given latest first: the January award and the February amendment still merge
    in date order, and the record goes to the file of the latest release."""
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest(list(reversed(_files(tmp_path))), ws, Limits())
        february, january = merge_processes_across_files(results, ws)
    (record,) = february.records
    assert record.amount == 150.0
    assert [r.record_id for r in january.records] == ["ocds-x-2/award/A1"]


def test_a_file_alone_or_given_twice_is_not_changed(tmp_path: Path) -> None:
    january, _ = _files(tmp_path)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        (alone,) = ingest([january], ws, Limits())
        assert merge_processes_across_files([alone], ws) == [alone]
        copy = tmp_path / "copy.jsonl"
        copy.write_bytes(january.read_bytes())
        same = ingest([january, copy], ws, Limits())
        assert merge_processes_across_files(same, ws) == same  # one content: nothing shared


def test_screen_counts_the_amended_amount_once(tmp_path: Path) -> None:
    """Through ``screen``: the supplier's exposure is the latest value (150), not 250, and
    warnings.csv says where January's record went."""
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        result = screen(_files(tmp_path), tmp_path / "out", ws, ScreenOptions())
    amounts = [
        f.record.amount for f in result.findings if f.record.record_id.startswith("ocds-x-1")
    ]
    assert amounts == [150.0]
    with (tmp_path / "out" / "warnings.csv").open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert "ocds_merged_across_files" in codes
    files = result.summary["files"]
    assert [f["records_stored"] for f in files] == [1, 1]
    assert [f["records_read"] for f in files] == [2, 1]


def test_release_packages_merge_across_files_too(tmp_path: Path) -> None:
    """Documents (release packages), not only JSON lines: the same merge."""
    first = tmp_path / "package-1.json"
    second = tmp_path / "package-2.json"
    award, amendment = _award("ocds-p", "2024-01-01", 10), _amendment("ocds-p", "2024-03-01", 12)
    first.write_text(json.dumps({"uri": "u", "releases": [award]}, indent=2))
    second.write_text(json.dumps({"uri": "u", "releases": [amendment]}, indent=2))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        one, two = merge_processes_across_files(ingest([first, second], ws, Limits()), ws)
    assert one.records == []
    (record,) = two.records
    assert (record.amount, record.position) == (12.0, "/releases/0/awards/0")
    assert [s.name for s in record.suppliers] == ["ORACLE FRANCE"]


def test_a_file_gone_since_it_was_read_is_reported_not_merged(tmp_path: Path) -> None:
    """Reporting later from the workspace: a file moved away cannot be read again; its
    processes stay as read, with a warning, and nothing is lost."""
    january, february = _files(tmp_path)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest([january, february], ws, Limits())
        january.rename(tmp_path / "elsewhere.jsonl")
        merged = merge_processes_across_files(results, ws)
    assert [len(r.records) for r in merged] == [2, 1]
    notes = [w.note.code for w in merged[0].warnings]
    assert notes == ["ocds_merge_unavailable"]


def test_an_ocid_with_an_inner_no_break_space_merges_too(tmp_path: Path) -> None:
    """Records keep the ocid releases are grouped by (not a cleaned-up text of it)."""
    ocid = "ocds-x\u00a01"
    first = _jsonl(tmp_path / "a.jsonl", [_award(ocid, "2024-01-10", 100)])
    second = _jsonl(tmp_path / "b.jsonl", [_amendment(ocid, "2024-02-03", 150)])
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        one, two = merge_processes_across_files(ingest([first, second], ws, Limits()), ws)
    assert one.records == []
    assert [(r.amount, r.process_id) for r in two.records] == [(150.0, ocid)]


_OCIDS = ("ocds-p-1", "ocds-p-2", "ocds-p-3")
_release_parts = st.fixed_dictionaries(
    {
        "ocid": st.sampled_from(_OCIDS),
        "date": st.sampled_from(["2024-01-01", "2024-02-01", "2024-03-01", ""]),
        "amount": st.integers(min_value=1, max_value=500),
        "award": st.booleans(),
    }
)


def _line(parts: dict[str, Any], number: int) -> dict[str, Any]:
    release = (_award if parts["award"] else _amendment)(
        parts["ocid"], parts["date"], parts["amount"]
    )
    release["id"] = f"r{number}"
    if not parts["date"]:
        del release["date"]
    return release


def _comparable(records: list[Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (r.record_id, r.amount, r.currency, r.title, tuple(s.name for s in r.suppliers))
        for r in records
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(_release_parts, max_size=5), min_size=2, max_size=3))
def test_merging_across_files_gives_what_one_concatenated_file_gives(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[dict[str, Any]]]
) -> None:
    """Oracle: the files' lines, concatenated in the order the files are given, read as one
    file (releases of a date merge in file order there too)."""
    tmp_path = tmp_path_factory.mktemp("across")
    paths, every = [], []
    for index, lines in enumerate(files):
        releases = [_line(parts, index * 10 + n) for n, parts in enumerate(lines)]
        every.extend(releases)
        paths.append(_jsonl(tmp_path / f"f{index}.jsonl", releases))
    whole = _jsonl(tmp_path / "whole.jsonl", every)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        merged = merge_processes_across_files(ingest(paths, ws, Limits()), ws)
        (single,) = ingest([whole], ws, Limits())
    assert _comparable([r for result in merged for r in result.records]) == _comparable(
        single.records
    )
    for result in merged:
        assert result.records_read == result.records_loaded + result.records_rejected
