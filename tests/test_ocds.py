"""The OCDS reader: shapes, merging by ocid, parties, amounts, dates, accounting, streaming."""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vigie.cli import app
from vigie.pipeline import import_file, ingest, merge_processes_across_files
from vigie.sources import Limits, ReadResult, files, ocds_stream
from vigie.sources import ocds as ocds_module
from vigie.sources.codes import INGEST_CODES
from vigie.sources.files import HashStoppedError, sha256_file
from vigie.sources.ocds import read_ocds, stream_ocds
from vigie.sources.ocds_fast import fast_release
from vigie.sources.ocds_merge import merge, project
from vigie.sources.registry import reader_named
from vigie.store import Workspace

OCDS = Path(__file__).parent / "fixtures" / "ocds"
PARTIES = [
    {
        "id": "B1",
        "name": "City of Example",
        "roles": ["buyer"],
        "address": {"countryName": "France"},
    },
    {
        "id": "S1",
        "name": "Acme SA",
        "identifier": {"scheme": "FR-RCS", "id": "123456789"},
        "address": {"countryName": "France"},
        "roles": ["supplier"],
    },
]


def _release(ocid: str, rid: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["award"], **fields}


def _jsonl(path: Path, values: list[Any]) -> Path:
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    return path


def _check(result: ReadResult) -> ReadResult:
    assert result.records_read == result.records_loaded + result.records_rejected
    positions = [(r.source_file, r.position) for r in result.records]
    assert len(positions) == len(set(positions))
    return result


# --- real files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(p for p in OCDS.glob("*.json") if p.stat().st_size), ids=lambda p: p.name
)
def test_every_real_fixture_loads_with_reconciled_counts(path: Path) -> None:
    result = _check(read_ocds(path, path.name))
    assert result.records_read >= 1
    assert result.format == "ocds"
    if result.records_loaded:
        assert result.records
        assert all(r.record_id.startswith(("ocds-", "ocid-")) for r in result.records)


def test_real_fixtures_through_the_pipeline(tmp_path: Path) -> None:
    paths = sorted(OCDS.glob("*.json"))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest(paths, ws, Limits())
    assert len(results) == len(paths)
    for result in results:
        _check(result)
    empty = next(r for r in results if r.path.endswith("paraguay-empty.json"))
    assert [r.note.code for r in empty.rejections] == ["empty_file"]
    linked = next(r for r in results if r.path.endswith("record-package-linked.json"))
    assert [(r.position, r.note.code) for r in linked.rejections] == [
        ("/records/0", "ocds_linked_only")
    ]


def test_real_version_1_1_release_package_record_and_cpv() -> None:
    package = _check(read_ocds(OCDS / "paraguay-record-package.json"))
    (record,) = package.records
    assert record.kind == "contract"
    assert record.position == "/records/0/contracts/0"
    assert (record.amount, record.currency) == (180941456.0, "PYG")
    assert record.suppliers[0].name == "RIEDER Y CIA. SACI"
    assert record.suppliers[0].id == "80002612-8"
    assert record.suppliers[0].country == "py"
    assert record.date_time == "2016-10-18T12:00:00-04:00"
    ukraine = _check(read_ocds(OCDS / "ukraine-release.json")).records[0]
    assert (ukraine.cpv, ukraine.cpv_raw) == ("44115000", "44115000-9")
    assert ("CPV", "44115000-9") in [(c.scheme, c.code) for c in ukraine.classifications]
    assert ukraine.date_time == "2016-11-04T21:59:24.591355+02:00"
    assert ukraine.date == "2016-11-04"
    assert ukraine.buyer.country == "ua"
    australia = _check(read_ocds(OCDS / "australia-release-package.json")).records[0]
    assert [(c.scheme, c.code) for c in australia.classifications] == [("UNSPSC", "80131503")]


def test_real_version_1_0_suppliers_are_full_organisations() -> None:
    result = _check(read_ocds(OCDS / "nigeria-release.json"))
    kinds = sorted(r.kind for r in result.records)
    assert kinds == ["award", "contract"]
    award = next(r for r in result.records if r.kind == "award")
    assert award.suppliers[0].name == "fic consultant limited"


