"""Benchmark: read a generated CSV register and the same rows as an XLSX workbook.

Usage: ``python benchmarks/bench_tabular.py [--rows N] [--runs R]``; prints the median of R runs
(default 3) in rows per second for N rows (default 100,000 for CSV, a tenth for XLSX).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from vigie.sources.tabular import TabularMapping, read_tabular

MAPPING = TabularMapping.model_validate(
    {
        "columns": {
            "id": "id",
            "buyer_name": "buyer",
            "supplier_name": "supplier",
            "amount": "amount",
            "date": "date",
            "cpv": "cpv",
            "title": "title",
        },
        "currency": "EUR",
        "decimal": ",",
        "date_format": "%d/%m/%Y",
    }
)
HEADER = ["id", "buyer", "supplier", "amount", "date", "cpv", "title"]


def _row(i: int) -> list[str]:
    return [
        f"2024-{i:07d}",
        f"Buyer {i % 500}",
        f"Supplier {i % 5000}",
        f"{i % 100000} {i % 1000:03d},{i % 100:02d}",
        f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024",
        f"{72000000 + i % 1000:08d}",
        f"Contract number {i} for services",
    ]


def _median(runs: int, path: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = read_tabular(path, MAPPING)
        times.append(time.perf_counter() - start)
        assert result.records_read == len(result.records) + len(result.rejections)
    return statistics.median(times)


def main() -> None:
    """Write the files, read them, print rows per second."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "register.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(_row(i) for i in range(args.rows))
        seconds = _median(args.runs, csv_path)
        size = csv_path.stat().st_size / 1e6
        print(
            f"CSV: {args.rows} rows, {size:.1f} MB: median {seconds:.2f} s, "
            f"{args.rows / seconds:,.0f} rows/s"
        )
        xlsx_rows = max(args.rows // 10, 1)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("register")
        sheet.append(HEADER)
        for i in range(xlsx_rows):
            sheet.append(_row(i))
        xlsx_path = Path(folder) / "register.xlsx"
        book.save(xlsx_path)
        seconds = _median(args.runs, xlsx_path)
        print(f"XLSX: {xlsx_rows} rows: median {seconds:.2f} s, {xlsx_rows / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
