"""Query worker processes: each holds the graph in its own Oxigraph store and answers queries.

Oxigraph's engine cannot be interrupted from Python, so a query that overruns its time limit
is stopped by killing the process that runs it; a fresh worker takes its place. The web
process never runs a query itself, so while one worker is stuck on a pathological query,
the others go on answering. Workers are fresh interpreters (`python -m server.worker`), not
forks, so the web process's threads and main module never leak into them.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from server.protocol import HttpError, QueryRequest, Reply


@dataclass(eq=False)  # identity, so workers can sit in a set
class _Worker:
    process: subprocess.Popen
    conn: Connection


def _worker_env() -> dict[str, str]:
    """The worker imports this checkout's packages even if the server found them by its cwd."""
    path = [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}


class QueryTimeout(HttpError):
    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"the query was stopped after {seconds:g} s, the server's time "
                              "limit (CRTKG_TIMEOUT or `crtkg serve --timeout`)")


class QueryPool:
    """A fixed number of worker slots; a query waits for an idle one within its time limit.

    The workers read a private copy of the artifact, so a build that replaces the
    artifact while the server runs never mixes two graphs behind one cache. A slot whose
    worker died or could not start is refilled when it is next used.
    """

    def __init__(self, artifact: Path, size: int, timeout: float,
                 memory_mb: int | None = None) -> None:
        self.size, self.timeout, self.memory_mb = size, timeout, memory_mb
        self._folder = Path(tempfile.mkdtemp(prefix="crtkg-serve-"))
        self.artifact = self._folder / artifact.name
        shutil.copyfile(artifact, self.artifact)  # a copy, not a link: safe from edits in place
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for worker in [self._spawn() for _ in range(size)]:  # started together
            self._idle.put(self._ready(worker))

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "server.worker", str(self.artifact),
                   str(theirs.fileno()), str(self.memory_mb or 0)]
        process = subprocess.Popen(command, pass_fds=[theirs.fileno()], env=_worker_env())
        theirs.close()
        return _Worker(process, Connection(ours.detach()))

    def _ready(self, worker: _Worker) -> _Worker:
        try:
            ready = worker.conn.poll(60) and worker.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop(worker)
            raise HttpError(503, f"a query worker could not load {self.artifact}")
        with self._lock:
            self._all.add(worker)
        return worker

    def run(self, request: QueryRequest) -> Reply:
        """The worker's reply, or HttpError 503 if the time limit passed first."""
        deadline = time.monotonic() + self.timeout
        try:
            slot = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise HttpError(503, f"all {self.size} query workers stayed busy for "
                                 f"{self.timeout:g} s, the time limit; try again") from None
        try:
            worker = self._working(slot)
        except HttpError:
            self._idle.put(None)  # keep the slot: the next query tries again
            raise
        try:
            worker.conn.send(request)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
            error: HttpError = QueryTimeout(self.timeout)
        except (EOFError, OSError):
            error = HttpError(500, "the query worker stopped while answering (out of memory?); "
                                   "a new one takes its place")
        self._stop(worker)  # the only way to stop the engine mid-query
        self._idle.put(self._replacement())
        raise error

    def _replacement(self) -> _Worker | None:
        """A fresh worker now, so the next query does not wait for one; None if none starts
        (the slot then tries again when next used)."""
        try:
            return self._ready(self._spawn())
        except HttpError:
            return None

    def _working(self, slot: _Worker | None) -> _Worker:
        """The slot's worker if it is alive, else a fresh one (it may have died idle)."""
        if slot is not None and slot.process.poll() is None:
            return slot
        if slot is not None:
            self._stop(slot)
        return self._ready(self._spawn())

    def _stop(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait()
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def pids(self) -> set[int]:
        """The process ids of the live workers (tests check a stuck one is really gone)."""
        with self._lock:
            return {w.process.pid for w in self._all}

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._stop(worker)
        shutil.rmtree(self._folder, ignore_errors=True)
