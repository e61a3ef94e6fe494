"""Query worker processes: each holds the graph in its own Oxigraph store and answers queries.

Oxigraph's engine cannot be interrupted from Python, so a query that overruns its time limit
is stopped by killing the process that runs it; a fresh worker takes its place. The web
process never runs a query itself, so while one worker is stuck on a pathological query,
the others go on answering. Workers are fresh interpreters (`python -m server.worker`), not
forks, so the web process's threads and main module never leak into them.

The workers are shared fairly among clients (remote addresses): a client has at most
`ClientLimits.queries` queries in the workers and `waiting` more in line, and, with a budget,
a number of worker seconds a minute; beyond them it gets 429 with Retry-After. An idle
worker goes to the waiting query whose client has the fewest in the workers, so a client
with nothing running goes ahead of another's backlog. The time limit counts from when a
query gets its worker; the wait for one is bounded by the same number of seconds.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from server.protocol import Failure, HttpError, QueryRequest, Reply

log = logging.getLogger("crtkg.pool")


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


class WorkerStopped(HttpError):
    def __init__(self) -> None:
        super().__init__(500, "the query worker stopped while answering (out of memory, or "
                              "killed); a new one takes its place")


class WorkerFailed(Exception):
    """A worker's answer failed for a reason that is not the query's: the server's fault.
    `cause` is the worker's traceback."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause.strip().splitlines()[-1] if cause.strip() else "unknown")
        self.cause = cause


@dataclass(frozen=True)
class ClientLimits:
    """What one client may take of the pool (see the module's docstring)."""

    queries: int = 1  # queries in the workers at once
    waiting: int = 2  # queries waiting for a worker
    budget: float = 0.0  # worker seconds a minute; 0 for no budget


@dataclass
class _Budget:
    """A client's worker seconds: `capacity` a minute, refilled evenly. A query is charged
    what it used when it ends, so the level can fall below zero."""

    capacity: float
    level: float
    at: float

    def level_at(self, now: float) -> float:
        self.level = min(self.capacity, self.level + (now - self.at) * self.capacity / 60)
        self.at = now
        return self.level

    def seconds_to_positive(self) -> int:
        return max(1, math.ceil(-self.level * 60 / self.capacity))


@dataclass(eq=False)
class _Ticket:
    client: str
    number: int  # arrival order
    slot: _Worker | None = None  # the worker slot handed to it when its turn came
    served: bool = False  # its turn came (the slot may be None: a worker to start)
    turn: threading.Event = field(default_factory=threading.Event)


def delivered(outcome: Reply | Failure | HttpError) -> Reply:
    """The reply, or what the outcome says instead raised: a refusal as itself, a failure
    of the server's as WorkerFailed."""
    if isinstance(outcome, HttpError):
        raise outcome
    if isinstance(outcome, Failure):
        raise WorkerFailed(outcome.cause)
    return outcome


def excerpt(query: str, length: int = 200) -> str:
    """A query on one line, cut, for the log.

    >>> excerpt("SELECT *\\n  WHERE { ?s ?p ?o }"), excerpt("SELECT * WHERE { ?s ?p ?o }", 10)
    ('SELECT * WHERE { ?s ?p ?o }', 'SELECT * W…')
    """
    flat = " ".join(query.split())
    return flat if len(flat) <= length else flat[:length] + "…"


