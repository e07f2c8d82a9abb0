"""Findings, exposure by corporate group, and the dossiers of evidence for matched groups."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vigie.assess import (
    EvidenceView,
    Finding,
    GroupExposure,
    dossiers,
    exposure_by_group,
    find_supplier_matches,
)
from vigie.kb import KnowledgeBase
from vigie.resolve import Match, Matcher, Query
from vigie.sources.records import Party, ProcurementRecord


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


def _record(
    position: str,
    *suppliers: str | None,
    amount: float | None = 100.0,
    currency: str | None = "EUR",
    source: str = "/in/a.json",
) -> ProcurementRecord:
    return ProcurementRecord(
        source_file=source,
        position=position,
        line=int(position.rsplit("/", 1)[-1]) + 1,
        record_id="id" + position,
        kind="contract",
        buyer=Party("1", "SIRET", "Ville de Test"),
        suppliers=tuple(Party(f"s{i}", "SIRET", name) for i, name in enumerate(suppliers)),
        title="Licences",
        amount=amount,
        currency=currency,
        date="2019-03-18",
        cpv="48000000",
        cpv_raw="48000000-8",
        procedure="Procédure adaptée",
        content_hash="h" + position,
    )


def _exposure(exposures: list[GroupExposure], group_id: str) -> GroupExposure:
    return next(e for e in exposures if e.group_id == group_id)


# --- findings ---------------------------------------------------------------------------------


def test_one_finding_per_record_and_company(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "ORACLE FRANCE"),
        _record("/marches/1", "UGAP", "OVH SAS"),
        _record("/marches/2", "ORACLE FRANCE", "Oracle France SAS"),  # same company twice
        _record("/marches/3", "ORACLE FRANCE", "NetSuite Inc."),  # two companies, one group
        _record("/marches/4", "GOOGLE FRANCE", "Microsoft France"),  # two groups
        _record("/marches/5"),  # no supplier
        _record("/marches/6", None, ""),  # supplier without a name
    ]
    findings = find_supplier_matches(records, matcher)
    assert [(f.record.position, f.match.company_id) for f in findings] == [
        ("/marches/0", "oracle-france"),
        ("/marches/2", "oracle-france"),
        ("/marches/3", "oracle-france"),
        ("/marches/3", "netsuite"),
        ("/marches/4", "google-france"),
        ("/marches/4", "microsoft-france"),
    ]
    # The finding keeps the first supplier that matched, as published.
    second = findings[1]
    assert second.supplier == Party("s0", "SIRET", "ORACLE FRANCE")
    assert second.match_kind == "supplier"
    assert second.match.name == "ORACLE FRANCE"


def test_same_position_in_two_files_are_two_records(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "ORACLE FRANCE", source="/in/a.json"),
        _record("/marches/0", "ORACLE FRANCE", source="/in/b.json"),
    ]
    findings = find_supplier_matches(records, matcher)
    assert [f.record.source_file for f in findings] == ["/in/a.json", "/in/b.json"]
    assert exposure_by_group(findings)[0].records == 2


def test_each_distinct_name_is_scored_once(kb: KnowledgeBase) -> None:
    calls: list[str] = []

    class Counting(Matcher):
        def match_query(self, query: Query) -> Match | None:
            calls.append(query.name)
            return super().match_query(query)

    records = [_record(f"/marches/{i}", "ORACLE FRANCE", "UGAP") for i in range(50)]
    findings = find_supplier_matches(records, Counting(kb))
    assert len(findings) == 50
    assert calls == ["ORACLE FRANCE", "UGAP"]


def test_no_records_no_findings(matcher: Matcher) -> None:
    assert find_supplier_matches([], matcher) == []
    assert exposure_by_group([]) == []


# --- exposure ---------------------------------------------------------------------------------


def test_two_suppliers_of_one_group_count_once_with_the_full_amount(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "ORACLE FRANCE", "NetSuite Inc.", amount=1000.0),
        _record("/marches/1", "Oracle America Inc", amount=250.5),
    ]
    exposures = exposure_by_group(find_supplier_matches(records, matcher))
    assert len(exposures) == 1
    oracle = exposures[0]
    assert (oracle.group_id, oracle.group_name) == ("oracle", "Oracle Corporation")
    assert oracle.records == 2
    assert oracle.amount_by_currency == {"EUR": 1250.5}
    assert oracle.amount == 1250.5
    assert oracle.records_without_amount == 0
    assert oracle.companies == {"oracle-france", "netsuite", "oracle-america"}


def test_co_contractors_of_two_groups_each_get_the_full_amount(matcher: Matcher) -> None:
    records = [_record("/marches/0", "GOOGLE FRANCE", "MICROSOFT FRANCE", amount=900.0)]
    exposures = exposure_by_group(find_supplier_matches(records, matcher))
    assert {(e.group_id, e.records, e.amount) for e in exposures} == {
        ("alphabet", 1, 900.0),
        ("microsoft", 1, 900.0),
    }


def test_records_without_amount(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "IBM France", amount=None, currency=None),
        _record("/marches/1", "IBM France", amount=40.0, currency=None),  # no currency
        _record("/marches/2", "Red Hat France", "IBM", amount=None, currency=None),
        _record("/marches/3", "IBM", amount=60.0),
    ]
    ibm = exposure_by_group(find_supplier_matches(records, matcher))[0]
    assert ibm.group_id == "ibm"
    assert ibm.records == 4
    assert ibm.records_without_amount == 3
    assert ibm.amount_by_currency == {"EUR": 60.0}
    assert ibm.amount == 60.0


def test_only_records_without_amount(matcher: Matcher) -> None:
    records = [_record("/marches/0", "Palantir", amount=None, currency=None)]
    palantir = exposure_by_group(find_supplier_matches(records, matcher))[0]
    assert palantir.records_without_amount == 1
    assert palantir.amount_by_currency == {}
    assert palantir.amount == 0.0


def test_amounts_in_several_currencies(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "Cisco", amount=10.0, currency="EUR"),
        _record("/marches/1", "Cisco", amount=20.0, currency="CHF"),
        # Splunk is in Cisco's group from its acquisition (2024): a record dated after it
        replace(_record("/marches/2", "Splunk", amount=5.0, currency="EUR"), date="2025-01-15"),
    ]
    cisco = exposure_by_group(find_supplier_matches(records, matcher))[0]
    assert cisco.amount_by_currency == {"EUR": 15.0, "CHF": 20.0}
    assert cisco.amount is None  # no single total across currencies
    assert cisco.records == 3


def test_exposures_sorted_by_records_then_name(matcher: Matcher) -> None:
    records = [
        _record("/marches/0", "Palantir"),
        _record("/marches/1", "IBM"),
        _record("/marches/2", "IBM"),
        _record("/marches/3", "Cisco"),
        _record("/marches/4", "Amazon"),
    ]
    exposures = exposure_by_group(find_supplier_matches(records, matcher))
    assert [(e.group_name, e.records) for e in exposures] == [
        ("International Business Machines Corporation", 2),
        ("Amazon.com, Inc.", 1),
        ("Cisco Systems, Inc.", 1),
        ("Palantir Technologies Inc.", 1),
    ]


def test_exposure_of_repeated_findings_is_counted_once(matcher: Matcher) -> None:
    findings = find_supplier_matches([_record("/marches/0", "IBM", amount=10.0)], matcher)
    exposures = exposure_by_group([*findings, *findings])
    assert (exposures[0].records, exposures[0].amount) == (1, 10.0)


def test_group_exposure_amount_property() -> None:
    assert GroupExposure("g", "G").amount == 0.0
    assert GroupExposure("g", "G", amount_by_currency={"EUR": 2.5}).amount == 2.5
    assert GroupExposure("g", "G", amount_by_currency={"EUR": 1.0, "USD": 1.0}).amount is None


# --- dossiers ---------------------------------------------------------------------------------


def test_dossier_lists_evidence_most_recent_first_with_responses(kb: KnowledgeBase) -> None:
    (microsoft,) = dossiers(["microsoft"], kb)
    assert (microsoft.group_id, microsoft.group_name) == ("microsoft", "Microsoft Corporation")
    assert [(v.evidence.id, v.evidence.date) for v in microsoft.evidence] == [
        ("guardian-2025-unit-8200-azure", "2025-08-06"),
        ("bds-2025-geneva-call", "2025-07"),
        ("unsr-2025-economy-of-genocide", "2025-06-30"),
        ("ap-2025-ai-models-in-war", "2025-02-18"),
    ]
    assert [[r.id for r in v.responses] for v in microsoft.evidence] == [
        ["microsoft-2025-09-cease-imod-subscriptions"],
        [],
        [],
        ["microsoft-2025-05-no-evidence"],
    ]
    assert microsoft.contexts == ("israel-opt",)
    assert all(isinstance(v, EvidenceView) for v in microsoft.evidence)


def test_dossier_shows_only_the_groups_own_responses(kb: KnowledgeBase) -> None:
    (alphabet,) = dossiers(["alphabet"], kb)
    ap = next(v for v in alphabet.evidence if v.evidence.id == "ap-2025-ai-models-in-war")
    assert ap.responses == ()  # Microsoft's response is not Alphabet's


def test_dossier_undated_evidence_last(kb: KnowledgeBase) -> None:
    (ibm,) = dossiers(["ibm"], kb)
    assert [v.evidence.id for v in ibm.evidence][-1] == "afsc-ibm-eitan-database"
    assert ibm.evidence[-1].evidence.date is None


def test_dossiers_in_the_order_given_without_repeats(kb: KnowledgeBase) -> None:
    result = dossiers(["oracle", "amazon", "oracle", "palantir"], kb)
    assert [d.group_id for d in result] == ["oracle", "amazon", "palantir"]
    (oracle, amazon, palantir) = result
    assert [v.evidence.id for v in oracle.evidence] == ["bds-2025-geneva-call"]
    assert [v.evidence.id for v in amazon.evidence] == [
        "bds-2025-geneva-call",
        "unsr-2025-economy-of-genocide",
        "ap-2025-ai-models-in-war",
        "globes-2021-nimbus-award",
    ]
    assert palantir.group_name == "Palantir Technologies Inc."


def test_dossiers_from_exposures(kb: KnowledgeBase, matcher: Matcher) -> None:
    mandiant = replace(_record("/marches/1", "Mandiant"), date="2025-01-15")  # Google since 2022
    records = [_record("/marches/0", "ORACLE FRANCE"), mandiant]
    exposures = exposure_by_group(find_supplier_matches(records, matcher))
    result = dossiers((e.group_id for e in exposures), kb)
    assert [d.group_id for d in result] == ["alphabet", "oracle"]  # by records, then name


def test_finding_is_a_plain_value(matcher: Matcher) -> None:
    record = _record("/marches/0", "ORACLE FRANCE")
    match = matcher.match_one("ORACLE FRANCE")
    assert match is not None
    finding = Finding(record, record.suppliers[0], match)
    assert find_supplier_matches([record], matcher) == [finding]
