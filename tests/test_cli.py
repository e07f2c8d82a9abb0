"""End-to-end tests through the command line, on the real DECP 2019 files shipped with vigie."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from vigie import __version__
from vigie.cli import app
from vigie.demo import demo_files
from vigie.present import FINDINGS_COLUMNS, REJECTED_COLUMNS

runner = CliRunner()

# Figures of the three DECP 2019 files (data.gouv.fr, April 2019), measured by reading them
# with an independent script: element counts per file, exact duplicates, records without id.
DEMO_READ = {"aife": 4530, "pes": 1148, "e-marchespublics": 470}
DEMO_REJECTED = {"aife": 237, "pes": 7, "e-marchespublics": 2}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `vigie demo` run in English, shared by the tests that only read its outputs."""
    root = tmp_path_factory.mktemp("demo")
    out = root / "out"
    result = runner.invoke(
        app, ["demo", "-o", str(out), "-w", str(root / "ws.duckdb"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_demo_counts_reconcile(demo_run: Path) -> None:
    summary = json.loads((demo_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["records_read"] == sum(DEMO_READ.values()) == 6148
    assert summary["records_rejected"] == sum(DEMO_REJECTED.values()) == 246
    assert summary["records_loaded"] == 6148 - 246
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]
    for file in summary["files"]:
        key = next(k for k in DEMO_READ if k in Path(file["path"]).name)
        assert file["records_read"] == DEMO_READ[key]
        assert file["records_rejected"] == DEMO_REJECTED[key]
    assert len(_csv(demo_run / "rejected.csv")) == 246


def test_demo_summary_contract(demo_run: Path) -> None:
    summary = json.loads((demo_run / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[:8] == [
        "records_read",
        "records_loaded",
        "records_rejected",
        "findings",
        "by_group",
        "kb_version",
        "inputs",
        "vigie_version",
    ]
    assert summary["vigie_version"] == __version__
    assert len(summary["kb_version"]) == 16
    shipped = {p.name: p for p in demo_files()}
    assert sorted(Path(i["path"]).name for i in summary["inputs"]) == sorted(shipped)
    for item in summary["inputs"]:
        assert len(item["sha256"]) == 64
    assert summary["by_group"]["Oracle Corporation"]["records"] == 1
    assert summary["by_group"]["Oracle Corporation"]["amount"] == pytest.approx(51430.44)


def test_demo_finds_the_oracle_france_contract(demo_run: Path) -> None:
    assert _header(demo_run / "findings.csv") == list(FINDINGS_COLUMNS)
    rows = [r for r in _csv(demo_run / "findings.csv") if r["match_kind"] == "supplier"]
    assert len(rows) == 1  # mention rows are tested in tests/test_mentions.py
    row = rows[0]
    assert row["supplier_name"] == "ORACLE FRANCE"
    assert row["supplier_id"] == "33509231800187"
    assert row["record_id"] == "2019A03000"
    assert row["amount"] == "51430.44"
    assert row["currency"] == "EUR"
    assert row["cpv"] == "30234000"
    assert row["match_kind"] == "supplier"
    assert row["company_id"] == "oracle-france"
    assert row["group_id"] == "oracle"
    assert row["group_name"] == "Oracle Corporation"
    assert float(row["score"]) == 1.0
    assert row["source_file"].endswith("data.gouv.fr_pes_json_2019-04-05.zip!data.gouv.fr_pes.json")


def test_demo_rejected_csv_says_where_and_why(demo_run: Path) -> None:
    assert _header(demo_run / "rejected.csv") == list(REJECTED_COLUMNS)
    rows = _csv(demo_run / "rejected.csv")
    reasons = [r["reason"] for r in rows]
    assert sum(r.startswith("exact duplicate of /marches/") for r in reasons) == 171
    assert reasons.count("missing record identifier (id)") == 5
    assert all(r["position"].startswith("/marches/") for r in rows)
    assert all(r["excerpt"] for r in rows)


def test_demo_report_is_offline_and_shows_evidence(demo_run: Path) -> None:
    html = (demo_run / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "ORACLE FRANCE" in html
    assert "Oracle Corporation" in html
    assert "Reported by" in html
    assert "<script src=" not in html
    assert '<link rel="stylesheet" href="http' not in html


def test_rerun_reuses_the_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    first = runner.invoke(app, ["demo", "-o", str(tmp_path / "a"), "-w", str(ws)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["demo", "-o", str(tmp_path / "b"), "-w", str(ws)])
    assert second.exit_code == 0, second.output
    a = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "summary.json").read_text(encoding="utf-8"))
    for key in ("records_read", "records_loaded", "records_rejected", "findings", "by_group"):
        assert a[key] == b[key]
    assert (tmp_path / "a" / "findings.csv").read_bytes() == (
        tmp_path / "b" / "findings.csv"
    ).read_bytes()
    con = duckdb.connect(str(ws), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM imports").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM records").fetchone() == (5902,)
        assert con.execute("SELECT count(*) FROM rejections").fetchone() == (246,)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    finally:
        con.close()


def test_screen_in_french(tmp_path: Path, decp_excerpt: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["screen", str(decp_excerpt), "-o", str(out), "-w", str(tmp_path / "w.db"), "--lang", "fr"],
    )
    assert result.exit_code == 0, result.output
    assert "16 enregistrements lus, 13 chargés, 3 rejetés" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert "Rapporté par" in html
    reasons = [r["reason"] for r in _csv(out / "rejected.csv")]
    assert reasons == [
        "doublon exact de /marches/6",
        "identifiant d'enregistrement manquant (id)",
        "doublon exact de /marches/11",
    ]


def test_screen_a_directory_and_a_zip(tmp_path: Path, decp_excerpt: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "excerpt.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(decp_excerpt, "excerpt.json")
    (folder / "notes.txt").write_text("not an input", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["screen", str(folder), "-o", str(out), "-w", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["records_read"], summary["records_loaded"]) == (16, 13)
    assert summary["findings"] == 1


def test_hostile_inputs_are_reported_not_fatal(tmp_path: Path, decp_excerpt: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\xff\xfe{not json at all" * 100)
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(decp_excerpt.read_bytes()[:5000])
    fake_zip = tmp_path / "fake.zip"
    fake_zip.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    out = tmp_path / "out"
    args = ["screen", str(garbage), str(truncated), str(fake_zip), "-o", str(out)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]
    rejected = _csv(out / "rejected.csv")
    sources = {Path(r["source_file"].split("!")[0]).name for r in rejected}
    assert sources == {"garbage.json", "truncated.json", "fake.zip"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["screen", "/nonexistent/file.json", "-o", "OUT"], "no such file or directory"),
        (["screen", "EXCERPT", "-o", "OUT", "--lang", "de"], "fr"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, decp_excerpt: Path, args: list[str], needle: str
) -> None:
    args = [{"OUT": str(tmp_path / "out"), "EXCERPT": str(decp_excerpt)}.get(a, a) for a in args]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert needle in result.output


def test_unusable_workspace_or_outdir_exit_2(tmp_path: Path, decp_excerpt: Path) -> None:
    bad_ws = tmp_path / "bad.duckdb"
    bad_ws.write_text("not a database", encoding="utf-8")
    result = runner.invoke(
        app, ["screen", str(decp_excerpt), "-o", str(tmp_path / "o"), "-w", str(bad_ws)]
    )
    assert result.exit_code == 2
    assert "workspace" in result.output
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, ["screen", str(decp_excerpt), "-o", str(a_file), "-w", str(tmp_path / "w")]
    )
    assert result.exit_code == 2
    assert "could not be read or written" in result.output


def test_kb_validate(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "validate", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Knowledge base valid" in result.output
    (tmp_path / "companies.yaml").write_text("companies: [{id: 1}]\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "validate", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 1
    assert "Base de connaissances invalide" in result.output


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"vigie {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("screen", "demo", "kb"):
        assert command in result.output


def test_python_dash_m_entry_point() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "vigie", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"vigie {__version__}"
