"""Bias audit: agreement with fairlearn to the last digit, hand-computed cases, hostile files."""

from __future__ import annotations

import csv
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigie.ai.bias import Confusion, audit
from vigie.ai.bias_ci import BootstrapSettings, bootstrap
from vigie.ai.bias_data import BiasColumns, BiasInputError, read_decisions
from vigie.ai.bias_report import run_bias_audit
from vigie.cli import app

runner = CliRunner()
COLUMNS = BiasColumns(
    group="group",
    label="outcome",
    label_positive="yes",
    prediction="decision",
    predicted_positive=("high", "medium"),
)
NO_BOOT = BootstrapSettings(replicates=0)


def _generate(path: Path, seed: int, rows: int, groups: int) -> list[tuple[str, int, int]]:
    """Random decisions with group-dependent rates; returns (group, actual, predicted) rows."""
    rng = random.Random(seed)
    names = [f"g{i}" for i in range(groups)]
    out: list[tuple[str, int, int]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if seed % 2 else "\n")
        writer.writerow(["id", "group", "outcome", "decision"])
        for i in range(rows):
            g = rng.randrange(groups)
            actual = rng.random() < 0.2 + 0.1 * g
            predicted = rng.random() < (0.7 if actual else 0.2) + 0.05 * g
            value = rng.choice(["high", "medium"]) if predicted else "low"
            writer.writerow([i, names[g], "yes" if actual else "no", value])
            out.append((names[g], int(actual), int(predicted)))
    return out


@pytest.mark.parametrize(("seed", "rows", "groups"), [(1, 2000, 2), (2, 5000, 3), (3, 777, 5)])
def test_agrees_with_fairlearn_to_the_last_digit(
    tmp_path: Path, seed: int, rows: int, groups: int
) -> None:
    fl = pytest.importorskip("fairlearn.metrics")
    skm = pytest.importorskip("sklearn.metrics")
    path = tmp_path / "decisions.csv"
    data = _generate(path, seed, rows, groups)
    sensitive = [g for g, _, _ in data]
    y_true = [a for _, a, _ in data]
    y_pred = [p for _, _, p in data]
    frame = fl.MetricFrame(
        metrics={
            "count": fl.count,
            "selection_rate": fl.selection_rate,
            "true_positive_rate": fl.true_positive_rate,
            "false_positive_rate": fl.false_positive_rate,
            "false_negative_rate": fl.false_negative_rate,
            "precision": skm.precision_score,
        },
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive,
    )
    document = run_bias_audit(path, COLUMNS, settings=NO_BOOT)
    by_group = frame.by_group.to_dict(orient="index")
    assert sorted(document["groups"]) == sorted(by_group)
    for group, expected in by_group.items():
        ours = document["groups"][group]
        for metric, value in expected.items():
            assert ours[metric] == value, (group, metric)
    disparities = document["disparities"]
    kwargs: dict[str, Any] = {"y_true": y_true, "y_pred": y_pred, "sensitive_features": sensitive}
    assert disparities["demographic_parity_difference"] == fl.demographic_parity_difference(
        **kwargs
    )
    assert disparities["demographic_parity_ratio"] == fl.demographic_parity_ratio(**kwargs)
    assert disparities["equalized_odds_difference"] == fl.equalized_odds_difference(**kwargs)


def test_hand_computed_four_fifths() -> None:
    # A: 100 decisions, 60 selected (tp 40, fp 20), 50 positives; B: 100, 30 selected (tp 20, fp 10)
    counts = {
        "A": Confusion(tp=40, fp=20, fn=10, tn=30),
        "B": Confusion(tp=20, fp=10, fn=30, tn=40),
    }
    result = audit(counts)
    b = result.groups["B"]
    assert b["selection_rate"] == 0.3
    assert b["true_positive_rate"] == 0.4
    assert b["false_positive_rate"] == 0.2
    assert b["four_fifths_ratio"] == 0.5
    assert b["four_fifths_flag"]
    assert not result.groups["A"]["four_fifths_flag"]
    assert result.disparities["four_fifths"]["highest_group"] == "A"
    assert result.disparities["demographic_parity_difference"] == pytest.approx(0.3)
    assert result.disparities["demographic_parity_ratio"] == 0.5
    # TPR 0.8 vs 0.4, FPR 0.4 vs 0.2: worst case 0.4
    assert result.disparities["equalized_odds_difference"] == pytest.approx(0.4)
    # reference: the largest group, ties broken by name -> A
    assert result.disparities["reference_group"] == "A"
    assert b["ratios_to_reference"]["selection_rate"] == 0.5


