"""End to end: `vigie screen --policy` writes decisions with reasons, in CSV, JSON and XLSX."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from vigie.assess.policy import shipped_policies
from vigie.cli import app
from vigie.present.decision_outputs import DECISIONS_COLUMNS

runner = CliRunner()


def _screen(tmp_path: Path, source: Path, *extra: str) -> Path:
    out = tmp_path / "out"
    args = ["screen", str(source), "-o", str(out), "-w", str(tmp_path / "w.duckdb"), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_default_policy_decisions(tmp_path: Path, decp_excerpt: Path) -> None:
    out = _screen(tmp_path, decp_excerpt)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["policy"]["id"] == "ungp-baseline"
    rows = _rows(out / "decisions.csv")
    assert list(rows[0]) == list(DECISIONS_COLUMNS)
    oracle = [r for r in rows if r["group_id"] == "oracle"]
    assert oracle and all(r["decision"] == "enhanced_due_diligence" for r in oracle)
    assert "conflict-affected" in oracle[0]["rules_fired"].split(";")
    assert sum(summary["decisions"].values()) == len(rows)
    document = json.loads((out / "decisions.json").read_text("utf-8"))
    assert document["policy"] == summary["policy"]
    fired = document["cases"][0]["fired"]
    assert {"fact": "assessment.heightened", "value": True, "op": "eq", "expected": True} in [
        b for f in fired for b in f["because"]
    ]
    sheet = load_workbook(out / "decisions.xlsx", read_only=True).active
    assert sheet is not None
    values = list(sheet.values)
    assert list(values[0]) == list(DECISIONS_COLUMNS)
    assert len(values) == len(rows) + 1
    report = (out / "report.html").read_text("utf-8")
    assert "conflict-affected" in report and summary["policy"]["version"] in report


def test_changing_one_rule_changes_the_decisions(tmp_path: Path, decp_excerpt: Path) -> None:
    data = yaml.safe_load(shipped_policies()["ungp-baseline"].read_text("utf-8"))
    for rule in data["rules"]:
        if rule["id"] == "conflict-affected":
            rule["decision"] = "exclude"
    policy = tmp_path / "strict.yaml"
    policy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = _screen(tmp_path, decp_excerpt, "--policy", str(policy), "--lang", "fr")
    oracle = [r for r in _rows(out / "decisions.csv") if r["group_id"] == "oracle"]
    assert oracle and all(r["decision"] == "exclude" for r in oracle)
    assert oracle[0]["decision_label"] == "Exclure"


def test_invalid_policy_exits_2_with_every_problem(tmp_path: Path, decp_excerpt: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text("id: x\nrules: []\n", encoding="utf-8")
    args = ["screen", str(decp_excerpt), "-o", str(tmp_path / "o"), "--policy", str(policy)]
    result = runner.invoke(app, [*args, "-w", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "name" in result.output and "rules" in result.output
    assert not (tmp_path / "o").exists()


def test_company_and_case_pages(tmp_path: Path, decp_excerpt: Path) -> None:
    out = _screen(tmp_path, decp_excerpt, "--lang", "fr")
    rows = _rows(out / "decisions.csv")
    pages = sorted(p.name for p in (out / "decisions").iterdir())
    assert pages == sorted(f"case-{n}.html" for n in range(1, len(rows) + 1))
    groups = {r["group_id"] for r in rows}
    assert {p.stem for p in (out / "companies").iterdir()} == groups
    case = (out / "decisions" / "case-1.html").read_text("utf-8")
    assert rows[0]["rules_fired"].split(";")[0] in case
    assert "(3 + 3 + 3) / 9" in case  # the severity of a military-security-supply item
    assert "Nom et fonction" in case  # the signature block
    company = (out / "companies" / "oracle.html").read_text("utf-8")
    assert "Oracle France" in company and "case-" in company
    report = (out / "report.html").read_text("utf-8")
    assert 'href="decisions/case-1.html"' in report
    assert 'href="companies/oracle.html"' in report


def test_report_company(tmp_path: Path) -> None:
    out = tmp_path / "ibm.html"
    result = runner.invoke(app, ["report", "company", "red-hat", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "<h1>International Business Machines Corporation</h1>" in page
    assert "Red Hat" in page
    assert "No contract of this screening" in page


def test_report_unknown_company_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "company", "nope", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert "nope" in result.output


def test_decisions_json_lists_the_alternatives_considered(tmp_path: Path) -> None:
    # A record of cloud hosting from a Microsoft entity, written as a DECP v1 file.
    source = tmp_path / "cloud.json"
    record = {
        "id": "T-1",
        "acheteur": {"id": "21750001600019", "nom": "Ville de Test"},
        "_type": "Marché",
        "objet": "Hébergement cloud des applications",
        "codeCPV": "72317000-0",
        "montant": 250000,
        "dateNotification": "2024-05-02",
        "titulaires": [
            {
                "typeIdentifiant": "SIRET",
                "id": "00000000000000",
                "denominationSociale": "MICROSOFT IRELAND OPERATIONS LIMITED",
            }
        ],
    }
    source.write_text(json.dumps({"marches": [record]}), encoding="utf-8")
    out = _screen(tmp_path, source, "--policy", "seed-ethical-procurement")
    cases = json.loads((out / "decisions.json").read_text("utf-8"))["cases"]
    assert [c["decision"] for c in cases] == ["exclude"]
    considered = cases[0]["alternatives"]
    assert (
        considered
        and sum(a["viable"] for a in considered) == cases[0]["facts"]["alternatives.viable"]
    )
    assert all(r["text"] for a in considered for r in a["reasons"])
    report = (out / "report.html").read_text("utf-8")
    assert considered[0]["name"] in report


def test_report_run_redecides_the_workspace_without_the_files(
    tmp_path: Path, decp_excerpt: Path
) -> None:
    import shutil

    source = tmp_path / "copy.json"
    shutil.copy(decp_excerpt, source)
    workspace = tmp_path / "w.duckdb"
    first = runner.invoke(
        app, ["screen", str(source), "-o", str(tmp_path / "a"), "-w", str(workspace)]
    )
    assert first.exit_code == 0, first.output
    source.unlink()  # the input is gone: only the workspace remains
    out = tmp_path / "b"
    args = ["report", "run", "-o", str(out), "-w", str(workspace)]
    result = runner.invoke(app, [*args, "--policy", "seed-ethical-procurement"])
    assert result.exit_code == 0, result.output
    before = json.loads((tmp_path / "a" / "summary.json").read_text("utf-8"))
    after = json.loads((out / "summary.json").read_text("utf-8"))
    for key in ("records_read", "records_loaded", "records_rejected", "findings", "inputs"):
        assert after[key] == before[key]
    assert (before["policy"]["id"], after["policy"]["id"]) == (
        "ungp-baseline",
        "seed-ethical-procurement",
    )
    assert (out / "decisions.csv").is_file()


def test_report_run_on_an_empty_workspace_exits_2(tmp_path: Path) -> None:
    args = ["report", "run", "-o", str(tmp_path / "o"), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
