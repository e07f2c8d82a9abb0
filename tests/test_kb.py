"""The knowledge base: the starter data, lookups, versioning and precise error reports."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from vigie.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base, starter_dir
from vigie.kb.model import Company, KnowledgeBaseFile

GROUPS = ("alphabet", "amazon", "cisco", "ibm", "microsoft", "oracle", "palantir")
"""The seven groups of the first seed."""
OTHER_GROUPS = ("broadcom", "dell-technologies", "openai")
"""Other groups named in the sources (docs/knowledge-base.md)."""


# --- the starter knowledge base -------------------------------------------------------------


def test_starter_kb_loads_and_checks_clean(kb: KnowledgeBase) -> None:
    assert kb.check() == []
    assert kb.duplicates == ()


def test_starter_kb_sizes(kb: KnowledgeBase) -> None:
    assert len(kb.companies) == 34
    assert len(kb.sources) == 29
    assert len(kb.products) == 48
    assert len(kb.ownership) == 8
    assert len(kb.relationships) == 6
    assert len(kb.evidence) == 8
    assert len(kb.responses) == 2
    assert len(kb.contexts) == 1
    assert len(kb.categories) == 8


def test_starter_kb_has_the_seven_groups_and_the_others_named(kb: KnowledgeBase) -> None:
    roots = sorted({kb.group_of(c).id for c in kb.companies})
    assert roots == sorted(GROUPS + OTHER_GROUPS)
    # VMware is between groups at the time of writing? No: Broadcom owns it since 2023.
    assert kb.group_of("vmware").id == "broadcom"


@pytest.mark.parametrize("group_id", GROUPS)
def test_each_group_has_attributed_evidence(kb: KnowledgeBase, group_id: str) -> None:
    items = kb.evidence_for_group(group_id)
    assert items, f"no evidence for {group_id}"
    for item in items:
        assert item.sources
        for source_id in item.sources:
            source = kb.sources[source_id]
            assert source.publisher
            assert source.title
        assert item.claim.en.strip()
        assert item.claim.fr.strip()


def test_every_cited_source_exists(kb: KnowledgeBase) -> None:
    cited = {s for e in kb.evidence.values() for s in e.sources}
    cited |= {s for r in kb.responses.values() for s in r.sources}
    cited |= {s for c in kb.contexts.values() for d in c.determinations for s in d.sources}
    cited |= {s for c in kb.companies.values() for s in c.sources}
    cited |= {s for p in kb.products.values() for s in p.sources}
    cited |= {s for o in kb.ownership for s in o.sources}
    cited |= {s for r in kb.relationships.values() for s in r.sources}
    assert cited <= set(kb.sources)
    # ...and every source is cited by something (check() reports unused sources).
    assert cited == set(kb.sources)


def test_every_reference_resolves(kb: KnowledgeBase) -> None:
    for item in kb.evidence.values():
        assert set(item.companies) <= set(kb.companies)
        assert set(item.categories) <= set(kb.categories)
        assert item.context is None or item.context in kb.contexts
    for response in kb.responses.values():
        assert response.company in kb.companies
        assert set(response.answers) <= set(kb.evidence)


def test_every_source_with_urls_uses_http(kb: KnowledgeBase) -> None:
    for source in kb.sources.values():
        for url in (source.url, *source.retrieved_from):
            if url is not None:
                assert url.startswith(("https://", "http://"))


@pytest.mark.parametrize(
    ("company_id", "group_id"),
    [
        ("oracle-france", "oracle"),
        ("oracle-america", "oracle"),
        ("netsuite", "oracle"),
        ("linkedin-ireland", "microsoft"),  # two levels: linkedin-ireland -> linkedin -> microsoft
        ("linkedin", "microsoft"),
        ("github", "microsoft"),
        ("microsoft-france", "microsoft"),
        ("mandiant", "alphabet"),  # mandiant -> google -> alphabet
        ("google", "alphabet"),
        ("aws-emea", "amazon"),
        ("amazon-eu", "amazon"),
        ("red-hat", "ibm"),
        ("ibm-france", "ibm"),
        ("splunk", "cisco"),
        ("palantir-uk", "palantir"),
        ("microsoft", "microsoft"),  # a group is its own group
    ],
)
def test_group_of(kb: KnowledgeBase, company_id: str, group_id: str) -> None:
    assert kb.group_of(company_id).id == group_id


def test_group_of_unknown_company_raises(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        kb.group_of("no-such-company")


def test_group_members(kb: KnowledgeBase) -> None:
    assert set(kb.group_members("microsoft")) == {
        "microsoft",
        "microsoft-france",
        "microsoft-ireland-operations",
        "microsoft-canada",
        "linkedin",
        "linkedin-ireland",
        "github",
    }
    assert kb.group_members("microsoft")[0] == "microsoft"
    assert set(kb.group_members("linkedin")) == {"linkedin", "linkedin-ireland"}
    assert kb.group_members("palantir-uk") == ["palantir-uk"]


def test_evidence_for_group_most_recent_first_undated_last(kb: KnowledgeBase) -> None:
    assert [e.id for e in kb.evidence_for_group("ibm")] == [
        "bds-2025-geneva-call",
        "unsr-2025-economy-of-genocide",
        "ap-2025-ai-models-in-war",
        "afsc-ibm-eitan-database",  # undated
    ]
    assert [e.id for e in kb.evidence_for_group("microsoft")] == [
        "guardian-2025-unit-8200-azure",
        "bds-2025-geneva-call",
        "unsr-2025-economy-of-genocide",
        "ap-2025-ai-models-in-war",
    ]


def test_evidence_about_a_subsidiary_counts_for_the_group(kb: KnowledgeBase) -> None:
    # globes-2021-nimbus-award names amazon, aws, alphabet and google.
    assert "globes-2021-nimbus-award" in [e.id for e in kb.evidence_for_group("amazon")]
    # calcalist names google and alphabet; it is not about amazon.
    assert "calcalist-2021-google-data-control" not in [
        e.id for e in kb.evidence_for_group("amazon")
    ]


def test_responses_to(kb: KnowledgeBase) -> None:
    assert [r.id for r in kb.responses_to("ap-2025-ai-models-in-war")] == [
        "microsoft-2025-05-no-evidence"
    ]
    assert [r.id for r in kb.responses_to("ap-2025-ai-models-in-war", "microsoft")] == [
        "microsoft-2025-05-no-evidence"
    ]
    # Microsoft's response is not shown as Google's response to the same article.
    assert kb.responses_to("ap-2025-ai-models-in-war", "alphabet") == []
    assert kb.responses_to("bds-2025-geneva-call") == []


def test_text_get_language(kb: KnowledgeBase) -> None:
    claim = kb.evidence["toi-2024-palantir-partnership"].claim
    assert claim.get("fr").startswith("Palantir a tenu")
    assert claim.get("en").startswith("Palantir held")


# --- version ----------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(starter_dir(), target)
    return target


def test_version_is_stable(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert len(kb.version) == 16
    assert all(c in "0123456789abcdef" for c in kb.version)
    assert load_knowledge_base().version == kb.version
    # Same file names and contents elsewhere: same version.
    assert load_knowledge_base([_copy(tmp_path)]).version == kb.version


def test_version_changes_when_a_file_changes(kb: KnowledgeBase, tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "companies.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert load_knowledge_base([directory]).version != kb.version


def test_version_changes_when_a_file_is_added(kb: KnowledgeBase, tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "zz-extra.yaml").write_text("companies: []\n", encoding="utf-8")
    changed = load_knowledge_base([directory])
    assert changed.version != kb.version
    assert changed.companies.keys() == kb.companies.keys()


def test_several_directories_merge(kb: KnowledgeBase, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "more.yaml").write_text(
        "companies:\n"
        "  - id: oracle-deutschland\n"
        "    name: Oracle Deutschland B.V. & Co. KG\n"
        "    country: de\n"
        "    parent: oracle\n",
        encoding="utf-8",
    )
    merged = load_knowledge_base([starter_dir(), extra])
    assert merged.group_of("oracle-deutschland").id == "oracle"
    assert "oracle-deutschland" in merged.group_members("oracle")
    assert len(merged.companies) == len(kb.companies) + 1


# --- invalid copies ---------------------------------------------------------------------------


def _problems(tmp_path: Path, mutate: Callable[[Path], None]) -> list[str]:
    directory = _copy(tmp_path)
    mutate(directory)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base([directory])
    problems = info.value.problems
    assert problems, "KnowledgeBaseError without problems"
    for problem in problems:
        assert problem in str(info.value)
    return problems


def _replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        path = directory / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return mutate


def _edit_yaml(
    file: str, edit: Callable[[dict[str, list[dict[str, object]]]], None]
) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        path = directory / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    return mutate


def _item(
    data: dict[str, list[dict[str, object]]], section: str, item_id: str
) -> dict[str, object]:
    return next(i for i in data[section] if i["id"] == item_id)


def test_unknown_parent(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "oracle-france")["parent"] = "oracle-holdings"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    assert problems == ["companies.yaml: company 'oracle-france': unknown parent 'oracle-holdings'"]


def test_parent_cycle(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "oracle")["parent"] = "netsuite"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    for company in ("oracle", "netsuite"):
        assert f"companies.yaml: company {company!r}: parent links form a cycle" in problems
    for problem in problems:
        assert problem.startswith("companies.yaml: company ")
        assert problem.endswith(": parent links form a cycle")


def test_self_parent_is_a_cycle(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "palantir-uk")["parent"] = "palantir-uk"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    assert problems == ["companies.yaml: company 'palantir-uk': parent links form a cycle"]


def test_group_of_stops_at_a_cycle() -> None:
    a = Company(id="a", name="A", parent="b")
    b = Company(id="b", name="B", parent="a")
    kb = KnowledgeBase.from_parts([("x.yaml", KnowledgeBaseFile(companies=(a, b)))], version="v")
    assert kb.group_of("a").id == "b"
    assert kb.group_of("b").id == "a"
    assert kb.check() == [
        "x.yaml: company 'a': parent links form a cycle",
        "x.yaml: company 'b': parent links form a cycle",
    ]


def test_duplicate_company_id_in_same_file(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "oracle-america")["id"] = "oracle-france"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    assert problems == ["companies.yaml: companies id 'oracle-france' is defined twice"]


def test_duplicate_company_id_in_another_file(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        (directory / "zz-extra.yaml").write_text(
            "companies:\n  - id: oracle\n    name: Oracle Again\n", encoding="utf-8"
        )

    problems = _problems(tmp_path, mutate)
    assert problems == ["zz-extra.yaml: companies id 'oracle' is defined twice"]


def test_evidence_citing_unknown_source(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        item = _item(data, "evidence", "toi-2024-palantir-partnership")
        item["sources"] = ["timesofisrael-2024-01-palantir", "no-such-source"]

    problems = _problems(tmp_path, _edit_yaml("evidence.yaml", edit))
    assert problems == [
        "evidence.yaml: evidence 'toi-2024-palantir-partnership': unknown source 'no-such-source'"
    ]


def test_evidence_about_unknown_company_and_category(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        item = _item(data, "evidence", "toi-2024-palantir-partnership")
        item["companies"] = ["palantir-gmbh"]
        item["categories"] = ["gossip"]

    problems = _problems(tmp_path, _edit_yaml("evidence.yaml", edit))
    assert problems == [
        "evidence.yaml: evidence 'toi-2024-palantir-partnership': unknown company 'palantir-gmbh'",
        "evidence.yaml: evidence 'toi-2024-palantir-partnership': unknown category 'gossip'",
    ]


def test_response_to_unknown_evidence(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "responses", "microsoft-2025-05-no-evidence")["answers"] = ["no-such-item"]

    problems = _problems(tmp_path, _edit_yaml("evidence.yaml", edit))
    assert problems == [
        "evidence.yaml: response 'microsoft-2025-05-no-evidence': unknown evidence 'no-such-item'"
    ]


def test_unused_source(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        (directory / "zz-extra.yaml").write_text(
            "sources:\n  - id: lonely\n    type: ngo\n    publisher: P\n    title: T\n",
            encoding="utf-8",
        )

    problems = _problems(tmp_path, mutate)
    assert problems == ["zz-extra.yaml: source 'lonely' is cited by nothing"]


def test_missing_french_text(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        claim = _item(data, "evidence", "toi-2024-palantir-partnership")["claim"]
        assert isinstance(claim, dict)
        del claim["fr"]

    problems = _problems(tmp_path, _edit_yaml("evidence.yaml", edit))
    assert problems == [
        "evidence.yaml: evidence[5] (id 'toi-2024-palantir-partnership').claim.fr: Field required"
    ]


def test_empty_french_text(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        label = _item(data, "categories", "labour")["label"]
        assert isinstance(label, dict)
        label["fr"] = ""

    problems = _problems(tmp_path, _edit_yaml("categories.yaml", edit))
    assert problems == [
        "categories.yaml: categories[5] (id 'labour').label.fr: "
        "String should have at least 1 character"
    ]


def test_malformed_yaml(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        _replace("sources.yaml", "  - id: globes-2021-04-21-nimbus\n", "  - id: [globes\n"),
    )
    assert len(problems) == 1
    assert problems[0].startswith("sources.yaml: not valid UTF-8 YAML: ")
    assert "line 5" in problems[0]


def test_not_utf8(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        (directory / "zz-extra.yaml").write_bytes(b"companies: []\n# \xff\xfe\n")

    problems = _problems(tmp_path, mutate)
    assert len(problems) == 1
    assert problems[0].startswith("zz-extra.yaml: not valid UTF-8 YAML: ")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        (directory / "zz-extra.yaml").write_text("- a\n- b\n", encoding="utf-8")

    assert _problems(tmp_path, mutate) == ["zz-extra.yaml: top level must be a mapping of sections"]


def test_empty_file_is_allowed(kb: KnowledgeBase, tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "zz-empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_knowledge_base([directory]).companies.keys() == kb.companies.keys()


def test_wrong_type_for_a_field(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, _replace("contexts.yaml", "conflict_affected: true", "conflict_affected: [yes]")
    )
    assert problems == [
        "contexts.yaml: contexts[0] (id 'israel-opt').conflict_affected: "
        "Input should be a valid boolean"
    ]


def test_string_where_a_list_is_expected(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        _replace(
            "companies.yaml", "aliases: [Palantir, Palantir Technologies]", "aliases: Palantir"
        ),
    )
    assert problems == [
        "companies.yaml: companies[26] (id 'palantir').aliases: Input should be a valid tuple"
    ]


def test_unknown_field(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "palantir-uk")["website"] = "https://example.org"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    assert problems == [
        "companies.yaml: companies[27] (id 'palantir-uk').website: Extra inputs are not permitted"
    ]


def test_unknown_section(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        (directory / "zz-extra.yaml").write_text("vendors: []\n", encoding="utf-8")

    assert _problems(tmp_path, mutate) == ["zz-extra.yaml: vendors: Extra inputs are not permitted"]


def test_unknown_source_type(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _replace("sources.yaml", "type: ngo", "type: blog"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "sources.yaml: sources[8] (id 'afsc-investigate-ibm-eitan').type: Input should be "
    )


def test_bad_date(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, _replace("sources.yaml", 'date: "2024-01"\n', 'date: "January 2024"\n')
    )
    assert problems == [
        "sources.yaml: sources[7] (id 'timesofisrael-2024-01-palantir').date: "
        "Value error, date 'January 2024' is not YYYY, YYYY-MM or YYYY-MM-DD"
    ]


def test_non_http_url(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        _replace(
            "sources.yaml",
            "url: https://investigate.info/node/1294",
            "url: javascript:alert(1)",
        ),
    )
    assert problems == [
        "sources.yaml: sources[8] (id 'afsc-investigate-ibm-eitan').url: "
        "Value error, URL 'javascript:alert(1)' must start with http:// or https://"
    ]


def test_bad_slug(tmp_path: Path) -> None:
    def edit(data: dict[str, list[dict[str, object]]]) -> None:
        _item(data, "companies", "palantir-uk")["id"] = "Palantir UK"

    problems = _problems(tmp_path, _edit_yaml("companies.yaml", edit))
    assert len(problems) == 1
    assert problems[0].startswith("companies.yaml: companies[27] (id 'Palantir UK').id: ")


def test_every_problem_is_reported_across_files(tmp_path: Path) -> None:
    def mutate(directory: Path) -> None:
        _replace("contexts.yaml", "conflict_affected: true", "conflict_affected: maybe")(directory)
        (directory / "zz-extra.yaml").write_text("- a\n", encoding="utf-8")

    problems = _problems(tmp_path, mutate)
    assert len(problems) == 2
    assert problems[0].startswith("contexts.yaml: ")
    assert problems[1] == "zz-extra.yaml: top level must be a mapping of sections"


def test_no_yaml_files(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base([tmp_path])
    assert info.value.problems == ["no knowledge-base files (*.yaml) found"]


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.kb import loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    (tmp_path / "big.yaml").write_text("companies: []\n" + "#" * 200 + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base([tmp_path])
    assert info.value.problems == ["big.yaml: file is 215 bytes, over 100"]
