"""Alternatives: the data file, screening against the knowledge base, viability and messages."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.assess.alternatives import (
    CATEGORIES,
    AlternativesError,
    AlternativesFile,
    AlternativeView,
    alternatives_for,
    describe,
    load_alternatives,
    parse_alternatives,
    screen,
    shipped_alternatives,
    viable_count,
    view_record,
)
from vigie.assess.alternatives_data import MAX_FILE_BYTES, check_references, shipped_path
from vigie.assess.policy import AlternativeCriteria, DecisionKind, evaluate, load_policy
from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.kb.model import Category, Company, Evidence, KnowledgeBaseFile, Source, Text
from vigie.present.i18n import LANGUAGES, Messages
from vigie.resolve import Matcher

FIXTURE = Path(__file__).parent / "fixtures" / "alternatives" / "providers.yaml"
NOTHING = AlternativeCriteria(exclude_documented=False)


def _kb() -> KnowledgeBase:
    """BigCloud (documented through its French subsidiary) and Quiet Corp (no evidence)."""
    part = KnowledgeBaseFile(
        categories=(
            Category(id="cat", label=Text(en="c", fr="c"), description=Text(en="c", fr="c")),
        ),
        companies=(
            Company(id="bigcloud", name="BigCloud Inc", aliases=("BigCloud",)),
            Company(id="bigcloud-fr", name="BigCloud France", parent="bigcloud"),
            Company(id="quiet", name="Quiet Corp"),
        ),
        sources=(Source(id="src", type="ngo", publisher="An NGO", title="A report"),),
        evidence=(
            Evidence(
                id="ev1",
                companies=("bigcloud-fr",),
                categories=("cat",),
                claim=Text(en="claim", fr="allégation"),
                sources=("src",),
                confidence="medium",
            ),
        ),
    )
    return KnowledgeBase.from_parts([("test.yaml", part)], version="test")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return _kb()


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


@pytest.fixture(scope="module")
def data() -> AlternativesFile:
    return load_alternatives(FIXTURE)


def _views(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile, criteria: AlternativeCriteria
) -> dict[str, AlternativeView]:
    views = alternatives_for("cloud-data", kb, matcher, criteria, data)
    return {v.provider.id: v for v in views}


def _keys(view: AlternativeView) -> list[str]:
    return [r.key for r in view.reasons]


# --- the shipped data file ---------------------------------------------------------------------


def test_shipped_file_is_valid_and_small_but_solid() -> None:
    data = shipped_alternatives()
    assert 8 <= len(data.providers) <= 15
    assert check_references(data) == []
    assert len(data.version) == 16
    covered = {c for p in data.providers for c in p.categories.ids}
    assert {"cloud-data", "ai", "software"} <= covered <= set(CATEGORIES)


def _source_ids(node: Any) -> list[str]:
    """Every id under a ``sources`` key, anywhere in a dumped provider, law or scheme."""
    if isinstance(node, dict):
        found = list(node.get("sources", []))
        for key, value in node.items():
            if key != "sources":
                found += _source_ids(value)
        return found
    if isinstance(node, list | tuple):
        return [i for item in node for i in _source_ids(item)]
    return []


def test_every_source_id_of_the_shipped_file_resolves() -> None:
    data = shipped_alternatives()
    known = {s.id for s in data.sources}
    cited = _source_ids(data.model_dump(exclude={"sources"}))
    assert cited, "no source id found"
    assert sorted(set(cited) - known) == []
    assert sorted(known - set(cited)) == []  # no source is listed for nothing
    assert all(s.url or s.retrieved_from for s in data.sources)


def test_every_attribute_of_the_shipped_file_is_sourced() -> None:
    raw = yaml.safe_load(shipped_path().read_text(encoding="utf-8"))
    for provider in raw["providers"]:
        for key, value in provider.items():
            if key in ("id", "name", "aliases"):
                continue
            items = value if isinstance(value, list) else [value]
            for item in items if key != "sources" else []:
                assert item.get("sources"), f"{provider['id']}.{key} has no sources"


def test_the_law_itself_is_a_source_of_every_exposure() -> None:
    data = shipped_alternatives()
    laws = {law.id: set(law.sources) for law in data.laws}
    for provider in data.providers:
        for exposure in provider.exposure:
            assert laws[exposure.law] & set(exposure.sources), provider.id


def test_shipped_screening_matters_with_the_starter_knowledge_base() -> None:
    kb = load_knowledge_base()
    criteria = load_policy("seed-ethical-procurement").alternatives
    views = alternatives_for("software", kb, Matcher(kb), criteria)
    red_hat = next(v for v in views if v.provider.id == "red-hat")
    assert not red_hat.viable
    assert {h.group_id for h in red_hat.hits} == {"ibm"}
    assert "alternatives_reason_documented" in _keys(red_hat)
    tied = [v for c in CATEGORIES for v in alternatives_for(c, kb, Matcher(kb), criteria)]
    assert any(h.tie is not None and not h.own_group for v in tied for h in v.hits)


# --- screening ---------------------------------------------------------------------------------


def test_screening_matches_names_and_ties(data: AlternativesFile, kb: KnowledgeBase) -> None:
    hits = screen(data.providers, kb, Matcher(kb))
    assert hits["clean"] == ()
    assert [(h.group_id, h.evidence_ids, h.tie) for h in hits["documented"]] == [
        ("bigcloud", ("ev1",), None)
    ]
    (owned,) = hits["owned"]
    assert owned.tie is not None and owned.own_group
    (joint,) = hits["joint"]
    assert joint.tie is not None and not joint.own_group
    assert [(h.group_id, h.evidence_ids) for h in hits["quiet"]] == [("quiet", ())]


def test_documented_provider_is_not_viable_when_excluded(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    views = _views(kb, matcher, data, AlternativeCriteria(exclude_documented=True))
    assert not views["documented"].viable
    reason = views["documented"].reasons[0]
    assert reason.key == "alternatives_reason_documented" and reason.blocking
    assert reason.params == {"name": "BigCloud France", "group": "BigCloud Inc", "count": 1}
    assert not views["owned"].viable
    assert _keys(views["owned"]) == ["alternatives_reason_tie_documented"]
    # a non-controlling tie is reported, not blocking; a group without evidence is not blocking
    assert views["joint"].viable
    assert "alternatives_reason_tie_tied" in _keys(views["joint"])
    assert views["quiet"].viable
    assert "alternatives_reason_matched_no_evidence" in _keys(views["quiet"])
    assert views["clean"].viable
    assert _keys(views["clean"]) == ["alternatives_reason_not_documented"]


def test_documented_provider_is_viable_when_not_excluded(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    views = _views(kb, matcher, data, NOTHING)
    assert all(v.viable for v in views.values())
    (note,) = views["documented"].reasons
    assert note.outcome == "note" and not note.blocking


# --- viability per criterion -------------------------------------------------------------------


def test_exposure_criterion(kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile) -> None:
    criteria = AlternativeCriteria(exclude_documented=False, exclude_exposure=("us-cloud-act",))
    views = _views(kb, matcher, data, criteria)
    assert not views["exposed"].viable
    assert [(r.key, r.params["law"]) for r in views["exposed"].reasons] == [
        ("alternatives_reason_exposed", "us-cloud-act")
    ]
    assert views["exposed"].reasons[0].sources == ("law", "s2")
    assert views["clean"].viable
    assert _keys(views["clean"]) == ["alternatives_reason_not_exposed"]
    # an exposure that is not documented is shown as unknown, and does not exclude
    assert views["unknown"].viable
    (unknown,) = views["unknown"].reasons
    assert (unknown.key, unknown.outcome, unknown.blocking) == (
        "alternatives_reason_exposure_unknown",
        "unknown",
        False,
    )


def test_certification_criterion(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    criteria = AlternativeCriteria(
        exclude_documented=False, require_certifications=("secnumcloud",)
    )
    views = _views(kb, matcher, data, criteria)
    assert views["clean"].viable
    assert views["clean"].reasons[0].params == {"scheme": "secnumcloud", "offer": "Clean IaaS"}
    assert not views["exposed"].viable
    assert _keys(views["exposed"]) == ["alternatives_reason_lacks_certification"]
    # a requirement that is not documented is unknown, and not met
    assert not views["unknown"].viable
    (unknown,) = views["unknown"].reasons
    assert (unknown.key, unknown.outcome) == (
        "alternatives_reason_certification_unknown",
        "unknown",
    )


def test_certification_the_data_does_not_know(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    criteria = AlternativeCriteria(exclude_documented=False, require_certifications=("iso-27001",))
    views = _views(kb, matcher, data, criteria)
    assert viable_count(views.values()) == 0
    assert {r.key for v in views.values() for r in v.reasons if r.blocking} == {
        "alternatives_reason_certification_unknown"
    }


def test_open_source_criterion(kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile) -> None:
    criteria = AlternativeCriteria(exclude_documented=False, require_open_source=True)
    views = _views(kb, matcher, data, criteria)
    assert views["clean"].viable
    assert views["clean"].reasons[0].params == {"licence": "AGPL-3.0"}
    assert not views["exposed"].viable
    assert _keys(views["exposed"]) == ["alternatives_reason_not_open_source"]
    assert not views["unknown"].viable
    assert views["unknown"].reasons[0].outcome == "unknown"  # unknown is never shown as false


def test_all_criteria_together(kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile) -> None:
    criteria = AlternativeCriteria(
        exclude_documented=True,
        exclude_exposure=("us-cloud-act",),
        require_certifications=("secnumcloud",),
        require_open_source=True,
    )
    views = alternatives_for("cloud-data", kb, matcher, criteria, data)
    assert [v.provider.id for v in views if v.viable] == ["clean"]
    assert viable_count(views) == 1
    clean = views[0]
    assert [r.outcome for r in clean.reasons] == ["pass"] * 4


def test_category_filter(kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile) -> None:
    assert [v.provider.id for v in alternatives_for("ai", kb, matcher, NOTHING, data)] == ["brainy"]
    assert alternatives_for("telecom", kb, matcher, NOTHING, data) == []
    software = alternatives_for("software", kb, matcher, NOTHING, data)
    assert [v.provider.id for v in software] == ["clean"]


def test_order_is_deterministic(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    criteria = AlternativeCriteria(exclude_documented=True, require_open_source=True)
    first = alternatives_for("cloud-data", kb, matcher, criteria, data)
    ids = [v.provider.id for v in first]
    assert ids == ["clean", "documented", "exposed", "joint", "owned", "quiet", "unknown"]
    providers = list(data.providers)
    for seed in range(5):
        random.Random(seed).shuffle(providers)
        shuffled = data.model_copy(update={"providers": tuple(providers)})
        again = alternatives_for("cloud-data", kb, matcher, criteria, shuffled)
        assert [v.provider.id for v in again] == ids
        assert [v.reasons for v in again] == [v.reasons for v in first]


# --- with a policy ----------------------------------------------------------------------------


SEVERE_CONFLICT = {
    "assessment.evidence_count": 3,
    "assessment.severity": 0.89,
    "assessment.confidence": 0.8,
    "assessment.severe_confidence": 0.8,
    "assessment.strongest_source": "un_body",
    "assessment.heightened": True,
    "record.dual_use": True,
}


def test_viable_alternatives_decide_an_exclusion(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    policy = load_policy("seed-ethical-procurement")
    lenient = alternatives_for("cloud-data", kb, matcher, policy.alternatives, data)
    decision = evaluate(policy, {**SEVERE_CONFLICT, "alternatives.viable": viable_count(lenient)})
    assert decision.kind is DecisionKind.EXCLUDE
    # stricter criteria leave one viable alternative...
    strict = policy.alternatives.model_copy(
        update={"require_certifications": ("secnumcloud",), "require_open_source": True}
    )
    views = alternatives_for("cloud-data", kb, matcher, strict, data)
    assert [v.provider.id for v in views if v.viable] == ["clean"]
    # ...and with a requirement that none meets: no viable alternative, no exclusion
    none = strict.model_copy(update={"require_certifications": ("iso-27001",)})
    views = alternatives_for("cloud-data", kb, matcher, none, data)
    decision = evaluate(policy, {**SEVERE_CONFLICT, "alternatives.viable": viable_count(views)})
    assert decision.kind is DecisionKind.ENHANCED_DUE_DILIGENCE


def test_view_record_names_every_alternative_and_why(
    kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    criteria = AlternativeCriteria(exclude_documented=True, require_open_source=True)
    views = alternatives_for("cloud-data", kb, matcher, criteria, data)
    records = [view_record(v, Messages("en")) for v in views]
    assert [r["id"] for r in records] == [v.provider.id for v in views]
    documented = next(r for r in records if r["id"] == "documented")
    assert documented["viable"] is False
    assert documented["hits"] == [
        {
            "name": "BigCloud France",
            "tie": None,
            "own_group": True,
            "group_id": "bigcloud",
            "group_name": "BigCloud Inc",
            "evidence": ["ev1"],
        }
    ]
    texts = [reason["text"] for reason in documented["reasons"]]  # type: ignore[attr-defined]
    assert texts[0] == (
        'documented in the knowledge base: "BigCloud France" matches group BigCloud Inc '
        "(evidence items: 1)"
    )


# --- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_has_a_message(
    lang: str, kb: KnowledgeBase, matcher: Matcher, data: AlternativesFile
) -> None:
    t = Messages(lang)
    criteria = AlternativeCriteria(
        exclude_documented=True,
        exclude_exposure=("us-cloud-act",),
        require_certifications=("secnumcloud",),
        require_open_source=True,
    )
    views = alternatives_for("cloud-data", kb, matcher, criteria, data)
    views += alternatives_for("cloud-data", kb, matcher, NOTHING, data)
    texts = [describe(r, t) for v in views for r in v.reasons]
    assert texts and all("{" not in text for text in texts)
    joint = next(v for v in views if v.provider.id == "joint")
    relation = "actionnaire" if lang == "fr" else "shareholder"
    assert any(relation in describe(r, t) for r in joint.reasons)


# --- hostile files -----------------------------------------------------------------------------


def _problems(raw: bytes) -> list[str]:
    with pytest.raises(AlternativesError) as info:
        parse_alternatives(raw, "bad.yaml")
    assert "bad.yaml" in str(info.value)
    return info.value.problems


def test_bad_yaml_is_rejected() -> None:
    assert "not valid UTF-8 YAML" in _problems(b"providers: [unclosed")[0]
    assert "not valid UTF-8 YAML" in _problems(b"\xff\xfe\x00bad")[0]
    assert _problems(b"- a list\n") == ["top level must be a mapping"]
    assert _problems(b"") == ["top level must be a mapping"]


def test_yaml_aliases_are_rejected() -> None:
    bomb = b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "aliases are not allowed" in _problems(bomb)[0]


def test_deep_nesting_is_rejected() -> None:
    assert _problems(b"[" * 100_000) == ["YAML nesting is too deep"]
    assert _problems(b"a: " + b"{b: " * 50_000 + b"}" * 50_000) == ["YAML nesting is too deep"]


def test_unknown_fields_and_categories_are_all_listed() -> None:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["providers"][0]["ceo"] = "someone"
    raw["providers"][1]["categories"]["ids"] = ["cloud-data", "quantum"]
    raw["providers"][2]["open_source"] = {"value": True}  # no sources
    problems = _problems(yaml.safe_dump(raw).encode())
    assert len(problems) == 3
    assert any(p.startswith("providers.0.ceo:") and "Extra inputs" in p for p in problems)
    assert any(p.startswith("providers.1.categories.ids.1:") for p in problems)
    assert any(p.startswith("providers.2.open_source.sources:") for p in problems)


def test_unknown_references_and_duplicates_are_all_listed() -> None:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["providers"][0]["headquarters"]["sources"] = ["nowhere"]
    raw["providers"][1]["exposure"][0]["law"] = "unknown-law"
    raw["providers"][1]["certifications"][0]["scheme"] = "unknown-scheme"
    raw["providers"].append(copy.deepcopy(raw["providers"][2]))
    raw["sources"].append({**raw["sources"][0], "id": "unused"})
    problems = _problems(yaml.safe_dump(raw).encode())
    assert sorted(problems) == sorted(
        [
            "providers: id 'unknown' is defined twice",
            "provider 'clean'.headquarters: unknown source 'nowhere'",
            "provider 'exposed': unknown law 'unknown-law'",
            "provider 'exposed': unknown certification scheme 'unknown-scheme'",
            "sources: source 'unused' is cited by nothing",
        ]
    )


def test_bad_urls_and_dates_are_rejected() -> None:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["sources"][0]["url"] = "javascript:alert(1)"
    raw["sources"][1]["date"] = "last year"
    problems = _problems(yaml.safe_dump(raw).encode())
    assert [p.split(":")[0] for p in problems] == ["sources.0.url", "sources.1.date"]


def test_unreadable_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(AlternativesError, match="cannot read"):
        load_alternatives(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(AlternativesError, match="over"):
        load_alternatives(big)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_a_file_or_a_clear_error(raw: bytes) -> None:
    try:
        parsed = parse_alternatives(raw)
    except AlternativesError as exc:
        assert exc.problems
    else:  # pragma: no cover - random bytes are never a valid file
        assert parsed.providers
