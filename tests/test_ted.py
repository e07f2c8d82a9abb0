"""TED R2.0.9 reader: real notices, synthetic variants, zips and fuzzing."""

from __future__ import annotations

import math
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vigie.sources import eforms, ted
from vigie.sources.codes import REJECTION_CODES, WARNING_CODES
from vigie.sources.files import Limits
from vigie.sources.records import Classification, Party, ReadResult
from vigie.sources.ted import read_ted

TED = Path(__file__).parent / "fixtures" / "ted" / "ted-xml"
LOTS = TED / "20-157543-001-EXP.xml"
TED_NS = {"t": "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"}

EXPECTED = {  # notice: (loaded, rejection codes), as in fixtures/ted/README.md
    "18-151256": (0, ["ted_not_award"]),
    "18-412273": (3, ["ted_not_awarded", "ted_not_awarded"]),
    "19-318420": (1, []),
    "20-156049": (0, ["ted_not_award"]),
    "20-157543": (3, []),
    "21-139343": (2, []),
    "21-364240": (0, ["ted_not_awarded"]),
    "23-119901": (0, ["ted_not_award"]),
}


def check(result: ReadResult) -> ReadResult:
    """Invariants every read must keep, whatever the input."""
    assert result.records_read == len(result.records) + len(result.rejections)
    assert {r.note.code for r in result.rejections} <= REJECTION_CODES
    assert {w.note.code for w in result.warnings} <= WARNING_CODES
    for record in result.records:
        assert record.record_id
        assert record.kind in {"contract", "concession"}
        assert (record.amount is None) == (record.currency is None)
        if record.amount is not None:
            assert math.isfinite(record.amount) and record.amount >= 0
        for party in (record.buyer, *record.suppliers):
            assert party.country is None or (len(party.country) == 2 and party.country.islower())
    return result


def variant(tmp_path: Path, *replacements: tuple[str, str], source: Path = LOTS) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "variant.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name[:9] for p in TED.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("notice", sorted(EXPECTED))
def test_real_notices_reconcile(notice: str) -> None:
    result = check(read_ted(TED / f"{notice}-001-EXP.xml", notice))
    loaded, codes = EXPECTED[notice]
    assert len(result.records) == loaded
    assert [r.note.code for r in result.rejections] == codes
    assert result.format == ted.FORMAT == "ted-r2.0.9"


def test_award_fields() -> None:
    result = check(read_ted(LOTS, "lots.xml"))
    first = result.records[0]
    assert first.record_id == "153579-2020/1"
    assert first.position == "/TED_EXPORT/FORM_SECTION/F03_2014/AWARD_CONTRACT[1]"
    assert first.line == 347
    assert first.kind == "contract"
    assert first.buyer.name is not None and first.buyer.name.startswith("Secretario General")
    assert first.buyer.country == "es"
    (supplier,) = first.suppliers
    assert supplier.name is not None and supplier.name.startswith("Ernst & Young, S. L.")
    assert supplier.id is not None and supplier.id.startswith("B78970506, B58671710")
    assert supplier.country == "es"
    assert (first.amount, first.currency) == (7834899.64, "EUR")
    assert (first.date, first.date_time) == ("2020-03-18", None)
    assert first.cpv == first.cpv_raw == "79212000"
    assert first.classifications == (Classification("CPV", "79212000", "Auditing services"),)
    assert first.title is not None and first.title.startswith("Realización de controles")
    assert first.description is not None and "Feaga" in first.description
    assert first.procedure == "open"
    assert [r.amount for r in result.records] == [7834899.64, 1205369.20, 602684.60]
    assert len({r.content_hash for r in result.records}) == 3


def test_positions_are_xpaths_into_the_document() -> None:
    tree = etree.parse(str(LOTS))
    for record in read_ted(LOTS).records:
        query = "/" + "/".join(f"t:{step}" for step in record.position.strip("/").split("/"))
        (element,) = tree.xpath(query, namespaces=TED_NS)
        assert element.sourceline == record.line


