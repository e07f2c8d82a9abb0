"""The DuckDB workspace: migrations, saving and loading read results, the audit trail."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from vigie.sources import read_decp
from vigie.sources.records import (
    Classification,
    Note,
    Party,
    ProcurementRecord,
    ReadResult,
    Rejection,
    Warning_,
)
from vigie.store import (
    DuplicatePositionError,
    RunRecord,
    Workspace,
    WorkspaceVersionError,
    available_migrations,
    migrate,
)
from vigie.store import migrations as migrations_module
from vigie.store.migrations import Migration, current_version

TABLES = (
    "imports",
    "records",
    "record_suppliers",
    "record_classifications",
    "rejections",
    "warnings",
    "runs",
)
SHA = "ab" * 32


def _record(
    position: str,
    *,
    source: str = "/data/in.zip!marches.json",
    line: int = 1,
    suppliers: tuple[Party, ...] = (),
    amount: float | None = 1000.0,
    date: str | None = "2019-03-18",
) -> ProcurementRecord:
    return ProcurementRecord(
        source_file=source,
        position=position,
        line=line,
        record_id=f"id-{position}",
        kind="contract",
        buyer=Party("28060051100024", "SIRET", "SDIS BP"),
        suppliers=suppliers,
        title="Prestations de support technique ORACLE",
        amount=amount,
        currency="EUR" if amount is not None else None,
        date=date,
        cpv="30234000",
        cpv_raw="30234000-8",
        procedure="Procédure adaptée",
        content_hash="h-" + position,
    )


def _result(path: str = "/data/in.zip", sha: str = SHA) -> ReadResult:
    member = path + "!marches.json"
    result = ReadResult(path, sha, 4321, "decp-v1-json")
    result.records = [
        _record(
            "/marches/0",
            source=member,
            line=3,
            suppliers=(
                Party("33509231800187", "SIRET", "ORACLE FRANCE"),
                Party(None, None, "Société « Ünïcode » & Co"),
                Party("123", "TVA", None),
            ),
        ),
        _record("/marches/1", source=member, line=30, suppliers=(), amount=None, date=None),
        _record(
            "/marches/2",
            source=member,
            line=60,
            suppliers=(Party("1", "SIRET", "GOOGLE FRANCE"),),
        ),
    ]
    result.rejections = [
        Rejection(member, "/marches/3", Note.of("duplicate", of="/marches/0"), '{ "id": "x" }'),
        Rejection(member, "/marches/4", Note("missing_id"), ""),
        Rejection(path + "!other.json", "(file)", Note.of("not_decp", detail="l'objet « x »")),
    ]
    result.warnings = [
        Warning_(member, "(file)", Note.of("lost_characters", n=13)),
        Warning_(
            member, "/marches/0", Note.of("cpv_leading_zero", raw="9132100", fixed="09132100")
        ),
        Warning_(member, "/marches/1", Note.of("no_date", field="dateNotification")),
    ]
    return result


# --- migrations -------------------------------------------------------------------------------


def test_available_migrations() -> None:
    found = available_migrations()
    assert [(m.version, m.name) for m in found][:2] == [(1, "initial"), (2, "records_detail")]
    assert "CREATE TABLE imports" in found[0].sql


def test_migrations_apply_on_a_new_file(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "new.duckdb"))
    try:
        assert current_version(con) == 0
        applied = migrate(con)
        assert applied[:2] == [1, 2]
        assert current_version(con) == applied[-1]
        assert migrate(con) == []  # idempotent
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert set(TABLES) | {"schema_migrations"} <= tables
    finally:
        con.close()


def test_schema_migrations_records_versions(workspace: Workspace) -> None:
    rows = workspace.con.execute(
        "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    assert [(v, n) for v, n, _ in rows][:2] == [(1, "initial"), (2, "records_detail")]
    assert isinstance(rows[0][2], datetime)


def test_open_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "ws.duckdb"
    with Workspace.open(path) as ws:
        assert ws.path == str(path)
        assert ws.counts() == dict.fromkeys(TABLES, 0)
    assert path.is_file()


def test_reopen_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    with Workspace.open(path) as ws:
        ws.save(_result(), "r1")
        before = ws.counts()
    for _ in range(2):
        with Workspace.open(path) as ws:
            assert ws.counts() == before
            rows = ws.con.execute("SELECT version FROM schema_migrations").fetchall()
            assert rows == [(m.version,) for m in available_migrations()]
            assert ws.is_imported(SHA, "r1")


def test_in_memory_workspace() -> None:
    with Workspace.open(":memory:") as ws:
        assert ws.path == ":memory:"
        ws.save(_result(), "r1")
        assert ws.counts()["records"] == 3


def test_newer_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    with Workspace.open(path) as ws:
        ws.con.execute("INSERT INTO schema_migrations VALUES (99, 'future', current_timestamp)")
    with pytest.raises(WorkspaceVersionError) as info:
        Workspace.open(path)
    message = str(info.value)
    assert "99" in message
    assert f"({available_migrations()[-1].version})" in message
    assert "upgrade vigie" in message
    assert "plus récent" in message


def test_failed_migration_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ws.duckdb"
    Workspace.open(path).close()
    latest = available_migrations()[-1].version
    sql = "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;"
    broken = Migration(latest + 1, "broken", sql)
    monkeypatch.setattr(
        migrations_module, "available_migrations", lambda: [*available_migrations(), broken]
    )
    with pytest.raises(duckdb.Error):
        Workspace.open(path)
    monkeypatch.undo()
    with Workspace.open(path) as ws:
        assert current_version(ws.con) == latest
        tables = {
            r[0]
            for r in ws.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert "half" not in tables


def test_new_migration_is_applied_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ws.duckdb"
    Workspace.open(path).close()
    latest = available_migrations()[-1].version
    extra = Migration(latest + 1, "notes", "CREATE TABLE notes (x INTEGER);")
    monkeypatch.setattr(
        migrations_module, "available_migrations", lambda: [*available_migrations(), extra]
    )
    con = duckdb.connect(str(path))
    try:
        assert migrate(con) == [latest + 1]
        assert migrate(con) == []
        rows = con.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        assert rows[-1] == (latest + 1, "notes")
        assert len(rows) == len(available_migrations()) + 1
    finally:
        con.close()


# --- save and load ----------------------------------------------------------------------------


def test_save_then_load_round_trips(workspace: Workspace) -> None:
    original = _result()
    workspace.save(original, "decp-v1-json@1")
    loaded = workspace.load(SHA, original.path)
    assert loaded.path == original.path
    assert loaded.sha256 == SHA
    assert loaded.size == 4321
    assert loaded.format == "decp-v1-json"
    assert loaded.records == original.records
    assert loaded.rejections == original.rejections
    assert loaded.warnings == original.warnings
    assert loaded.records_read == 6


def test_round_trip_keeps_notes_and_their_parameters(workspace: Workspace) -> None:
    workspace.save(_result(), "r1")
    loaded = workspace.load(SHA, "/data/in.zip")
    assert [r.note for r in loaded.rejections] == [
        Note("duplicate", (("of", "/marches/0"),)),
        Note("missing_id", ()),
        Note("not_decp", (("detail", "l'objet « x »"),)),
    ]
    assert loaded.warnings[1].note == Note(
        "cpv_leading_zero", (("raw", "9132100"), ("fixed", "09132100"))
    )
    assert loaded.warnings[1].note.as_dict() == {"raw": "9132100", "fixed": "09132100"}
    assert loaded.rejections[0].excerpt == '{ "id": "x" }'


def test_round_trip_keeps_suppliers_in_order(workspace: Workspace) -> None:
    workspace.save(_result(), "r1")
    first = workspace.load(SHA, "/data/in.zip").records[0]
    assert first.suppliers == (
        Party("33509231800187", "SIRET", "ORACLE FRANCE"),
        Party(None, None, "Société « Ünïcode » & Co"),
        Party("123", "TVA", None),
    )
    assert workspace.load(SHA, "/data/in.zip").records[1].suppliers == ()


def test_round_trip_keeps_record_order_of_a_one_line_file(workspace: Workspace) -> None:
    """Minified JSON: every record is on line 1; /marches/10 must not come before /marches/2."""
    result = ReadResult("/x.json", SHA, 10, "decp-v1-json")
    result.records = [_record(f"/marches/{i}", source="/x.json", line=1) for i in range(12)]
    workspace.save(result, "r1")
    loaded = workspace.load(SHA, "/x.json")
    assert [r.position for r in loaded.records] == [f"/marches/{i}" for i in range(12)]


def test_round_trip_of_the_decp_excerpt(workspace: Workspace, decp_excerpt: Path) -> None:
    original = read_decp(decp_excerpt, str(decp_excerpt))
    workspace.save(original, "r1")
    loaded = workspace.load(original.sha256, str(decp_excerpt))
    assert (len(loaded.records), len(loaded.rejections)) == (13, 3)
    assert loaded.records == original.records
    assert loaded.rejections == original.rejections
    assert loaded.warnings == original.warnings
    assert workspace.counts() == {
        "imports": 1,
        "records": 13,
        "record_suppliers": 13,
        "record_classifications": 13,
        "rejections": 3,
        "warnings": len(original.warnings),
        "runs": 0,
    }
    row = workspace.con.execute(
        "SELECT records_read, records_loaded, records_rejected, size_bytes FROM imports"
    ).fetchone()
    assert row == (16, 13, 3, decp_excerpt.stat().st_size)


def test_round_trip_of_a_record_with_every_optional_field_empty(workspace: Workspace) -> None:
    record = ProcurementRecord(
        source_file="/e.json",
        position="/marches/0",
        line=1,
        record_id="x",
        kind="concession",
        buyer=Party(None, None, None),
        suppliers=(Party(None, None, None),),
        title=None,
        amount=None,
        currency=None,
        date=None,
        cpv=None,
        cpv_raw=None,
        procedure=None,
        content_hash="h",
    )
    result = ReadResult("/e.json", SHA, 1, "decp-v1-json", records=[record])
    workspace.save(result, "r1")
    assert workspace.load(SHA, "/e.json").records == [record]


def test_round_trip_of_every_detail_field(workspace: Workspace) -> None:
    record = ProcurementRecord(
        source_file="/o.jsonl",
        position="line 3",
        line=3,
        record_id="ocds-abc-1",
        kind="contract",
        buyer=Party("GB-GOR-1", "GB-GOR", "Ministry", "gb"),
        suppliers=(Party("1", "GB-COH", "Oracle UK", "gb"), Party(None, None, "Other", None)),
        title="Cloud",
        amount=10.5,
        currency="GBP",
        date="2021-04-01",
        cpv="72000000",
        cpv_raw="72000000-5",
        procedure="open",
        content_hash="h",
        description="Hosting « cloud »",
        classifications=(
            Classification("CPV", "72000000", "IT services"),
            Classification("UNSPSC", "43230000", None),
        ),
        date_time="2021-04-01T10:00:00+01:00",
        category="cloud",
        category_reason="CPV 72000000",
    )
    result = ReadResult("/o.jsonl", SHA, 1, "ocds", records=[record])
    workspace.save(result, "r1")
    assert workspace.load(SHA, "/o.jsonl").records == [record]
    assert workspace.counts()["record_classifications"] == 2


def test_save_empty_result(workspace: Workspace) -> None:
    workspace.save(ReadResult("/empty.json", SHA, 0, "decp-v1-json"), "r1")
    loaded = workspace.load(SHA, "/empty.json")
    assert (loaded.records, loaded.rejections, loaded.warnings) == ([], [], [])
    assert workspace.counts()["imports"] == 1


def test_saving_the_same_file_twice_replaces(workspace: Workspace) -> None:
    workspace.save(_result(), "r1")
    first = workspace.counts()
    assert first == {
        "imports": 1,
        "records": 3,
        "record_suppliers": 4,
        "record_classifications": 0,
        "rejections": 3,
        "warnings": 3,
        "runs": 0,
    }
    workspace.save(_result(), "r1")
    assert workspace.counts() == first
    # A smaller result for the same content replaces every row of the earlier one.
    smaller = _result()
    smaller.records = smaller.records[:1]
    smaller.rejections = []
    smaller.warnings = []
    workspace.save(smaller, "r2")
    assert workspace.counts() == {
        "imports": 1,
        "records": 1,
        "record_suppliers": 3,
        "record_classifications": 0,
        "rejections": 0,
        "warnings": 0,
        "runs": 0,
    }


def test_two_files_are_kept_apart(workspace: Workspace) -> None:
    workspace.save(_result("/a.zip", "aa" * 32), "r1")
    workspace.save(_result("/b.zip", "bb" * 32), "r1")
    assert workspace.counts()["records"] == 6
    assert workspace.load("aa" * 32, "/a.zip").records[0].source_file == "/a.zip!marches.json"
    assert workspace.load("bb" * 32, "/b.zip").records[0].source_file == "/b.zip!marches.json"
    workspace.save(_result("/a.zip", "aa" * 32), "r1")
    assert workspace.counts()["records"] == 6


def test_failed_save_leaves_the_earlier_import(workspace: Workspace) -> None:
    workspace.save(_result(), "r1")
    bad = _result()
    # Two records at the same position of the same file: refused when committing.
    bad.records = [bad.records[0], bad.records[0]]
    with pytest.raises(DuplicatePositionError):
        workspace.save(bad, "r2")
    assert workspace.is_imported(SHA, "r1")
    assert not workspace.is_imported(SHA, "r2")
    assert workspace.counts()["records"] == 3


def test_is_imported_depends_on_content_and_reader_version(workspace: Workspace) -> None:
    assert not workspace.is_imported(SHA, "r1")
    workspace.save(_result(), "r1")
    assert workspace.is_imported(SHA, "r1")
    assert not workspace.is_imported(SHA, "r2")
    assert not workspace.is_imported("cd" * 32, "r1")
    workspace.save(_result(), "r2")  # re-read by a newer reader: replaces
    assert workspace.is_imported(SHA, "r2")
    assert not workspace.is_imported(SHA, "r1")


def test_load_relabels_paths(workspace: Workspace) -> None:
    workspace.save(_result("/old/dir/in.zip"), "r1")
    loaded = workspace.load(SHA, "/new/place/renamed.zip")
    assert loaded.path == "/new/place/renamed.zip"
    assert {r.source_file for r in loaded.records} == {"/new/place/renamed.zip!marches.json"}
    assert [r.source_file for r in loaded.rejections] == [
        "/new/place/renamed.zip!marches.json",
        "/new/place/renamed.zip!marches.json",
        "/new/place/renamed.zip!other.json",
    ]
    assert {w.source_file for w in loaded.warnings} == {"/new/place/renamed.zip!marches.json"}
    # The suppliers follow their record through the relabelling.
    assert loaded.records[0].suppliers[0].name == "ORACLE FRANCE"
    # The stored labels are unchanged.
    assert workspace.load(SHA, "/old/dir/in.zip").records[0].source_file == (
        "/old/dir/in.zip!marches.json"
    )


def test_load_keeps_labels_not_under_the_old_path(workspace: Workspace) -> None:
    result = _result("/a/in.zip")
    result.warnings = [Warning_("elsewhere.json", "(file)", Note("no_buyer"))]
    workspace.save(result, "r1")
    assert workspace.load(SHA, "/b/in.zip").warnings[0].source_file == "elsewhere.json"


def test_load_unknown_content(workspace: Workspace) -> None:
    with pytest.raises(KeyError):
        workspace.load("ff" * 32, "/x.json")


# --- runs and counts --------------------------------------------------------------------------


def test_record_run(workspace: Workspace) -> None:
    inputs = [{"path": "/data/in.zip", "sha256": SHA}, {"path": "/data/é.json", "sha256": "c" * 64}]
    workspace.record_run(RunRecord("run-1", "0.1.0", "kbv", inputs, "/out", 7))
    workspace.record_run(RunRecord("run-2", "0.1.0", "kbv", [], "/out2", 0))
    assert workspace.counts()["runs"] == 2
    rows = workspace.con.execute(
        "SELECT run_id, vigie_version, kb_version, inputs, outdir, findings, started_at "
        "FROM runs ORDER BY run_id"
    ).fetchall()
    assert [r[:3] for r in rows] == [("run-1", "0.1.0", "kbv"), ("run-2", "0.1.0", "kbv")]
    assert json.loads(rows[0][3]) == inputs
    assert json.loads(rows[1][3]) == []
    assert [(r[4], r[5]) for r in rows] == [("/out", 7), ("/out2", 0)]
    assert all(isinstance(r[6], datetime) for r in rows)


def test_run_ids_are_unique(workspace: Workspace) -> None:
    workspace.record_run(RunRecord("run-1", "0.1.0", "kbv", [], "/out", 0))
    with pytest.raises(duckdb.Error):
        workspace.record_run(RunRecord("run-1", "0.1.0", "kbv", [], "/out", 0))


def test_counts_of_a_new_workspace(workspace: Workspace) -> None:
    assert workspace.counts() == dict.fromkeys(TABLES, 0)
    assert list(workspace.counts()) == list(TABLES)


def test_records_survive_the_migration_that_drops_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace written before migration 5 keeps its records, suppliers and codes."""
    path = tmp_path / "old.duckdb"
    older = [m for m in available_migrations() if m.version < 5]
    monkeypatch.setattr(migrations_module, "available_migrations", lambda: older)
    with Workspace.open(path) as old:
        old.con.execute(
            "INSERT INTO records (file_sha256, source_file, position, record_id, kind, "
            "content_hash, amount) VALUES (?, '/a.json', '/marches/0', 'r1', 'contract', 'h', 5)",
            [SHA],
        )
        old.con.execute(
            "INSERT INTO record_suppliers (file_sha256, source_file, position, idx, "
            "supplier_name) VALUES (?, '/a.json', '/marches/0', 0, 'ACME')",
            [SHA],
        )
    monkeypatch.undo()
    with Workspace.open(path) as new:
        assert current_version(new.con) >= 5
        rows = new.con.execute(
            "SELECT r.record_id, r.amount, s.supplier_name FROM records r "
            "JOIN record_suppliers s USING (file_sha256, source_file, position)"
        ).fetchall()
        assert rows == [("r1", 5.0, "ACME")]


def test_note_parameters_are_read_back_whatever_json_they_hold() -> None:
    from vigie.store.workspace import _note

    assert _note("c", '{"n": 2, "text": "é"}').as_dict() == {"n": 2, "text": "é"}
    huge = 123456789012345678901234567890  # beyond orjson's integers: the standard parser
    assert _note("c", f'{{"n": {huge}}}').as_dict() == {"n": huge}
    assert math.isnan(_note("c", '{"x": NaN}').as_dict()["x"])


def test_note_parameters_that_orjson_refuses_are_stored_and_read_back() -> None:
    from vigie.store.inserts import params_json
    from vigie.store.workspace import _note

    huge = 123456789012345678901234567890
    for values in ({"n": huge}, {"t": "é « x »", "n": "3"}, {}):
        assert _note("c", params_json(values)).as_dict() == values
    # a lone surrogate cannot be stored as UTF-8: it is replaced
    assert _note("c", params_json({"t": "a\ud800b"})).as_dict() == {"t": "a\ufffdb"}