# --- merging and amendments ---------------------------------------------------------------


def test_releases_of_one_ocid_merge_to_the_latest_state(tmp_path: Path) -> None:
    award = {"id": "A1", "suppliers": [{"id": "S1", "name": "Acme"}], "value": {"amount": 100}}
    first = _release("ocds-x-1", "r1", "2020-01-01T00:00:00Z", parties=PARTIES, buyer={"id": "B1"})
    first["awards"] = [{**award, "value": {"amount": 100, "currency": "EUR"}}]
    amended = _release(
        "ocds-x-1",
        "r2",
        "2020-06-01T10:00:00+02:00",
        contracts=[
            {
                "id": "C1",
                "awardID": "A1",
                "dateSigned": "2020-06-01T10:00:00+02:00",
                "value": {"amount": 150, "currency": "eur"},
            }
        ],
    )
    later = _release(
        "ocds-x-1",
        "r3",
        "2020-09-01T00:00:00Z",
        contracts=[{"id": "C1", "value": {"amount": 170, "currency": "EUR"}}],
    )
    # Written out of order: the merge follows the dates, not the file.
    path = _jsonl(tmp_path / "r.jsonl", [later, first, amended])
    result = _check(read_ocds(path))
    assert (result.records_read, result.records_loaded) == (3, 3)
    (record,) = result.records  # the award is the contract's: one record, not two
    assert (record.kind, record.amount, record.currency) == ("contract", 170.0, "EUR")
    assert record.record_id == "ocds-x-1/contract/C1"
    assert record.buyer.name == "City of Example"
    assert record.buyer.country == "fr"
    (supplier,) = record.suppliers
    assert (supplier.name, supplier.id, supplier.scheme) == ("Acme", "123456789", "FR-RCS")
    assert (record.date, record.date_time) == ("2020-06-01", "2020-06-01T10:00:00+02:00")
    assert record.position == "line 1/contracts/0"
    assert result.warnings == []  # "eur" in r2 was replaced by r3's value


def test_merge_rules() -> None:
    merged = merge(
        [
            project({"ocid": "o", "tender": {"title": "A", "status": "active"}, "tag": ["x"]}),
            project({"ocid": "o", "tender": {"title": None}, "awards": [{"id": 1, "status": "p"}]}),
            project({"ocid": "o", "awards": [{"id": 1, "title": "t"}, {"id": 2}], "tag": ["y"]}),
        ]
    )
    assert merged["tender"] == {"status": "active"}
    assert merged["awards"] == [{"id": 1, "status": "p", "title": "t"}, {"id": 2}]
    assert merged["tag"] == ["y"]


def test_records_without_compiled_release_are_merged(tmp_path: Path) -> None:
    record = {
        "ocid": "ocds-r-1",
        "releases": [
            _release("ocds-r-1", "1", "2021-01-01", awards=[{"id": "A", "value": {"amount": 5}}]),
            {"url": "https://example.org/r2.json", "date": "2021-02-01", "tag": ["award"]},
            _release("ocds-r-1", "3", "2021-03-01", awards=[{"id": "A", "status": "cancelled"}]),
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"uri": "u", "records": [record]}), encoding="utf-8")
    result = _check(read_ocds(path))
    (loaded,) = result.records
    assert (loaded.kind, loaded.amount) == ("award", None)
    assert [w.note.code for w in result.warnings] == ["ocds_not_counted"]


def test_a_process_without_award_is_one_tender_record(tmp_path: Path) -> None:
    tender = {"title": "Cloud", "value": {"amount": "1 000,50", "currency": "Euro"}}
    path = _jsonl(tmp_path / "t.jsonl", [_release("ocds-t", "1", "2019-05-05", tender=tender)])
    result = _check(read_ocds(path))
    (record,) = result.records
    assert (record.kind, record.title, record.amount, record.currency) == (
        "tender",
        "Cloud",
        1000.5,
        "EUR",
    )
    assert record.date_time is None  # a bare day has no time
    assert [w.note.code for w in result.warnings] == ["currency_repaired"]


