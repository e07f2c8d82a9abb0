"""Benchmark: screen the bundled DECP 2019 files (6,148 records) end to end.

Usage: ``python benchmarks/bench_screen.py [--runs N] [FILES...]``

Measures, as the median of N runs (default 5):
- cold: a new workspace each run (read, parse, store, match, write outputs and report);
- warm: the same files again on a workspace that already holds them (reload, match, write);
- match: matching every distinct supplier name of the loaded records.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vigie.demo import demo_files
from vigie.kb import load_knowledge_base
from vigie.pipeline import ScreenOptions, screen
from vigie.resolve import Matcher, match_names
from vigie.sources import read_decp
from vigie.store import Workspace


def _median_seconds(runs: int, action: Callable[[int], object]) -> tuple[float, list[float]]:
    times = []
    for index in range(runs):
        start = time.perf_counter()
        action(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    """Run the benchmark and print one line per measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or demo_files()
    kb = load_knowledge_base()
    options = ScreenOptions(lang="en", kb=kb)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def cold(index: int) -> None:
            with Workspace.open(root / f"cold{index}.duckdb") as ws:
                screen(files, root / f"out-cold{index}", ws, options)

        warm_ws = Workspace.open(root / "warm.duckdb")
        screen(files, root / "out-warm", warm_ws, options)

        def warm(index: int) -> None:
            screen(files, root / f"out-warm{index}", warm_ws, options)

        cold_median, cold_times = _median_seconds(args.runs, cold)
        warm_median, warm_times = _median_seconds(args.runs, warm)
        warm_ws.close()

    names = sorted(
        {
            supplier.name
            for path in files
            for record in read_decp(path).records
            for supplier in record.suppliers
            if supplier.name
        }
    )
    matcher = Matcher(kb)
    match_median, match_times = _median_seconds(args.runs, lambda _: match_names(names, matcher))
    records = sum(len(read_decp(path).records) for path in files)

    print(f"files: {len(files)}, records loaded: {records}, distinct supplier names: {len(names)}")
    print(f"runs: {args.runs} (median; all runs in seconds)")
    for label, median, times in (
        ("screen, new workspace", cold_median, cold_times),
        ("screen, files already imported", warm_median, warm_times),
        ("match distinct supplier names", match_median, match_times),
    ):
        shown = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label:32s} median {median:7.3f} s   [{shown}]")
    print(f"records per second (new workspace): {records / cold_median:,.0f}")


if __name__ == "__main__":
    main()
