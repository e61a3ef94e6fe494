"""Query worker processes: each holds the graph in its own Oxigraph store and answers queries.

Oxigraph's engine cannot be interrupted from Python, so a query that overruns its time limit
is stopped by killing the process that runs it; a fresh worker takes its place. The web
process never runs a query itself, so while one worker is stuck on a pathological query,
the others go on answering. Workers are forked from a server process that has already
imported the engine, so a replacement is ready in milliseconds.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from graph.artifact import open_store
from graph.errors import QueryError
from graph.query import run_query
from graph.results import answer_kind, collect, write
from server.protocol import HttpError, QueryRequest, Reply, negotiate

_CONTEXT = mp.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])


def answer(store: ox.Store, request: QueryRequest) -> Reply:
    """Run one query and write its answer in the negotiated format (or say what was wrong)."""
    try:
        result = run_query(store, request.query, request.infer, request.default_graph,
                           request.named_graphs)
        fmt = negotiate(answer_kind(result), request.accept, request.format)
        collected = collect(result, request.cap)
        return Reply(200, write(collected, fmt), fmt.media_type, collected.truncated)
    except QueryError as err:
        return Reply.error(refused_update(request.query) or HttpError(400, str(err)))
    except HttpError as err:
        return Reply.error(err)
    except (OSError, ValueError, TypeError) as err:  # evaluation errors raised by the engine
        return Reply.error(HttpError(400, f"query failed: {err}"))


def refused_update(text: str) -> HttpError | None:
    """A 403 if the text is a SPARQL Update: parsed, never run, since the graph is read-only."""
    from rdflib.plugins.sparql.parser import parseUpdate  # only on this rare path

    try:
        parseUpdate(text)
    except Exception:  # not an update either: the query's syntax error stands
        return None
    return HttpError(403, "SPARQL Update is refused: this endpoint is read-only "
                          "(the graph changes only by `crtkg build`)")


def _serve(artifact: str, conn: Connection) -> None:
    """A worker's life: load the graph, then answer requests until the pipe closes."""
    store = open_store(Path(artifact))
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, request))


@dataclass(eq=False)  # identity, so workers can sit in a set
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class QueryTimeout(HttpError):
    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"the query was stopped after {seconds:g} s, the server's time "
                              "limit (CRTKG_TIMEOUT or `crtkg serve --timeout`)")


class QueryPool:
    """A fixed number of workers; a query waits for an idle one within its time limit."""

    def __init__(self, artifact: Path, size: int, timeout: float) -> None:
        self.artifact, self.size, self.timeout = artifact, size, timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(str(self.artifact), child), daemon=True,
                                   name="crtkg-query-worker")
        process.start()
        child.close()
        if not parent.poll(60) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError(f"a query worker could not load {self.artifact}")
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def run(self, request: QueryRequest) -> Reply:
        """The worker's reply, or HttpError 503 if the time limit passed first."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise HttpError(503, f"all {self.size} query workers stayed busy for "
                                 f"{self.timeout:g} s, the time limit; try again") from None
        try:
            worker.conn.send(request)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
            error: HttpError = QueryTimeout(self.timeout)
        except (EOFError, OSError):
            error = HttpError(500, "the query worker stopped while answering (out of memory?); "
                                   "a new one has taken its place")
        self._replace(worker)
        raise error

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()  # the only way to stop the engine mid-query
        worker.process.join()
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)
        self._idle.put(self._start())

    def pids(self) -> set[int]:
        """The process ids of the live workers (tests check a stuck one is really gone)."""
        with self._lock:
            return {w.process.pid for w in self._all if w.process.pid is not None}

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.process.kill()
            worker.process.join()
            worker.conn.close()