def test_not_awarded_lot_is_rejected_with_reason() -> None:
    result = check(read_ted(TED / "21-364240-001-EXP.xml", "x"))
    (rejection,) = result.rejections
    assert rejection.position == "/TED_EXPORT/FORM_SECTION/F03_2014/AWARD_CONTRACT"
    assert rejection.note.as_dict() == {"reason": "procurement_discontinued"}
    assert rejection.excerpt == "Arbetsbefrämjande insatser"


def test_contract_notice_is_one_rejection() -> None:
    (rejection,) = read_ted(TED / "20-156049-001-EXP.xml").rejections
    assert rejection.note.as_dict() == {"form": "F02", "kind": "Contract notice"}


def test_concession_and_veat() -> None:
    (concession,) = read_ted(TED / "19-318420-001-EXP.xml").records
    assert concession.kind == "concession"
    veat = read_ted(TED / "21-139343-001-EXP.xml").records
    assert {r.kind for r in veat} == {"contract"}
    assert all(r.suppliers for r in veat)


def test_original_form_is_preferred_over_translations(tmp_path: Path) -> None:
    text = LOTS.read_text(encoding="utf-8")
    start, end = text.index("<F03_2014"), text.index("</F03_2014>") + len("</F03_2014>")
    translation = (
        text[start:end]
        .replace('CATEGORY="ORIGINAL"', 'CATEGORY="TRANSLATION"')
        .replace('LG="ES"', 'LG="EN"')
        .replace("Realización", "Translated")
    )
    path = tmp_path / "two.xml"
    path.write_text(text[:start] + translation + text[start:], encoding="utf-8")
    result = check(read_ted(path))
    assert len(result.records) == 3
    assert all("Translated" not in (r.title or "") for r in result.records)
    assert result.records[0].position == "/TED_EXPORT/FORM_SECTION/F03_2014[2]/AWARD_CONTRACT[1]"


def test_without_an_original_the_original_language_is_read(tmp_path: Path) -> None:
    path = variant(tmp_path, ('CATEGORY="ORIGINAL"', 'CATEGORY="TRANSLATION"'))
    result = check(read_ted(path))
    assert len(result.records) == 3
    (warning,) = result.warnings
    assert warning.note.code == "ted_translation_only"
    assert warning.note.as_dict() == {"lang": "ES"}


def test_modification_notice_is_not_loaded(tmp_path: Path) -> None:
    path = variant(tmp_path, ("F03_2014", "F20_2014"), ('FORM="F03"', 'FORM="F20"'))
    (rejection,) = check(read_ted(path)).rejections
    assert rejection.note.code == "ted_modification"


def test_form_that_is_not_2014_is_reported(tmp_path: Path) -> None:
    path = variant(tmp_path, ("F03_2014", "CONTRACT_AWARD"))
    (rejection,) = check(read_ted(path)).rejections
    assert rejection.note.code == "ted_unsupported_form"


def test_value_range_country_codes_and_missing_date(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        (
            '<VAL_TOTAL CURRENCY="EUR">7834899.64</VAL_TOTAL>',
            '<VAL_RANGE_TOTAL CURRENCY="EUR"><LOW>1</LOW><HIGH>9</HIGH></VAL_RANGE_TOTAL>',
        ),
        ('<COUNTRY VALUE="ES"/>', '<COUNTRY VALUE="UK"/>'),
        ("<DATE_CONCLUSION_CONTRACT>2020-03-18</DATE_CONCLUSION_CONTRACT>", ""),
    )
    result = check(read_ted(path))
    first = result.records[0]
    assert (first.amount, first.currency) == (None, None)
    assert first.buyer.country == "gb"
    assert first.date == "2020-03-30"  # DATE_DISPATCH_NOTICE
    codes = [w.note.code for w in result.warnings if w.position == first.position]
    assert codes == ["xml_value_range", "xml_date_from_notice"]


