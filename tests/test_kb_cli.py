"""End-to-end tests of `vigie kb` through the CLI (validate, stats, show, import, export)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigie.cli import app
from vigie.kb import starter_dir

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(autouse=True)
def _no_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the user directory at an empty temporary place (tests never read ./vigie-data)."""
    monkeypatch.setenv("VIGIE_KB_DIR", str(tmp_path / "user-kb"))


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (("evidence.yaml", "confidence: low", "confidence: maybe"), "confidence: Input should be"),
        (
            ("companies.yaml", 'start: "2019-07-09"', 'start: "2019-02-30"'),
            "ownership[3].start: Value error, day is out of range for month",
        ),
        (
            ("companies.yaml", 'end: "2021-11-01"', 'end: "2015-01-01"'),
            "ownership[6]: Value error, end 2015-01-01 is before start 2016-09-07",
        ),
        (
            ("products.yaml", "company: netsuite,", "company: netsuite-gmbh,"),
            "products.yaml: product 'netsuite-erp': unknown company 'netsuite-gmbh'",
        ),
        (
            ("relationships.yaml", "sources: [bds-2025-07-geneva-call]", "sources: []"),
            "sources: Tuple should have at least 1 item",
        ),
        (
            ("companies.yaml", "{scheme: wikidata, value: Q2283}", "{scheme: siren, value: '123'}"),
            "identifiers[0].value: Value error",
        ),
        (
            (
                "evidence.yaml",
                "answers: [ap-2025-ai-models-in-war]",
                "answers: [toi-2024-palantir-partnership]",
            ),
            "response 'microsoft-2025-05-no-evidence': answers evidence",
        ),
        (
            ("contexts.yaml", "  - id: israel-opt", "  - id: israel-opt\n    unused: 1"),
            "unused: Extra inputs are not permitted",
        ),
    ],
)
def test_validate_fails_precisely(
    tmp_path: Path, mutation: tuple[str, str, str], expected: str
) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(starter_dir(), directory)
    name, old, new = mutation
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, output = _run("kb", "validate", str(directory), "--lang", "en")
    assert code == 1
    assert "Knowledge base invalid" in output
    assert expected in output


def test_validate_reports_an_unused_context(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(starter_dir(), directory)
    (directory / "zz.yaml").write_text(
        "contexts:\n  - id: nowhere\n    name: {en: Nowhere, fr: Nulle part}\n"
        "    conflict_affected: false\n",
        encoding="utf-8",
    )
    code, output = _run("kb", "validate", str(directory))
    assert code == 1
    assert "zz.yaml: context 'nowhere': no evidence refers to it" in output


def test_stats_in_both_languages() -> None:
    code, output = _run("kb", "stats", "--lang", "en")
    assert code == 0, output
    assert "Products and brands" in output
    assert "Evidence by confidence: low 1, medium 7" in output
    code, output = _run("kb", "stats", "--lang", "fr")
    assert code == 0
    assert "Éléments par degré de confiance" in output


def test_show_company_with_date() -> None:
    code, output = _run("kb", "show", "VMware", "--at", "2020-01-01", "--lang", "en")
    assert code == 0, output
    assert "Group: Dell Technologies Inc. (dell-technologies)" in output
    code, output = _run("kb", "show", "vmware", "--at", "2024-01-01", "--lang", "en")
    assert "Group: Broadcom Inc. (broadcom)" in output
    code, output = _run("kb", "show", "microsoft", "--lang", "fr")
    assert code == 0
    assert "Réponse de Microsoft Corporation (2025-09-25)" in output
    assert "LinkedIn Corporation" in output  # a subsidiary
    assert "Azure" in output  # a product term


def test_show_unknown_company_and_bad_date() -> None:
    code, output = _run("kb", "show", "micro", "--lang", "en")
    assert code == 1
    assert "No company 'micro'" in output
    assert "microsoft" in output
    code, output = _run("kb", "show", "microsoft", "--at", "yesterday", "--lang", "en")
    assert code == 2
    assert "is not a date" in output


def test_import_then_screen_uses_user_directory(tmp_path: Path) -> None:
    user = tmp_path / "user-kb"
    report = tmp_path / "issues.csv"
    code, output = _run(
        "kb",
        "import",
        str(FIXTURES / "opensanctions-sample.ftm.json"),
        "--format",
        "ftm",
        "--report",
        str(report),
        "--lang",
        "en",
    )
    assert code == 0, output
    assert "14 records read, 8 loaded, 6 rejected" in output
    assert "line 5: Person is not imported" in output
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert len([r for r in rows if r["kind"] == "rejected"]) == 6
    assert (user / "ftm-opensanctions-sample-ftm.yaml").is_file()
    # The default knowledge base now includes the user's directory.
    code, output = _run("kb", "show", "Exempla Data SAS", "--lang", "en")
    assert code == 0, output
    assert "Group: Exempla Holdings Ltd" in output
    assert "sanctions" in output
    code, output = _run("kb", "validate", "--lang", "en")
    assert code == 0, output


def test_import_gleif_in_french(tmp_path: Path) -> None:
    into = tmp_path / "mine"
    code, output = _run(
        "kb",
        "import",
        str(FIXTURES / "gleif-l1-sample.csv"),
        "-f",
        "gleif-l1",
        "--into",
        str(into),
        "--lang",
        "fr",
    )
    assert code == 0, output
    assert "6 enregistrements lus, 4 chargés, 2 rejetés" in output
    code, output = _run(
        "kb",
        "import",
        str(FIXTURES / "gleif-l2-sample.csv"),
        "-f",
        "gleif-l2",
        "--into",
        str(into),
        "--lang",
        "fr",
    )
    assert code == 0, output
    assert "n'est pas un lien de contrôle" in output


def test_import_errors() -> None:
    code, output = _run("kb", "import", "nowhere.json", "--format", "ftm", "--lang", "en")
    assert code == 2
    code, output = _run(
        "kb", "import", str(FIXTURES / "companies.csv"), "--format", "xls", "--lang", "en"
    )
    assert code == 2
    assert "Unknown format 'xls'" in output


def test_export_ftm(tmp_path: Path) -> None:
    out = tmp_path / "kb.ftm.json"
    code, output = _run("kb", "export", "--format", "ftm", "-o", str(out), "--lang", "en")
    assert code == 0, output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert f"{len(lines)} FollowTheMoney entities" in output
    assert {json.loads(line)["schema"] for line in lines} == {"Company", "Ownership"}
    code, output = _run("kb", "export", "--format", "rdf", "-o", str(out), "--lang", "en")
    assert code == 2


def test_validate_reports_a_future_date(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(starter_dir(), directory)
    path = directory / "evidence.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('date: "2024-01"', 'date: "2999-01"', 1), encoding="utf-8")
    code, output = _run("kb", "validate", str(directory), "--lang", "en")
    assert code == 1
    assert "evidence 'toi-2024-palantir-partnership': date 2999-01 is in the future" in output
