"""Safe XML parsing: hostile documents are refused with a reason, never expanded or fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.sources.eforms import read_eforms
from vigie.sources.ted import read_ted
from vigie.sources.xmlsafe import XmlRefused, parse_xml, parse_xml_repairing, text_of, xpath_of

HOSTILE = Path(__file__).parent / "fixtures" / "ted" / "hostile"
HOSTILE_FILES = sorted(HOSTILE.glob("*.xml"))
BIG = 1 << 20


def test_there_are_hostile_files() -> None:
    assert len(HOSTILE_FILES) == 4


@pytest.mark.parametrize("path", HOSTILE_FILES, ids=lambda p: p.name)
def test_hostile_file_is_refused_for_its_dtd(path: Path) -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(path.read_bytes(), BIG)
    assert caught.value.note.code == "xml_dtd"


@pytest.mark.parametrize("path", HOSTILE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("reader", [read_ted, read_eforms])
def test_readers_report_hostile_files(path: Path, reader: object) -> None:
    result = reader(path, path.name)  # type: ignore[operator]
    assert result.records == []
    assert [(r.position, r.note.code) for r in result.rejections] == [("(file)", "xml_dtd")]


def test_doctype_after_the_prolog_scan_window_is_still_refused() -> None:
    # A comment longer than the prolog scan: the parsed document's DTD is caught instead.
    data = (
        b"<?xml version='1.0'?><!--"
        + b"x" * 70_000
        + b'--><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    )
    with pytest.raises(XmlRefused) as caught:
        parse_xml(data, BIG)
    assert caught.value.note.code == "xml_dtd"


def test_utf16_doctype_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(XmlRefused) as caught:
        parse_xml(data.encode("utf-16"), BIG)
    assert caught.value.note.code == "xml_dtd"


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(b"<a>&nope;</a>", BIG)
    assert caught.value.note.code == "xml_malformed"
    assert "nope" in caught.value.note.as_dict()["error"]


def test_deep_nesting_is_refused_not_crashing() -> None:
    depth = 100_000
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(XmlRefused) as caught:
        parse_xml(data, BIG)
    assert caught.value.note.code == "xml_malformed"


def test_size_limit() -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", 50)
    assert caught.value.note.code == "file_too_large"
    assert caught.value.note.as_dict() == {"size": "107", "limit": "50"}


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01", b"<a", b"<?xml version='1.0' encoding='klingon'?><a/>", b"\xff\xfe<\x00"],
)
def test_garbage_is_malformed(data: bytes) -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(data, BIG)
    assert caught.value.note.code == "xml_malformed"


def test_predefined_entities_and_comments() -> None:
    root = parse_xml(b"<a><!-- c --><b>Ernst &amp; Young</b><?pi x?></a>", BIG)
    assert text_of(root) == "Ernst & Young"
    assert len(root) == 1  # comments and processing instructions are dropped


def test_xpath_uses_prefixes_and_positions() -> None:
    root = parse_xml(
        b'<r xmlns="urn:d" xmlns:p="urn:p"><p:x/><p:x><y/><y/><z/></p:x></r>',
        BIG,
    )
    second = root[1]
    assert xpath_of(second) == "/r/p:x[2]"
    assert xpath_of(second[1]) == "/r/p:x[2]/y[2]"
    assert xpath_of(second[2]) == "/r/p:x[2]/z"
    assert root.xpath("/d:r/p:x[2]/d:y[2]", namespaces={"d": "urn:d", "p": "urn:p"}) == [second[1]]


def test_text_of_collapses_whitespace() -> None:
    root = parse_xml(b"<a><P> one\n two </P><P>three</P></a>", BIG)
    assert text_of(root) == "one two three"
    assert text_of(None) is None
    assert text_of(parse_xml(b"<a>  </a>", BIG)) is None


def test_every_code_of_the_xml_area_is_documented() -> None:
    from vigie.sources.codes import XML_REJECTION_CODES, XML_WARNING_CODES

    docs = Path(__file__).parent.parent / "docs"
    text = (docs / "inputs-ted.md").read_text(encoding="utf-8") + (
        docs / "inputs-spreadsheets.md"
    ).read_text(encoding="utf-8")
    missing = sorted(c for c in XML_REJECTION_CODES | XML_WARNING_CODES if f"`{c}`" not in text)
    assert missing == []


def test_repairing_reads_stray_bytes_of_utf8_documents_only() -> None:
    root, repaired = parse_xml_repairing(b"<?xml version='1.0'?><a>caf\xe9</a>", BIG)
    assert (text_of(root), repaired) == ("café", 1)
    root, repaired = parse_xml_repairing(b"<a>caf\xc3\xa9</a>", BIG)
    assert (text_of(root), repaired) == ("café", 0)
    latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>"
    assert text_of(parse_xml_repairing(latin, BIG)[0]) == "café"
    with pytest.raises(XmlRefused) as caught:  # declared UTF-16 but not: not repaired
        parse_xml_repairing(b"<?xml version='1.0' encoding='UTF-16'?><a>\xe9</a>", BIG)
    assert caught.value.note.code == "xml_malformed"
    with pytest.raises(XmlRefused) as caught:  # still refused for its DTD
        parse_xml_repairing(b"<!DOCTYPE a><a>\xe9</a>", BIG)
    assert caught.value.note.code == "xml_dtd"
    with pytest.raises(XmlRefused):  # broken beyond the encoding
        parse_xml_repairing(b"<a>\xe9<b></a>", BIG)