def test_bad_values_are_noted(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ('<VAL_TOTAL CURRENCY="EUR">7834899.64</VAL_TOTAL>', "<VAL_TOTAL>12,5x</VAL_TOTAL>"),
        ('<CPV_CODE CODE="79212000"/>\n            </CPV_MAIN>', '<CPV_CODE CODE="x"/></CPV_MAIN>'),
        ("<OFFICIALNAME>Secretario", "<CONTACT_POINT>Secretario"),
        ("Generalidad de Cataluña</OFFICIALNAME>", "Generalidad de Cataluña</CONTACT_POINT>"),
        ('<COUNTRY VALUE="ES"/>', '<COUNTRY VALUE="ZZ"/>'),
    )
    result = check(read_ted(path))
    first = result.records[0]
    assert first.amount is None and first.cpv is None and first.cpv_raw == "x"
    assert first.buyer == Party(None, None, None, None)
    codes = {w.note.code for w in result.warnings if w.position == first.position}
    assert codes == {"amount_not_number", "bad_cpv", "xml_no_buyer", "xml_unknown_country"}


def test_not_ted_documents(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"<TED_EXPORT xmlns='urn:other'/>")
    (rejection,) = check(read_ted(path)).rejections
    assert (rejection.position, rejection.note.code) == ("/TED_EXPORT", "ted_not_ted")
    path.write_bytes(b"<TED_EXPORT xmlns='ted/R2.0.9.S02/publication'><FORM_SECTION/></TED_EXPORT>")
    (rejection,) = check(read_ted(path)).rejections
    assert rejection.note.code == "ted_no_form"


def test_zip_of_notices(tmp_path: Path) -> None:
    archive = tmp_path / "notices.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(TED.glob("*.xml")):
            handle.write(path, path.name)
    result = check(read_ted(archive, "notices.zip"))
    assert len(result.records) == sum(n for n, _ in EXPECTED.values())
    assert len(result.rejections) == sum(len(c) for _, c in EXPECTED.values())
    assert result.records[0].source_file.startswith("notices.zip!")


def test_sniff() -> None:
    head = LOTS.read_bytes()[:2048]
    assert ted.sniff(head, LOTS.name)
    assert not eforms.sniff(head, LOTS.name)
    old = (TED / "18-151256-001-EXP.xml").read_bytes()[:2048]
    assert ted.sniff(old, "x.xml")
    assert not ted.sniff(b'{"marches": []}', "x.json")
    assert not ted.sniff(b"PK\x03\x04", "x.zip")


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = Limits(max_member_bytes=200_000)


def _read_bytes(data: bytes) -> ReadResult:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "in.xml"
        path.write_bytes(data)
        return check(read_ted(path, "in.xml", SMALL))


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _read_bytes(data)


@SETTINGS
@given(st.data())
def test_mutated_notices_never_crash(data: st.DataObject) -> None:
    original = LOTS.read_bytes()
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(0, 200))
    insert = data.draw(st.binary(max_size=50) | st.sampled_from([b"<", b">", b"&", b"</P>"]))
    _read_bytes(original[:start] + insert + original[start + length :])


@SETTINGS
@given(st.data())
def test_mutated_texts_never_crash(data: st.DataObject) -> None:
    text = LOTS.read_text(encoding="utf-8")
    targets = ["7834899.64", "2020-03-18", "79212000", "ES", "EUR", "1", "F03"]
    target = data.draw(st.sampled_from(targets))
    value = data.draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    _read_bytes(text.replace(target, escaped).encode("utf-8", "replace"))


