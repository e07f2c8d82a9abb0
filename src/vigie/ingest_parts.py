"""Reading one large file in several processes at once (one per core), then storing it.

A reader that can read a file in parts (:attr:`~vigie.sources.registry.ReaderSpec.stream_part`)
is run once per :class:`~vigie.sources.parts.Part`, each in a process of its own (a new
interpreter that imports only what reading needs, :mod:`vigie.ingest_worker`) writing to a
workspace file of its own in a temporary folder beside the workspace; the parts are then
copied into the workspace in one transaction (:func:`vigie.store.parts.import_parts`). The
result is the same as reading the file whole, in one process: the same records at the same
positions, the same rejections and warnings, and counts that reconcile.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vigie.ingest_worker import WORKER_MAIN, PartJob, job_data
from vigie.sources import Limits
from vigie.sources.files import FileSignature, hashing_meanwhile
from vigie.sources.parts import Part
from vigie.sources.records import path_label
from vigie.sources.registry import ReaderSpec
from vigie.store import ImportInfo, Workspace
from vigie.store.parts import PART_SHA256, import_parts

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
    :class:`PartFailedError` when a process fails, and
    :class:`~vigie.sources.files.FileChangedError` when the file changes while it is read
    (nothing is stored then)."""
    if spec.stream_part is None:
        raise ValueError(f"{spec.name} does not read files in parts")
    label = path_label(path)
    signature = FileSignature(path)
    provisional = ImportInfo(PART_SHA256, label, spec.name, path.stat().st_size, spec.key)
    near = None if workspace.path == ":memory:" else Path(workspace.path).parent
    with (
        _terminate_as_exit(),
        tempfile.TemporaryDirectory(prefix=_folder_prefix(near), dir=near) as tmp,
        hashing_meanwhile(path) as sha,
    ):
        exchange = Path(tmp) / "first-pass"
        exchange.mkdir()
        jobs = [
            PartJob(
                spec.stream_part,
                path,
                label,
                limits,
                Part(index, workers, str(exchange)),
                Path(tmp) / f"part{index}.duckdb",
                provisional,
            )
            for index in range(workers)
        ]
        units = _run(jobs, progress, lambda: _wanted(sha, workspace, spec.key))
        digest = sha.result()
        if units is None:
            return digest
        signature.check()  # the parts may have read different versions of it
        info = dataclasses.replace(provisional, sha256=digest)
        import_parts(workspace, info, [job.database for job in jobs], units)
        return info.sha256


_PARTS_FOLDER = "vigie-parts-"


def _folder_prefix(near: Path | None) -> str:
    """The prefix of this run's folder of part files (``vigie-parts-<pid>-``), after removing
    the folders that runs killed outright left beside the workspace (their process is gone)."""
    for folder in (near or Path(tempfile.gettempdir())).glob(f"{_PARTS_FOLDER}*-*"):
        owner = folder.name[len(_PARTS_FOLDER) :].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
    return f"{_PARTS_FOLDER}{os.getpid()}-"


def _alive(pid: int) -> bool:
    """Whether a process of this id runs (a reused id counts as alive: its folder stays).
    Only asked on POSIX: elsewhere every folder stays (``os.kill`` would end the process)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While the parts run, a termination request (SIGTERM) ends this process as an exception
    would: the parts are stopped and their files removed (by default the process would end at
    once, leaving both). Only where no handler is set already, in the main thread."""
    term = getattr(signal, "SIGTERM", None)
    if (
        term is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(term) is not signal.SIG_DFL
    ):
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(term, terminated)
    try:
        yield
    finally:
        signal.signal(term, signal.SIG_DFL)


def _wanted(sha: Future[str], workspace: Workspace, key: str) -> bool | None:
    """Whether the file is to be imported: ``None`` while it is being hashed."""
    if not sha.done():
        return None
    return not workspace.is_imported(sha.result(), key)


def _run(
    jobs: list[PartJob], progress: Callable[[int], None] | None, wanted: Callable[[], bool | None]
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
        """End the process if it still runs, and wait for it."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


def _start(job: PartJob, folder: Path) -> _Worker:
    """Start the process reading ``job``'s part (see :mod:`vigie.ingest_worker`). Its
    standard input is a pipe this process never writes to: when this process ends, however
    it ends, the pipe closes and the worker ends too."""
    index = job.part.index
    files = [folder / f"part{index}.{name}" for name in ("job.json", "progress", "result.json")]
    files[0].write_text(json.dumps(job_data(job, files[1], files[2])), encoding="utf-8")
    # -P: nothing of the current folder shadows a module; the caller's path is set from the
    # job file before anything is imported.
    command = [sys.executable, *_interpreter_flags(), "-P", "-c", WORKER_MAIN, str(files[0])]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    return _Worker(process, index, files[1], files[2])


def _interpreter_flags() -> list[str]:
    """The caller's interpreter options (``-X utf8``, ``-E``...), as multiprocessing passes
    them to the processes it starts."""
    flags = getattr(subprocess, "_args_from_interpreter_flags", None)
    return list(flags()) if callable(flags) else []
