"""eForms UBL award notice reader: real notices, cross-check with TED, variants, fuzzing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from test_ted import EXPECTED, check
from vigie.sources import eforms, ted
from vigie.sources.eforms import read_eforms
from vigie.sources.eforms_parts import NS
from vigie.sources.files import Limits
from vigie.sources.records import Classification, ReadResult
from vigie.sources.ted import read_ted

FIXTURES = Path(__file__).parent / "fixtures" / "ted"
EFORMS = FIXTURES / "eforms-xml"
LOTS = EFORMS / "20-157543-001-EXP.xml"
CAN_NS = {**NS, "can": "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"}
EFORMS_CODES = {
    "ted_not_award": "eforms_not_award",
    "ted_not_awarded": "eforms_not_awarded",
}


def variant(tmp_path: Path, *replacements: tuple[str, str], count: int = -1) -> Path:
    text = LOTS.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, count)
    path = tmp_path / "variant.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("notice", sorted(EXPECTED))
def test_real_notices_reconcile_with_their_ted_original(notice: str) -> None:
    result = check(read_eforms(EFORMS / f"{notice}-001-EXP.xml", notice))
    loaded, ted_codes = EXPECTED[notice]
    assert len(result.records) == loaded
    codes = [r.note.code for r in result.rejections]
    if notice == "23-119901":  # the conversion of this corrigendum is an empty file
        assert codes == ["xml_malformed"]
    else:
        assert codes == [EFORMS_CODES[c] for c in ted_codes]
    assert result.format == eforms.FORMAT == "eforms-ubl"


@pytest.mark.parametrize("notice", ["18-412273", "19-318420", "20-157543", "21-139343"])
def test_same_awards_as_the_ted_notice(notice: str) -> None:
    ours = read_eforms(EFORMS / f"{notice}-001-EXP.xml").records
    theirs = read_ted(FIXTURES / "ted-xml" / f"{notice}-001-EXP.xml").records
    assert [(r.amount, r.currency) for r in ours] == [(r.amount, r.currency) for r in theirs]
    assert [[s.name for s in r.suppliers] for r in ours] == [
        [s.name for s in r.suppliers] for r in theirs
    ]
    assert [r.buyer.name for r in ours] == [r.buyer.name for r in theirs]
    assert [r.kind for r in ours] == [r.kind for r in theirs]
    assert [r.cpv for r in ours] == [r.cpv for r in theirs]
    assert [s.country for r in ours for s in r.suppliers] == [
        s.country for r in theirs for s in r.suppliers
    ]


def test_award_fields() -> None:
    result = check(read_eforms(LOTS, "lots.xml"))
    first = result.records[0]
    assert first.record_id == "153579-2020/RES-0001/CON-0001"
    assert first.position == (
        "/ContractAwardNotice/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent"
        "/efext:EformsExtension/efac:NoticeResult/efac:LotResult[1]/efac:SettledContract"
    )
    assert first.buyer.country == "es"  # ESP
    assert first.suppliers[0].id is not None and first.suppliers[0].id.startswith("B78970506")
    assert (first.amount, first.currency) == (7834899.64, "EUR")
    assert (first.date, first.date_time) == ("2020-03-18", "2020-03-18T00:00:00+01:00")
    assert first.classifications == (Classification("CPV", "79212000"),)
    assert first.title is not None and first.title.startswith("Realización de controles")
    assert first.description is not None and first.description.endswith("FSE.")
    assert first.procedure == "open"
    assert result.warnings == []


def test_positions_are_xpaths_into_the_document() -> None:
    tree = etree.parse(str(LOTS))
    for record in read_eforms(LOTS).records:
        steps = record.position.strip("/").split("/")
        query = "/" + "/".join(s if ":" in s else f"can:{s}" for s in steps)
        (element,) = tree.xpath(query, namespaces=CAN_NS)
        assert element.sourceline == record.line


def test_contract_notice_is_one_rejection() -> None:
    (rejection,) = read_eforms(EFORMS / "20-156049-001-EXP.xml").rejections
    assert rejection.position == "/ContractNotice"
    assert rejection.note.as_dict() == {"kind": "ContractNotice, cn-standard"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("can-modif", "eforms_modification"), ("can-desg", "eforms_not_award")],
)
def test_modifications_and_design_contests_are_not_loaded(
    tmp_path: Path, code: str, expected: str
) -> None:
    path = variant(tmp_path, (">can-standard<", f">{code}<"))
    (rejection,) = check(read_eforms(path)).rejections
    assert rejection.note.code == expected


def test_lot_without_winner(tmp_path: Path) -> None:
    path = variant(tmp_path, (">selec-w<", ">clos-nw<"), count=1)
    result = check(read_eforms(path))
    assert len(result.records) == 2
    (rejection,) = result.rejections
    assert rejection.note.as_dict() == {"result": "clos-nw"}
    assert rejection.position.endswith("efac:LotResult[1]")


def test_a_tender_value_is_counted_once(tmp_path: Path) -> None:
    # Lot result 2 now refers to the tender of lot result 1 (one tender winning two lots).
    lines = LOTS.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "TEN-0002" in lines[55]
    lines[55] = lines[55].replace("TEN-0002", "TEN-0001")
    path = tmp_path / "shared.xml"
    path.write_text("".join(lines), encoding="utf-8")
    result = check(read_eforms(path))
    assert [r.amount for r in result.records] == [7834899.64, None, 602684.60]
    (warning,) = result.warnings
    assert warning.note.code == "eforms_value_counted"
    assert warning.note.as_dict() == {
        "tender": "TEN-0001",
        "record": "153579-2020/RES-0001/CON-0001",
    }


def test_several_winning_tenders_are_added(tmp_path: Path) -> None:
    extra = '<efac:LotTender><cbc:ID schemeName="tender">TEN-0003</cbc:ID></efac:LotTender>'
    lines = LOTS.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "</efac:LotTender>" in lines[56]
    lines[56] = lines[56] + extra + "\n"
    path = tmp_path / "two.xml"
    path.write_text("".join(lines), encoding="utf-8")
    result = check(read_eforms(path))
    assert [r.amount for r in result.records] == [7834899.64, 1205369.20 + 602684.60, None]
    assert [w.note.code for w in result.warnings] == [
        "eforms_summed_tenders",
        "eforms_value_counted",
    ]
    assert len(result.records[1].suppliers) == 1  # both tenders by the same party


def test_unknown_organisation_and_country(tmp_path: Path) -> None:
    lines = LOTS.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "ORG-0002" in lines[217]  # the tenderer of TEN-0001
    lines[217] = lines[217].replace("ORG-0002", "ORG-0099")
    path = tmp_path / "org.xml"
    path.write_text("".join(lines).replace(">ESP<", ">XYZ<", 1), encoding="utf-8")
    result = check(read_eforms(path))
    first = result.records[0]
    assert first.suppliers == ()
    assert first.buyer.country is None
    codes = [w.note.code for w in result.warnings if w.position == first.position]
    assert codes == ["xml_unknown_country", "eforms_unknown_org", "xml_no_contractor"]


def test_not_eforms(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"<ContractAwardNotice xmlns='urn:other'/>")
    (rejection,) = check(read_eforms(path)).rejections
    assert rejection.note.code == "eforms_not_eforms"


def test_sniff() -> None:
    head = LOTS.read_bytes()[:2048]
    assert eforms.sniff(head, LOTS.name)
    assert not ted.sniff(head, LOTS.name)
    assert eforms.sniff((EFORMS / "20-156049-001-EXP.xml").read_bytes()[:2048], "x.xml")
    assert not eforms.sniff(b"", "x.xml")


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read_bytes(data: bytes) -> ReadResult:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "in.xml"
        path.write_bytes(data)
        return check(read_eforms(path, "in.xml", Limits(max_member_bytes=200_000)))


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _read_bytes(data)


@SETTINGS
@given(st.data())
def test_mutated_notices_never_crash(data: st.DataObject) -> None:
    original = LOTS.read_bytes()
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(0, 300))
    insert = data.draw(st.binary(max_size=50) | st.sampled_from([b"<", b">", b"&", b"</x>"]))
    _read_bytes(original[:start] + insert + original[start + length :])


@SETTINGS
@given(st.data())
def test_mutated_values_never_crash(data: st.DataObject) -> None:
    text = LOTS.read_text(encoding="utf-8")
    targets = ["7834899.64", "2020-03-18+01:00", "79212000", "ESP", "EUR", "TEN-0001", "ORG-0002"]
    target = data.draw(st.sampled_from(targets))
    value = data.draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    _read_bytes(text.replace(target, escaped).encode("utf-8", "replace"))


def test_mixed_package_counts_every_notice_once(tmp_path: Path) -> None:
    import io
    import tarfile

    from vigie.sources import notices

    package = tmp_path / "mixed.tar.gz"
    ted_dir = FIXTURES / "ted-xml"
    files = [ted_dir / "20-157543-001-EXP.xml", LOTS, ted_dir / "20-156049-001-EXP.xml"]
    with tarfile.open(package, "w:gz") as archive:
        for index, path in enumerate([*files, None]):
            data = b"not a notice" if path is None else path.read_bytes()
            info = tarfile.TarInfo(f"{index}.xml")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = check(notices.read_notices(package, "mixed"))
    assert result.format == notices.FORMAT
    assert [r.record_id for r in result.records] == [
        "153579-2020/1",
        "153579-2020/2",
        "153579-2020/3",
        "153579-2020/RES-0001/CON-0001",
        "153579-2020/RES-0002/CON-0001",
        "153579-2020/RES-0003/CON-0001",
    ]
    assert [(r.source_file, r.note.code) for r in result.rejections] == [
        ("mixed!2.xml", "ted_not_award"),
        ("mixed!3.xml", "xml_malformed"),
    ]
    assert notices.sniff(LOTS.read_bytes()[:4096], "x.xml")
    assert notices.sniff((ted_dir / "20-157543-001-EXP.xml").read_bytes()[:4096], "x.xml")
    assert not notices.sniff(package.read_bytes()[:4096], "mixed.tar.gz")  # compressed


@SETTINGS
@given(st.binary(max_size=3000) | st.sampled_from([b"ustar", b"\x1f\x8b\x08", b"PK\x03\x04"]))
def test_notices_reader_never_crashes(data: bytes) -> None:
    from vigie.sources import notices

    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "in.tar.gz"
        path.write_bytes(data)
        check(notices.read_notices(path, "in", Limits(max_member_bytes=200_000)))