def exit_cause(code: int | None) -> str:
    """Why a worker process ended, from its exit code (negative: the signal that killed it).

    >>> exit_cause(-9), exit_cause(1), exit_cause(None), exit_cause(-99)
    ('killed by SIGKILL', 'exit status 1', 'still running', 'killed by signal 99')
    """
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class QueryPool:
    """A fixed number of worker slots, shared fairly among clients (see the module).

    The workers read a private copy of the artifact, so a build that replaces the
    artifact while the server runs never mixes two graphs behind one cache. A slot whose
    worker died or could not start is refilled when it is next used.
    """

    def __init__(self, artifact: Path, size: int, timeout: float,
                 memory_mb: int | None = None, limits: ClientLimits = ClientLimits()) -> None:
        self.size, self.timeout, self.memory_mb, self.limits = size, timeout, memory_mb, limits
        self._folder = Path(tempfile.mkdtemp(prefix="crtkg-serve-"))
        self.artifact = self._folder / artifact.name
        shutil.copyfile(artifact, self.artifact)  # a copy, not a link: safe from edits in place
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()  # guards _all
        self._turns = threading.Lock()  # guards what follows: who gets the next worker
        self._idle: list[_Worker | None] = []
        self._running: dict[str, int] = {}
        self._waiting: list[_Ticket] = []
        self._budgets: dict[str, _Budget] = {}
        self._arrivals = itertools.count()
        for worker in [self._spawn() for _ in range(size)]:  # started together
            self._idle.append(self._ready(worker))

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
            log.error("a query worker could not load %s (%s)", self.artifact,
                      exit_cause(worker.process.returncode))
            raise HttpError(503, f"a query worker could not load {self.artifact}")
        with self._lock:
            self._all.add(worker)
        return worker

    def run(self, request: QueryRequest, client: str = "-") -> Reply:
        """The worker's reply for `client` (its address). Raises HttpError 429 beyond the
        client's limits, 503 if no worker came free or the query overran its time limit,
        WorkerFailed if the worker's answer failed unexpectedly."""
        return delivered(self.outcome(request, client))

    def outcome(self, request: QueryRequest, client: str = "-") -> Reply | Failure | HttpError:
        """What run() returns or raises, as a value."""
        answer = self._answer(request, client)
        return pickle.loads(answer) if isinstance(answer, bytes) else answer

    def outcome_bytes(self, request: QueryRequest, client: str = "-") -> bytes:
        """outcome() pickled, what crosses to another web process: a worker's answer passes
        on as the bytes the worker sent, never unpickled here."""
        answer = self._answer(request, client)
        return answer if isinstance(answer, bytes) else pickle.dumps(answer)

    def _answer(self, request: QueryRequest, client: str) -> bytes | HttpError:
        """The worker's answer as it sent it (a pickled reply or failure), or the pool's
        refusal, time-out or failure."""
        try:
            slot = self._take(client)
        except HttpError as err:
            return err
        kept, used = None, 0.0
        try:
            kept = self._working(slot)
            started = time.monotonic()
            answer = self._ask(kept, request, client, self.timeout)
            if isinstance(answer, HttpError):  # the worker is stuck or gone
                self._stop(kept)  # the only way to stop the engine mid-query
                kept = self._replacement(kept)
            if isinstance(answer, WorkerStopped) and kept is not None:
                # Killed from outside, or out of memory: once more, in what is left of the
                # time limit, so a good query does not fail for a worker's death; a query
                # that kills this worker too is answered 500.
                log.warning("running the query of %s again, on worker %d", client,
                            kept.process.pid)
                answer = self._ask(kept, request, client,
                                   self.timeout - (time.monotonic() - started))
                if isinstance(answer, HttpError):
                    self._stop(kept)
                    kept = self._replacement(kept)
            used = time.monotonic() - started
        except HttpError as err:  # no worker could start in the slot
            return err
        finally:
            self._give_back(kept, client, used)
        return answer

    def _ask(self, worker: _Worker, request: QueryRequest, client: str,
             seconds: float) -> bytes | HttpError:
        deadline = time.monotonic() + seconds
        try:
            worker.conn.send(request)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                return worker.conn.recv_bytes()
            log.warning("timeout: a query of %s overran the time limit of %g s; killing "
                        "worker %d: %s", client, self.timeout, worker.process.pid,
                        excerpt(request.query))
            return QueryTimeout(self.timeout)
        except (EOFError, OSError) as err:
            try:
                code = worker.process.wait(1)
            except subprocess.TimeoutExpired:
                code = None
            log.error("worker %d stopped while answering a query of %s (%s; %s): %s",
                      worker.process.pid, client, exit_cause(code),
                      type(err).__name__, excerpt(request.query))
            return WorkerStopped()

    def _take(self, client: str) -> _Worker | None:
        """Wait for this client's turn at an idle slot, within the time limit."""
        with self._turns:
            self._admit(client)
            ticket = _Ticket(client, next(self._arrivals))
            self._waiting.append(ticket)
            self._hand_over()
        if not ticket.turn.wait(self.timeout):
            with self._turns:
                if not ticket.served:  # else its turn came as the wait ran out
                    self._waiting.remove(ticket)
                    raise self._no_turn(client)
        return ticket.slot

    def _hand_over(self) -> None:
        """Give each idle slot to the query whose turn it is, waking that one thread only
        (not every waiting one); called holding _turns."""
        while (ticket := self._next()) is not None:
            self._waiting.remove(ticket)
            self._running[ticket.client] = self._running.get(ticket.client, 0) + 1
            ticket.slot, ticket.served = self._idle.pop(), True
            ticket.turn.set()

    def _no_turn(self, client: str) -> HttpError:
        """Why a waiting query got no worker in time: its own client's queries held the
        client's share (429: the client's doing), or every worker was busy (503)."""
        if self._running.get(client, 0) >= self.limits.queries:
            log.warning("refused: %s waited %g s behind its own queries", client, self.timeout)
            return HttpError(429, f"your other queries held your share of the workers "
                                  f"(CRTKG_CLIENT_QUERIES={self.limits.queries}) for "
                                  f"{self.timeout:g} s; send the next when one is answered",
                             {"Retry-After": "1"})
        log.warning("busy: a query of %s found no idle worker within %g s",
                    client, self.timeout)
        return HttpError(503, f"no query worker came free within {self.timeout:g} s; "
                              "try again", {"Retry-After": str(math.ceil(self.timeout))})

    def _admit(self, client: str) -> None:
        """Refuse (429) a query beyond its client's share; called holding _turns."""
        waiting = sum(t.client == client for t in self._waiting)
        in_flight = self._running.get(client, 0) + waiting
        if in_flight >= self.limits.queries + self.limits.waiting:
            log.warning("refused: %s has %d queries running or waiting, the limit",
                        client, in_flight)
            raise HttpError(429, f"you have {in_flight} queries running or waiting, the most "
                                 "one client may have (CRTKG_CLIENT_QUERIES and "
                                 "CRTKG_CLIENT_WAITING); send the next when one is answered",
                            {"Retry-After": "1"})
        budget = self._budgets.get(client)
        if budget is not None and budget.level_at(time.monotonic()) <= 0:
            wait = budget.seconds_to_positive()
            log.warning("refused: %s spent its worker time (%g s a minute); retry in %d s",
                        client, budget.capacity, wait)
            raise HttpError(429, f"your queries have used the worker time one client may "
                                 f"use, {budget.capacity:g} s a minute (CRTKG_CLIENT_BUDGET); "
                                 f"try again in {wait} s", {"Retry-After": str(wait)})

    def _next(self) -> _Ticket | None:
        """Whose turn it is, if a slot is idle: of the waiting queries whose client is under
        its limit, the one whose client has the fewest in the workers, then the first come."""
        if not self._idle:
            return None
        running = self._running.get
        return min((t for t in self._waiting if running(t.client, 0) < self.limits.queries),
                   key=lambda t: (running(t.client, 0), t.number), default=None)

    def _give_back(self, slot: _Worker | None, client: str, used: float) -> None:
        with self._turns:
            self._idle.append(slot)
            left = self._running.pop(client) - 1
            if left:
                self._running[client] = left
            if self.limits.budget:
                now = time.monotonic()
                budget = self._budgets.setdefault(
                    client, _Budget(self.limits.budget, self.limits.budget, now))
                budget.level_at(now)
                budget.level -= used
                if len(self._budgets) > 4096:  # forget the clients that are back to full
                    self._budgets = {c: b for c, b in self._budgets.items()
                                     if b.level_at(now) < b.capacity or c in self._running}
            self._hand_over()

    def _replacement(self, old: _Worker) -> _Worker | None:
        """A fresh worker now, so the next query does not wait for one; None if none starts
        (the slot then tries again when next used)."""
        try:
            worker = self._ready(self._spawn())
        except (HttpError, OSError) as err:  # OSError: no process could start (fds, memory)
            log.error("no worker could start in place of worker %d: %s", old.process.pid, err)
            return None
        log.info("worker %d started in place of worker %d", worker.process.pid, old.process.pid)
        return worker

    def _working(self, slot: _Worker | None) -> _Worker:
        """The slot's worker if it is alive, else a fresh one (it may have died idle)."""
        if slot is not None and slot.process.poll() is None:
            return slot
        if slot is not None:
            log.warning("worker %d had died idle (%s); starting another", slot.process.pid,
                        exit_cause(slot.process.returncode))
            self._stop(slot)
        worker = self._ready(self._spawn())
        log.info("worker %d started", worker.process.pid)
        return worker

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
