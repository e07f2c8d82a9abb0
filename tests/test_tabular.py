"""Spreadsheet reader (CSV, XLSX) with a column-mapping file."""

from __future__ import annotations

import datetime
import functools
import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from vigie.sources import tabular
from vigie.sources.codes import REJECTION_CODES, WARNING_CODES
from vigie.sources.files import Limits
from vigie.sources.records import Party, ReadResult
from vigie.sources.tabular import MappingError, TabularMapping, load_mapping, read_tabular

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"
DOCS = Path(__file__).parent.parent / "docs" / "examples"
SIMPLE = {"columns": {"supplier_name": "Supplier", "amount": "Amount"}, "currency": "EUR"}


def check(result: ReadResult) -> ReadResult:
    assert result.records_read == len(result.records) + len(result.rejections)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    for record in result.records:
        assert (record.amount is None) == (record.currency is None)
        if record.amount is not None:
            assert math.isfinite(record.amount) and record.amount >= 0
    return result


def mapping(**fields: Any) -> TabularMapping:
    return TabularMapping.model_validate({**SIMPLE, **fields})


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_docs_example_is_the_fixture() -> None:
    for name in ("contracts.csv", "mapping.yaml"):
        assert (DOCS / name).read_bytes() == (FIXTURES / name).read_bytes()


def test_example() -> None:
    result = check(
        read_tabular(FIXTURES / "contracts.csv", load_mapping(FIXTURES / "mapping.yaml"), "c.csv")
    )
    assert [r.record_id for r in result.records] == ["2024-001", "2024-002", "2024-003", "2024-005"]
    first, second, third, fifth = result.records
    assert first.position == "line 3" and first.line == 3
    assert first.buyer == Party("21000000000017", None, "Commune d'Exempleville", None)
    assert first.suppliers == (Party("000000001", None, "Société Fictive Informatique", "fr"),)
    assert (first.amount, first.currency, first.date) == (12500.5, "EUR", "2024-01-31")
    assert (first.cpv, first.cpv_raw) == ("72000000", "72000000-5")
    assert first.procedure == "MAPA" and first.kind == "contract"
    assert [s.name for s in second.suppliers] == ["Cabinet Imaginaire", "Bureau Supposé"]
    assert [s.id for s in second.suppliers] == ["000000002", "000000003"]
    assert second.title == "Étude sur la vidéoprotection; phase 1"
    assert third.date == "2024-03-01"  # ISO 8601 accepted beside the format
    assert (fifth.amount, fifth.date, fifth.cpv) == (None, None, "07200000")
    assert [(r.position, r.note.code) for r in result.rejections] == [
        ("line 7", "tabular_no_party"),
        ("line 9", "tabular_extra_cells"),
        ("line 10", "duplicate"),
    ]
    assert result.rejections[2].note.as_dict() == {"of": "line 3"}
    assert [(w.position, w.note.code) for w in result.warnings] == [
        ("line 8", "amount_not_number"),
        ("line 8", "bad_date"),
        ("line 8", "cpv_leading_zero"),
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"columns": {"amount": "A"}}, "map at least one of"),
        ({"columns": {"supplier_name": "S", "colour": "C"}}, "columns.colour"),
        ({"columns": {"supplier_name": 0}}, "counts from 1"),
        ({"columns": {"supplier_name": "S"}, "encoding": "klingon"}, "unknown encoding"),
        ({"columns": {"supplier_name": "S"}, "date_format": "dd/mm"}, "strptime"),
        ({"columns": {"supplier_name": "S"}, "delimiter": ";;"}, "delimiter"),
        ({"columns": {"supplier_name": "S"}, "header_row": 0}, "header_row"),
        ({"columns": {"supplier_name": "S"}, "currency": "euro"}, "currency"),
        (["a list"], "YAML mapping"),
    ],
)
def test_invalid_mappings(tmp_path: Path, content: object, problem: str) -> None:
    path = write(tmp_path, "m.yaml", yaml.safe_dump(content, allow_unicode=True))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_unreadable_mapping(tmp_path: Path) -> None:
    with pytest.raises(MappingError):
        load_mapping(write(tmp_path, "m.yaml", "columns: [unclosed"))
    with pytest.raises(MappingError):
        load_mapping(tmp_path / "missing.yaml")


def test_windows_1252_is_detected_or_declared(tmp_path: Path) -> None:
    text = "Supplier;Amount\nSociété Générale d'Exemple;1,5\n"
    path = write(tmp_path, "w.csv", text, "cp1252")
    guessed = check(read_tabular(path, mapping(decimal=",")))
    assert guessed.records[0].suppliers[0].name == "Société Générale d'Exemple"
    assert guessed.records[0].amount == 1.5
    assert [w.note.code for w in guessed.warnings] == ["tabular_encoding_guessed"]
    declared = check(read_tabular(path, mapping(decimal=",", encoding="cp1252")))
    assert declared.records == guessed.records and declared.warnings == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "b.csv", "Supplier,Amount\nÉcole,3\n", encoding)
    result = check(read_tabular(path, mapping()))
    assert result.records[0].suppliers[0].name == "École"
    assert result.warnings == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_detection(tmp_path: Path, delimiter: str) -> None:
    text = f"Supplier{delimiter}Amount\nA{delimiter}1\n"
    (record,) = check(read_tabular(write(tmp_path, "d.csv", text), mapping())).records
    assert (record.suppliers[0].name, record.amount) == ("A", 1.0)


