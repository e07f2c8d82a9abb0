"""Text that cannot be stored as UTF-8 (lone surrogates) comes in three ways: a JSON escape
such as ``\\ud800`` in a value read as is, a file name whose bytes are not valid in the file
system's encoding, and a tar member's name. Each is stored with U+FFFD in its place: the
import goes through, counts reconcile, and nothing crashes."""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vigie.cli import app
from vigie.pipeline import ingest
from vigie.sources import Limits
from vigie.sources.records import Note
from vigie.store import Workspace
from vigie.store.inserts import params_json
from vigie.store.workspace import _note

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
_RELEASE = (
    '{"ocid": "ocds-\\ud800x", "id": "1", "date": "2020-01-01", "tag": ["award"], '
    '"awards": [{"id": "A", "value": {"amount": 1, "currency": "\\udc00EUR"}}]}'
)


def _reconciled(results: list) -> None:  # type: ignore[type-arg]
    for result in results:
        assert result.records_read == result.records_loaded + result.records_rejected


def test_an_ocid_with_a_lone_surrogate_is_stored_with_a_replacement(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(_RELEASE + "\n" + _RELEASE.replace('"1"', '"2"') + "\n", encoding="utf-8")
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest([path], ws, Limits())
        _reconciled(results)
        (record,) = results[0].records  # both releases merged into one process
        assert record.process_id == "ocds-\ufffdx"
        assert "\ufffd" in record.record_id
        for warning in results[0].warnings:  # the unknown currency's note, readable
            assert all("\ud800" not in str(v) for _, v in warning.note.params)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_a_file_name_that_is_not_utf8_is_shown_with_a_replacement(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"march\xe9s.json")  # Latin-1 bytes in a UTF-8 file system
    try:
        (folder / name).write_bytes((FIXTURES / "ocds" / "colombia-release.json").read_bytes())
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses this name")
    out = tmp_path / "out"
    args = ["screen", str(folder), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    (shown,) = [f["path"] for f in summary["files"]]
    assert shown.endswith("march\ufffds.json")
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]


def test_a_tar_member_name_that_is_not_utf8_is_shown_with_a_replacement(tmp_path: Path) -> None:
    notice = sorted((FIXTURES / "ted").rglob("*.xml"))[0].read_bytes()
    path = tmp_path / "notices.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT, encoding="latin-1") as archive:
        info = tarfile.TarInfo("avis-\xe9t\xe9.xml")  # written as Latin-1 bytes
        info.size = len(notice)
        archive.addfile(info, io.BytesIO(notice))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest([path], ws, Limits())
    _reconciled(results)
    labels = {r.source_file for r in results[0].records} | {
        r.source_file for r in results[0].rejections
    }
    assert labels and all("\ufffd" in label for label in labels)


def test_note_parameters_with_lone_surrogates_are_stored_with_replacements() -> None:
    stored = params_json(Note.of("c", value="a\ud800b", n=3).as_dict())
    assert _note("c", stored).as_dict() == {"value": "a\ufffdb", "n": "3"}


def test_an_ocid_with_a_lone_surrogate_read_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts share their first pass through files: an ocid that is not valid UTF-8 text
    goes through too, and the parts store what one process stores."""
    from vigie import ingest_parts

    monkeypatch.setattr(ingest_parts, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "r.jsonl"
    lines = [_RELEASE.replace("ocds-", f"ocds-{n}-") for n in range(6)] + [_RELEASE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = []
    for workers in (1, 2):
        with Workspace.open(tmp_path / f"w{workers}.duckdb") as ws:
            (result,) = ingest([path], ws, Limits(), workers=workers)
            _reconciled([result])
            found.append(sorted((r.position, r.process_id) for r in result.records))
    assert found[0] == found[1] and len(found[0]) == 7


def _mapping_with(tmp_path: Path, encoding_line: str) -> Path:
    """The fixture's column mapping, written to ``map.yaml`` with another encoding line."""
    mapping = (FIXTURES / "tabular" / "mapping.yaml").read_text("utf-8")
    lines = mapping.splitlines()
    written = [encoding_line if line.startswith("encoding:") else line for line in lines]
    assert encoding_line in written
    (tmp_path / "map.yaml").write_text("\n".join(written), encoding="utf-8")
    return tmp_path / "map.yaml"


def _award_line(ocid: str, rid: str, date: str, amount: int, currency: str = "EUR") -> str:
    award = {"id": "A1", "value": {"amount": amount, "currency": "CUR"}, "suppliers": []}
    award["suppliers"] = [{"name": "Oracle France"}]
    line = json.dumps(
        {"ocid": "OCID", "id": rid, "date": date, "tag": ["award"], "awards": [award]}
    )
    return line.replace('"OCID"', json.dumps(ocid)).replace('"CUR"', json.dumps(currency)) + "\n"


def _merged(paths: list[Path], tmp_path: Path) -> list:  # type: ignore[type-arg]
    from vigie.pipeline import merge_across_files

    with Workspace.open(tmp_path / "w.duckdb") as ws:
        results = ingest(paths, ws, Limits())
        _reconciled(results)
        return merge_across_files(results, ws, Limits())


@pytest.mark.parametrize("ocid", ["ocds-x", "ocds-\ud800x"])
def test_a_process_in_two_files_is_merged_whatever_its_ocid(tmp_path: Path, ocid: str) -> None:
    """Its stored ocid (U+FFFD for the surrogate) is the one files are read again for."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_award_line(ocid, "1", "2020-01-01T00:00:00Z", 100), encoding="utf-8")
    second.write_text(_award_line(ocid, "2", "2021-01-01T00:00:00Z", 250), encoding="utf-8")
    merged = _merged([first, second], tmp_path)
    records = [r for result in merged for r in result.records]
    assert [r.amount for r in records] == [250.0]
    codes = {w.note.code for result in merged for w in result.warnings}
    assert "ocds_merged_across_files" in codes and "ocds_merge_unavailable" not in codes


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_a_file_named_in_another_encoding_is_read_again_to_merge(tmp_path: Path) -> None:
    """Its label shows U+FFFD, but the file read again is the file itself."""
    first = tmp_path / os.fsdecode(b"a\xe9.jsonl")
    second = tmp_path / "b.jsonl"
    try:
        first.write_text(_award_line("ocds-x", "1", "2020-01-01T00:00:00Z", 100), "utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses this name")
    second.write_text(_award_line("ocds-x", "2", "2021-01-01T00:00:00Z", 250), "utf-8")
    merged = _merged([first, second], tmp_path)
    assert [r.amount for result in merged for r in result.records] == [250.0]
    codes = {w.note.code for result in merged for w in result.warnings}
    assert "ocds_merge_unavailable" not in codes


def test_notes_never_hold_lone_surrogates(tmp_path: Path) -> None:
    """A note may quote what a file holds (an unknown currency): it is made storable when
    made, so that notes given after storing (merging across files) can be written too."""
    assert Note.of("currency_unknown", value="\ud800EUR").params == (("value", "\ufffdEUR"),)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_award_line("ocds-x", "1", "2020-01-01T00:00:00Z", 100), encoding="utf-8")
    second.write_text(
        _award_line("ocds-x", "2", "2021-01-01T00:00:00Z", 250, "\ud800EUR"), encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["screen", str(first), str(second), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "\ufffdEUR" in (out / "warnings.csv").read_text("utf-8")


@pytest.mark.parametrize("names", [("avis-\xe9.xml", "avis-\xe8.xml"), ("avis.xml", "avis.xml")])
def test_tar_members_shown_alike_keep_positions_of_their_own(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    """Two members of one name, or of names that differ only in bytes not valid UTF-8 (both
    shown with U+FFFD), holding the same notice: the second is labelled ``#2``."""
    notice = (FIXTURES / "ted" / "ted-xml" / "18-412273-001-EXP.xml").read_bytes()
    path = tmp_path / "notices.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT, encoding="latin-1") as archive:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = len(notice)
            archive.addfile(info, io.BytesIO(notice))
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        (result,) = ingest([path], ws, Limits())
    _reconciled([result])
    labels = sorted({r.source_file.rsplit("!", 1)[1] for r in result.records})
    assert len(labels) == 2 and labels[1] == labels[0] + "#2"


@pytest.mark.parametrize("encoding", ["utf-7", "unicode_escape"])
def test_a_csv_encoding_that_gives_lone_surrogates(tmp_path: Path, encoding: str) -> None:
    """Some codecs a mapping may name decode to lone surrogates (UTF-7 ``+2AA-``, the escape
    ``\\ud800``): they are lost characters, counted, and the file is read."""
    mapping = _mapping_with(tmp_path, f"encoding: {encoding}")
    lone = b"+2AA-" if encoding == "utf-7" else b"\\ud800"
    rows = (FIXTURES / "tabular" / "contracts.csv").read_text("utf-8").splitlines()
    text = "\n".join([*rows[:3], rows[2].replace("Commune", "CommuneLONE", 1), ""])
    csv = tmp_path / "r.csv"
    csv.write_bytes(text.encode(encoding).replace(b"LONE", lone))
    out = tmp_path / "out"
    args = ["screen", str(csv), "--mapping", str(mapping), "-o", str(out)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]
    assert "lost_characters" in (out / "warnings.csv").read_text("utf-8")


def test_a_mapping_naming_a_codec_that_is_not_a_text_encoding_is_refused(
    tmp_path: Path,
) -> None:
    from vigie.sources.tabular_mapping import MappingError, load_mapping

    with pytest.raises(MappingError, match=r"rot13.* not a text encoding"):
        load_mapping(_mapping_with(tmp_path, "encoding: rot13"))


def test_a_failed_insert_raises_its_own_error(tmp_path: Path) -> None:
    """Not the error of unregistering its batch in the transaction it aborted."""
    import duckdb

    from vigie.store.inserts import TableWriter

    with Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.con.execute("BEGIN TRANSACTION")
        with pytest.raises(duckdb.Error) as raised:
            TableWriter(ws.con).insert_columns("records", {"line": ["not a number"]})
        ws.con.execute("ROLLBACK")
    assert not isinstance(raised.value, duckdb.TransactionException)
    assert "not a number" in str(raised.value)


def _odd_folder(tmp_path: Path) -> Path:
    folder = tmp_path / os.fsdecode(b"dir\xe9")
    try:
        folder.mkdir()
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses this name")
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_paths_given_that_are_not_utf8(tmp_path: Path) -> None:
    """An output folder is used (and recorded with U+FFFD); a workspace or a SIRENE extract
    DuckDB cannot open is a clear error (exit 2), not a traceback."""
    folder = _odd_folder(tmp_path)
    release = str(FIXTURES / "ocds" / "colombia-release.json")
    workspace = ["-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, ["screen", release, "-o", str(folder / "out"), *workspace])
    assert result.exit_code == 0, result.output
    assert (folder / "out" / "summary.json").is_file()

    result = runner.invoke(
        app, ["screen", release, "-o", str(tmp_path / "o2"), "-w", str(folder / "w.duckdb")]
    )
    assert result.exit_code == 2, result.output
    assert "UTF-8" in result.output and "Traceback" not in result.output

    stock = folder / "stock.csv"
    extract = next((FIXTURES / "sirene").glob("*.csv"))
    stock.write_bytes(extract.read_bytes())
    decp2 = next((FIXTURES / "decp-v2").glob("*.json"))
    args = ["screen", str(decp2), "--sirene", str(stock), "-o", str(tmp_path / "o3")]
    result = runner.invoke(app, [*args, *workspace])
    assert result.exit_code == 2, result.output
    assert "UTF-8" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("escaped", "raw"), [("\\u001b", "\x1b"), ("\\uffff\\ufffe", "\uffff")])
def test_characters_xml_refuses_in_a_matched_record_go_to_the_spreadsheet(
    tmp_path: Path, escaped: str, raw: str
) -> None:
    """XML (so XLSX) cannot hold most control characters, nor U+FFFE and U+FFFF: the
    decisions sheet shows them as U+FFFD instead of failing (and the report after it is
    written)."""
    from openpyxl import load_workbook

    line = _award_line("ocds-x", "1", "2020-01-01T00:00:00Z", 100).replace(
        "Oracle France", "Oracle France" + escaped
    )
    path = tmp_path / "r.jsonl"
    path.write_text(line, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["screen", str(path), "-o", str(out), "-w", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    sheet = load_workbook(out / "decisions.xlsx").active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert len(list(sheet.iter_rows())) > 1
    assert not any(raw in cell for cell in cells)


@pytest.mark.parametrize("encoding", ["punycode", "idna"])
def test_a_mapping_naming_a_codec_that_refuses_some_bytes_is_refused(
    tmp_path: Path, encoding: str
) -> None:
    from vigie.sources.tabular_mapping import MappingError, load_mapping

    with pytest.raises(MappingError, match=r"cannot decode every file"):
        load_mapping(_mapping_with(tmp_path, f"encoding: {encoding}"))


def test_a_codec_that_still_refuses_the_file_falls_back_with_a_warning(tmp_path: Path) -> None:
    """Should a codec past the mapping's check refuse a file, it is read as UTF-8 (stray
    bytes as Windows-1252) with the warning ``tabular_encoding_failed``, not a crash."""
    from vigie.sources.tabular import read_tabular
    from vigie.sources.tabular_mapping import load_mapping

    checked = load_mapping(FIXTURES / "tabular" / "mapping.yaml")
    mapping = checked.model_copy(update={"encoding": "idna"})  # past the check
    path = tmp_path / "r.csv"
    path.write_bytes((FIXTURES / "tabular" / "contracts.csv").read_bytes())
    result = read_tabular(path, mapping)
    assert result.records_read == result.records_loaded + result.records_rejected
    assert result.records
    assert "tabular_encoding_failed" in {w.note.code for w in result.warnings}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_report_run_reads_again_files_named_in_another_encoding(tmp_path: Path) -> None:
    """`vigie report run` works from the workspace: where such a file is, is kept there
    (its label names no file), so a process in two of them is merged there too."""
    folder = _odd_folder(tmp_path)
    first = folder / os.fsdecode(b"a\xff.jsonl")
    second = folder / os.fsdecode(b"b\xfe.jsonl")
    first.write_text(_award_line("ocds-x", "1", "2020-01-01T00:00:00Z", 100), "utf-8")
    second.write_text(_award_line("ocds-x", "2", "2021-01-01T00:00:00Z", 250), "utf-8")
    workspace = str(tmp_path / "w.duckdb")
    outputs = []
    for args in (["screen", str(folder)], ["report", "run"]):
        out = tmp_path / f"out{len(outputs)}"
        result = runner.invoke(app, [*args, "-o", str(out), "-w", workspace])
        assert result.exit_code == 0, result.output
        outputs.append(out)
    for out in outputs:
        warnings = (out / "warnings.csv").read_text("utf-8")
        assert "ocds_merge_unavailable" not in warnings
        assert "ocds_merged_across_files" in warnings
        summary = json.loads((out / "summary.json").read_text("utf-8"))
        assert sum(f["records_stored"] for f in summary["files"]) == 1, summary["files"]


@pytest.mark.parametrize(
    ("reader", "module", "name", "fixture"),
    [
        ("decp-v1-json", "vigie.sources.decp", "hashing_meanwhile", "decp-2019/excerpt.json"),
        ("ted-r2.0.9", "vigie.sources.ted", "sha256_file", "ted/ted-xml/18-412273-001-EXP.xml"),
    ],
)
def test_a_file_imported_is_hashed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, module: str, name: str,
    fixture: str,
) -> None:  # fmt: skip
    """The importer hashes the file (to skip content imported before) and gives the reader
    the hash: the reader does not hash it again."""
    import importlib

    from vigie.pipeline import import_file
    from vigie.sources.registry import reader_named

    def again(*args: Any) -> Any:
        raise AssertionError("hashed again")

    monkeypatch.setattr(importlib.import_module(module), name, again)
    path = tmp_path / Path(fixture).name
    path.write_bytes((FIXTURES / fixture).read_bytes())
    with Workspace.open(tmp_path / "w.duckdb") as ws:
        sha = import_file(path, reader_named(reader), ws, Limits())
        assert ws.is_imported(sha, reader_named(reader).key)
        assert ws.counts()["records"] > 0
