"""Benchmark: knowledge-base loading, dated group resolution and imports at scale.

Usage: ``python benchmarks/bench_kb.py [--runs N] [--links N]``

Measures, as the median of N runs (default 5):
- load: loading and checking the starter knowledge base;
- check: building and checking a synthetic knowledge base of N companies with N-1 dated
  ownership links (random tree, 30 % of links ended);
- group_of: resolving the group of every tenth company on a given day;
- import: importing a synthetic GLEIF Level 1 file of N rows into an empty directory.
Synthetic data only (no download); the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stdnum.iso7064 import mod_97_10

from vigie.kb import KnowledgeBase, load_knowledge_base
from vigie.kb.imports import import_file
from vigie.kb.model import Company, KnowledgeBaseFile, Ownership


def _median(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _synthetic(n: int) -> KnowledgeBaseFile:
    rng = random.Random(1)
    companies = tuple(Company(id=f"c{i}", name=f"Company {i}") for i in range(n))
    links = []
    for i in range(1, n):
        year = 2000 + rng.randrange(20)
        end = None if rng.random() < 0.7 else f"{year + 2}"
        links.append(
            Ownership(child=f"c{i}", parent=f"c{rng.randrange(i)}", start=f"{year}", end=end)
        )
    return KnowledgeBaseFile(companies=companies, ownership=tuple(links))


def _gleif_l1(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["LEI", "Entity.LegalName", "Entity.LegalAddress.Country"])
        for i in range(n):
            base = f"969500BENCH{i:07d}"
            writer.writerow([base + mod_97_10.calc_check_digits(base), f"Bench {i} Ltd", "GB"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--links", type=int, default=20_000)
    args = parser.parse_args()
    n = args.links
    print(f"load starter: {_median(args.runs, load_knowledge_base):.3f} s")
    part = _synthetic(n)
    kb_holder: list[KnowledgeBase] = []

    def build() -> None:
        kb = KnowledgeBase.from_parts([("bench.yaml", part)], "bench")
        assert kb.check() == []
        kb_holder[:] = [kb]

    print(
        f"build + check, {n} companies and {n - 1} dated links: {_median(args.runs, build):.3f} s"
    )
    kb = kb_holder[0]
    ids = [f"c{i}" for i in range(0, n, 10)]
    seconds = _median(args.runs, lambda: [kb.group_of(c, at="2012-06-01") for c in ids])
    print(f"group_of x{len(ids)} on 2012-06-01: {seconds:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "l1.csv"
        _gleif_l1(source, n)
        seconds = _median(args.runs, lambda: import_file(source, "gleif-l1", Path(tmp) / "kb"))
        print(f"import GLEIF Level 1, {n} rows: {seconds:.3f} s")


if __name__ == "__main__":
    main()
