"""Benchmark: ``POST /api/match`` under a constant request rate on loopback.

Usage: ``python benchmarks/bench_web.py [--rate 200] [--duration 60] [--runs 3] [--port 0]``

Starts ``vigie serve`` (uvicorn, one process) on 127.0.0.1 with a fresh workspace and an API
token, then sends one single-entity /api/match request every 1/rate seconds for ``duration``
seconds (open loop: a slow answer does not delay the next request), with a bounded number of
requests in flight (``--max-in-flight``, default 200; beyond it a request counts as an error)
over at most ``--connections`` keep-alive connections (default 16; a request waiting for a
connection is timed from the moment it was due).
Names cycle through tests/fixtures/names/names-dev.csv. Each request times out after 5 s.
Prints per run the requests sent, errors, achieved rate and latency percentiles (ms), then the
median of the runs. The load generator (asyncio + httpx) runs on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "tests" / "fixtures" / "names" / "names-dev.csv"
PASSWORD = "benchmark-password"


@dataclass(frozen=True, slots=True)
class RunFigures:
    """What one run measured."""

    sent: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    worst: float


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vigie(*args: str, env: dict[str, str]) -> str:
    """Run the vigie CLI and return its standard output."""
    command = [sys.executable, "-m", "vigie", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout


def start_server(workspace: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Create a user and token, start the server, wait until it answers; (process, token)."""
    env = {**os.environ, "VIGIE_PASSWORD": PASSWORD}
    vigie("users", "add", "bench", "--role", "viewer", "-w", str(workspace), env=env)
    token = vigie("users", "token", "bench", "-w", str(workspace), env=env).strip().splitlines()
    command = [sys.executable, "-m", "vigie", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "-w", str(workspace)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return server, token[-1]
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` in 0..1)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def load(url: str, token: str, settings: argparse.Namespace) -> RunFigures:
    """Send ``rate`` requests per second for ``duration`` seconds; measure every answer."""
    with NAMES.open(encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    latencies: list[float] = []
    errors = 0
    in_flight = 0
    limits = httpx.Limits(max_connections=settings.connections)
    headers = {"Authorization": f"Bearer {token}"}

    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=5.0) as client:

        async def one(index: int) -> None:
            nonlocal errors, in_flight
            body = {"queries": {"q": {"name": names[index % len(names)], "country": "fr"}}}
            start = time.perf_counter()
            try:
                response = await client.post(url, json=body)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(1000 * (time.perf_counter() - start))
            errors += not ok
            in_flight -= 1

        total = int(settings.rate * settings.duration)
        tasks = []
        began = time.perf_counter()
        for index in range(total):
            delay = began + index / settings.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= settings.max_in_flight:
                errors += 1
                continue
            in_flight += 1
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - began
    return RunFigures(
        sent=total,
        errors=errors,
        seconds=seconds,
        p50=percentile(latencies, 0.50),
        p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99),
        worst=max(latencies),
    )


def main() -> None:
    """Start the server, run the load ``--runs`` times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-in-flight", type=int, default=200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=0)
    settings = parser.parse_args()
    port = settings.port or free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server, token = start_server(Path(tmp) / "ws.duckdb", port)
        try:
            url = f"http://127.0.0.1:{port}/api/match"
            asyncio.run(load(url, token, argparse.Namespace(**{**vars(settings), "duration": 2})))
            runs = []
            for number in range(1, settings.runs + 1):
                figures = asyncio.run(load(url, token, settings))
                runs.append(figures)
                print(
                    f"run {number}: {figures.sent} requests in {figures.seconds:.1f} s "
                    f"({figures.sent / figures.seconds:.1f}/s), {figures.errors} errors, "
                    f"p50 {figures.p50:.1f} ms, p95 {figures.p95:.1f} ms, "
                    f"p99 {figures.p99:.1f} ms, max {figures.worst:.1f} ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    p99 = statistics.median(f.p99 for f in runs)
    errors = statistics.median(f.errors for f in runs)
    target = "met" if p99 < 100 and errors == 0 else "NOT met"
    print(
        f"median of {len(runs)} runs at {settings.rate:g}/s for {settings.duration:g} s: "
        f"p50 {statistics.median(f.p50 for f in runs):.1f} ms, p99 {p99:.1f} ms, "
        f"errors {errors:g}; target (p99 < 100 ms, no errors): {target}"
    )


if __name__ == "__main__":
    main()