def test_unknown_currency_rejects_the_amount(tmp_path: Path) -> None:
    awards = [
        {"id": "A", "value": {"amount": 10, "currency": "XYZ"}},
        {"id": "B", "value": {"amount": 10}},
    ]
    path = _jsonl(tmp_path / "c.jsonl", [_release("ocds-c", "1", "2019-05-05", awards=awards)])
    result = _check(read_ocds(path))
    assert [(r.amount, r.currency) for r in result.records] == [(None, None), (10.0, None)]
    assert [w.note.code for w in result.warnings] == ["currency_unknown", "no_currency"]


# --- shapes, positions and rejections -----------------------------------------------------


def test_json_lines_positions_and_rejections(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(_release("ocds-a", "1", "2020-01-01"))
    package = json.dumps({"releases": [_release("ocds-b", "1", "2020-01-01"), {"id": "no-ocid"}]})
    path.write_bytes("\n".join([good, "", "{broken", "[1, 2]", package, '"text"']).encode() + b"\n")
    result = _check(read_ocds(path, "mixed.jsonl"))
    assert result.records_read == 7  # good, broken, 1, 2, two releases of the package, "text"
    rejected = [(r.position, r.note.code) for r in result.rejections]
    assert rejected == [
        ("line 3", "broken_json"),
        ("line 4 /0", "not_object"),
        ("line 4 /1", "not_object"),
        ("line 5 /releases/1", "ocds_no_ocid"),
        ("line 6", "not_object"),
    ]
    assert sorted(r.position for r in result.records) == ["line 1", "line 5 /releases/0"]


def test_broken_package_keeps_the_releases_before_the_break(tmp_path: Path) -> None:
    text = json.dumps({"releases": [_release("ocds-a", "1", "2020-01-01")] * 2})
    path = tmp_path / "broken.json"
    path.write_text(text[:-30] + "\n  oops", encoding="utf-8")
    result = _check(read_ocds(path))
    assert result.records_loaded == 1
    assert [r.note.code for r in result.rejections] == ["broken_json"]


def test_zip_of_json_lines_and_a_bad_member(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("r.jsonl", json.dumps(_release("ocds-z", "1", "2020-01-01")) + "\n")
        archive.writestr("inner.zip", b"PK")
    result = _check(read_ocds(path, "a.zip"))
    assert [r.source_file for r in result.records] == ["a.zip!r.jsonl"]
    assert [r.note.code for r in result.rejections] == ["zip_nested"]


def test_large_documents_are_streamed_element_by_element(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = [_release(f"ocds-{i}", "1", "2020-01-01", awards=[{"id": "A"}]) for i in range(30)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"uri": "u", "releases": releases}, indent=1), encoding="utf-8")
    whole = _check(read_ocds(path))
    monkeypatch.setattr(ocds_stream, "IN_MEMORY_BYTES", 100)
    streamed = _check(read_ocds(path))
    assert [r.position for r in streamed.records] == [r.position for r in whole.records]
    assert streamed.records == whole.records
    path.write_text(path.read_text(encoding="utf-8")[:-400], encoding="utf-8")
    truncated = _check(read_ocds(path))
    assert truncated.records_loaded > 0
    assert [r.note.code for r in truncated.rejections] == ["broken_json"]


def test_fast_path_equals_the_general_path() -> None:
    taken = 0
    for path in sorted(OCDS.glob("*release*.json")):
        value = json.loads(path.read_bytes())
        if "releases" in value:
            continue
        fast = fast_release(json.dumps(value).encode())
        assert fast is None or fast == project(value), path.name
        taken += fast is not None
    assert taken >= 8
    assert fast_release(b'{"ocid": "x", "tender": {"title": {"en": "nested"}}}') is None
    assert fast_release(b'{"ocid": "x", "compiledRelease": {}}') is None


def test_every_ingest_code_is_produced(tmp_path: Path) -> None:
    seen: set[str] = set()
    lines = [
        _release("o1", "1", "2020", awards=[{"id": "A", "value": {"amount": 1, "currency": "€"}}]),
        _release("o2", "1", "2020", awards=[{"id": "A", "value": {"amount": 1, "currency": "?"}}]),
        _release("o3", "1", "2020", awards=[{"id": "A", "value": {"amount": 1}}]),
        _release("o4", "1", "2020", awards=[{"id": "A", "status": "unsuccessful"}]),
        _release("o5", "1", "2020", awards=[{"id": "A", "suppliers": [{"id": "nobody"}]}]),
        {"id": "no ocid"},
        {"ocid": "o6", "releases": [{"url": "u"}]},
    ]
    result = read_ocds(_jsonl(tmp_path / "codes.jsonl", lines))
    seen |= {w.note.code for w in result.warnings} | {r.note.code for r in result.rejections}
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "other.json").write_bytes(b"hello")
    with Workspace.open(":memory:") as ws:
        for item in ingest([tmp_path / "empty.json", tmp_path / "other.json"], ws, Limits()):
            seen |= {r.note.code for r in item.rejections}
        later = _jsonl(tmp_path / "later.jsonl", [_release("o1", "2", "2021")])
        both = ingest([tmp_path / "codes.jsonl", later], ws, Limits())
        for item in merge_processes_across_files(both, ws):
            seen |= {w.note.code for w in item.warnings}
        later.unlink()  # no longer there: its processes cannot be merged
        for item in merge_processes_across_files(both, ws):
            seen |= {w.note.code for w in item.warnings}
    big = tmp_path / "big.json"
    big.write_bytes(b'{\n"uri": "u",\n"publisher": {},\n"x": 1}' + b" " * 200)
    long_line = tmp_path / "long.jsonl"
    long_line.write_bytes(b'{"ocid": "a"}\n' + b"[" + b"1," * 100)
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setattr(ocds_stream, "IN_MEMORY_BYTES", 10)
        monkey.setattr(ocds_stream, "MAX_LINE_BYTES", 50)
        seen |= {r.note.code for r in read_ocds(big).rejections}
        seen |= {r.note.code for r in read_ocds(long_line).rejections}
    finally:
        monkey.undo()
    assert seen >= INGEST_CODES


