"""`vigie screen` detects every shipped format, and reads spreadsheets with --mapping."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigie.cli import app
from vigie.sources.registry import READERS, configured_readers

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def test_every_reader_is_registered() -> None:
    names = [r.name for r in READERS]
    assert names == [
        "ocds",
        "decp-v2-json",
        "decp-v1-json",
        "ted-r2.0.9",
        "eforms-ubl",
        "ted-notices",
    ]
    assert "tabular" not in names  # a spreadsheet needs a column mapping


def test_a_directory_of_mixed_formats(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "decp-2019" / "excerpt.json", folder / "decp.json")
    ted = sorted((FIXTURES / "ted").rglob("*.xml"))
    assert ted, "TED fixtures"
    for index, path in enumerate(ted[:2]):
        shutil.copy(path, folder / f"ted{index}.xml")
    out = tmp_path / "out"
    args = ["screen", str(folder), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    formats = {f["format"] for f in summary["files"]}
    assert "decp-v1-json" in formats
    assert formats & {"ted-r2.0.9", "eforms-ubl"}
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"]


def test_spreadsheet_with_a_mapping(tmp_path: Path) -> None:
    sheet = tmp_path / "register.csv"
    sheet.write_text(
        "Buyer,Supplier,Amount,Currency,Date,Subject\n"
        "Ville de Test,ORACLE FRANCE,1200.50,EUR,2024-01-05,Support logiciel\n"
        "Ville de Test,Boulangerie Martin,80,EUR,2024-01-06,Pain\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  buyer_name: Buyer\n  supplier_name: Supplier\n  amount: Amount\n"
        "  currency: Currency\n  date: Date\n  title: Subject\ndate_format: '%Y-%m-%d'\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["screen", str(sheet), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    refused = runner.invoke(app, [*args])
    assert refused.exit_code == 0  # without a mapping the file is reported, not read
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["records_loaded"] == 0 and summary["records_rejected"] == 1
    result = runner.invoke(app, [*args, "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert (summary["records_read"], summary["records_loaded"]) == (2, 2)
    assert "Oracle Corporation" in summary["by_group"]


def test_invalid_mapping_exits_2(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {}\n", encoding="utf-8")
    source = FIXTURES / "decp-2019" / "excerpt.json"
    args = ["screen", str(source), "-o", str(tmp_path / "o"), "--mapping", str(mapping)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w")])
    assert result.exit_code == 2


@pytest.mark.parametrize("digest", ["a" * 64, "b" * 64])
def test_mapping_enters_the_reader_version(tmp_path: Path, digest: str) -> None:
    from vigie.sources.tabular_mapping import TabularMapping

    columns = TabularMapping.model_validate({"columns": {"supplier_name": "S"}})
    spec = configured_readers((columns, digest))[-1]
    assert spec.name == "tabular" and digest[:16] in spec.key


def test_decp_v2_named_from_a_sirene_extract(tmp_path: Path) -> None:
    source = FIXTURES / "decp-v2" / "marches-2.0.json"
    sirene = FIXTURES / "sirene" / "StockUniteLegale-extract.csv"
    out_without, out_with = tmp_path / "a", tmp_path / "b"
    base = ["screen", str(source), "-w", str(tmp_path / "w.duckdb")]
    first = runner.invoke(app, [*base, "-o", str(out_without)])
    second = runner.invoke(app, [*base, "-o", str(out_with), "--sirene", str(sirene)])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    without = json.loads((out_without / "summary.json").read_text("utf-8"))
    named = json.loads((out_with / "summary.json").read_text("utf-8"))
    assert without["files"][0]["format"] == named["files"][0]["format"] == "decp-v2-json"
    assert without["records_loaded"] == named["records_loaded"] > 0
    warnings = (out_without / "warnings.csv").read_text("utf-8")
    assert "decp_sirene_missing" in warnings
    # ORACLE FRANCE is known by its SIRET only; the extract gives its name, which matches.
    assert "Oracle Corporation" not in without["by_group"]
    assert "Oracle Corporation" in named["by_group"]


def test_unusable_sirene_extract_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "sirene.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    source = FIXTURES / "decp-v2" / "marches-2.0.json"
    args = ["screen", str(source), "-o", str(tmp_path / "o"), "--sirene", str(bad)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w")])
    assert result.exit_code == 2


def test_a_gzipped_ted_package(tmp_path: Path) -> None:
    import tarfile

    notices = sorted((FIXTURES / "ted").rglob("*.xml"))[:3]
    package = tmp_path / "daily.tar.gz"
    with tarfile.open(package, "w:gz") as archive:
        for path in notices:
            archive.add(path, arcname=path.name)
    out = tmp_path / "out"
    args = ["screen", str(package), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["files"][0]["format"] == "ted-notices"
    assert summary["records_read"] == summary["records_loaded"] + summary["records_rejected"] > 0
