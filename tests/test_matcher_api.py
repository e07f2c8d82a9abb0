"""Batch API, identifiers, country, and `vigie match` (one output row per input row)."""

from __future__ import annotations

import csv
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigie.cli import app
from vigie.kb import KnowledgeBase
from vigie.kb.model import Company, Identifier, KnowledgeBaseFile
from vigie.resolve import Matcher, Query, match_columns, match_names, match_queries
from vigie.resolve.batch import OUTPUT_COLUMNS
from vigie.resolve.files import ColumnError, MatchFileOptions, match_file
from vigie.resolve.identifiers import compare_keys, guess_identifier_keys, identifier_keys

ORACLE_FR_SIRET = "33509231800187"  # published with ORACLE FRANCE in the DECP 2019 files


def _kb(*companies: Company) -> KnowledgeBase:
    return KnowledgeBase.from_parts([("t.yaml", KnowledgeBaseFile(companies=companies))], "t")


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


@pytest.fixture(scope="module")
def id_matcher() -> Matcher:
    return Matcher(
        _kb(
            Company(
                id="acme",
                name="Acme Holdings Inc.",
                country="us",
                identifiers=(Identifier(scheme="lei", value="5493001KJTIIGC8Y1R12"),),
            ),
            Company(
                id="acme-fr",
                name="Acme France",
                parent="acme",
                country="fr",
                identifiers=(Identifier(scheme="siren", value=ORACLE_FR_SIRET[:9]),),
            ),
        )
    )


# --- identifiers ----------------------------------------------------------------------------


def test_identifier_keys() -> None:
    assert identifier_keys("SIRET", "335 092 318 00187") == {
        ("siret", ORACLE_FR_SIRET),
        ("siren", "335092318"),
    }
    assert identifier_keys("TVA", "FR06335092318") == {  # key (12 + 3 x (SIREN mod 97)) mod 97
        ("vat", "FR06335092318"),
        ("siren", "335092318"),
    }
    assert identifier_keys("SIRET", "33509231800188") == frozenset()  # bad check digit
    assert identifier_keys("HORS-UE", "123") == frozenset()
    assert identifier_keys(None, ORACLE_FR_SIRET) == identifier_keys("SIRET", ORACLE_FR_SIRET)
    assert identifier_keys("SIRET", None) == frozenset()
    assert guess_identifier_keys("335092318") == {("siren", "335092318")}
    assert guess_identifier_keys("5493001KJTIIGC8Y1R12") == {("lei", "5493001KJTIIGC8Y1R12")}
    assert guess_identifier_keys("hello") == frozenset()


def test_compare_keys() -> None:
    a = identifier_keys("SIRET", ORACLE_FR_SIRET)
    assert compare_keys(a, frozenset({("siren", "335092318")})) == (1, "siren 335092318")
    assert compare_keys(a, frozenset({("siren", "552100554")}))[0] == -1
    assert compare_keys(a, frozenset({("lei", "X")})) == (0, "")


def test_siret_finds_the_company_whatever_the_name(id_matcher: Matcher) -> None:
    keys = identifier_keys("SIRET", ORACLE_FR_SIRET)
    match = id_matcher.match_one("ACME FR (ETABLISSEMENT DE LYON)", identifiers=keys)
    assert match is not None
    assert (match.company_id, match.group_id, match.rule, match.score) == (
        "acme-fr", "acme", "identifier", 1.0,
    )  # fmt: skip
    assert "identifier_match 1 x 1 = +1 (siren 335092318)" in match.explanation


def test_identifier_conflict_lowers_an_exact_name(id_matcher: Matcher) -> None:
    other = identifier_keys("SIRET", "55210055400013")  # valid SIRET of another company
    assert id_matcher.match_one("Acme France", identifiers=other) is None
    plain = id_matcher.match_one("Acme France")
    assert plain is not None
    assert plain.score == 1.0


def test_country_feature(id_matcher: Matcher) -> None:
    same = id_matcher.match_one("Acme France", country="FR")
    other = id_matcher.match_one("Acme France", country="de")
    assert same is not None
    assert other is not None
    assert (same.score, other.score) == (1.0, 0.97)
    assert "country -1 x 0.03 = -0.03 (de / fr)" in other.explanation


# --- batch API ------------------------------------------------------------------------------


