"""Benchmark: the supplier-name matcher against a synthetic knowledge base.

Usage: ``python benchmarks/bench_match.py [--runs N] [--aliases N] [--names N] [--rows N]
[--workers N] [--sample N] [--warmup N]`` (the brute-force baseline needs numpy:
``pip install -e '.[bench]'``)

Measures, each as the median of N runs (default 5):

- distinct names per second (wall clock, and per CPU-second of the workers, which does not
  depend on other processes sharing the machine), normalisation included, on 1 process and on
  ``--workers``
  processes (default 2), each worker matching its share of the names through the batch API;
  workers are forked from a parent that first matched ``--warmup`` other names (default 20,000:
  the steady state of a long batch, whose word caches are warm);
- the same run's brute force: rapidfuzz ``process.cdist`` with ``WRatio`` of a sample of the
  (already normalised) names against every normalised alias, on ``--workers`` threads, and the
  ratio of the two per-name costs;
- streaming ``--rows`` input rows (default 10 million, names repeated with a Zipf-like
  distribution) in chunks of 50,000 through the batch API with a bounded cache: time and peak
  resident memory (one run; it is long).

The knowledge base is synthetic (``--aliases``, default 70,000 aliases before the duplicates
within a company are merged: about 52,000 distinct): company names made of syllables, with legal
forms, country subsidiaries and abbreviations. Names to match are built from the real supplier
names of the DECP 2019 files (their words recombined, so nearly all are distinct and most match
nothing, as in real data), plus aliases of the synthetic companies written with legal forms,
qualifiers and one typo.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from rapidfuzz import fuzz, process

from vigie.demo import demo_files
from vigie.kb import KnowledgeBase
from vigie.kb.model import Company, KnowledgeBaseFile
from vigie.resolve import Matcher, Query, match_queries
from vigie.sources import read_decp

SYLLABLES = [c + v for c in "bcdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "ix")]
FORMS = ["", " SAS", " SARL", " Ltd", " GmbH", " Inc.", " S.A.", " B.V."]
COUNTRIES = [("France", "fr"), ("Deutschland", "de"), ("UK", "gb"), ("Italia", "it")]
_WORKER: dict[str, Matcher] = {}  # the matcher of a worker process, given once


def synthetic_kb(aliases: int, rng: random.Random) -> KnowledgeBase:
    """Groups of companies whose names are random syllables: about ``aliases`` aliases."""
    companies: list[Company] = []
    count = 0
    seen: set[str] = set()
    while count < aliases:
        words = [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 3))
        ]
        stem = " ".join(w.capitalize() for w in words)
        if stem in seen:
            continue
        seen.add(stem)
        gid = f"g{len(companies)}"
        short = "".join(w[0] for w in words).upper() + stem.split()[0][:3].upper()
        companies.append(
            Company(id=gid, name=stem + rng.choice(FORMS), aliases=(stem, short), country="us")
        )
        count += 3
        country, code = rng.choice(COUNTRIES)
        companies.append(
            Company(id=f"{gid}-{code}", name=f"{stem} {country}", parent=gid, country=code)
        )
        count += 1
    part = KnowledgeBaseFile(companies=tuple(companies))
    return KnowledgeBase.from_parts([("synthetic.yaml", part)], "synthetic")


def real_words() -> list[list[str]]:
    """The supplier names of the DECP 2019 files, as lists of words."""
    names: set[str] = set()
    for path in demo_files():
        for record in read_decp(path, str(path)).records:
            names.update(s.name for s in record.suppliers if s.name)
    return [n.split() for n in sorted(names)]


def typo(word: str, rng: random.Random) -> str:
    """The word with one character deleted, doubled or swapped with the next."""
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 2)
    deleted = word[:i] + word[i + 1 :]
    doubled = word[:i] + word[i] + word[i:]
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return rng.choice([deleted, doubled, swapped])


def query_names(kb: KnowledgeBase, count: int, rng: random.Random) -> list[str]:
    """``count`` distinct names: 90% recombined real supplier names, 10% synthetic aliases
    (with a legal form, a country qualifier or one typo)."""
    words = real_words()
    flat = [w for name in words for w in name]
    companies = list(kb.companies.values())
    out: set[str] = set()
    while len(out) < count:
        if rng.random() < 0.9:
            base = rng.choice(words)
            name = " ".join(base[: rng.randint(1, len(base))] + rng.sample(flat, rng.randint(1, 3)))
        else:
            company = rng.choice(companies)
            stem = rng.choice((company.name, *company.aliases))
            kind = rng.random()
            if kind < 0.4:
                name = stem + rng.choice(FORMS)
            elif kind < 0.7:
                name = f"{stem} {rng.choice(COUNTRIES)[0]}"
            else:
                name = " ".join(typo(w, rng) for w in stem.split())
            name += " " * rng.randint(0, 1)  # keep names distinct from their alias text
        out.add(name)
    names = sorted(out)
    rng.shuffle(names)
    return names


def _init(matcher: Matcher) -> None:
    _WORKER["matcher"] = matcher


def _work(names: list[str]) -> tuple[list[str | None], float]:
    """Company ids of the names, and the CPU seconds this worker spent on them."""
    start = time.process_time()
    found = match_queries((Query(n) for n in names), _WORKER["matcher"])
    ids = [m.company_id if m else None for m in found]
    return ids, time.process_time() - start


def _median(values: list[float]) -> float:
    return statistics.median(values)


def throughput(
    matcher: Matcher, names: list[str], workers: int, runs: int
) -> tuple[list[float], list[float]]:
    """Wall-clock seconds to match every name with ``workers`` processes, and the CPU seconds
    the workers spent, once per run (each run forks a new pool from the parent matcher)."""
    times, cpu = [], []
    chunks = [names[i::workers] for i in range(workers)]
    for _ in range(runs):
        context = get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                 initargs=(matcher,)) as pool:  # fmt: skip
            list(pool.map(_work, [["warm-up"]] * workers))
            start = time.perf_counter()
            results = list(pool.map(_work, chunks))
            times.append(time.perf_counter() - start)
        assert sum(len(ids) for ids, _ in results) == len(names)
        cpu.append(sum(seconds for _, seconds in results))
    return times, cpu


def brute_force(matcher: Matcher, names: list[str], workers: int, runs: int) -> list[float]:
    """Seconds per name of rapidfuzz cdist(WRatio) against every alias (names normalised
    beforehand, not timed)."""
    aliases = [a.key for a in matcher.index.aliases]
    queries = [" ".join(matcher.tokens(n)) for n in names]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        scores = process.cdist(queries, aliases, scorer=fuzz.WRatio, workers=workers,
                               dtype="uint8")  # fmt: skip
        times.append((time.perf_counter() - start) / len(names))
        del scores
    return times


def zipf_rows(names: list[str], rows: int, rng: random.Random) -> Iterator[str]:
    """``rows`` names drawn with a heavy head (rank r has weight 1/r)."""
    weights = [1 / (r + 1) for r in range(len(names))]
    batch = 100_000
    for start in range(0, rows, batch):
        yield from rng.choices(names, weights=weights, k=min(batch, rows - start))


def stream(matcher: Matcher, names: list[str], rows: int, rng: random.Random) -> tuple[float, int]:
    """Seconds to match ``rows`` streamed rows in chunks, and the peak RSS in MiB."""
    cache: dict[Query, object] = {}
    chunk: list[str] = []
    matched = 0
    start = time.perf_counter()
    for name in zipf_rows(names, rows, rng):
        chunk.append(name)
        if len(chunk) == 50_000:
            found = match_queries(map(Query, chunk), matcher, cache)  # type: ignore[arg-type]
            matched += sum(m is not None for m in found)
            chunk = []
            if len(cache) > 500_000:
                cache.clear()
    if chunk:
        found = match_queries(map(Query, chunk), matcher, cache)  # type: ignore[arg-type]
        matched += sum(m is not None for m in found)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  rows matched: {matched:,}", flush=True)
    return seconds, int(peak)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--aliases", type=int, default=70_000)
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(20190404)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible, load average "
          f"{os.getloadavg()[0]:.1f} (other processes share the CPUs)", flush=True)  # fmt: skip

    start = time.perf_counter()
    kb = synthetic_kb(args.aliases, rng)
    matcher = Matcher(kb)
    matcher.match_one("Warm Up France")  # loads rigour's territory table once, before forking
    aliases = len(matcher.index.aliases)
    built = time.perf_counter() - start
    print(f"knowledge base: {len(kb.companies):,} companies, {aliases:,} distinct aliases; "
          f"index built in {built:.1f} s", flush=True)  # fmt: skip
    both = query_names(kb, args.names + args.warmup, rng)
    names, warmup = both[: args.names], both[args.names :]
    print(f"names: {len(names):,} distinct", flush=True)
    if warmup:
        start = time.perf_counter()
        match_queries((Query(n) for n in warmup), matcher)
        took = time.perf_counter() - start
        print(f"warm-up: {len(warmup):,} other names matched by the parent in {took:.1f} s "
              "(workers start from its caches)", flush=True)  # fmt: skip
    # The knowledge base and index live as long as the process: keep them out of the
    # garbage collector's scans (as `vigie match` does), then fork the workers.
    gc.freeze()

    for workers in sorted({1, args.workers}):
        times, cpu = throughput(matcher, names, workers, args.runs)
        runs = ", ".join(f"{t:.2f}" for t in times)
        rate = len(names) / _median(times)
        per_cpu = len(names) / _median(cpu)
        dedicated = per_cpu * workers
        print(f"{workers} process(es): median {_median(times):.2f} s ({runs}): "
              f"{rate:,.0f} distinct names/s wall clock; {per_cpu:,.0f} names per CPU-second "
              f"(so {dedicated:,.0f}/s on {workers} dedicated core(s))", flush=True)  # fmt: skip
    ours = _median(times) / len(names)

    if importlib.util.find_spec("numpy") is None:  # rapidfuzz's cdist needs numpy
        print("brute force skipped: rapidfuzz cdist needs numpy (pip install -e '.[bench]')")
    else:
        sample = names[: args.sample]
        brute = _median(brute_force(matcher, sample, args.workers, max(1, min(args.runs, 3))))
        print(f"brute force cdist(WRatio): {len(sample):,} names x {aliases:,} aliases on "
              f"{args.workers} threads: {brute * 1e3:.3f} ms per name; vigie ({args.workers} "
              f"processes) {ours * 1e3:.4f} ms per name: {brute / ours:,.0f} times faster",
              flush=True)  # fmt: skip

    if args.rows:
        seconds, peak = stream(matcher, names, args.rows, rng)
        print(f"streamed {args.rows:,} rows in {seconds:.1f} s ({args.rows / seconds:,.0f} "
              f"rows/s, 1 process); peak RSS {peak:,} MiB", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
