"""Tests for vigie.sources.sirene: the SIRENE StockUniteLegale extract and SIREN lookups."""

from __future__ import annotations

import csv
import gzip
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.sources.sirene import (
    NAME_COLUMNS,
    SireneError,
    SireneNames,
    SireneStats,
    load_sirene,
    siren_of,
    unite_legale_name,
)

DUCKDB_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EXTRACT = Path(__file__).parent / "fixtures" / "sirene" / "StockUniteLegale-extract.csv"
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_fixture_names_and_counts() -> None:
    with load_sirene(EXTRACT) as names:
        found = names.names(["335092318", "000000001", "000000002", "000000003", "123456789"])
        assert found == {
            "335092318": "ORACLE FRANCE",
            "000000001": "CAMILLE EXEMPLE",  # natural person: first name and surname
            "000000003": "ATELIER FICTIF",  # first row with a public name wins
        }  # 000000002 is not public ([ND]); 123456789 is absent
        assert names.stats() == SireneStats(rows=7, valid=6, invalid=1, distinct=5)


def test_lookups_are_cached_and_accept_generators() -> None:
    with load_sirene(EXTRACT) as names:
        assert names.names(s for s in ["335092318"]) == {"335092318": "ORACLE FRANCE"}
        assert names.names(iter(["335092318", "000000002"])) == {"335092318": "ORACLE FRANCE"}
        assert names.names([]) == {}


def test_parquet_extract_gives_the_same_names(tmp_path: Path) -> None:
    target = tmp_path / "ul.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{EXTRACT}', all_varchar = true)) TO '{target}' "
        "(FORMAT parquet)"
    )
    con.close()
    with load_sirene(EXTRACT) as csv_names, load_sirene(target) as parquet_names:
        wanted = ["335092318", "000000001", "000000003"]
        assert parquet_names.names(wanted) == csv_names.names(wanted)
        assert parquet_names.stats() == csv_names.stats()


def test_gzipped_csv_and_integer_siren_column(tmp_path: Path) -> None:
    gz = tmp_path / "ul.csv.gz"
    gz.write_bytes(gzip.compress(b"siren;denominationUniteLegale\n5202;PETIT SIREN\n"))
    with load_sirene(gz) as names:
        # A SIREN that lost its leading zeros (spreadsheet export) is padded back to 9 digits.
        assert names.names(["000005202"]) == {"000005202": "PETIT SIREN"}


def test_minimal_extract_with_other_case_columns(tmp_path: Path) -> None:
    path = tmp_path / "ul.csv"
    path.write_text("SIREN,DenominationUniteLegale\n335092318,ORACLE FRANCE\n", encoding="utf-8")
    with load_sirene(path) as names:
        assert names.names(["335092318"]) == {"335092318": "ORACLE FRANCE"}


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"a,b\n1,2\n", "needs a siren column"),
        (b"siren\n123456789\n", "needs a siren column"),
        (b"PAR1 not really parquet", ""),
    ],
)
def test_unusable_extracts_raise_sirene_error(tmp_path: Path, content: bytes, detail: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(SireneError) as caught:
        load_sirene(path)
    assert detail in caught.value.detail
    assert caught.value.path == path


def test_missing_extract(tmp_path: Path) -> None:
    with pytest.raises(SireneError, match="no such file"):
        load_sirene(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("row", "name"),
    [
        ({"denominationUniteLegale": " ORACLE  FRANCE "}, "ORACLE FRANCE"),
        ({"denominationUniteLegale": "[ND]", "denominationUsuelle2UniteLegale": "U2"}, "U2"),
        ({"nomUniteLegale": "MARTIN", "prenom1UniteLegale": "ANNE"}, "ANNE MARTIN"),
        (
            {"nomUniteLegale": "MARTIN", "nomUsageUniteLegale": "DURAND",
             "prenom1UniteLegale": "ANNE", "prenomUsuelUniteLegale": "ANNIE"},
            "ANNIE DURAND",
        ),
        ({"nomUniteLegale": "MARTIN"}, "MARTIN"),
        ({"nomUniteLegale": "[ND]", "prenom1UniteLegale": "[ND]"}, None),
        ({"sigleUniteLegale": "SNCF"}, "SNCF"),
        ({}, None),
        ({"denominationUniteLegale": None}, None),
    ],
)  # fmt: skip
def test_unite_legale_name(row: dict[str, str | None], name: str | None) -> None:
    assert unite_legale_name(row) == name


@pytest.mark.parametrize(
    ("identifier", "scheme", "siren"),
    [
        ("33509231800187", "SIRET", "335092318"),
        ("335 092 318 00187", "SIRET", "335092318"),
        ("33509231800187", None, "335092318"),
        ("335092318", "SIREN", "335092318"),
        ("3350923180018", "SIRET", None),
        ("FR21483209383", "TVA", "483209383"),  # key 21 checks for 483209383
        ("FR22483209383", "TVA", None),  # wrong key
        ("FR21483209383", "SIRET", None),
        ("DE123456789", "TVA", None),
        ("US-1", "HORS-UE", None),
        ("33509231800187", "HORS-UE", None),
        ("٣٣٥٠٩٢٣١٨٠٠١٨٧", "SIRET", None),
        (None, "SIRET", None),
        ("", None, None),
    ],
)
def test_siren_of(identifier: str | None, scheme: str | None, siren: str | None) -> None:
    assert siren_of(identifier, scheme) == siren


# --- properties --------------------------------------------------------------------------

_cell = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["[ND]", "", " ", "ACME"]))


@SETTINGS
@given(st.dictionaries(st.sampled_from(NAME_COLUMNS), _cell))
def test_name_is_clean_or_none(row: dict[str, str | None]) -> None:
    name = unite_legale_name(row)
    if name is not None:
        assert name == " ".join(name.split())
        assert name
        assert name != "[ND]"


@SETTINGS
@given(st.text(max_size=20), st.one_of(st.none(), st.sampled_from(["SIRET", "TVA", "x"])))
def test_siren_of_is_nine_ascii_digits_or_none(identifier: str, scheme: str | None) -> None:
    siren = siren_of(identifier, scheme)
    assert siren is None or (len(siren) == 9 and siren.isascii() and siren.isdigit())


_sirens = st.one_of(
    st.from_regex(r"[0-9]{9}", fullmatch=True),
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.text(max_size=10),
)


@DUCKDB_SETTINGS
@given(
    st.lists(st.tuples(_sirens, st.text(max_size=15)), max_size=20),
    st.sampled_from([",", ";", "\t"]),
)
def test_any_csv_extract_loads_and_counts_reconcile(
    rows: list[tuple[str, str]], delimiter: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ul.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(["siren", "denominationUniteLegale"])
            writer.writerows(rows)
        try:
            names = load_sirene(path)
        except SireneError:
            return  # a clear error is an acceptable outcome; a crash is not
        with names:
            try:
                stats = names.stats()
                found = names.names(s for s, _ in rows)
            except SireneError:
                return
        assert stats.rows == stats.valid + stats.invalid
        assert stats.distinct <= stats.valid
        for siren, name in found.items():
            assert len(siren) == 9
            assert siren.isdigit()
            assert name


@DUCKDB_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_never_crash_the_loader(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ul.csv"
        path.write_bytes(data)
        try:
            with load_sirene(path) as names:
                names.stats()
                names.names(["123456789"])
        except SireneError:
            pass


def test_fingerprint_is_the_file_hash(tmp_path: Path) -> None:
    from vigie.sources.files import sha256_file

    with SireneNames.open(EXTRACT) as names:
        assert names.fingerprint() == sha256_file(EXTRACT) == names.fingerprint()
