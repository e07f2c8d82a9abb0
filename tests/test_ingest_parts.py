"""Reading a JSON-lines file in parts (several processes) gives what reading it whole gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigie import ingest_parts
from vigie.cli import app
from vigie.ingest_worker import ORPHANED_EXIT, PartJob
from vigie.pipeline import import_file
from vigie.sources import Limits, files
from vigie.sources.files import HashStoppedError
from vigie.sources.ocds import stream_ocds
from vigie.sources.ocds_stream import Batch
from vigie.sources.parts import Part
from vigie.sources.registry import ReaderSpec, reader_named
from vigie.store import ImportInfo, Workspace

OCDS = Path(__file__).parent / "fixtures" / "ocds"
SAMPLES = sorted(p.name for p in OCDS.glob("*release*.json"))


def _releases() -> list[dict[str, Any]]:
    found = []
    for name in SAMPLES:
        value = json.loads((OCDS / name).read_text(encoding="utf-8"))
        found.extend(value.get("releases", [value]) if isinstance(value, dict) else value)
    return [r for r in found if isinstance(r, dict) and "ocid" in r]


def _release(ocid: Any, rid: str, date: str, amount: int) -> dict[str, Any]:
    award = {"id": "A", "value": {"amount": amount, "currency": "EUR"}, "suppliers": []}
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["award"], "awards": [award]}


def _hostile_lines() -> list[bytes]:
    """Lines of every kind a reader meets: merges across lines, packages mixing processes,
    broken JSON, bad UTF-8, a number as ocid, a blank ocid, a non-object, a linked record."""
    values: list[Any] = []
    for index, release in enumerate(_releases()):
        values.append(release)
        if index % 2 == 0:
            later = dict(release, id=f"{release.get('id')}-later", date="2030-01-01T00:00:00Z")
            values.append(later)
    cancelled = [{"id": "C", "status": "cancelled", "value": {"amount": 1, "currency": "EUR"}}]
    values += [  # warnings given when a process completes, not where its latest release is
        # (ocds-a and ocds-d fall in different parts of 2)
        {"ocid": "ocds-a", "id": "2", "date": "2021-01-01", "awards": cancelled},
        {"ocid": "ocds-d", "id": "1", "date": "2020-06-01", "awards": cancelled},
        {"ocid": "ocds-a", "id": "1", "date": "2020-01-01", "awards": cancelled},
    ]
    values += [
        {"uri": "u", "releases": [_release("ocds-m", "1", "2020-01-01", 1)]},
        _release("ocds-m", "2", "2020-02-01", 2),
        {"releases": [_release("ocds-x", "1", "2020", 3), _release("ocds-y", "1", "2020", 4)]},
        _release(12345, "1", "2020-01-01", 5),
        _release("   ", "1", "2020-01-01", 6),
        [1, 2],
        {"ocid": "ocds-r", "releases": [{"url": "http://example.org/r.json"}]},
    ]
    lines = [json.dumps(v, ensure_ascii=False).encode("utf-8") for v in values]
    lines.insert(3, b'{"ocid": "ocds-broken", "id": ')
    # bytes that are not UTF-8 in both parts of 2 (ocds-latin in part 0, ocds-latin-2 in 1):
    # the file-level count of repaired bytes is their sum
    for at, ocid in ((5, "ocds-latin"), (9, "ocds-latin-2")):
        lines.insert(at, json.dumps(_release(ocid, "1", "2020", 7)).encode().replace(
            b'"A"', b'"A\xe9\xe8"'
        ))  # fmt: skip
    lines.insert(7, b"")
    return lines


def _mixed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hostile lines in a file read in parts whatever its size."""
    monkeypatch.setattr(ingest_parts, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(_hostile_lines()) + b"\n")
    return path


def _ocds_reading_parts_with(stream_part: Any) -> ReaderSpec:
    """The OCDS reader with another function reading each part."""
    spec = reader_named("ocds")
    return type(spec)(
        **{**{f: getattr(spec, f) for f in spec.__slots__}, "stream_part": stream_part}
    )


