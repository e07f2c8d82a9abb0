"""Reading one large file in several processes at once (one per core), then storing it.

A reader that can read a file in parts (:attr:`~vigie.sources.registry.ReaderSpec.stream_part`)
is run once per :class:`~vigie.sources.parts.Part`, each in a process of its own (a new
interpreter that imports only what reading needs) writing to a workspace file of its own in a
temporary folder beside the workspace; the parts are then
copied into the workspace in one transaction (:func:`vigie.store.parts.import_parts`). The
result is the same as reading the file whole, in one process: the same records at the same
positions, the same rejections and warnings, and counts that reconcile.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
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
_POLL_SECONDS = 0.1
_STOP_SECONDS = 5.0


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
    stop = threading.Event()
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
        sha = hashing.submit(sha256_file, path, stop)
        try:
            units = _run(jobs, progress, lambda: _wanted(sha, workspace, spec.key))
            digest = sha.result()
        finally:
            stop.set()  # on failure or interruption, the hash ends at once too
        if units is None:
            return digest
        info = dataclasses.replace(provisional, sha256=digest)
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
    folder = jobs[0].database.parent
    running: list[_Worker] = []
    units, pending = 0, set(range(len(jobs)))
    decided: bool | None = None
    try:
        for job in jobs:
            running.append(_start(job, folder))
        while pending or decided is None:
            decided = wanted() if decided is None else decided
            if decided is False:
                return None
            for index in sorted(pending):
                read = running[index].finished(len(jobs))
                if read is not None:
                    units += read
                    pending.discard(index)
            if progress:
                progress(sum(worker.progress() for worker in running) // len(jobs))
            if pending or decided is None:
                time.sleep(_POLL_SECONDS)
    finally:
        for worker in running:
            worker.stop()
    return units


@dataclass(slots=True)
class _Worker:
    """A process reading one part: it writes its progress (bytes read, as text) and, when it
    ends, its result (``{"units": n}`` or ``{"error": "..."}``) to files of its own."""

    process: subprocess.Popen[bytes]
    index: int
    progress_file: Path
    result_file: Path
    last_progress: int = 0

    def finished(self, parts: int) -> int | None:
        """The units read once the process has ended well; ``None`` while it runs. Raises
        :class:`PartFailedError` when it failed or ended without a result."""
        code = self.process.poll()
        if code is None:
            return None
        try:
            result = json.loads(self.result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            result = {}
        if code == 0 and isinstance(result.get("units"), int):
            return int(result["units"])
        detail = result.get("error") or f"exit {code}"
        raise PartFailedError(f"part {self.index + 1} of {parts}: {detail}")

    def progress(self) -> int:
        """Bytes read so far (the last figure read whole: the file is rewritten as it goes)."""
        with contextlib.suppress(OSError, ValueError):
            self.last_progress = max(self.last_progress, int(self.progress_file.read_text("ascii")))
        return self.last_progress

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


def _start(job: _Job, folder: Path) -> _Worker:
    """Start the process reading ``job``'s part: a new interpreter that imports only what
    reading needs (not the caller's main module), with the caller's import path."""
    index = job.part.index
    files = [folder / f"part{index}.{name}" for name in ("job.json", "progress", "result.json")]
    files[0].write_text(json.dumps(_job_data(job, files[1], files[2])), encoding="utf-8")
    # -P: nothing of the current folder shadows a module; the caller's path is set from the
    # job file before anything is imported.
    command = [sys.executable, *_interpreter_flags(), "-P", "-c", _WORKER_MAIN, str(files[0])]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    return _Worker(process, index, files[1], files[2])


_WORKER_MAIN = (
    "import json, sys; "
    "sys.path[:] = json.loads(open(sys.argv[1], encoding='utf-8').read())['sys_path']; "
    "from vigie.ingest_parts import read_part_main; read_part_main()"
)


def _interpreter_flags() -> list[str]:
    """The caller's interpreter options (``-X utf8``, ``-E``...), as multiprocessing passes
    them to the processes it starts."""
    flags = getattr(subprocess, "_args_from_interpreter_flags", None)
    return list(flags()) if callable(flags) else []


def _job_data(job: _Job, progress: Path, result: Path) -> dict[str, Any]:
    stream = job.stream
    return {
        "sys_path": [entry for entry in sys.path if isinstance(entry, str)],
        "stream": [stream.__module__, stream.__qualname__],
        "path": str(job.path),
        "label": job.label,
        "limits": dataclasses.asdict(job.limits),
        "part": [job.part.index, job.part.count],
        "database": str(job.database),
        "info": dataclasses.asdict(job.info),
        "progress": str(progress),
        "result": str(result),
    }


def read_part_main() -> None:
    """Entry point of a process reading one part (see :func:`_start`): reads the job file
    named on the command line and writes the result file; ends without running the
    interpreter's shutdown (the result is written, nothing else is owed)."""
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    result: dict[str, Any]
    try:
        module, name = data["stream"]
        stream: PartStreamFn = getattr(importlib.import_module(module), name)
        job = _Job(
            stream,
            Path(data["path"]),
            data["label"],
            Limits(**data["limits"]),
            Part(*data["part"]),
            Path(data["database"]),
            ImportInfo(**data["info"]),
        )
        result = {"units": _read_part(job, Path(data["progress"]))}
    except BaseException as exc:  # reported to the parent, which stops the other parts
        result = {"error": "".join(traceback.format_exception_only(exc)).strip()}
    done = Path(data["result"])
    partial = done.with_suffix(".partial")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(done)  # whole or absent: the parent reads it once the process ended
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if "units" in result else 1)


def _read_part(job: _Job, progress_file: Path) -> int:
    """Read one part of the file into the part's workspace file; return the units read."""

    def report(n: int) -> None:
        progress_file.write_text(str(n), encoding="ascii")

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
    return summary.units_read