def test_stray_latin1_bytes_are_repaired(tmp_path: Path) -> None:
    original = LOTS.read_bytes()
    tribunal, secretario = "Tribunal Catalán".encode(), b"Secretario General"
    data = original.replace(tribunal, "Tribunal Catalán".encode("cp1252"))
    data = data.replace(secretario, "Secretario Général".encode("cp1252"))
    path = tmp_path / "latin1.xml"
    path.write_bytes(data)
    result = check(read_ted(path))
    assert len(result.records) == 3
    assert result.records[0].buyer.name is not None
    assert result.records[0].buyer.name.startswith("Secretario Général")
    repaired = original.count(tribunal) + 2 * original.count(secretario)  # one byte per é
    assert [(w.position, w.note.as_dict()) for w in result.warnings] == [
        ("(file)", {"n": str(repaired)})
    ]


def _tar(path: Path, members: list[tuple[str, bytes]], mode: str = "w:gz") -> Path:
    import io
    import tarfile

    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("mode", ["w:gz", "w"])
def test_ted_packages_are_tar_archives(tmp_path: Path, mode: str) -> None:
    members = [(f"2020/{p.name}", p.read_bytes()) for p in sorted(TED.glob("*.xml"))]
    package = _tar(tmp_path / "daily.tar.gz", members, mode)
    result = check(read_ted(package, "daily.tar.gz"))
    assert len(result.records) == sum(n for n, _ in EXPECTED.values())
    assert len(result.rejections) == sum(len(c) for _, c in EXPECTED.values())
    assert result.records[0].source_file.startswith("daily.tar.gz!2020/")


def test_tar_bounds(tmp_path: Path) -> None:
    notice = LOTS.read_bytes()
    bomb = _tar(tmp_path / "bomb.tar.gz", [("a.xml", notice), ("zeros.xml", b"\0" * 500_000)])
    tight = Limits(ratio_floor_bytes=50_000, max_ratio=10)
    result = check(read_ted(bomb, "bomb", tight))
    assert len(result.records) == 3
    assert [(r.source_file, r.note.code) for r in result.rejections] == [
        ("bomb!zeros.xml", "zip_ratio")
    ]
    many = _tar(tmp_path / "many.tar.gz", [(f"{i}.xml", notice) for i in range(4)])
    result = check(read_ted(many, "many", Limits(max_members=2)))
    assert len(result.records) == 6
    assert [r.note.code for r in result.rejections] == ["zip_too_many_members"]
    big = check(read_ted(many, "many", Limits(max_member_bytes=1000)))
    assert [r.note.code for r in big.rejections] == ["zip_member_too_large"] * 4
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(many.read_bytes()[:3000])
    result = check(read_ted(broken, "broken"))
    assert result.rejections[-1].note.code == "xml_tar_unreadable"


def test_a_notice_with_many_awards(tmp_path: Path) -> None:
    count = 1500
    lots = "".join(f"<OBJECT_DESCR><LOT_NO>{i}</LOT_NO></OBJECT_DESCR>" for i in range(count))
    awards = "".join(
        f'<AWARD_CONTRACT ITEM="{i}"><LOT_NO>{i}</LOT_NO><AWARDED_CONTRACT><CONTRACTORS>'
        f"<CONTRACTOR><ADDRESS_CONTRACTOR><OFFICIALNAME>S{i}</OFFICIALNAME>"
        f'</ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS><VALUES><VAL_TOTAL CURRENCY="EUR">{i}'
        "</VAL_TOTAL></VALUES></AWARDED_CONTRACT></AWARD_CONTRACT>"
        for i in range(count)
    )
    path = tmp_path / "many.xml"
    path.write_text(
        f'<TED_EXPORT xmlns="{TED_NS["t"]}" DOC_ID="1-2020"><FORM_SECTION>'
        f'<F03_2014 CATEGORY="ORIGINAL" FORM="F03"><OBJECT_CONTRACT>{lots}</OBJECT_CONTRACT>'
        f"{awards}</F03_2014></FORM_SECTION></TED_EXPORT>",
        encoding="utf-8",
    )
    result = check(read_ted(path))
    assert len(result.records) == count
    assert len({r.position for r in result.records}) == count
    assert result.records[-1].position.endswith(f"AWARD_CONTRACT[{count}]")
    assert sum(r.amount or 0 for r in result.records) == sum(range(count))