def _parts(path: Path, count: int) -> tuple[int, Batch]:
    """Read every part of ``path``; return the units read and all that the parts gave."""
    total = Batch()
    units = 0
    for index in range(count):
        summary = stream_ocds(path, str(path), Limits(), _into(total), None, Part(index, count))
        units += summary.units_read
    return units, total


def _into(total: Batch) -> Any:
    def collect(batch: Batch) -> None:
        total.records.extend(batch.records)
        total.rejections.extend(batch.rejections)
        total.warnings.extend(batch.warnings)

    return collect


def _file_level_summed(batch: Batch) -> Counter[Any]:
    """Warnings as a multiset, file-level counts of the same code added up (as when stored)."""
    found: Counter[Any] = Counter()
    summed: Counter[str] = Counter()
    for warning in batch.warnings:
        params = dict(warning.note.params)
        if warning.position == "(file)":
            summed[warning.note.code] += int(params.get("n", 0))
        else:
            found[(warning.position, warning.note.code, tuple(sorted(params.items())))] += 1
    for code, n in summed.items():
        found[("(file)", code, n)] += 1
    return found


def _same(path: Path, count: int) -> None:
    whole = Batch()
    summary = stream_ocds(path, str(path), Limits(), _into(whole))
    units, parts = _parts(path, count)
    assert units == summary.units_read
    assert sorted(parts.records, key=_key) == sorted(whole.records, key=_key)
    assert Counter(parts.rejections) == Counter(whole.rejections)
    assert _file_level_summed(parts) == _file_level_summed(whole)


def _key(record: Any) -> tuple[str, str]:
    return (record.source_file, record.position)


@pytest.mark.parametrize("count", [2, 3, 5])
def test_parts_together_give_the_whole_file(tmp_path: Path, count: int) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(_hostile_lines()) + b"\n")
    whole = Batch()
    summary = stream_ocds(path, str(path), Limits(), _into(whole))
    assert whole.rejections and whole.warnings and len(whole.records) > 10
    assert summary.rejections == len(whole.rejections)
    _same(path, count)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(list(range(20))),
    count=st.integers(min_value=2, max_value=4),
)
def test_parts_agree_with_the_whole_in_any_line_order(
    tmp_path: Path, order: list[int], count: int
) -> None:
    lines = _hostile_lines()
    chosen = [lines[i % len(lines)] for i in order]
    path = tmp_path / "shuffled.jsonl"
    path.write_bytes(b"\n".join(chosen) + b"\n")
    _same(path, count)


