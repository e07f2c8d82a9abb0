"""Benchmark: bias audit of 10 million decisions (CSV aggregated through DuckDB).

Usage: ``python benchmarks/bench_bias.py [--rows N] [--runs N] [--bootstrap N]``

Writes a synthetic CSV (id, group of 4 values, outcome yes/no, decision high/medium/low) with
DuckDB into a temporary directory, then measures the whole audit (header check, aggregation,
rejection accounting, line count, bootstrap) as the median of N runs (default 3), and prints the
peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from vigie.ai.bias_ci import BootstrapSettings
from vigie.ai.bias_data import BiasColumns
from vigie.ai.bias_report import run_bias_audit

COLUMNS = BiasColumns(
    group="group",
    label="outcome",
    label_positive="yes",
    prediction="decision",
    predicted_positive=("high", "medium"),
)


def write_data(path: Path, rows: int) -> None:
    """A reproducible synthetic decisions file (DuckDB's setseed makes random() repeatable)."""
    with duckdb.connect() as con:
        con.execute("SELECT setseed(0.42)")
        con.execute(
            f"""
            COPY (
              SELECT i AS id, 'g' || (i % 4) AS "group",
                     CASE WHEN random() < 0.2 + 0.05 * (i % 4) THEN 'yes' ELSE 'no' END AS outcome,
                     CASE WHEN random() < 0.3 THEN 'high' WHEN random() < 0.2 THEN 'medium'
                          ELSE 'low' END AS decision
              FROM range({rows}) t(i)
            ) TO '{path}' (HEADER, DELIMITER ',')
            """
        )


def main() -> None:
    """Write the data once, time the audit, print the median."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "decisions.csv"
        started = time.perf_counter()
        write_data(path, args.rows)
        size = path.stat().st_size
        elapsed = time.perf_counter() - started
        print(f"wrote {args.rows:,} rows ({size / 1e6:.0f} MB) in {elapsed:.1f} s")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            document = run_bias_audit(
                path, COLUMNS, settings=BootstrapSettings(replicates=args.bootstrap)
            )
            times.append(time.perf_counter() - started)
        assert document["input"]["rows_loaded"] == args.rows
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"audit of {args.rows:,} rows, {args.bootstrap} bootstrap replicates: median "
            f"{statistics.median(times):.2f} s over {args.runs} runs "
            f"({', '.join(f'{t:.2f}' for t in times)}); peak RSS {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
