"""Benchmark: OCDS JSON lines into the workspace.

Usage: ``python benchmarks/bench_ingest.py [--runs N] [--releases N] [--data DIR]``

Builds a JSON-lines file of N releases (default 200,000) from the real OCDS samples in
``../shared/data/ocds-real`` (every release found there, cycled, each copy given its own ocid;
one release in five is a later release of the process of the line before, so that releases are
merged), then imports it into a new workspace N times (default 5) and prints the median.

Measured: ``import`` = detect the format, hash, read line by line, merge releases by ocid, map to
records and insert them into DuckDB in batches (what ``vigie screen`` does before matching);
``ingest`` = the same plus loading the records back for screening. Runs on at most 2 cores:
the process is pinned to two CPUs when the system allows it and DuckDB uses 2 threads.
Wall time and CPU time (all threads of the process and of the processes it starts) are both
printed: on a shared machine the wall time includes waiting for the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigie.pipeline import import_file, ingest
from vigie.sources import Limits
from vigie.sources.ocds_stream import expand, parse_json
from vigie.sources.registry import reader_named
from vigie.store import Workspace

_REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = next(
    (
        base / "shared" / "data" / "ocds-real"
        for base in (_REPO.parent, _REPO.parent.parent)
        if (base / "shared" / "data" / "ocds-real").is_dir()
    ),
    _REPO.parent / "shared" / "data" / "ocds-real",
)


def sample_releases(root: Path) -> list[dict[str, Any]]:
    """Every release of the sample files (packages opened; records give their releases)."""
    found: list[dict[str, Any]] = []
    for path in sorted(root.rglob("*.json")):
        try:
            value = parse_json(path.read_bytes())
        except ValueError:
            continue
        for unit in expand(value, str(path), "", 0):
            data = getattr(unit, "value", None)
            if (
                isinstance(data, dict)
                and "ocid" in data
                and not {"compiledRelease", "releases"} & set(data)
            ):
                found.append(data)
    return found


def lines(samples: list[dict[str, Any]], count: int) -> Iterator[bytes]:
    """``count`` JSON lines cycling through the samples, each its own process, except that
    one in five is a later release of the process of the line before (the same release, a
    new id, a later date): 4 lines in 5 are processes, a quarter of which have two releases
    to merge."""
    for index in range(count):
        repeat = index % 5 == 4
        source = index - 1 if repeat else index
        release = dict(samples[source % len(samples)])
        release["ocid"] = f"{release.get('ocid')}-bench-{source}"
        release["id"] = f"bench-{index}"
        if repeat:
            release["date"] = "2099-01-01T00:00:00Z"
        yield json.dumps(release, ensure_ascii=False).encode("utf-8") + b"\n"


def check_real(root: Path) -> None:
    """Read every file under ``root`` as ``vigie screen`` would and check the counts reconcile."""
    totals = [0, 0, 0, 0]
    with Workspace.open(":memory:") as ws:
        results = ingest(sorted(p for p in root.rglob("*") if p.is_file()), ws, Limits())
    for result in results:
        if result.records_read != result.records_loaded + result.records_rejected:
            raise SystemExit(f"counts do not reconcile for {result.path}")
        for index, value in enumerate(
            (
                result.records_read,
                result.records_loaded,
                result.records_rejected,
                len(result.records),
            )
        ):
            totals[index] += value
    print(
        f"real data: {len(results)} files under {root}: units read {totals[0]:,} = loaded "
        f"{totals[1]:,} + rejected {totals[2]:,}; {totals[3]:,} records (awards, contracts)",
        flush=True,
    )


def _cpu() -> float:
    """CPU seconds of this process and of the processes it started and waited for (the parts
    of a file read in several processes)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def main() -> None:
    """Build the file, run the imports and print one line per measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--releases", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes reading the file (default 2)"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[:2]
        os.sched_setaffinity(0, cpus)
    check_real(args.data)
    samples = sample_releases(args.data)
    if not samples:
        raise SystemExit(f"no OCDS releases found under {args.data}; pass --data DIR")
    spec = reader_named("ocds")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "releases.jsonl"
        with path.open("wb") as handle:
            handle.writelines(lines(samples, args.releases))
        size_mb = path.stat().st_size / 1e6
        print(
            f"file: {args.releases:,} releases from {len(samples)} samples, {size_mb:,.0f} MB",
            flush=True,
        )
        for name in ("import", "ingest"):
            times, cpu = [], []
            for run in range(args.runs):
                with Workspace.open(root / f"{name}{run}.duckdb") as ws:
                    ws.con.execute("SET threads TO 2")
                    start, start_cpu = time.perf_counter(), _cpu()
                    if name == "import":
                        import_file(path, spec, ws, Limits(), workers=args.workers)
                    else:
                        ingest([path], ws, Limits(), workers=args.workers)
                    times.append(time.perf_counter() - start)
                    cpu.append(_cpu() - start_cpu)
                    counts = ws.counts()
            median = statistics.median(times)
            print(
                f"{name}: median {median:.2f} s over {args.runs} runs "
                f"({', '.join(f'{t:.2f}' for t in times)}), "
                f"{args.releases / median:,.0f} releases/s, {size_mb / median:,.1f} MB/s; "
                f"records {counts['records']:,}, rejections {counts['rejections']:,}; "
                f"CPU time median {statistics.median(cpu):.2f} s "
                f"({args.releases / statistics.median(cpu):,.0f} releases per CPU second)",
                flush=True,
            )


if __name__ == "__main__":
    main()
