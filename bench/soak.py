"""Soak: `crtkg serve` with its default settings under steady mixed load for a bounded time,
with query workers killed from outside; prints what went wrong, latency per minute, memory
and leftovers as Markdown.

    python bench/soak.py [--artifact build/crtkg.nq] [--minutes 10] [--json FILE]

Loopback only. Load: `--good` connections (threads; client addresses 127.0.0.10, …, so the
per-client limits never refuse a well-behaved client), each sending, one after another, the
named queries of queries/*.rq through /api/queries/NAME (enumerated parameters at their first
value) and distinct ad-hoc SELECTs on /sparql (a varying LIMIT or FILTER constant, so the
answer cache cannot answer them). Two pathological clients, from addresses of their own:
127.0.0.200 sends the slow ones (a 4-way cartesian COUNT; a backtracking-prone regex over
every literal) one at a time, 127.0.0.201 the malformed or absurd ones (brackets nested just
under the parser's limit and past it; OFFSET 100000000). Every `--kill-every` seconds one
worker is sent SIGKILL.

A good query must answer 200 with a SPARQL JSON body that has at least one row. Reported:
statuses per kind, every 5xx on a good query with its body, p50/p99 of the good queries per
minute, the VmRSS of the server (the main process, with the pool), of its web processes and
of its workers every 5 s (min/max/last per role), the pool's events in the log (timeouts,
restarts), and the worker and web processes left once the server has stopped (want 0).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import http.client  # noqa: E402

from werkzeug.datastructures import Headers  # noqa: E402

from graph.catalogue import load_catalogue  # noqa: E402
from tests.helpers import log_lines, sparql_get, start_server  # noqa: E402

SPARQL_JSON = "application/sparql-results+json"
GOOD_KINDS = ("named", "adhoc")
NESTING_LIMIT = 200  # graph.query.MAX_NESTING
# Parameters the catalogue does not enumerate: a value that has rows.
UNENUMERATED = {"minimum": "100"}
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
REGEX = 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(ISLITERAL(?o) && REGEX(STR(?o), "(a+)+b")) }'
OFFSET = "SELECT ?s ?p ?o { ?s ?p ?o } OFFSET 100000000"


def nested(depth: int) -> str:
    """A SELECT whose brackets nest `depth` deep (the WHERE braces included)."""
    inner = depth - 1
    return "SELECT * WHERE " + "{" * (inner + 1) + " ?s ?p ?o " + "}" * (inner + 1) + " LIMIT 1"


def adhoc(number: int) -> str:
    """A distinct cheap SELECT, by number; each has rows."""
    shapes = (
        "SELECT ?s ?label {{ ?s rdfs:label ?label }} LIMIT {limit}",
        'SELECT ?s ?p ?o {{ ?s ?p ?o FILTER(?o != "soak-{number}") }} LIMIT {limit}',
        "SELECT ?c (COUNT(?s) AS ?n) {{ ?s a ?c }} GROUP BY ?c HAVING (COUNT(?s) > {small})",
        'SELECT ?s {{ ?s a owl:Class FILTER(!CONTAINS(STR(?s), "soak{number}")) }} LIMIT 3',
    )
    shape = shapes[number % len(shapes)]
    return shape.format(limit=1 + number % 997, number=number, small=-1 - number)


@dataclass
class Outcome:
    kind: str
    client: str
    status: int
    seconds: float
    at: float  # seconds since the soak's start, when it was sent
    problem: str = ""  # for a good query: why its answer is not plausible
    body: str = ""  # kept for 5xx and implausible answers only


@dataclass
class Soak:
    outcomes: list[Outcome] = field(default_factory=list)
    rss: dict[str, dict[int, list[int]]] = field(
        default_factory=lambda: {role: defaultdict(list) for role in ("server", "web", "worker")})
    kills: list[tuple[float, int]] = field(default_factory=list)
    server_rss: dict[int, int] = field(default_factory=dict)  # minute: the last KB sampled
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def api_get(base: str, path: str, client: str, timeout: float = 30) -> tuple[int, str]:
    url = urllib.parse.urlsplit(base)
    assert url.hostname, f"no host in {base}"
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout,
                                            source_address=(client, 0))
    try:
        connection.request("GET", path, headers={"Accept": SPARQL_JSON})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def implausible(body: str) -> str:
    """Why a good query's 200 body is not a plausible SPARQL JSON answer; '' if it is."""
    try:
        answer = json.loads(body)
    except ValueError:
        return "not JSON"
    if not isinstance(answer, dict) or "head" not in answer:
        return "no head"
    if "boolean" in answer:
        return ""
    bindings = answer.get("results", {}).get("bindings")
    if not isinstance(bindings, list):
        return "no results.bindings"
    if not bindings or not any(bindings[0].values()):
        return "no rows"
    return ""


