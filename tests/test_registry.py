"""The reader registry: format detection from the first bytes, --format, reader keys."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from vigie import __version__
from vigie.pipeline import ingest
from vigie.sources import Limits
from vigie.sources.records import Note
from vigie.sources.registry import (
    READERS,
    ReaderSpec,
    UnknownFormatError,
    detect_format,
    format_names,
    input_suffixes,
    reader_named,
)
from vigie.store import Workspace

OCDS = Path(__file__).parent / "fixtures" / "ocds"


def _name(found: ReaderSpec | Note) -> str:
    return found.name if isinstance(found, ReaderSpec) else f"note:{found.code}"


def test_every_reader_has_a_key_with_name_and_version() -> None:
    for spec in READERS:
        assert spec.key == f"{spec.name}@{spec.version}"
        assert __version__ in spec.version
    assert len(set(format_names())) == len(READERS)
    assert {".json", ".jsonl", ".zip"} <= set(input_suffixes())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"marches": [{"id": "1"}]}', "decp-v1-json"),
        (b'\xef\xbb\xbf {"marches": {"marche": []}}', "decp-v1-json"),
        (b'{"uri": "x", "releases": [{"ocid": "ocds-1"}]}', "ocds"),
        (b'{"ocid": "ocds-1", "id": "1"}\n{"ocid": "ocds-1", "id": "2"}\n', "ocds"),
        (b'[{"ocid": "ocds-1"}]', "ocds"),
        (b'{"records": [{"compiledRelease": {}}]}', "ocds"),
        (b'{"language": "es", "initiationType": "tender", "x": 1}', "ocds"),
        (b"ocid,buyer\n1,2\n", "note:unknown_format"),
        (b"<?xml version='1.0'?><ocid/>", "note:unknown_format"),
        (b"   \n", "note:empty_file"),
        (b"", "note:empty_file"),
    ],
)
def test_detect_format(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    assert _name(detect_format(path)) == expected


def test_detect_in_a_zip_reads_the_first_member(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dir/", b"")
        archive.writestr("dir/releases.jsonl", b'{"ocid": "x"}\n' * 100_000)
    assert _name(detect_format(path)) == "ocds"


def test_detect_bad_zips_gives_a_reason(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    assert _name(detect_format(fake)).startswith("note:")
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(3):
            archive.writestr(f"{i}.json", b"{}")
    assert _name(detect_format(many, limits=Limits(max_members=2))) == "note:zip_too_many_members"


def test_a_sniffer_that_raises_does_not_stop_detection(tmp_path: Path) -> None:
    def broken(head: bytes, name: str) -> bool:
        raise RuntimeError("bug")

    path = tmp_path / "x.json"
    path.write_bytes(b'{"ocid": "a"}')
    readers = (ReaderSpec("broken", "0", READERS[0].read, broken), *READERS)
    assert _name(detect_format(path, readers)) == "ocds"


def test_reader_named_is_case_insensitive_and_rejects_unknown_names() -> None:
    assert reader_named(" OCDS ").name == "ocds"
    with pytest.raises(UnknownFormatError) as info:
        reader_named("ted-xml")
    assert "ocds" in info.value.known


def test_format_option_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "releases.json"
    path.write_text(json.dumps({"ocid": "ocds-1", "marches": []}), encoding="utf-8")
    with Workspace.open(":memory:") as ws:
        detected = ingest([path], ws, Limits())
        forced = ingest([path], ws, Limits(), input_format="ocds")
    assert detected[0].format == "decp-v1-json"
    assert forced[0].format == "ocds"
    assert forced[0].records_loaded == 1


def test_undetectable_file_is_one_rejection_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("hello", encoding="utf-8")
    with Workspace.open(":memory:") as ws:
        (result,) = ingest([path], ws, Limits())
    assert (result.records_read, result.records_loaded, result.records_rejected) == (1, 0, 1)
    assert result.rejections[0].note.code == "unknown_format"
    assert result.rejections[0].position == "(file)"


def test_real_fixtures_are_detected_as_ocds() -> None:
    for path in sorted(OCDS.glob("*.json")):
        expected = "note:empty_file" if path.stat().st_size == 0 else "ocds"
        assert _name(detect_format(path)) == expected, path.name