def test_quoted_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    text = 'Supplier,Amount\n"A\nB",1\nC,2\n'
    first, second = check(read_tabular(write(tmp_path, "q.csv", text), mapping())).records
    assert (first.position, first.suppliers[0].name) == ("line 2", "A B")
    assert (second.position, second.line) == ("line 4", 4)


def test_missing_columns_and_header(tmp_path: Path) -> None:
    result = check(read_tabular(write(tmp_path, "m.csv", "Name,Value\nA,1\n"), mapping()))
    (rejection,) = result.rejections
    assert rejection.note.as_dict() == {"columns": "Supplier, Amount"}
    empty = check(read_tabular(write(tmp_path, "e.csv", b""), mapping()))
    assert [r.note.code for r in empty.rejections] == ["tabular_no_header"]


def test_columns_by_position_and_case(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "SUPPLIER,x,AMOUNT\nA,,2\n")
    by_case = check(read_tabular(path, mapping()))
    by_position = check(read_tabular(path, mapping(columns={"supplier_name": 1, "amount": 3})))
    assert by_case.records[0].amount == by_position.records[0].amount == 2.0


def test_broken_csv_reports_the_line(tmp_path: Path) -> None:
    text = "Supplier,Amount\nA,1\n" + '"' + "x" * 200_000 + '",2\nB,3\n'
    result = check(read_tabular(write(tmp_path, "big.csv", text), mapping()))
    assert len(result.records) == 1
    (rejection,) = result.rejections
    assert rejection.note.code == "tabular_broken_csv"
    assert rejection.position == "line 3"


def test_amount_without_currency_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "Supplier,Amount,Currency\nA,1,\nB,2,usd\nC,3,XYZ\n")
    columns = {"supplier_name": "Supplier", "amount": "Amount", "currency": "Currency"}
    result = check(read_tabular(path, TabularMapping.model_validate({"columns": columns})))
    assert [(r.amount, r.currency) for r in result.records] == [
        (None, None),
        (2.0, "USD"),
        (None, None),
    ]
    assert [w.note.code for w in result.warnings] == [
        "xml_no_currency",
        "xml_currency_repaired",
        "xml_bad_currency",
    ]


def test_zipped_csv(tmp_path: Path) -> None:
    archive = tmp_path / "c.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("a.csv", "Supplier,Amount\nA,1\n")
        handle.writestr("b.csv", "Supplier,Amount\nB,2\nC,3\n")
    result = check(read_tabular(archive, mapping(), "c.zip"))
    assert [r.source_file for r in result.records] == ["c.zip!a.csv", "c.zip!b.csv", "c.zip!b.csv"]


def _workbook(path: Path, rows: list[list[object]], title: str = "Marchés") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    book.create_sheet("Autre")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


XLSX_ROWS: list[list[object]] = [
    ["Registre"],
    ["Supplier", "Amount", "Date", "CPV"],
    ["A", 1234.5, datetime.datetime(2024, 1, 31), 72000000],
    [None, None, None, None],
    ["B", "12,5", "2024-02-01", "48000000-0"],
]


def test_xlsx(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "r.xlsx", XLSX_ROWS)
    columns = {"supplier_name": "Supplier", "amount": "Amount", "date": "Date", "cpv": "CPV"}
    chosen = mapping(columns=columns, header_row=2, sheet="Marchés", decimal=",")
    result = check(read_tabular(path, chosen, "r.xlsx"))
    first, second = result.records
    assert (first.position, first.line) == ("Marchés!3:3", 3)
    assert (first.amount, first.date, first.cpv) == (1234.5, "2024-01-31", "72000000")
    assert (second.position, second.amount, second.date) == ("Marchés!5:5", 12.5, "2024-02-01")
    assert result.rejections == []
    missing = check(read_tabular(path, mapping(sheet="Nope")))
    (rejection,) = missing.rejections
    assert rejection.note.as_dict() == {"sheet": "Nope", "sheets": "Marchés, Autre"}


def test_xlsx_limits_are_checked_before_opening(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Supplier", "Amount"]] + [["A" * 50, 1]] * 400
    path = _workbook(tmp_path / "big.xlsx", rows)
    cases = [
        (Limits(max_member_bytes=5_000), "zip_member_too_large"),
        (Limits(ratio_floor_bytes=1_000, max_ratio=3), "zip_ratio"),
        (Limits(max_members=3), "zip_too_many_members"),
    ]
    for limits, code in cases:
        result = check(read_tabular(path, mapping(), limits=limits))
        assert [r.note.code for r in result.rejections] == [code]
        assert result.records == []


def _damaged(path: Path, member: str, content: bytes) -> Path:
    source = _workbook(path.with_suffix(".orig.xlsx"), XLSX_ROWS[1:3])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as damaged:
        for info in original.infolist():
            data = content if info.filename == member else original.read(info)
            damaged.writestr(info.filename, data)
    return path


def test_damaged_and_hostile_workbooks(tmp_path: Path) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row><c><is><t>&c;</t></is></c></row></sheetData></worksheet>"
    )
    for name, member, content, code in [
        ("garbage.xlsx", "xl/workbook.xml", b"not xml", "tabular_unreadable"),
        ("laughs.xlsx", "xl/worksheets/sheet1.xml", laughs, "xml_dtd"),
        (
            "sheet.xlsx",
            "xl/worksheets/sheet1.xml",
            b"<worksheet><sheetData><row>",
            "tabular_unreadable",
        ),
    ]:
        path = _damaged(tmp_path / name, member, content)
        result = check(read_tabular(path, mapping()))
        assert result.records == []
        assert [r.note.code for r in result.rejections] == [code], name


