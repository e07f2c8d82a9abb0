"""The starter content: dated groups, products, identifiers and relationships."""

from __future__ import annotations

from collections import Counter

import pytest

from vigie.kb import KnowledgeBase

SEVEN = ("alphabet", "amazon", "cisco", "ibm", "microsoft", "oracle", "palantir")


@pytest.mark.parametrize(
    ("company_id", "day", "group_id"),
    [
        ("vmware", "2016-09-06", "vmware"),
        ("vmware", "2016-09-07", "dell-technologies"),
        ("vmware", "2021-10-31", "dell-technologies"),
        ("vmware", "2021-11-01", "vmware"),  # spun off: not in Dell's group for a 2023 contract
        ("vmware", "2023-06-01", "vmware"),
        ("vmware", "2023-11-22", "broadcom"),
        ("linkedin", "2016-12-07", "linkedin"),
        ("linkedin", "2016-12-08", "microsoft"),
        ("linkedin-ireland", "2017-01-01", "microsoft"),
        ("github", "2018-10-25", "github"),
        ("github", "2018-10-26", "microsoft"),
        ("red-hat", "2019-07-08", "red-hat"),
        ("red-hat", "2019-07-09", "ibm"),
        ("splunk", "2024-03-17", "splunk"),
        ("splunk", "2024-03-18", "cisco"),
        ("netsuite", "2016-11-07", "oracle"),
        ("mandiant", "2021-12-31", "mandiant"),
        ("mandiant", "2022-01-01", "alphabet"),  # "2022": the whole year counts (documented)
        ("microsoft-france", "1990-01-01", "microsoft"),  # undated parent link
    ],
)
def test_dated_groups(kb: KnowledgeBase, company_id: str, day: str, group_id: str) -> None:
    assert kb.group_of(company_id, at=day).id == group_id


def test_subsidiaries_follow_the_date(kb: KnowledgeBase) -> None:
    assert "vmware" in kb.subsidiaries("dell-technologies", at="2020-01-01")
    assert "vmware" not in kb.subsidiaries("dell-technologies", at="2023-01-01")
    assert "vmware" in kb.subsidiaries("broadcom")
    assert "splunk" not in kb.subsidiaries("cisco", at="2023-12-31")


def test_every_first_seed_group_has_products(kb: KnowledgeBase) -> None:
    for group_id in SEVEN:
        assert kb.products_of(group_id), group_id
    names = {p.id for p in kb.products_of("ibm")}
    assert {"red-hat-openshift", "ibm-db2"} <= names
    assert "red-hat-openshift" not in {p.id for p in kb.products_of("ibm", at="2019-01-01")}


def test_vmware_products_move_with_the_company(kb: KnowledgeBase) -> None:
    assert "vmware-vsphere" in {p.id for p in kb.products_of("dell-technologies", "2020-05-05")}
    assert "vmware-vsphere" not in {p.id for p in kb.products_of("dell-technologies", "2023-05-05")}
    assert "vmware-vsphere" in {p.id for p in kb.products_of("broadcom", "2024-05-05")}


def test_no_term_is_claimed_by_two_groups(kb: KnowledgeBase) -> None:
    owners: dict[str, set[str]] = {}
    for product in kb.products.values():
        for term in (*product.terms, *product.ambiguous_terms):
            owners.setdefault(term.casefold(), set()).add(kb.group_of(product.company).id)
    assert {t: g for t, g in owners.items() if len(g) > 1} == {}


def test_identifiers_are_unique(kb: KnowledgeBase) -> None:
    counts = Counter(str(i) for c in kb.companies.values() for i in c.identifiers)
    assert counts and max(counts.values()) == 1
    assert kb.companies["microsoft"].identifier("wikidata") == "Q2283"


def test_every_evidence_item_has_confidence_and_categories(kb: KnowledgeBase) -> None:
    for item in kb.evidence.values():
        assert item.confidence.value in {"high", "medium", "low"}
        assert item.categories
    assert kb.evidence["bds-2025-geneva-call"].confidence.value == "low"


def test_relationships_are_sourced_and_attributed(kb: KnowledgeBase) -> None:
    assert len(kb.relationships) == 6
    for rel in kb.relationships.values():
        assert rel.sources
        assert "BDS" in rel.description.en
        assert "BDS" in rel.description.fr
    assert [r.id for r in kb.relationships_of("alphabet")] == ["itu-ai-for-good-2025-google"]


def test_technology_categories_are_the_taxonomy_ids() -> None:
    from vigie.kb import load_knowledge_base, starter_dir
    from vigie.sources.taxonomy import default_taxonomy

    kb = load_knowledge_base([starter_dir()])
    taxonomy = set(default_taxonomy().categories) - {"other"}
    assert set(kb.technology_categories) == taxonomy
    assert {p.category for p in kb.products.values()} <= taxonomy
