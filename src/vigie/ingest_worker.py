"""The process that reads one part of a file (see :mod:`vigie.ingest_parts`).

It is a new interpreter, started with ``-P -c`` (nothing of the current folder shadows a
module), that sets its import path from its job file, imports only the reader and the store,
reads its part into a workspace file of its own, writes its progress (bytes read, as text) to
one file and its result (``{"units": n}`` or ``{"error": "..."}``) to another, and ends. Its
standard input is a pipe from the caller: when the caller ends, however it ends, the pipe
closes and this process ends too.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vigie
from vigie.sources import Limits
from vigie.sources.ocds_stream import Batch
from vigie.sources.parts import Part
from vigie.store import ImportInfo, Workspace
from vigie.store.parts import WARNING_ORDER, WARNING_ORDER_TABLE

if TYPE_CHECKING:  # the registry imports every reader: a worker needs only its own
    from vigie.sources.registry import PartStreamFn

WORKER_MAIN = (
    "import json, pathlib, sys; "
    "sys.path[:] = json.loads(pathlib.Path(sys.argv[1]).read_text('utf-8'))['sys_path']; "
    "from vigie.ingest_worker import read_part_main; read_part_main()"
)
"""What the worker interpreter runs: ``python -P -c WORKER_MAIN JOB_FILE``."""
ORPHANED_EXIT = 3
"""The exit status of a worker whose caller ended before it."""


@dataclass(frozen=True, slots=True)
class PartJob:
    """What one worker reads (a module-level ``stream`` function, found again by name), and
    the workspace file it writes."""

    stream: PartStreamFn
    path: Path
    label: str
    limits: Limits
    part: Part
    database: Path
    info: ImportInfo


def worker_path() -> list[str]:
    """The import path of a worker: the folder vigie is imported from, then the caller's
    absolute entries (not ``''`` nor relative ones, which would name the current folder)."""
    root = str(Path(vigie.__file__).resolve().parents[1])
    entries = [e for e in sys.path if isinstance(e, str) and e and os.path.isabs(e)]
    return list(dict.fromkeys([root, *entries]))


def job_data(job: PartJob, progress: Path, result: Path) -> dict[str, Any]:
    """The job file's content."""
    stream = job.stream
    return {
        "sys_path": worker_path(),
        "stream": [stream.__module__, stream.__qualname__],
        "path": str(job.path),
        "label": job.label,
        "limits": dataclasses.asdict(job.limits),
        "part": [job.part.index, job.part.count, job.part.exchange],
        "database": str(job.database),
        "info": dataclasses.asdict(job.info),
        "progress": str(progress),
        "result": str(result),
    }


def read_part_main() -> None:
    """Entry point of a process reading one part: reads the job file named on the command
    line and writes the result file; ends without running the interpreter's shutdown (the
    result is written, nothing else is owed)."""
    _end_when_orphaned()
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    result: dict[str, Any]
    try:
        module, name = data["stream"]
        stream: PartStreamFn = getattr(importlib.import_module(module), name)
        job = PartJob(
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


def _read_part(job: PartJob, progress_file: Path) -> int:
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


def _end_when_orphaned() -> None:
    """End this process as soon as its standard input ends: the caller closed the pipe, or
    ended (even killed) without closing it."""

    def watch() -> None:
        sys.stdin.buffer.read()
        os._exit(ORPHANED_EXIT)

    threading.Thread(target=watch, name="vigie-orphan-watch", daemon=True).start()
