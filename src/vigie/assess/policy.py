"""Policy as code: an institution's procurement policy as validated rules over facts.

A policy is a YAML file (see docs/policies.md). Each rule has a condition over named facts
(``assessment.severity``, ``record.category``, ``alternatives.viable``...) and the decision it
gives when the condition holds. Every rule is evaluated; the decision of a case is the most
restrictive decision among the rules that fired (``decision_order``), or the policy's default
when none fired. A decision lists every rule that fired, with its reason and the facts that
made each condition true, so a reader can check it by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from vigie.datamodel import Strict as _Strict
from vigie.datamodel import Text

MAX_POLICY_BYTES = 1024 * 1024
FactValue = str | int | float | bool | None | list[str]


class DecisionKind(StrEnum):
    """The four decisions a policy can give, from most to least restrictive."""

    EXCLUDE = "exclude"
    ENHANCED_DUE_DILIGENCE = "enhanced_due_diligence"
    ENGAGE_AND_MONITOR = "engage_and_monitor"
    NO_FINDING = "no_finding"


Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists"]


class Test(_Strict):
    """One comparison: ``fact`` ``op`` ``value``."""

    fact: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    op: Operator
    value: FactValue = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Test:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"operator {self.op!r} needs a list value")
        if self.op in ("gt", "gte", "lt", "lte") and (
            isinstance(self.value, bool) or not isinstance(self.value, int | float)
        ):
            raise ValueError(f"operator {self.op!r} needs a number")
        if self.op == "exists" and not isinstance(self.value, bool):
            raise ValueError("operator 'exists' needs true or false")
        return self


class All(_Strict):
    """True when every condition is true."""

    all: tuple[Condition, ...] = Field(min_length=1)


class Any_(_Strict):
    """True when at least one condition is true."""

    any: tuple[Condition, ...] = Field(min_length=1)


class Not(_Strict):
    """True when the condition is false."""

    not_: Condition = Field(alias="not")


Condition = Annotated[Test | All | Any_ | Not, Field(union_mode="left_to_right")]
All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()


class Rule(_Strict):
    """A named rule: when its condition holds, it gives ``decision`` for ``reason``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    decision: DecisionKind
    when: Condition
    reason: Text
    cites: tuple[str, ...] = ()


class AlternativeCriteria(_Strict):
    """What makes an alternative provider viable under this policy (docs/alternatives.md)."""

    exclude_documented: bool = True
    exclude_exposure: tuple[str, ...] = ()
    require_certifications: tuple[str, ...] = ()
    require_open_source: bool = False


class Policy(_Strict):
    """A validated procurement policy."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: Text
    description: Text
    dual_use_categories: tuple[str, ...] = ()
    default: DecisionKind = DecisionKind.NO_FINDING
    alternatives: AlternativeCriteria = AlternativeCriteria()
    rules: tuple[Rule, ...] = Field(min_length=1)
    version: str = ""

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> Policy:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids defined twice: {', '.join(duplicates)}")
        return self


class PolicyError(ValueError):
    """A policy file is invalid; ``problems`` lists every defect (location: message)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(f"{path}: invalid policy:\n  " + "\n  ".join(problems))
        self.path = path
        self.problems = problems


SEVERITY_ORDER = tuple(DecisionKind)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a condition held: the fact, its value, the test."""

    fact: str
    actual: FactValue
    op: str
    expected: FactValue


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule whose condition held, with the facts that made it hold."""

    rule: Rule
    because: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a policy for one case."""

    kind: DecisionKind
    fired: tuple[FiredRule, ...]
    policy_id: str
    policy_version: str


def shipped_policies() -> dict[str, Path]:
    """The policies shipped with vigie, by id (file stem)."""
    folder = Path(str(files("vigie.assess").joinpath("policies")))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def load_policy(name_or_path: str | Path) -> Policy:
    """Load and validate a policy: a shipped policy id or a path to a YAML file.

    The policy's ``version`` is set to the SHA-256 (16 hex digits) of the file's bytes.
    """
    shipped = shipped_policies()
    path = shipped.get(str(name_or_path)) or Path(name_or_path)
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(str(path), [f"file is over {MAX_POLICY_BYTES} bytes"])
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), [f"not valid UTF-8 YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise PolicyError(str(path), ["top level must be a mapping"])
    data["version"] = hashlib.sha256(raw).hexdigest()[:16]
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
        raise PolicyError(str(path), problems) from None


def evaluate(policy: Policy, facts: Mapping[str, FactValue]) -> Decision:
    """Apply every rule of ``policy`` to ``facts``; the most restrictive decision wins."""
    fired = []
    for rule in policy.rules:
        holds, because = holds_with_evidence(rule.when, facts)
        if holds:
            fired.append(FiredRule(rule, because))
    kinds = [f.rule.decision for f in fired] or [policy.default]
    kind = min(kinds, key=SEVERITY_ORDER.index)
    fired.sort(key=lambda f: SEVERITY_ORDER.index(f.rule.decision))
    return Decision(kind, tuple(fired), policy.id, policy.version)


def holds_with_evidence(
    condition: Test | All | Any_ | Not, facts: Mapping[str, FactValue]
) -> tuple[bool, tuple[Evidence, ...]]:
    """Whether a condition holds for ``facts``, and the tests that support the answer."""
    if isinstance(condition, Test):
        actual = facts.get(condition.fact)
        evidence = Evidence(condition.fact, actual, condition.op, condition.value)
        return _compare(condition, actual, condition.fact in facts), (evidence,)
    if isinstance(condition, All):
        collected: list[Evidence] = []
        for part in condition.all:
            ok, why = holds_with_evidence(part, facts)
            if not ok:
                return False, why
            collected.extend(why)
        return True, tuple(collected)
    if isinstance(condition, Any_):
        for part in condition.any:
            ok, why = holds_with_evidence(part, facts)
            if ok:
                return True, why
        return False, ()
    ok, why = holds_with_evidence(condition.not_, facts)
    return not ok, why


def _compare(test: Test, actual: Any, present: bool) -> bool:
    op, expected = test.op, test.value
    if op == "exists":
        return (present and actual is not None) == expected
    if actual is None:
        return op in ("ne", "not_in")
    if op in ("eq", "ne"):
        return bool((actual == expected) == (op == "eq"))
    if op in ("in", "not_in"):
        assert isinstance(expected, list)
        return (actual in expected) == (op == "in")
    if op == "contains":
        return isinstance(actual, list) and expected in actual
    return _order(op, actual, expected)


def _order(op: str, actual: Any, expected: FactValue) -> bool:
    """Numeric comparison; a non-number (or a boolean) never satisfies it."""
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False
    assert isinstance(expected, int | float)
    return {
        "gt": actual > expected,
        "gte": actual >= expected,
        "lt": actual < expected,
        "lte": actual <= expected,
    }[op]