# --- workspace: batches and idempotence ---------------------------------------------------


def test_streamed_import_matches_the_in_memory_read_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocds_module, "BATCH", 3)  # many small batches
    paths = sorted(OCDS.glob("*.json"))
    spec = reader_named("ocds")
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        for path in paths:
            if path.stat().st_size:
                import_file(path, spec, ws, Limits())
        first = ws.counts()
        for path in paths:
            if path.stat().st_size:
                sha = import_file(path, spec, ws, Limits())
                loaded = ws.load(sha, str(path))
                direct = read_ocds(path, str(path))
                assert loaded.records == sorted(direct.records, key=_order)
                assert loaded.rejections == direct.rejections
                assert loaded.warnings == direct.warnings
                assert loaded.records_read == direct.records_read
        assert ws.counts() == first


def _order(record: Any) -> tuple[str, int, int, str]:
    return (record.source_file, record.line, len(record.position), record.position)


def test_stream_reports_progress_in_bytes(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", [_release(f"o{i}", "1", "2020") for i in range(5000)])
    seen: list[int] = []
    summary = stream_ocds(path, "p", Limits(), lambda batch: None, seen.append)
    assert summary.units_read == 5000
    assert seen[-1] == path.stat().st_size
    assert seen == sorted(seen)


# --- command line -------------------------------------------------------------------------


def test_screen_ocds_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    lines = _jsonl(
        tmp_path / "releases.jsonl",
        [
            _release(
                "ocds-cli",
                "1",
                "2020-01-01",
                parties=PARTIES,
                awards=[{"id": "A", "suppliers": [{"id": "S1"}], "value": {"amount": 9}}],
            ),
            "not a release",
        ],
    )
    out = tmp_path / "out"
    args = ["screen", str(lines), str(OCDS / "paraguay-empty.json"), "-o", str(out)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w.duckdb"), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["records_read"], summary["records_loaded"], summary["records_rejected"]) == (
        3,
        1,
        2,
    )
    assert [f["format"] for f in summary["files"]] == ["ocds", "unknown"]
    rejected = (out / "rejected.csv").read_text(encoding="utf-8")
    assert "line 2" in rejected
    assert "le fichier est vide" in rejected


@pytest.mark.parametrize(("lang", "needle"), [("en", "unknown format"), ("fr", "format inconnu")])
def test_unknown_format_option_exits_2(tmp_path: Path, lang: str, needle: str) -> None:
    args = ["screen", str(OCDS / "uk-release.json"), "-o", str(tmp_path / "o"), "-f", "xml"]
    result = CliRunner().invoke(app, [*args, "-w", str(tmp_path / "w"), "--lang", lang])
    assert result.exit_code == 2
    assert needle in result.output
    assert "ocds" in result.output


def test_hostile_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    deep = b'{"ocid": "a", "tender": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    huge = b'{"ocid": "b", "awards": [{"id": 1, "value": {"amount": 1' + b"0" * 5000 + b"}}]}"
    path.write_bytes(
        b"\n".join(
            [
                deep,
                huge,
                b'{"ocid": "c", "tender": {"title": "\\ud800x"}}',
                b'{"ocid": "d", "awards": [{"id": 1, '
                b'"value": {"amount": NaN, "currency": "EUR"}}]}',
                b'{"ocid": "f", "tender": {"title": "caf\xe9"}}',
            ]
        )
    )
    result = _check(read_ocds(path))
    assert (result.records_read, result.records_loaded) == (5, 3)
    assert [r.position for r in result.rejections] == ["line 1", "line 2"]
    titles = {r.record_id: r.title for r in result.records}
    assert titles["c"] == "\ufffdx"
    assert titles["f"] == "café"
    codes = sorted(w.note.code for w in result.warnings)
    assert codes == ["amount_out_of_range", "not_utf8"]


def test_json_lines_mixing_packages_and_releases_merge_across_lines(tmp_path: Path) -> None:
    award = {"id": "A", "value": {"amount": 1, "currency": "EUR"}}
    amended = {"id": "A", "value": {"amount": 2, "currency": "EUR"}}
    lines = [
        {"uri": "u", "releases": [_release("ocds-m", "1", "2020-01-01", awards=[award])]},
        _release("ocds-other", "1", "2020-01-01"),
        _release("ocds-m", "2", "2020-02-01", awards=[amended]),
    ]
    path = _jsonl(tmp_path / "m.jsonl", lines)
    counted = ocds_module.count_ocids(path, "m")
    assert counted.counts == {"ocds-m": 2, "ocds-other": 1}
    result = _check(read_ocds(path))
    assert result.sha256 == sha256_file(path)
    amounts = {r.record_id: r.amount for r in result.records}
    assert amounts == {"ocds-m/award/A": 2.0, "ocds-other": None}


def test_json_lines_processes_are_written_as_soon_as_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded memory: records reach the workspace while the file is still being read."""
    monkeypatch.setattr(ocds_module, "BATCH", 10)
    monkeypatch.setattr(ocds_stream, "READ_CHUNK", 4096)
    releases = [_release(f"o{i}", "1", "2020") for i in range(5000)]
    path = _jsonl(tmp_path / "p.jsonl", releases)
    size = path.stat().st_size
    events: list[tuple[str, int]] = []
    stream_ocds(
        path,
        "p",
        Limits(),
        lambda b: events.append(("batch", 0)),
        lambda n: events.append(("read", n)),
    )
    assert events[-1] == ("read", size)
    reading = [i for i, (kind, n) in enumerate(events) if kind == "read" and size // 2 < n < size]
    first_batch = next(i for i, (kind, _) in enumerate(events) if kind == "batch")
    assert reading
    assert first_batch < reading[-1]  # records were written before the file was all read


def test_language_variants_of_text_fields() -> None:
    for name in ("canada-buyandsell-release.json", "canada-buyandsell-record.json"):
        (record,) = _check(read_ocds(OCDS / name)).records
        assert record.title == "Social Media Monitoring"
        assert record.buyer.name == "Agriculture and Agri-Food Canada"
        assert (record.buyer.id, record.buyer.country) == ("01", "ca")
    line = json.dumps({"ocid": "o", "tender": {"title_fr": "Nuage", "title_es": "Nube"}})
    assert fast_release(line.encode()) == project(json.loads(line))
    assert project(json.loads(line))["tender"] == {"title_fr": "Nuage", "title_es": "Nube"}


def test_fast_path_decodes_language_variants() -> None:
    value = {
        "ocid": "o",
        "tender": {"title_fr": "Nuage", "items": [{"classification": {"description_hy": "x"}}]},
        "buyer": {"name_ru": "y", "identifier": {"legalName_hy": "z"}},
        "awards": [{"id": "A", "title_en": "Cloud", "suppliers": [{"name_hy": "s"}]}],
    }
    assert fast_release(json.dumps(value).encode()) == project(value)
    odd = json.dumps({"ocid": "o", "tender": {"title_zh-Hans": "x"}}).encode()
    assert fast_release(odd) is None  # not a plain language code: general path


def test_country_names_found_without_rigour_table_agree_with_rigour() -> None:
    """The small table of names gives what rigour's full lookup gives, for every strong and
    weak name (and upper-cased, when that is in the table too)."""
    from rigour.territories import lookup_territory
    from rigour.territories.lookup import _load_territory_names

    from vigie.sources.ocds_values import country_code, strong_names

    table = strong_names()
    assert table["Україна"] == "ua"
    assert table["Canada"] == "ca"
    checked = 0
    for _, strongs, weaks, _ in _load_territory_names():
        for strong in (*strongs, *weaks):
            for written in (strong, strong.upper()):
                if written not in table or len(written) > 100:
                    continue
                territory = lookup_territory(written)
                expected = territory.code if territory is not None else None
                got = country_code(written)
                assert got == (expected if expected and len(expected) == 2 else None), written
                checked += 1
    assert checked > 2000


def test_the_file_is_hashed_beside_the_reading_and_stopped_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SHA-256 is computed in another thread while the file is read; when the reading
    fails, the hashing stops too instead of running to the end of a large file."""
    path = _jsonl(tmp_path / "m.jsonl", [_release("ocds-a", "1", "2020-01-01")])
    assert stream_ocds(path, "m", Limits(), lambda b: None).sha256 == sha256_file(path)
    ended: list[str] = []

    def slow_hash(target: Path, stop: threading.Event | None = None) -> str:
        assert stop is not None
        ended.append("stopped" if stop.wait(30) else "ran out")
        raise HashStoppedError(str(target))

    def failing_sink(batch: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files, "sha256_file", slow_hash)
    with pytest.raises(OSError, match="disk full"):
        stream_ocds(path, "m", Limits(), failing_sink)
    assert ended == ["stopped"]


def test_a_caller_that_hashed_the_file_spares_the_reader_a_second_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _jsonl(tmp_path / "m.jsonl", [_release("ocds-a", "1", "2020-01-01")])
    expected = sha256_file(path)

    def hashed_again(*args: Any) -> str:
        raise AssertionError("the file was hashed a second time")

    monkeypatch.setattr(files, "sha256_file", hashed_again)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        assert import_file(path, reader_named("ocds"), ws, Limits()) == expected
        assert ws.counts()["records"] == 1


def test_integers_past_64_bits_stay_exact_in_packages_as_in_single_releases(
    tmp_path: Path,
) -> None:
    """A numeric identifier past 64 bits is read exactly (not as a float) whether its release
    is a line of its own (fast path) or inside a package (general path)."""
    big = 123456789012345678901234567890
    release = _release("ocds-big", "1", "2020-01-01", awards=[{"id": big}])
    single = _jsonl(tmp_path / "single.jsonl", [release])
    package = _jsonl(tmp_path / "package.jsonl", [{"uri": "u", "releases": [release]}])
    ids = [[r.record_id for r in read_ocds(path).records] for path in (single, package)]
    assert ids == [[f"ocds-big/award/{big}"]] * 2