def test_a_part_is_only_for_json_lines(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JSON-lines"):
        stream_ocds(OCDS / "uk-release.json", "x", Limits(), lambda b: None, None, Part(0, 2))
    with pytest.raises(ValueError):
        Part(2, 2)


def _table(ws: Workspace, table: str, order: str) -> list[tuple[Any, ...]]:
    return ws.con.execute(
        f"SELECT * EXCLUDE (file_sha256) FROM {table} ORDER BY {order}"
    ).fetchall()


def test_import_in_processes_stores_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the pipeline: two worker processes, then one transaction, same workspace rows
    (rejections and warnings in the same order), imported once (idempotent)."""
    path = _mixed_file(tmp_path, monkeypatch)
    spec = reader_named("ocds")
    stores = []
    for workers in (1, 2):
        ws = Workspace.open(tmp_path / f"w{workers}.duckdb")
        import_file(path, spec, ws, Limits(), workers=workers)
        import_file(path, spec, ws, Limits(), workers=workers)  # already there: no change
        stores.append(ws)
    serial, parallel = stores
    assert ingest_parts.can_split(spec, path, 2)
    for table, order in (
        ("records", "source_file, position"),
        ("record_suppliers", "source_file, position, idx"),
        ("record_classifications", "source_file, position, idx"),
        ("rejections", "seq"),
        ("warnings", "seq"),
    ):
        assert _table(parallel, table, order) == _table(serial, table, order), table
    counts = "SELECT records_read, records_loaded, records_rejected FROM imports"
    assert parallel.con.execute(counts).fetchall() == serial.con.execute(counts).fetchall()
    assert parallel.counts() == serial.counts()
    assert not list(tmp_path.glob("vigie-parts-*"))  # the part files are removed
    order = "SELECT current_setting('preserve_insertion_order')"
    assert parallel.con.execute(order).fetchone() == (True,)  # restored after the copy
    assert not list((tmp_path).glob("**/first-pass"))


@pytest.mark.parametrize(
    ("stream_part", "reason"),
    [("_fail", "no such thing"), ("_end_quietly", "exit 0")],  # raising, or silent
)
def test_a_failing_part_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream_part: str, reason: str
) -> None:
    path = _mixed_file(tmp_path, monkeypatch)
    broken = _ocds_reading_parts_with(globals()[stream_part])
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        with pytest.raises(ingest_parts.PartFailedError, match=reason):
            import_file(path, broken, ws, Limits(), workers=2)
        assert ws.counts()["records"] == 0
        assert ws.imports() == []


def _fail(*args: Any) -> Any:
    raise FileNotFoundError("no such thing")


def _fail_later(*args: Any) -> Any:
    time.sleep(5)
    raise FileNotFoundError("read again")


def test_content_already_imported_stops_the_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is hashed while the parts read: content imported before (here by one process)
    stops them, and the workspace is left as it was."""
    path = _mixed_file(tmp_path, monkeypatch)
    spec, slow = reader_named("ocds"), _ocds_reading_parts_with(_fail_later)
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        sha = import_file(path, spec, ws, Limits(), workers=1)
        before = ws.con.execute("SELECT * FROM imports").fetchall(), ws.counts()
        assert import_file(path, slow, ws, Limits(), workers=2) == sha  # no PartFailedError
        assert (ws.con.execute("SELECT * FROM imports").fetchall(), ws.counts()) == before
    assert not list(tmp_path.glob("vigie-parts-*"))


def test_a_failing_part_stops_the_hashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A part that fails (or an interruption) does not wait for the file to be hashed: the
    hash is stopped (here a hash that would take 30 s records how it ended)."""
    path = _mixed_file(tmp_path, monkeypatch)
    ended: list[str] = []

    def slow_hash(target: Path, stop: threading.Event | None = None) -> str:
        assert stop is not None
        ended.append("stopped" if stop.wait(30) else "ran out")
        raise HashStoppedError(str(target))

    monkeypatch.setattr(files, "sha256_file", slow_hash)
    broken = _ocds_reading_parts_with(_fail)
    with (
        Workspace.open(tmp_path / "w.duckdb") as ws,
        pytest.raises(ingest_parts.PartFailedError, match="no such thing"),
    ):
        import_file(path, broken, ws, Limits(), workers=2)
    assert ended == ["stopped"]


def test_a_module_in_the_current_folder_does_not_shadow_the_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts do not put the current folder on their import path, even when the caller
    has it (``''``, as in a notebook): a ``json.py``, ``msgspec.py`` or ``vigie`` folder there
    does not break them."""
    path = _mixed_file(tmp_path, monkeypatch)
    for name in ("json.py", "msgspec.py"):
        (tmp_path / name).write_text("raise ImportError('shadowed')\n", encoding="utf-8")
    (tmp_path / "vigie").mkdir()
    (tmp_path / "vigie" / "__init__.py").write_text("raise ImportError('shadowed')\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend("")
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        import_file(path, reader_named("ocds"), ws, Limits(), workers=2)
        assert ws.counts()["records"] > 0


def _sleep_long(*args: Any) -> Any:
    pids = os.environ.get("VIGIE_TEST_PIDS")
    if pids:
        with open(pids, "a", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
    time.sleep(60)
    raise TimeoutError("slept a minute")


def test_a_worker_ends_when_its_caller_ends(tmp_path: Path) -> None:
    """The worker's standard input is a pipe from the caller: closed (as when the caller is
    killed), it ends the worker at once, whatever it was doing."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(_hostile_lines()) + b"\n")
    info = ImportInfo("(part)", str(path), "ocds", 1, "ocds@test")
    job = PartJob(_sleep_long, path, str(path), Limits(), Part(0, 2), tmp_path / "p.duckdb", info)
    worker = ingest_parts._start(job, tmp_path)
    assert worker.process.stdin is not None
    time.sleep(1)
    worker.process.stdin.close()
    try:
        code = worker.process.wait(30)
    finally:
        worker.stop()
    assert code == ORPHANED_EXIT


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_a_terminated_caller_stops_its_parts_and_removes_their_files(tmp_path: Path) -> None:
    """SIGTERM while the parts read: the caller stops them, removes their files and ends."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(_hostile_lines()) + b"\n")
    pids = tmp_path / "pids.txt"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from pathlib import Path; import test_ingest_parts as t; "
        "from vigie import ingest_parts; from vigie.pipeline import import_file; "
        "from vigie.sources import Limits; from vigie.store import Workspace; "
        "ingest_parts.PARALLEL_MIN_BYTES = 0; "
        "ws = Workspace.open(Path(sys.argv[2]) / 'w.duckdb'); "
        "import_file(Path(sys.argv[3]), t._ocds_reading_parts_with(t._sleep_long), ws, "
        "Limits(), workers=2)"
    )
    env = {**os.environ, "VIGIE_TEST_PIDS": str(pids)}
    command = [sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path), str(path)]
    caller = subprocess.Popen(command, env=env)
    try:
        for _ in range(600):  # until both parts are reading
            if pids.exists() and len(pids.read_text().split()) == 2:
                break
            time.sleep(0.1)
        caller.send_signal(signal.SIGTERM)
        assert caller.wait(60) == 128 + signal.SIGTERM
    finally:
        caller.kill()
    for pid in map(int, pids.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not list(tmp_path.glob("vigie-parts-*"))


@pytest.mark.skipif(os.name != "posix", reason="process ids checked on POSIX only")
def test_part_folders_of_runs_killed_outright_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed outright (SIGKILL) leaves its folder of part files; the next run beside
    the same workspace removes it, and only such folders (their process is gone)."""
    path = _mixed_file(tmp_path, monkeypatch)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    stale = tmp_path / f"vigie-parts-{ended.pid}-abc"
    kept = [tmp_path / f"vigie-parts-{os.getpid()}-abc", tmp_path / "vigie-parts-notes"]
    for folder in (stale, *kept):
        folder.mkdir()
        (folder / "part0.duckdb").write_bytes(b"x")
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        import_file(path, reader_named("ocds"), ws, Limits(), workers=2)
    assert not stale.exists()
    assert all(folder.exists() for folder in kept)


def _end_quietly(*args: Any) -> Any:
    os._exit(0)  # a process that ends without a word


def test_small_files_and_other_shapes_are_read_in_one_process(tmp_path: Path) -> None:
    spec = reader_named("ocds")
    path = tmp_path / "small.jsonl"
    path.write_bytes(b"\n".join(_hostile_lines()) + b"\n")
    assert not ingest_parts.can_split(spec, path, 2)  # under PARALLEL_MIN_BYTES
    assert not ingest_parts.can_split(spec, path, 1)
    assert not ingest_parts.can_split(reader_named("decp-v1-json"), path, 2)
    assert ingest_parts.default_workers() >= 1


def test_screen_with_workers_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vigie screen --workers 2`` reads a large JSON-lines file in two processes and reports
    the same counts and outputs as ``--workers 1``."""
    path = _mixed_file(tmp_path, monkeypatch)
    summaries = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        result = CliRunner().invoke(
            app,
            [
                "screen",
                str(path),
                "-o",
                str(out),
                "--workspace",
                str(tmp_path / f"w{workers}.duckdb"),
                "--workers",
                workers,
            ],
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        summaries.append(summary)
        assert (out / "rejected.csv").read_text(encoding="utf-8").count("\n") > 1
    keys = ("records_read", "records_loaded", "records_rejected", "findings")
    assert [summaries[1][k] for k in keys] == [summaries[0][k] for k in keys]
    rejected = [(tmp_path / f"out{w}" / "rejected.csv").read_text("utf-8") for w in "12"]
    assert rejected[0] == rejected[1]
    bad = CliRunner().invoke(app, ["screen", str(path), "-o", str(tmp_path), "--workers", "0"])
    assert bad.exit_code == 2


def test_a_failing_copy_of_the_parts_reports_its_own_error_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """The copy runs with DuckDB's insertion order free; when it fails (here a part file of
    another shape), that error is raised, not one about the aborted transaction, and the
    workspace is left as it was, setting included."""
    import duckdb

    from vigie.store.parts import PART_SHA256, import_parts

    part = tmp_path / "part0.duckdb"
    with Workspace.open(part) as part_ws:
        part_ws.con.execute("ALTER TABLE records DROP COLUMN title")
    info = ImportInfo("f" * 64, "x.jsonl", "ocds", 1, "ocds@2")
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        with pytest.raises(duckdb.Error) as raised:
            import_parts(ws, info, [part], 0)
        assert not isinstance(raised.value, duckdb.TransactionException)
        assert "title" in str(raised.value)
        order = "SELECT current_setting('preserve_insertion_order')"
        assert ws.con.execute(order).fetchone() == (True,)
        assert not ws.is_imported(info.sha256, info.reader_version)
        assert ws.counts()["records"] == 0
        assert PART_SHA256 not in {sha for sha, _ in ws.imports()}


def _stream_then_append(path: Path, *args: Any, **kwargs: Any) -> Any:
    """Read as the OCDS reader does, then append a line to the file (as a publisher still
    writing it would)."""
    summary = stream_ocds(path, *args, **kwargs)
    with path.open("ab") as handle:
        handle.write(b"\n")
    return summary


def _read_then_append(path: Path, *args: Any, **kwargs: Any) -> Any:
    from vigie.sources.decp import read_decp

    result = read_decp(path, *args, **kwargs)
    with path.open("ab") as handle:
        handle.write(b"\n")
    return result


@pytest.mark.parametrize("how", ["stream", "parts", "read"])
def test_a_file_that_changes_while_read_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """What was read may mix two versions of the file and does not match its hash: the
    import fails with FileChangedError and the workspace is left as it was."""
    from vigie.sources.files import FileChangedError

    if how == "read":
        path = tmp_path / "decp.json"
        path.write_bytes((Path(__file__).parent / "fixtures/decp-2019/excerpt.json").read_bytes())
        spec = reader_named("decp-v1-json")
        spec = type(spec)(
            **{**{f: getattr(spec, f) for f in spec.__slots__}, "read": _read_then_append}
        )
        workers = 1
    else:
        path = _mixed_file(tmp_path, monkeypatch)
        field = "stream" if how == "stream" else "stream_part"
        spec = reader_named("ocds")
        spec = type(spec)(
            **{**{f: getattr(spec, f) for f in spec.__slots__}, field: _stream_then_append}
        )
        workers = 1 if how == "stream" else 2
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        with pytest.raises(FileChangedError, match="changed while it was read"):
            import_file(path, spec, ws, Limits(), workers=workers)
        assert ws.imports() == []
        assert all(n == 0 for n in ws.counts().values())
    assert not list(tmp_path.glob("vigie-parts-*"))


def test_a_file_rewritten_with_its_size_and_modification_time_kept_is_seen_changed(
    tmp_path: Path,
) -> None:
    """As ``cp -p`` over it would: same size, same modification time, other bytes."""
    from vigie.sources.files import FileChangedError, FileSignature

    path = tmp_path / "f.json"
    path.write_bytes(b"[1, 2, 3]")
    before = path.stat()
    signature = FileSignature(path)
    signature.check()  # unchanged: nothing raised
    time.sleep(0.02)
    path.write_bytes(b"[4, 5, 6]")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(FileChangedError):
        signature.check()
