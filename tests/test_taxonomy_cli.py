"""End to end: `vigie screen` on the DECP 2019 excerpt gives every record a technology
category: in findings.csv (with the reason), summary.json (`by_category`) and the report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigie.cli import app

runner = CliRunner()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_screen_gives_categories(tmp_path: Path, decp_excerpt: Path, lang: str) -> None:
    out = tmp_path / "out"
    args = ["screen", str(decp_excerpt), "-o", str(out), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, [*args, "--lang", lang])
    assert result.exit_code == 0, result.output

    with (out / "findings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["supplier_name"], r["cpv"], r["category"]) for r in rows] == [
        ("ORACLE FRANCE", "30234000", "hardware")
    ]
    reason = {
        "en": "CPV 30234000 Storage media, under CPV 30200000 Computer equipment and supplies",
        "fr": "CPV 30234000 Supports de mémoire, sous CPV 30200000 "
        "Matériel et fournitures informatiques",
    }[lang]
    assert rows[0]["category_reason"] == reason

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "by_category" in summary
    by_category = summary["by_category"]
    # Every loaded record is in exactly one category.
    assert sum(c["records"] for c in by_category.values()) == summary["records_loaded"] == 13
    assert sum(c["findings"] for c in by_category.values()) == summary["findings"] == 1
    # 30234000-8 (ORACLE support), 64210000-1 (data transport and Internet access, VPN);
    # the other eleven (legal services, fuel, vehicles, transport, appliances...) are other.
    assert {k: (c["records"], c["amount"]) for k, c in by_category.items() if c["records"]} == {
        "hardware": (1, 51430.44),
        "telecom": (1, 1159368.0),
        "other": (11, by_category["other"]["amount"]),
    }
    assert by_category["telecom"]["label"] == {
        "en": "Telecommunications",
        "fr": "Télécommunications",
    }

    html = (out / "report.html").read_text(encoding="utf-8")
    title = {
        "en": "All records by technology category",
        "fr": "Tous les marchés par catégorie de technologie",
    }
    assert title[lang] in html
    assert by_category["telecom"]["label"][lang] in html
    # The finding shows its category, with the reason as a tooltip.
    hardware = by_category["hardware"]["label"][lang]
    assert f'<span class="tag" title="{reason}">{hardware}</span>' in html.replace("&#39;", "'")
