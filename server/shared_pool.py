"""One query pool shared by several web processes.

A single web process is bound to one core by Python's lock on the interpreter, so `crtkg
serve` can run several. They must still share one pool: the fair shares are per client
across the whole server, and the number of queries running at once is the number of workers,
whichever process a request reached. So the pool stays in the main process, and a web
process asks it over a Unix socket: `PoolClient.run` sends the request and the client's
address, `PoolServer` runs it in the pool and sends back what the pool returned (a reply, a
failure or a refusal). A worker's answer crosses the main process as the bytes the worker
sent: unpickling and pickling it again there would cost CPU and memory for nothing.
"""

from __future__ import annotations

import logging
import threading
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from server.pool import QueryPool, delivered
from server.protocol import Failure, HttpError, QueryRequest, Reply

log = logging.getLogger("crtkg.pool")

# A web process waits at most this much longer than the pool's own bound (a wait for a
# worker, then the query's time limit, both `timeout`; and a fresh worker's start).
SLACK_SECONDS = 60.0


class PoolServer:
    """Answers web processes' requests from `pool`: a thread per connection (a web process
    opens one per thread of its own), until close()."""

    def __init__(self, pool: QueryPool, address: Path) -> None:
        self.pool, self.address = pool, address
        self._listener = Listener(str(address), family="AF_UNIX")
        self._thread = threading.Thread(target=self._accept, daemon=True, name="pool-server")
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True,
                             name="pool-connection").start()

    def _answer(self, conn: Connection) -> None:
        with conn:
            while True:
                try:
                    client, request = conn.recv()
                except (EOFError, OSError):  # the web process's thread or process ended
                    return
                try:
                    conn.send_bytes(self.pool.outcome_bytes(request, client))
                except OSError:
                    return

    def close(self) -> None:
        self._listener.close()


class PoolClient:
    """A web process's view of the main process's pool: run() as QueryPool.run does."""

    def __init__(self, address: Path, artifact: Path, timeout: float) -> None:
        self.address, self.artifact, self.timeout = address, artifact, timeout
        self._local = threading.local()  # one connection per thread: a request at a time

    def run(self, request: QueryRequest, client: str = "-") -> Reply:
        return delivered(self._ask(request, client))

    def _ask(self, request: QueryRequest, client: str) -> Reply | Failure | HttpError:
        try:
            conn = self._connection()
            conn.send((client, request))
            if conn.poll(2 * self.timeout + SLACK_SECONDS):
                return conn.recv()
        except (EOFError, OSError) as err:
            self._drop()
            log.error("the query pool did not answer (%s); is the main process gone?", err)
            return HttpError(503, "the server's query pool is not answering; try again")
        self._drop()  # its answer, if any, would come to the next request
        return HttpError(503, "the server's query pool did not answer in time; try again")

    def _connection(self) -> Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = Client(str(self.address), family="AF_UNIX")
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self._drop()
