"""Policy as code: validation, evaluation, and that changing a rule changes the decision."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.assess.policy import (
    DecisionKind,
    PolicyError,
    evaluate,
    load_policy,
    shipped_policies,
)

SEVERE_CONFLICT = {
    "assessment.evidence_count": 3,
    "assessment.severity": 0.89,
    "assessment.confidence": 0.8,
    "assessment.severe_confidence": 0.8,
    "assessment.strongest_source": "un_body",
    "assessment.heightened": True,
    "record.dual_use": True,
    "alternatives.viable": 2,
}


def test_shipped_policies_load() -> None:
    assert set(shipped_policies()) == {"ungp-baseline", "seed-ethical-procurement"}
    for name in shipped_policies():
        policy = load_policy(name)
        assert policy.id == name
        assert len(policy.version) == 16


def test_seed_policy_excludes_dual_use_with_alternative() -> None:
    decision = evaluate(load_policy("seed-ethical-procurement"), SEVERE_CONFLICT)
    assert decision.kind is DecisionKind.EXCLUDE
    assert [f.rule.id for f in decision.fired] == [
        "exclude-dual-use-with-alternative",
        "conflict-affected",
        "documented-impact",
    ]
    because = {e.fact: e.actual for e in decision.fired[0].because}
    assert because["alternatives.viable"] == 2
    assert because["record.dual_use"] is True


def test_without_alternative_the_seed_policy_does_not_exclude() -> None:
    facts = {**SEVERE_CONFLICT, "alternatives.viable": 0}
    decision = evaluate(load_policy("seed-ethical-procurement"), facts)
    assert decision.kind is DecisionKind.ENHANCED_DUE_DILIGENCE


def test_not_dual_use_is_not_excluded() -> None:
    facts = {**SEVERE_CONFLICT, "record.dual_use": False}
    assert evaluate(load_policy("seed-ethical-procurement"), facts).kind is (
        DecisionKind.ENHANCED_DUE_DILIGENCE
    )


def test_baseline_never_excludes() -> None:
    decision = evaluate(load_policy("ungp-baseline"), SEVERE_CONFLICT)
    assert decision.kind is DecisionKind.ENHANCED_DUE_DILIGENCE
    assert {f.rule.id for f in decision.fired} == {
        "documented-impact",
        "severe-and-authoritative",
        "conflict-affected",
    }


def test_no_evidence_is_no_finding() -> None:
    decision = evaluate(load_policy("ungp-baseline"), {"assessment.evidence_count": 0})
    assert decision.kind is DecisionKind.NO_FINDING
    assert decision.fired == ()


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _seed_data() -> dict[str, object]:
    data = yaml.safe_load(shipped_policies()["seed-ethical-procurement"].read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_changing_one_threshold_changes_the_decision(tmp_path: Path) -> None:
    data = _seed_data()
    rule = next(r for r in data["rules"] if r["id"] == "exclude-dual-use-with-alternative")  # type: ignore[attr-defined]
    rule["when"]["all"][1]["value"] = 0.9  # confidence now required: 0.9 > 0.8
    policy = load_policy(_write(tmp_path, data))
    assert evaluate(policy, SEVERE_CONFLICT).kind is DecisionKind.ENHANCED_DUE_DILIGENCE
    assert policy.version != load_policy("seed-ethical-procurement").version


def test_changing_a_rule_decision_changes_the_decision(tmp_path: Path) -> None:
    data = _seed_data()
    for rule in data["rules"]:  # type: ignore[attr-defined]
        if rule["id"] == "conflict-affected":
            rule["decision"] = "exclude"
    facts = {**SEVERE_CONFLICT, "record.dual_use": False}
    assert evaluate(load_policy(_write(tmp_path, data)), facts).kind is DecisionKind.EXCLUDE


@pytest.mark.parametrize(
    ("when", "facts", "expected"),
    [
        ({"fact": "a.b", "op": "eq", "value": "x"}, {"a.b": "x"}, True),
        ({"fact": "a.b", "op": "ne", "value": "x"}, {"a.b": "y"}, True),
        ({"fact": "a.b", "op": "ne", "value": "x"}, {}, True),
        ({"fact": "a.b", "op": "gt", "value": 1}, {"a.b": 1}, False),
        ({"fact": "a.b", "op": "gte", "value": 1}, {"a.b": 1}, True),
        ({"fact": "a.b", "op": "lt", "value": 1}, {"a.b": 0.5}, True),
        ({"fact": "a.b", "op": "lte", "value": 1}, {"a.b": 2}, False),
        ({"fact": "a.b", "op": "gte", "value": 1}, {"a.b": "5"}, False),
        ({"fact": "a.b", "op": "gte", "value": 1}, {"a.b": True}, False),
        ({"fact": "a.b", "op": "gte", "value": 1}, {}, False),
        ({"fact": "a.b", "op": "in", "value": ["x", "y"]}, {"a.b": "y"}, True),
        ({"fact": "a.b", "op": "not_in", "value": ["x"]}, {"a.b": "y"}, True),
        ({"fact": "a.b", "op": "contains", "value": "x"}, {"a.b": ["x", "z"]}, True),
        ({"fact": "a.b", "op": "contains", "value": "x"}, {"a.b": "x"}, False),
        ({"fact": "a.b", "op": "exists", "value": True}, {"a.b": 0}, True),
        ({"fact": "a.b", "op": "exists", "value": True}, {"a.b": None}, False),
        ({"fact": "a.b", "op": "exists", "value": False}, {}, True),
        ({"not": {"fact": "a.b", "op": "eq", "value": 1}}, {"a.b": 2}, True),
        (
            {
                "any": [
                    {"fact": "a.b", "op": "eq", "value": 1},
                    {"fact": "a.c", "op": "eq", "value": 2},
                ]
            },
            {"a.c": 2},
            True,
        ),
        (
            {
                "all": [
                    {"fact": "a.b", "op": "eq", "value": 1},
                    {"fact": "a.c", "op": "eq", "value": 2},
                ]
            },
            {"a.b": 1, "a.c": 3},
            False,
        ),
    ],
)
def test_operators(
    tmp_path: Path, when: dict[str, object], facts: dict[str, object], expected: bool
) -> None:
    data = {
        "id": "t",
        "name": {"en": "T", "fr": "T"},
        "description": {"en": "T", "fr": "T"},
        "rules": [
            {"id": "r", "decision": "exclude", "when": when, "reason": {"en": "r", "fr": "r"}}
        ],
    }
    decision = evaluate(load_policy(_write(tmp_path, data)), facts)  # type: ignore[arg-type]
    assert (decision.kind is DecisionKind.EXCLUDE) is expected


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(rules=[]), "rules"),
        (lambda d: d["rules"][0].update(decision="ban"), "decision"),
        (lambda d: d["rules"][0]["when"].update(op="like"), "op"),
        (lambda d: d["rules"][0]["when"].update(op="gte", value="high"), "number"),
        (lambda d: d["rules"][0]["when"].update(op="in", value="x"), "list"),
        (lambda d: d["rules"].append(dict(d["rules"][0])), "defined twice"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["rules"][0].update(reason={"en": "only english"}), "fr"),
    ],
)
def test_invalid_policies_are_reported(tmp_path: Path, edit: object, message: str) -> None:
    data = _seed_data()
    edit(data)  # type: ignore[operator]
    with pytest.raises(PolicyError) as info:
        load_policy(_write(tmp_path, data))
    assert message in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"", b"- a list", b"\xff\xfe not utf-8", b"key: [unclosed", b"!!python/object:os.system x"],
)
def test_hostile_policy_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(PolicyError):
        load_policy(path)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "nope.yaml")


facts_strategy = st.dictionaries(
    st.sampled_from(list(SEVERE_CONFLICT)),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-1, 2), st.text(max_size=5)),
)


SHIPPED = [load_policy(name) for name in shipped_policies()]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts_strategy)
def test_evaluation_is_total_and_consistent(facts: dict[str, object]) -> None:
    for policy in SHIPPED:
        decision = evaluate(policy, facts)  # type: ignore[arg-type]
        assert decision.kind in DecisionKind
        if decision.fired:
            assert decision.kind is decision.fired[0].rule.decision
        else:
            assert decision.kind is policy.default