def test_sniff() -> None:
    assert tabular.sniff(b"a;b\n", "x.CSV")
    assert tabular.sniff(b"PK\x03\x04", "x.xlsx")
    assert not tabular.sniff(b"<TED_EXPORT", "x.xml")
    assert not tabular.sniff(b"not a zip", "x.xlsx")


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=12)


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(["in.csv", "in.xlsx"]))
def test_random_bytes_never_crash(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        check(read_tabular(path, mapping(), limits=Limits(max_member_bytes=100_000)))


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=15))
def test_every_written_row_is_accounted_for(rows: list[list[str]]) -> None:
    import csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Supplier", "Amount", "c", "d"])
            writer.writerows(rows)
        result = check(read_tabular(path, mapping(delimiter=",")))
    non_blank = [row for row in rows if any(" ".join(cell.split()) for cell in row)]
    assert result.records_read == len(non_blank)


@SETTINGS
@given(
    st.text(max_size=200)
    | st.dictionaries(
        st.sampled_from(["columns", "encoding", "delimiter", "header_row", "date_format", "x"]),
        st.none() | st.integers() | st.text(max_size=10) | st.dictionaries(CELL, CELL, max_size=3),
        max_size=4,
    ).map(lambda d: yaml.safe_dump(d, allow_unicode=True))
)
def test_any_mapping_file_loads_or_is_explained(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            loaded = load_mapping(path)
        except MappingError as exc:
            assert exc.problems
        else:
            assert loaded.columns.mapped()


@functools.cache
def _workbook_bytes() -> bytes:
    """One workbook for every example (its bytes change with the time it is written)."""
    with tempfile.TemporaryDirectory() as folder:
        return _workbook(Path(folder) / "w.xlsx", XLSX_ROWS).read_bytes()


@SETTINGS
@given(st.data())
def test_mutated_workbooks_never_crash(data: st.DataObject) -> None:
    original = _workbook_bytes()
    with tempfile.TemporaryDirectory() as folder:
        start = data.draw(st.integers(0, len(original) - 1))
        length = data.draw(st.integers(0, 40))
        insert = data.draw(st.binary(max_size=40))
        path = Path(folder) / "m.xlsx"
        path.write_bytes(original[:start] + insert + original[start + length :])
        check(read_tabular(path, mapping(header_row=2)))


def _with_sheet(path: Path, sheet_xml: bytes) -> Path:
    return _damaged(path, "xl/worksheets/sheet1.xml", sheet_xml)


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:XFD1048576"/><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Supplier</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row>'
)


def test_declared_dimensions_and_far_rows_are_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "XLSX_MAX_ROWS", 100)
    rows = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>5</v></c>'
        b'<c r="XFD2"><v>1</v></c></row>'
        b'<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>B</t></is></c></row>'
    )
    path = _with_sheet(tmp_path / "far.xlsx", SHEET + rows + b"</sheetData></worksheet>")
    result = check(read_tabular(path, mapping()))
    (record,) = result.records  # the cell in column XFD, far past the header, is not read
    assert (record.position, record.amount) == ("Marchés!2:2", 5.0)
    (rejection,) = result.rejections
    assert (rejection.position, rejection.note.code) == ("Marchés!101:101", "tabular_unreadable")


def test_one_cell_past_the_header_is_a_shifted_row(tmp_path: Path) -> None:
    rows = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>5</v></c>'
        b'<c r="C2"><v>1</v></c></row>'
    )
    path = _with_sheet(tmp_path / "shifted.xlsx", SHEET + rows + b"</sheetData></worksheet>")
    result = check(read_tabular(path, mapping()))
    assert [r.note.code for r in result.rejections] == ["tabular_extra_cells"]


def test_columns_by_position_past_the_named_header(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Supplier"], ["A", None, None, 7]]
    path = _workbook(tmp_path / "pos.xlsx", rows)
    chosen = mapping(columns={"supplier_name": 1, "amount": 4})
    (record,) = check(read_tabular(path, chosen)).records
    assert record.amount == 7.0
    csv_path = write(tmp_path, "pos.csv", "Supplier\nA,,,7\n")
    (record,) = check(
        read_tabular(csv_path, mapping(columns={"supplier_name": 1, "amount": 4}, delimiter=","))
    ).records
    assert record.amount == 7.0
