"""The first pass over OCDS JSON lines, made whole by each part or shared by the parts
through an exchange folder: both must find the same counts and line marks."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.sources.ocds_count import OcidCounts, count_ocids, range_bounds
from vigie.sources.parts import Part


def _shared(path: Path, count: int, folder: Path) -> list[OcidCounts]:
    """Each part's first pass, the parts running at once (as processes do) and sharing it."""
    found: list[OcidCounts | BaseException | None] = [None] * count

    def run(index: int) -> None:
        try:
            found[index] = count_ocids(path, "f", None, Part(index, count, str(folder)))
        except BaseException as exc:  # reported below
            found[index] = exc

    threads = [  # daemons: a part waiting for a failed one must not keep pytest from ending
        threading.Thread(target=run, args=(index,), daemon=True) for index in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    results = []
    for item in found:
        assert isinstance(item, OcidCounts), item
        results.append(item)
    return results


def _alone(path: Path, count: int) -> list[OcidCounts]:
    return [count_ocids(path, "f", None, Part(index, count)) for index in range(count)]


def _release(ocid: str, **extra: object) -> str:
    return json.dumps({"ocid": ocid, "id": "r", "date": "2020-01-01T00:00:00Z", **extra})


_LINES = st.one_of(
    st.sampled_from(["a", "b", "c", "ocds-x", "é", "  a  "]).map(_release),
    st.just(""),
    st.just("   "),
    st.just('{"ocid": "  "}'),
    st.just('{"ocid": "a", broken'),
    st.just("[1, 2"),
    st.just(json.dumps({"releases": [{"ocid": "a", "id": "1"}, {"ocid": "d", "id": "2"}]})),
    st.just(json.dumps({"records": [{"ocid": "b", "compiledRelease": {"ocid": "b"}}]})),
    st.just(json.dumps({"ocid": "c", "releases": [{"id": "x", "tag": ["tender"]}]})),
    st.just("\ufeff" + _release("a")),
    st.just('{"ocid": "ocds-\\ud800", "id": "1"}'),  # an escape the general path reads as is
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(_LINES, max_size=30),
    count=st.integers(1, 4),
    ending=st.sampled_from(["\n", "\r\n"]),
    last_newline=st.booleans(),
    bom=st.booleans(),
)
def test_shared_first_pass_finds_what_each_part_finds_alone(
    lines: list[str], count: int, ending: str, last_newline: bool, bom: bool
) -> None:
    text = ending.join(lines) + (ending if last_newline and lines else "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.jsonl"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        folder = Path(tmp) / "exchange"
        folder.mkdir()
        assert _shared(path, count, folder) == _alone(path, count)


def test_ranges_are_cut_after_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"aaaa\nbbbbbbbbbbbbbbbb\ncc\n")
    bounds = range_bounds(path, 4)
    assert bounds[0] == 0 and bounds[-1] == path.stat().st_size
    data = path.read_bytes()
    for cut in bounds[1:-1]:
        assert cut in (0, len(data)) or data[cut - 1 : cut] == b"\n"
    assert bounds == sorted(bounds)
    assert range_bounds(path, 1) == [0, len(data)]


def test_one_long_line_leaves_the_other_ranges_empty(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(_release("a", title="x" * 5000), encoding="utf-8")
    assert range_bounds(path, 3) == [
        0,
        path.stat().st_size,
        path.stat().st_size,
        path.stat().st_size,
    ]
    folder = tmp_path / "exchange"
    folder.mkdir()
    assert _shared(path, 3, folder) == _alone(path, 3)


def test_a_part_alone_makes_the_whole_pass(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(_release(o) for o in "abcabd") + "\n", encoding="utf-8")
    whole = count_ocids(path, "f")
    assert whole.counts == {"a": 2, "b": 2, "c": 1, "d": 1} and whole.lines is None
    parts = _alone(path, 2)
    merged: dict[str, int] = {}
    for counted in parts:
        assert not set(merged) & set(counted.counts)
        merged.update(counted.counts)
    assert merged == whole.counts


@pytest.mark.parametrize("count", [2, 3])
def test_shared_first_pass_on_the_real_fixture(tmp_path: Path, count: int) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "ocds"
    lines = []
    for fixture in sorted(fixtures.glob("*.json")):
        text = fixture.read_text("utf-8-sig")
        if text.strip():  # one fixture is an empty file
            lines.append(json.dumps(json.loads(text)))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines * 3) + "\n", encoding="utf-8")
    folder = tmp_path / "exchange"
    folder.mkdir()
    assert _shared(path, count, folder) == _alone(path, count)


def test_a_byte_order_mark_is_dropped_only_at_the_start_of_the_file(tmp_path: Path) -> None:
    """A range that starts on a line beginning with a byte-order mark keeps it, as the whole
    pass does (the line then goes to the general path): only the file's first line loses it."""
    path = tmp_path / "r.jsonl"
    first = _release("a", title="x" * 200)
    path.write_bytes(first.encode() + b"\n\xef\xbb\xbf" + _release("b").encode() + b"\n")
    assert range_bounds(path, 2)[1] == len(first) + 1
    folder = tmp_path / "exchange"
    folder.mkdir()
    assert _shared(path, 2, folder) == _alone(path, 2)
