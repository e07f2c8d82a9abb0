"""Benchmark: classify the records of the bundled DECP 2019 files by technology category.

Usage: ``python benchmarks/bench_taxonomy.py [--runs N] [FILES...]``

Prints the median over N runs (default 5) of the time to classify every loaded record
(codes and text, ``vigie.sources.taxonomy.classify``), in records per second, and the count of
records per category and source (code, text, code+text, none).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from vigie.demo import demo_files
from vigie.sources import Limits, ProcurementRecord, read_decp
from vigie.sources.taxonomy import CategoryResult, classify, default_taxonomy


def _classify_all(records: list[ProcurementRecord]) -> list[CategoryResult]:
    taxonomy = default_taxonomy()
    return [classify(r.classifications, r.cpv, r.title, r.description, taxonomy) for r in records]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or demo_files()
    records = [r for f in files for r in read_decp(f, str(f), Limits()).records]
    default_taxonomy()  # load and compile once, outside the timed runs
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        results = _classify_all(records)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{len(records)} records from {len(files)} files, {args.runs} runs")
    print(f"classify: median {median:.3f} s, {len(records) / median:,.0f} records/s")
    counts = Counter((r.category, r.source) for r in results)
    for (category, source), n in sorted(counts.items()):
        print(f"  {category:24} {source:10} {n:6}")


if __name__ == "__main__":
    main()
