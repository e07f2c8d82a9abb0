"""Benchmark and reconciliation: read every TED R2.0.9 notice and every eForms conversion.

Usage: ``python benchmarks/bench_ted.py [--runs N] [DIRECTORY]`` where DIRECTORY holds
``ted-xml/`` and ``eforms-xml/`` (default: ../shared/data/ted/development-notices).

Prints, per format: files, records read, loaded, rejected (and whether they reconcile), the
rejection and warning codes, the notices whose TED and eForms award counts differ, and the
median reading time of N runs (default 5) with its throughput.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from vigie.sources.eforms import read_eforms
from vigie.sources.records import ReadResult
from vigie.sources.ted import read_ted

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/data/ted/development-notices"
Reader = Callable[[Path], ReadResult]


def _read_all(reader: Reader, files: list[Path]) -> list[ReadResult]:
    return [reader(path) for path in files]


def _report(name: str, reader: Reader, files: list[Path], runs: int) -> dict[str, int]:
    times = []
    results: list[ReadResult] = []
    for _ in range(runs):
        start = time.perf_counter()
        results = _read_all(reader, files)
        times.append(time.perf_counter() - start)
    read = sum(r.records_read for r in results)
    loaded = sum(len(r.records) for r in results)
    rejected = sum(len(r.rejections) for r in results)
    size = sum(path.stat().st_size for path in files)
    median = statistics.median(times)
    print(
        f"{name}: {len(files)} files, {size / 1e6:.1f} MB; records read {read}, loaded {loaded}, "
        f"rejected {rejected}; reconciled: {read == loaded + rejected}"
    )
    print(f"  rejections: {dict(Counter(x.note.code for r in results for x in r.rejections))}")
    print(f"  warnings: {dict(Counter(x.note.code for r in results for x in r.warnings))}")
    print(
        f"  median of {runs} runs: {median:.2f} s ({size / 1e6 / median:.1f} MB/s, "
        f"{read / median:.0f} units/s)"
    )
    return {Path(r.path).name: len(r.records) for r in results}


def main() -> None:
    """Read both directories and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    ted_files = sorted((args.directory / "ted-xml").glob("*.xml"))
    eforms_files = sorted((args.directory / "eforms-xml").glob("*.xml"))
    if not ted_files or not eforms_files:
        parser.error(f"no ted-xml/*.xml or eforms-xml/*.xml under {args.directory}")
    ted = _report("TED R2.0.9", read_ted, ted_files, args.runs)
    eforms = _report("eForms UBL", read_eforms, eforms_files, args.runs)
    differ = {n: (ted[n], eforms[n]) for n in sorted(set(ted) & set(eforms)) if ted[n] != eforms[n]}
    print(f"notices whose loaded records differ (TED, eForms): {differ}")
    print(f"TED notices without an eForms conversion: {sorted(set(ted) - set(eforms))}")


if __name__ == "__main__":
    main()
