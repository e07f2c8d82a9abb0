"""Benchmark: DECP v1 JSON into the workspace, in MB per second.

Usage: ``python benchmarks/bench_decp.py [--runs N] [--records N] [--keep FILE]``

Builds a large DECP v1 file by repeating the real DECP 2019 records bundled with vigie
(``src/vigie/demo_data/decp-2019``, 6,148 elements) with new identifiers, formatted as the
published files are (two-space indentation, UTF-8), then measures, as the median of N runs:

- read: ``read_decp`` (decode, split, parse, build records, modifications, duplicates);
- store: ``Workspace.save`` into a new DuckDB workspace file;
- total: both, which is what ``vigie screen`` spends before matching.

MB are 10^6 bytes of the JSON file. Wall-clock and CPU (process) times are both printed:
on a machine shared with other work, CPU time shows what the code costs, wall time what a
user waits. The load average at start and end is printed so that figures can be judged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vigie.demo import demo_files
from vigie.sources import read_decp
from vigie.sources.records import ReadResult
from vigie.store import Workspace


def real_elements() -> list[Any]:
    """Every element of the bundled DECP 2019 files, as published (duplicates included)."""
    elements: list[Any] = []
    for path in demo_files():
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8", errors="replace")
                elements.extend(json.loads(text)["marches"])
    return elements


def build_file(target: Path, records: int) -> int:
    """Write a DECP v1 file of about ``records`` elements; return its size in bytes."""
    source = real_elements()
    out: list[Any] = []
    copy = 0
    while len(out) < records:
        for element in source:
            if isinstance(element, dict) and "id" in element:
                out.append({**element, "id": f"{element['id']}-{copy}"})
            else:
                out.append(element)
        copy += 1
    target.write_text(json.dumps({"marches": out[:records]}, ensure_ascii=False, indent=2))
    return target.stat().st_size


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_once(path: Path, workdir: Path, index: int) -> dict[str, tuple[float, float]]:
    """One measured run: read, then save into a new workspace file."""
    holder: list[ReadResult] = []
    read = _timed(lambda: holder.append(read_decp(path)))
    with Workspace.open(workdir / f"bench{index}.duckdb") as workspace:
        store = _timed(lambda: workspace.save(holder[0], "bench"))
    total = (read[0] + store[0], read[1] + store[1])
    return {"read": read, "store": store, "total": total}


def main() -> None:
    """Build the file, run the benchmark, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="also keep the generated file here")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = args.keep or workdir / "decp-big.json"
        size = build_file(path, args.records)
        mb = size / 1e6
        result = read_decp(path)
        print(
            f"file: {mb:.1f} MB, {result.records_read} elements: {len(result.records)} loaded, "
            f"{len(result.rejections)} rejected, {len(result.warnings)} warnings"
        )
        runs = [run_once(path, workdir, i) for i in range(args.runs)]
    print(f"runs: {args.runs}; median, MB/s = {mb:.1f} MB / seconds")
    for stage in ("read", "store", "total"):
        wall = statistics.median(r[stage][0] for r in runs)
        cpu = statistics.median(r[stage][1] for r in runs)
        every = ", ".join(f"{r[stage][0]:.2f}" for r in runs)
        print(
            f"{stage:>6}: wall {wall:6.2f} s = {mb / wall:6.1f} MB/s | "
            f"cpu {cpu:6.2f} s = {mb / cpu:6.1f} MB/s | wall runs: {every}"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