def test_match_columns_arrow_compatible(matcher: Matcher) -> None:
    columns = {"supplier": ["ORACLE FRANCE", None, "UGAP", "Oracle France SAS"], "n": [1, 2, 3, 4]}
    out = match_columns(columns, matcher, name_column="supplier")
    assert list(out) == list(OUTPUT_COLUMNS)
    assert all(len(v) == 4 for v in out.values())
    assert out["company_id"] == ["oracle-france", None, None, "oracle-france"]
    assert out["group_name"] == ["Oracle Corporation", None, None, "Oracle Corporation"]
    assert out["name"] == ["ORACLE FRANCE", None, "UGAP", "Oracle France SAS"]
    assert columns["supplier"][0] == "ORACLE FRANCE"  # the caller's columns are not changed


def test_match_names_with_countries_and_ids(id_matcher: Matcher) -> None:
    found = match_names(["X", "Acme France"], id_matcher, ["fr", "fr"], [ORACLE_FR_SIRET, None])
    assert [m.company_id if m else None for m in found] == ["acme-fr", "acme-fr"]


def test_match_queries_shares_a_caller_cache(matcher: Matcher) -> None:
    cache: dict[Query, object] = {}
    first = match_queries([Query("ORACLE FRANCE"), None, Query("")], matcher, cache)  # type: ignore[arg-type]
    assert first[1:] == [None, None]
    assert list(cache) == [Query("ORACLE FRANCE")]


def test_matcher_is_picklable_for_workers(matcher: Matcher) -> None:
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.match_one("ORACLE FRANCE") == matcher.match_one("ORACLE FRANCE")


# --- vigie match ----------------------------------------------------------------------------


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_vigie_match_csv(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.csv",
        [["id", "supplier", "siret"], ["1", "ORACLE FRANCE", ""], ["2", "UGAP", ""],
         ["3", "", ""], ["4", "=cmd|' /C calc'!A0", ""], ["5", "Microsoft UK Ltd", ""],
         ["6", "Whatever", ORACLE_FR_SIRET]],
    )  # fmt: skip
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["match", str(source), "--name-column", "supplier", "--id-column", "siret",
              "-o", str(out), "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "6 row(s) read" in result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(OUTPUT_COLUMNS)
    assert [r["company_id"] for r in rows] == ["oracle-france", "", "", "", "microsoft", ""]
    assert rows[3]["name"].startswith("'=")  # formula-safe
    assert rows[4]["score"] == "0.9200"
    assert rows[4]["group_name"] == "Microsoft Corporation"
    assert "qualifier_words" in rows[4]["explanation"]


def test_vigie_match_jsonl_and_country(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [["n", "c"], ["Oracle France", "fr"], ["x", "fr"]])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["match", str(source), "--name-column", "n", "--country-column", "c",
              "-o", str(out), "--format", "jsonl"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(d["name"], d["company_id"], d["score"]) for d in lines] == [
        ("Oracle France", "oracle-france", 1.0),
        ("x", None, None),
    ]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"a,b\n1,2\n", ["--name-column", "zz"], "column 'zz' is not in the header"),
        (b"", ["--name-column", "a"], "has no header row"),
        (b"a\n1\n", ["--name-column", "a", "--format", "xml"], "unknown format"),
        (b"a\n" + b"x" * (11 * 1024 * 1024) + b"\n", ["--name-column", "a"], "field larger"),
    ],
)
def test_vigie_match_bad_input_exit_2(
    tmp_path: Path, content: bytes, args: list[str], message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    result = CliRunner().invoke(
        app, ["match", str(source), "-o", str(tmp_path / "o.csv"), "--lang", "en", *args]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_match_file_streams_in_chunks_and_survives_bad_bytes(
    tmp_path: Path, matcher: Matcher
) -> None:
    source = tmp_path / "in.csv"
    body = b"name\n" + b"ORACLE FRANCE\nUGAP\nOracle Fr\xe9nce\xff\n" * 1_000
    source.write_bytes(body)
    target = tmp_path / "out.csv"
    stats = match_file(source, target, matcher, MatchFileOptions("name", chunk_rows=7, max_cache=2))
    # "Oracle Fr\xe9nce\xff" is not UTF-8: the lost letter (U+FFFD) is dropped and
    # "frnce" is one typo from "france"
    assert (stats.rows, stats.matched) == (3_000, 2_000)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3_000
    assert [r["company_id"] for r in rows[:3]] == ["oracle-france", "", "oracle-france"]
    with pytest.raises(ColumnError):
        match_file(source, target, matcher, MatchFileOptions("nope"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=40)))
def test_identifier_keys_never_raise(scheme: str | None, value: str | None) -> None:
    keys = identifier_keys(scheme, value) | guess_identifier_keys(value)
    for key_scheme, key_value in keys:
        assert key_scheme in {"siret", "siren", "vat", "lei", "duns", "wikidata", "gb-coh"}
        assert key_value and " " not in key_value