def test_four_fifths_at_exactly_eighty_percent_is_not_flagged() -> None:
    counts = {"A": Confusion(tp=5, fp=5, fn=0, tn=0), "B": Confusion(tp=4, fp=4, fn=1, tn=1)}
    assert audit(counts).groups["B"]["four_fifths_ratio"] == 0.8
    assert not audit(counts).groups["B"]["four_fifths_flag"]


def test_undefined_rates_are_none_and_left_out() -> None:
    counts = {"A": Confusion(tp=0, fp=3, fn=0, tn=7), "B": Confusion(tp=2, fp=1, fn=2, tn=5)}
    result = audit(counts, reference="B")
    assert result.groups["A"]["true_positive_rate"] is None
    assert result.groups["A"]["ratios_to_reference"]["true_positive_rate"] is None
    assert result.disparities["true_positive_rate_difference"] is None
    assert result.disparities["equalized_odds_difference"] == pytest.approx(0.3 - 1 / 6)
    with pytest.raises(ValueError, match="reference"):
        audit(counts, reference="C")


def test_every_line_is_accounted_for(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "group,outcome,decision\n"
        "a,yes,high\n"
        "b,no,low\n"
        "c,yes\n"  # line 4: a field is missing
        ",yes,low\n"  # line 5: empty group
        "a,,low\n"  # line 6: empty label
        "b,no,low,extra\n"  # line 7: one field too many
        '"a",no,"medium"\n',
        encoding="utf-8",
    )
    decisions = read_decisions(path, COLUMNS)
    assert decisions.rows_read == decisions.rows_loaded + decisions.rows_rejected == 7
    assert decisions.rows_loaded == 3
    assert decisions.rejections_by_reason == {
        "empty_group": 1,
        "empty_label": 1,
        "malformed_line": 2,
    }
    assert [(r.line, r.reason) for r in decisions.examples] == [
        (4, "malformed_line"),
        (5, "empty_group"),
        (6, "empty_label"),
        (7, "malformed_line"),
    ]
    assert decisions.counts["a"] == Confusion(tp=1, fp=1, fn=0, tn=0)
    assert decisions.lines_in_file == 8


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"group,outcome\na,yes\n", "ai_bias_missing_columns"),
        (b"group,group,outcome,decision\n", "ai_bias_duplicate_columns"),
        (b"group,outcome,decision\n", "ai_bias_no_rows"),
        (b"\xff\xfegroup,outcome,decision\n", "ai_bias_unreadable"),
        (b"", "ai_bias_unreadable"),
    ],
)
def test_unusable_files_give_a_clear_error(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(BiasInputError) as caught:
        run_bias_audit(path, COLUMNS, settings=NO_BOOT)
    assert caught.value.code == code


def test_latin1_rows_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(
        b"group,outcome,decision\nfemme,yes,high\nhomme,no,low\n" + "é,no,low\n".encode("latin-1")
    )
    try:
        document = run_bias_audit(path, COLUMNS, settings=NO_BOOT)
    except BiasInputError as exc:
        assert exc.code == "ai_bias_unreadable"
    else:
        source = document["input"]
        assert source["rows_read"] == source["rows_loaded"] + source["rows_rejected"]


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    counts = {
        "A": Confusion(tp=400, fp=200, fn=100, tn=300),
        "B": Confusion(tp=200, fp=100, fn=300, tn=400),
    }
    first = bootstrap(counts, BootstrapSettings(replicates=500, seed=7))
    again = bootstrap(counts, BootstrapSettings(replicates=500, seed=7))
    other = bootstrap(counts, BootstrapSettings(replicates=500, seed=8))
    assert first == again
    assert first != other
    interval = first["B/selection_rate"]
    assert interval["low"] < 0.3 < interval["high"]
    assert interval["replicates"] == 500
    dp = first["demographic_parity_difference"]
    assert dp["low"] < 0.3 < dp["high"]
    # about 1.96 x sqrt(0.3 x 0.7 / 1000) ~ 0.028 on each side for B's selection rate
    assert 0.02 < 0.3 - interval["low"] < 0.04


def test_cli_json_and_html(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    _generate(path, 4, 600, 3)
    args = [
        "bias",
        str(path),
        "--group",
        "group",
        "--label",
        "outcome",
        "--label-positive",
        "yes",
        "--prediction",
        "decision",
        "--predicted-positive",
        "high,medium",
        "--bootstrap",
        "50",
    ]
    result = runner.invoke(app, [*args, "--format", "json", "--reference", "g1"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document["groups"]) == {"g0", "g1", "g2"}
    for figures in document["groups"].values():
        assert {
            "count",
            "selection_rate",
            "true_positive_rate",
            "false_positive_rate",
            "false_negative_rate",
        } <= set(figures)
    assert document["disparities"]["reference_group"] == "g1"
    html = runner.invoke(app, [*args, "--format", "html", "--lang", "fr"])
    assert html.exit_code == 0, html.output
    assert '<html lang="fr">' in html.stdout
    assert "Taux de sélection" in html.stdout
    text = runner.invoke(app, [*args, "--lang", "en"])
    assert text.exit_code == 0
    assert "Demographic parity difference" in text.stdout
    bad = runner.invoke(app, [*args, "--reference", "nobody", "--lang", "en"])
    assert bad.exit_code == 2
    assert "nobody" in bad.stderr


def test_reproduces_the_published_compas_figures() -> None:
    fixture = yaml.safe_load(
        (Path(__file__).parent / "fixtures" / "aia" / "compas-counts.yaml").read_text("utf-8")
    )
    counts = {g: Confusion(**c) for g, c in fixture["groups"].items()}
    assert sum(c.count for c in counts.values()) == fixture["source_rows"]
    result = audit(counts, reference="Caucasian")
    for group, published in fixture["published"].items():
        for rate, percent in published.items():
            assert round(100 * result.groups[group][rate], 1) == percent, (group, rate)
    # ProPublica's wording: "nearly twice as likely" to be misclassified as higher risk
    ratio = result.groups["African-American"]["ratios_to_reference"]["false_positive_rate"]
    assert 1.9 < ratio < 1.92
    intervals = bootstrap(counts, BootstrapSettings(replicates=2000, seed=1))
    low = intervals["African-American/false_positive_rate"]["low"]
    high = intervals["African-American/false_positive_rate"]["high"]
    # Dressel & Farid's binomial interval is [42.7, 46.9]; the bootstrap, whose group sizes vary
    # too, is close to it
    assert 0.415 < low < 0.43
    assert 0.465 < high < 0.48


def test_a_repeated_column_that_is_not_used_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "score,group,outcome,decision,score\n1,a,yes,high,2\n3,b,no,low,4\n", encoding="utf-8"
    )
    decisions = read_decisions(path, COLUMNS)
    assert decisions.rows_loaded == 2
    assert decisions.counts["a"] == Confusion(tp=1, fp=0, fn=0, tn=0)


_cells = st.sampled_from(["a", "b", "", "yes", "no", "high", "low", '"', '"x,y"', "é", " yes "])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_cells, min_size=1, max_size=5), max_size=12))
def test_any_csv_is_audited_or_refused_and_every_line_counted(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        body = "".join(",".join(row) + "\n" for row in rows)
        path.write_text("group,outcome,decision\n" + body, encoding="utf-8")
        try:
            decisions = read_decisions(path, COLUMNS)
        except BiasInputError as exc:
            assert exc.code == "ai_bias_unreadable"
            return
        assert decisions.rows_read == decisions.rows_loaded + decisions.rows_rejected
        assert decisions.rows_loaded == sum(c.count for c in decisions.counts.values())


def test_missing_or_unmatched_positive_values(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    _generate(path, 5, 100, 2)
    base = ["bias", str(path), "--group", "group", "--label", "outcome", "--prediction", "decision"]
    empty = runner.invoke(
        app, [*base, "--label-positive", "yes", "--predicted-positive", ",", "--lang", "en"]
    )
    assert empty.exit_code == 2
    assert "--predicted-positive" in empty.stderr
    typo = runner.invoke(
        app, [*base, "--label-positive", "Yes", "--predicted-positive", "HIGH", "--lang", "en"]
    )
    assert typo.exit_code == 0
    assert "check --label-positive" in typo.stderr
    assert "check --predicted-positive" in typo.stderr
