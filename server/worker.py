"""A query worker process: it holds the graph in its own Oxigraph store and answers queries
sent by server.pool over a connection, until the connection closes or the pool kills it.

Run as `python -m server.worker ARTIFACT FD`.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from graph.artifact import open_store
from graph.errors import QueryError
from graph.query import Answer, run_query, served_store
from graph.results import BY_NAME, answer_kind, collect, native_json, write
from graph.sparql_messages import KnownIris
from server.protocol import Failure, HttpError, QueryRequest, Reply, negotiate, refuse_unsafe

SPARQL_JSON = BY_NAME["json"]  # written by Oxigraph when no limit cuts the answer


@dataclass(frozen=True)
class Graph:
    """What a worker answers from: the artifact's store, its served graphs alone (most
    queries run on those: graph.query.served_store), and the IRIs there are in them."""

    store: ox.Store
    served: ox.Store
    known: KnownIris

    @classmethod
    def load(cls, artifact: Path) -> Graph:
        store = open_store(artifact)
        return cls(store, served_store(store), KnownIris.of(store))


def reply_to(graph: Graph, request: QueryRequest) -> Reply | Failure:
    """Run one query and write its answer in the negotiated format, or say what was wrong
    with the query (a 4xx reply), or, when the fault is not the query's, the Failure. A
    reply carries the warnings of IRIs the graph lacks."""
    reply = _run(graph, request)
    if isinstance(reply, Failure):
        return reply
    values = (v for _, v in request.substitutions)
    return replace(reply, warnings=tuple(graph.known.warnings(request.query, values)))


def _run(graph: Graph, request: QueryRequest) -> Reply | Failure:
    try:
        refuse_unsafe(request.query)
        result = _answer(graph, request)
        fmt = negotiate(answer_kind(result), request.accept, request.formats, request.api)
        if fmt is SPARQL_JSON and isinstance(result, ox.QuerySolutions) and not request.hidden:
            body = native_json(result, request.cap, request.max_bytes)
            if body is not None:
                return Reply(200, body, fmt.media_type)
            result = _answer(graph, request)  # again, to collect it: a limit cuts it
        collected = collect(result, request.cap, request.hidden, request.max_bytes)
        cut_at = collected.size if collected.truncated else None
        return Reply(200, write(collected, fmt), fmt.media_type, cut_at)
    except QueryError as err:
        if isinstance(err.__cause__, OSError):
            # graph.query reports the engine's I/O errors as the query's; with SERVICE refused
            # before it comes here, only the store's own failures raise them: ours
            return Failure(traceback.format_exc())
        return Reply.error(HttpError(400, str(err)))
    except HttpError as err:
        return Reply.error(err)
    except Exception as err:
        if type(err) is RuntimeError:  # not a subclass such as RecursionError: that is ours
            # Oxigraph's evaluation errors that are not I/O, e.g. a function it does not have
            # (`FILTER(<http://example.org/f>(?o))`) or SERVICE ?unbound: the query's fault
            return Reply.error(HttpError(400, f"the query cannot be evaluated: {err}"))
        # a bug of ours: the worker lives on, and the server logs it under an error id
        return Failure(traceback.format_exc())


def _answer(graph: Graph, request: QueryRequest) -> Answer:
    return run_query(graph.store, request.query, request.infer, request.default_graph,
                     request.named_graphs, dict(request.substitutions), request.base_iri,
                     graph.served)


def serve(artifact: str, conn: Connection) -> None:
    """A worker's life: load the graph, then answer requests until the connection closes."""
    graph = Graph.load(Path(artifact))
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(reply_to(graph, request))


def exit_with_parent(period: float = 1.0) -> None:
    """End this worker once the server is gone, even by SIGKILL and even mid-query: the engine
    releases the GIL while it evaluates, so this thread keeps watching."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(period)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def limit_memory(megabytes: int) -> None:
    """Cap this process's memory, so a query that builds a huge answer fails alone (the pool
    answers 500 and starts a new worker) instead of starving the machine."""
    if megabytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 2**20, hard))


if __name__ == "__main__":  # a worker: python -m server.worker ARTIFACT FD MEMORY_MB
    exit_with_parent()
    limit_memory(int(sys.argv[3]))
    serve(sys.argv[1], Connection(int(sys.argv[2])))