def named_paths() -> list[tuple[str, str]]:
    """(name, path) of every named query with its first enumerated parameter values."""
    paths = []
    for query in load_catalogue(ROOT / "queries"):
        given = {}
        for p in query.parameters:
            if p.values:
                given[p.name] = p.values[0]
            elif p.name in UNENUMERATED:
                given[p.name] = UNENUMERATED[p.name]
            elif p.required:
                break
        else:
            paths.append((query.name, f"/api/queries/{query.name}?"
                          + urllib.parse.urlencode(given)))
    return paths


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers_of(server: int) -> list[int]:
    return [c for c in children(server) if "server.worker" in command_line(c)]


def web_processes_of(server: int) -> list[int]:
    """Granian's web processes: the server's children that are neither query workers nor
    multiprocessing's resource tracker."""
    return [c for c in children(server) if "server.worker" not in (line := command_line(c))
            and "resource_tracker" not in line]


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run(args: argparse.Namespace) -> dict:
    soak = Soak()
    named = named_paths()
    process, base = start_server("--artifact", str(args.artifact), "serve", "--no-build",
                                 "--log-format", "json")
    log = log_lines(process)
    started = time.monotonic()
    stop = started + args.minutes * 60
    seen_workers: dict[int, str] = {}  # pid: command line, every worker seen
    seen_web: dict[int, str] = {}  # and every web process
    counter = itertools.count()

    def good(number: int) -> None:
        client = f"127.0.0.{10 + number}"
        rng = random.Random(number)
        while time.monotonic() < stop:
            sent = time.monotonic()
            kind = "named" if rng.random() < 0.5 else "adhoc"
            try:
                if kind == "named":
                    status, body = api_get(base, rng.choice(named)[1], client)
                else:
                    status, _, body = sparql_get(base, adhoc(next(counter)), client)
            except OSError as err:  # e.g. the connection reset: counted as status 0
                status, body = 0, repr(err)
            seconds = time.monotonic() - sent
            problem = (implausible(body) if status == 200 else f"status {status}")
            soak.record(Outcome(kind, client, status, seconds, sent - started, problem,
                                body[:500] if problem else ""))
            time.sleep(rng.uniform(0.0, 0.05))

    def bad(client: str, kinds: list[tuple[str, str]]) -> None:
        for kind, query in itertools.cycle(kinds):
            if time.monotonic() >= stop:
                return
            sent = time.monotonic()
            try:
                status, headers, body = sparql_get(base, query, client, timeout=60)
            except OSError as err:  # e.g. the connection reset
                status, headers, body = 0, Headers(), repr(err)
            soak.record(Outcome(kind, client, status, time.monotonic() - sent, sent - started,
                                body=body[:300] if status >= 500 or status == 0 else ""))
            time.sleep(float(headers.get("Retry-After", 0)) if status == 429 else 0.5)

    def sample() -> None:
        while time.monotonic() < stop:
            for role, pids in (("server", [process.pid]), ("web", web_processes_of(process.pid)),
                               ("worker", workers_of(process.pid))):
                for pid in pids:
                    if role == "worker":
                        seen_workers.setdefault(pid, command_line(pid))
                    elif role == "web":
                        seen_web.setdefault(pid, command_line(pid))
                    if (kb := rss_kb(pid)) is not None:
                        soak.rss[role][pid].append(kb)
                        if role == "server":
                            soak.server_rss[int((time.monotonic() - started) // 60)] = kb
            time.sleep(5)

    def kill() -> None:
        rng = random.Random(0)
        while time.monotonic() + args.kill_every < stop:
            time.sleep(args.kill_every)
            pids = workers_of(process.pid)
            if pids:
                victim = rng.choice(pids)
                seen_workers.setdefault(victim, command_line(victim))
                os.kill(victim, signal.SIGKILL)
                soak.kills.append((time.monotonic() - started, victim))

    slow = [("cartesian", CARTESIAN), ("regex", REGEX)]
    absurd = [(f"nesting-{NESTING_LIMIT - 1}", nested(NESTING_LIMIT - 1)),
              (f"nesting-{NESTING_LIMIT + 1}", nested(NESTING_LIMIT + 1)),
              ("nesting-5000", nested(5000)), ("offset", OFFSET)]
    threads = [threading.Thread(target=good, args=(n,)) for n in range(args.good)]
    threads += [threading.Thread(target=bad, args=("127.0.0.200", slow)),
                threading.Thread(target=bad, args=("127.0.0.201", absurd)),
                threading.Thread(target=sample), threading.Thread(target=kill)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    for pid in workers_of(process.pid):
        seen_workers.setdefault(pid, command_line(pid))
    os.kill(process.pid, signal.SIGTERM)
    server_exit = process.wait(30)
    time.sleep(args.linger)  # workers outliving the server notice within a second
    leaked = [pid for pid, line in {**seen_workers, **seen_web}.items()
              if line and command_line(pid) == line]
    folders = {Path(line.split()[3]).parent for line in seen_workers.values()
               if len(line.split()) > 3}
    return summarise(soak, log, elapsed, server_exit, leaked,
                     sorted(str(f) for f in folders if f.exists()), len(seen_workers), args)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summarise(soak: Soak, log: list[str], elapsed: float, server_exit: int, leaked: list[int],
              folders: list[str], workers_seen: int, args: argparse.Namespace) -> dict:
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for o in soak.outcomes:
        statuses[o.kind][o.status] += 1
    good = [o for o in soak.outcomes if o.kind in GOOD_KINDS]
    minutes: dict[int, list[float]] = defaultdict(list)
    for o in good:
        if o.status == 200:
            minutes[int(o.at // 60)].append(o.seconds * 1000)
    events = Counter[str]()
    entries = []
    for line in log:
        try:
            entries.append(json.loads(line))
        except ValueError:
            events["not json"] += 1
    markers = {"timeout": "timeout:", "busy": "busy:", "refused": "refused:",
               "restarted after a query": "started in place of",
               "died idle": "had died idle", "stopped while answering": "stopped while answering",
               "could not load": "could not load", "started (slot refilled)": "started"}
    for entry in entries:
        if entry.get("logger") != "crtkg.pool":
            continue
        message = entry.get("message", "")
        for name, marker in markers.items():
            if marker in message and (marker != "started" or message.endswith("started")):
                events[name] += 1
                break
        else:
            events["other"] += 1
    errors = [e for e in entries if e.get("logger") == "crtkg.error"]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"), "minutes": round(elapsed / 60, 2),
        "good_connections": args.good, "kill_every_s": args.kill_every,
        "statuses": {k: dict(sorted(v.items())) for k, v in sorted(statuses.items())},
        "good_5xx": [{**asdict(o), "worker_killed_meanwhile": any(
                         o.at - 0.1 <= t <= o.at + o.seconds + 0.1 for t, _ in soak.kills)}
                     for o in good if o.status >= 500],
        "good_implausible": [asdict(o) for o in good if o.status == 200 and o.problem],
        "good_other": [asdict(o) for o in good if o.status != 200 and o.status < 500],
        "latency_ms": {m: {"n": len(v), "p50": round(percentile(v, 0.5), 1),
                           "p99": round(percentile(v, 0.99), 1),
                           "server_rss_mb": round(soak.server_rss.get(m, 0) / 1024)}
                       for m, v in sorted(minutes.items())},
        "rss_mb": {role: role_rss(pids) for role, pids in soak.rss.items()},
        "kills": len(soak.kills), "kill_times": [round(t, 1) for t, _ in soak.kills],
        "workers_seen": workers_seen, "log_events": dict(events),
        "unexpected_errors_logged": [e.get("message", "") for e in errors],
        "server_exit": server_exit, "leaked_workers": leaked, "leftover_folders": folders,
        "log": log,
    }


def role_rss(pids: dict[int, list[int]]) -> dict:
    samples = [kb for values in pids.values() for kb in values]
    if not samples:
        return {}
    last = [values[-1] for values in pids.values() if values]
    return {"processes": len(pids), "samples": len(samples), "min": round(min(samples) / 1024),
            "max": round(max(samples) / 1024), "last": round(max(last) / 1024),
            "per_process_max": sorted(round(max(v) / 1024) for v in pids.values())}


def markdown(r: dict) -> str:
    lines = [f"## Soak, {r['date']}: {r['minutes']} min, {r['good_connections']} good "
             f"connections + 2 pathological, a worker killed every {r['kill_every_s']} s", ""]
    lines += ["| kind | statuses |", "|---|---|"]
    lines += [f"| {k} | {', '.join(f'{s}: {n}' for s, n in v.items())} |"
              for k, v in r["statuses"].items()]
    lines += ["", f"5xx on good queries: {len(r['good_5xx'])}; 200 with an implausible body: "
              f"{len(r['good_implausible'])}; other statuses: {len(r['good_other'])}"]
    for o in r["good_5xx"] + r["good_implausible"] + r["good_other"]:
        killed = " (a worker was killed meanwhile)" if o.get("worker_killed_meanwhile") else ""
        lines.append(f"- {o['kind']} from {o['client']} at {o['at']:.1f} s, {o['status']}, "
                     f"{o['seconds']:.2f} s{killed}: {o['body'][:300]!r}")
    lines += ["", "| minute | good answered | p50 ms | p99 ms | server RSS MB at its end |",
              "|---:|---:|---:|---:|---:|"]
    lines += [f"| {m} | {v['n']} | {v['p50']} | {v['p99']} | {v['server_rss_mb']} |"
              for m, v in r["latency_ms"].items()]
    lines += ["", "| role | processes | samples | min MB | max MB | last MB | max per process |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for role, v in r["rss_mb"].items():
        if v:
            most = ", ".join(map(str, v["per_process_max"]))
            lines.append(f"| {role} | {v['processes']} | {v['samples']} | {v['min']} | "
                         f"{v['max']} | {v['last']} | {most} |")
    lines += ["", f"Workers killed: {r['kills']}; worker processes seen: {r['workers_seen']}; "
              f"pool events in the log: {r['log_events']}; unexpected errors logged: "
              f"{len(r['unexpected_errors_logged'])}",
              f"After the server stopped (exit {r['server_exit']}): leaked workers "
              f"{len(r['leaked_workers'])} {r['leaked_workers'] or ''}, leftover temp folders "
              f"{r['leftover_folders'] or 0}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, default=ROOT / "build" / "crtkg.nq")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--good", type=int, default=8, help="well-behaved connections")
    parser.add_argument("--kill-every", type=float, default=30, help="seconds between kills")
    parser.add_argument("--linger", type=float, default=3,
                        help="seconds to wait after the server stops before counting workers")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--log", type=Path, help="write the server's log here")
    args = parser.parse_args()
    report = run(args)
    if args.log:
        args.log.write_text("\n".join(report.pop("log")) + "\n")
    else:
        report.pop("log")
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
