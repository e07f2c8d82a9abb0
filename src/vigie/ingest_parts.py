"""Reading one large file in several processes at once (one per core), then storing it.

A reader that can read a file in parts (:attr:`~vigie.sources.registry.ReaderSpec.stream_part`)
is run once per :class:`~vigie.sources.parts.Part`, each in its own process writing to a
workspace file of its own in a temporary folder beside the workspace; the parts are then
copied into the workspace in one transaction (:func:`vigie.store.parts.import_parts`). The
result is the same as reading the file whole, in one process: the same records at the same
positions, the same rejections and warnings, and counts that reconcile.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from queue import Empty
from typing import Any

from vigie.sources import Limits
from vigie.sources.files import sha256_file
from vigie.sources.ocds_stream import Batch
from vigie.sources.parts import Part
from vigie.sources.registry import PartStreamFn, ReaderSpec
from vigie.store import ImportInfo, Workspace
from vigie.store.parts import PART_SHA256, WARNING_ORDER, WARNING_ORDER_TABLE, import_parts

PARALLEL_MIN_BYTES = 256 << 20
"""Smaller files are read in one process: starting the others, and copying their parts,
costs about a second, which reading in parts saves only past about 150 MB (measured: 33 MB,
0.6 s either way; 167 MB, 2.9 s in one process, 2.8 s in two; 266 MB, 4.7 s and 4.0 s)."""
MAX_WORKERS = 8
_POLL_SECONDS = 0.2
_GRACE_POLLS = 10


class PartFailedError(RuntimeError):
    """A process reading part of a file failed; nothing of the file was stored."""


def default_workers() -> int:
    """Processes to read a large file with: the cores this process may use, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_split(spec: ReaderSpec, path: Path, workers: int) -> bool:
    """Whether ``path`` is to be read in ``workers`` parts with ``spec``."""
    if workers < 2 or spec.stream_part is None or spec.splittable is None:
        return False
    return path.stat().st_size >= PARALLEL_MIN_BYTES and spec.splittable(path)


@dataclass(frozen=True, slots=True)
class _Job:
    stream: PartStreamFn
    path: Path
    label: str
    limits: Limits
    part: Part
    database: Path
    info: ImportInfo


def import_in_parts(
    spec: ReaderSpec,
    path: Path,
    workspace: Workspace,
    limits: Limits,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Read ``path`` in ``workers`` processes and store it in ``workspace``, unless this
    content was already imported by this reader version; return the file's SHA-256.

    The file is hashed while the processes start and read (they write their rows under a
    provisional key, :data:`~vigie.store.parts.PART_SHA256`); when the content turns out to
    be imported already, they are stopped and nothing changes. Raises
    :class:`PartFailedError` when a process fails (nothing is stored then)."""
    if spec.stream_part is None:
        raise ValueError(f"{spec.name} does not read files in parts")
    label = str(path)
    provisional = ImportInfo(PART_SHA256, label, spec.name, path.stat().st_size, spec.key)
    near = None if workspace.path == ":memory:" else Path(workspace.path).parent
    with (
        tempfile.TemporaryDirectory(prefix="vigie-parts-", dir=near) as tmp,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-hash") as hashing,
    ):
        jobs = [
            _Job(
                spec.stream_part,
                path,
                label,
                limits,
                Part(index, workers),
                Path(tmp) / f"part{index}.duckdb",
                provisional,
            )
            for index in range(workers)
        ]
        sha = hashing.submit(sha256_file, path)
        units = _run(jobs, progress, lambda: _wanted(sha, workspace, spec.key))
        if units is None:
            return sha.result()
        info = dataclasses.replace(provisional, sha256=sha.result())
        import_parts(workspace, info, [job.database for job in jobs], units)
        return info.sha256


def _wanted(sha: Future[str], workspace: Workspace, key: str) -> bool | None:
    """Whether the file is to be imported: ``None`` while it is being hashed."""
    if not sha.done():
        return None
    return not workspace.is_imported(sha.result(), key)


def _run(
    jobs: list[_Job], progress: Callable[[int], None] | None, wanted: Callable[[], bool | None]
) -> int | None:
    """Run the jobs, one process each; return the units they read in all, or ``None`` when
    ``wanted()`` says the file is not to be imported after all (the processes are stopped)."""
    context = multiprocessing.get_context("spawn")
    done = [context.Value("q", 0, lock=False) for _ in jobs]
    results: multiprocessing.Queue[tuple[int, int | None, str]] = context.Queue()
    processes = [
        context.Process(target=_read_part, args=(job, results, counter), daemon=True)
        for job, counter in zip(jobs, done, strict=True)
    ]
    for process in processes:
        process.start()
    units, pending = 0, {job.part.index for job in jobs}
    silent: dict[int, int] = {}
    decided: bool | None = None
    try:
        while pending or decided is None:
            decided = wanted() if decided is None else decided
            if decided is False:
                return None
            if not pending:
                time.sleep(_POLL_SECONDS / 10)
                continue
            try:
                index, read, error = results.get(timeout=_POLL_SECONDS)
            except Empty:
                _check_alive(processes, pending, silent)
            else:
                if read is None:
                    raise PartFailedError(f"part {index + 1} of {len(jobs)}: {error}")
                units += read
                pending.discard(index)
            if progress:
                progress(sum(int(counter.value) for counter in done) // len(jobs))
    finally:
        for process in processes:
            if process.is_alive() and pending:
                process.terminate()
            process.join()
    return units


def _check_alive(processes: list[Any], pending: set[int], silent: dict[int, int]) -> None:
    """Fail when a process still owing its result has ended: at once if it failed, after a
    few polls (its result may still be on its way) if it ended normally."""
    for index in pending:
        process = processes[index]
        if process.is_alive() or process.exitcode is None:
            continue
        silent[index] = silent.get(index, 0) + 1
        if process.exitcode != 0 or silent[index] > _GRACE_POLLS:
            raise PartFailedError(f"part {index + 1} of {len(processes)}: exit {process.exitcode}")


def _read_part(job: _Job, results: Any, done: Synchronized[int]) -> None:
    """In a process of its own: read one part of the file into the part's workspace file."""

    def report(n: int) -> None:
        done.value = n

    try:
        with Workspace.open(job.database) as part_workspace:
            part_workspace.con.execute("SET threads TO 1")
            part_workspace.con.execute(WARNING_ORDER_TABLE)
            writer = part_workspace.begin_import(job.info)

            def sink(batch: Batch) -> None:
                first = writer.warned
                writer.add(batch.records, batch.rejections, batch.warnings)
                order = batch.warning_order
                if not order:
                    return
                part_workspace.tables.insert_columns(
                    WARNING_ORDER,
                    {
                        "seq": list(range(first, first + len(order))),
                        "line": [key[0] for key in order],
                        "unit": [key[1] for key in order],
                        "state": [key[2] for key in order],
                    },
                )

            summary = job.stream(job.path, job.label, job.limits, sink, report, job.part)
            writer.commit(summary.units_read)
    except BaseException as exc:  # reported to the parent, which stops the other parts
        detail = "".join(traceback.format_exception_only(exc)).strip()
        results.put((job.part.index, None, detail))
        return
    results.put((job.part.index, summary.units_read, ""))
